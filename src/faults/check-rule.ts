import { FakeRegistryError } from '../errors/fake-registry-error.js'
import { ERROR_CODES, type ErrorCode } from '../errors/codes.js'
import { OciError } from '../errors/oci-error.js'
import type { FaultKind, FaultRule, FaultTransport } from './fault-types.js'

/** Every kind a rule may name, in the order messages list them. */
export const FAULT_KINDS: readonly FaultKind[] = [
  'base',
  'blob',
  'upload',
  'manifest',
  'tags',
  'catalog',
  'referrers',
  'token',
]
/** Every transport a rule may name. */
export const FAULT_TRANSPORTS: readonly FaultTransport[] = ['http', 'msw', 'dispatcher', 'fetch']
/** The seed of a rule's generator when it gives none. */
export const DEFAULT_FAULT_SEED = 1

// Keyed by FaultRule so a key added there cannot be forgotten here; the order is the one a
// misspelt key's message lists them in.
const RULE_KEYS: Readonly<Record<keyof FaultRule, true>> = {
  name: true,
  method: true,
  path: true,
  pathPattern: true,
  repository: true,
  repositoryPattern: true,
  kind: true,
  transport: true,
  nth: true,
  times: true,
  probability: true,
  seed: true,
  status: true,
  code: true,
  message: true,
  body: true,
  contentType: true,
  passThrough: true,
  headers: true,
  retryAfter: true,
  delayMs: true,
  bytesPerSecond: true,
  truncateAfterBytes: true,
  corrupt: true,
  reset: true,
}
const ACTION_KEYS = [
  'status',
  'code',
  'body',
  'headers',
  'retryAfter',
  'delayMs',
  'bytesPerSecond',
  'truncateAfterBytes',
  'corrupt',
  'reset',
] as const
// What a connection reset leaves no answer to carry.
const ANSWER_KEYS = [
  'status',
  'code',
  'body',
  'contentType',
  'headers',
  'retryAfter',
  'bytesPerSecond',
  'truncateAfterBytes',
  'corrupt',
] as const
const BODY_KEYS = ['bytesPerSecond', 'truncateAfterBytes', 'corrupt'] as const
// Statuses whose answers have no body (RFC 9110), so Fetch refuses one.
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([204, 205, 304])
// Headers the transports write from the body itself; a rule setting them would lie about it.
const FRAMING_HEADERS: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'connection'])
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const MAX_DELAY_MS = 2_147_483_647

/** A rule checked and in the shape the matcher and the actions use. */
export interface CheckedRule {
  readonly name: string
  readonly methods?: ReadonlySet<string>
  readonly path?: string | RegExp
  readonly repository?: string | RegExp
  readonly kinds?: ReadonlySet<FaultKind>
  readonly transports?: ReadonlySet<FaultTransport>
  readonly nth?: number
  readonly times?: number
  readonly probability?: number
  readonly seed: number
  /** The answer that replaces the registry's, when the rule gives one. */
  readonly replacement?: Replacement
  readonly passThrough: boolean
  /** Headers to set on the answer, `retry-after` included; lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly delayMs: number
  readonly bytesPerSecond?: number
  readonly truncateAfterBytes?: number
  readonly corrupt: boolean
  readonly reset: boolean
}

/** A replaced answer: the error envelope of `error`, or `body` as `contentType`. */
export interface Replacement {
  readonly status: number
  readonly error?: OciError
  readonly body: Uint8Array<ArrayBuffer>
  readonly contentType?: string
}

/** What the check needs to know of the registry the rule is added to. */
export interface RuleSetting {
  /** The name a rule without one gets. */
  defaultName: string
  /** Names of the rules in force, which a new one may not reuse. */
  names: ReadonlySet<string>
  /** The transports that can reach the registry. */
  reachable: ReadonlySet<FaultTransport>
  /** Says why a transport cannot reach the registry. */
  unreachableReason: string
}

/**
 * Checks a rule from outside (code or a JSON file) and brings it into the shape the matcher and
 * the actions use. Throws `FakeRegistryError` (`ERR_INVALID_FAULT`) naming the rule and the key,
 * with the accepted values, for anything unknown, ill-typed, contradictory or unable to apply.
 *
 * @example
 * const rule = checkRule({ kind: 'blob', status: 503 }, setting) // rule.replacement.status === 503
 */
export function checkRule(input: unknown, setting: RuleSetting): CheckedRule {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw fail(String(input), 'a fault rule is an object', "Pass one such as { kind: 'blob', status: 503 }")
  }
  const rule = input as Record<string, unknown>
  const name = ruleName(rule.name, setting)
  const invalid = (reason: string, fix: string): FakeRegistryError => fail(name, reason, fix)
  for (const key of Object.keys(rule)) {
    if (!Object.hasOwn(RULE_KEYS, key))
      throw invalid(`'${key}' is not a key of a fault rule`, `Use only ${Object.keys(RULE_KEYS).join(', ')}`)
  }
  const given = (key: string): boolean => rule[key] !== undefined
  if (!ACTION_KEYS.some(given))
    throw invalid('the rule has no action', `Give at least one of ${ACTION_KEYS.join(', ')}`)

  const checked = {
    name,
    methods: optional(rule.method, (value) => methodsOf(value, invalid)),
    path: pattern(rule, 'path', invalid),
    repository: pattern(rule, 'repository', invalid),
    kinds: optional(rule.kind, (value) => oneOrMany('kind', value, FAULT_KINDS, invalid)),
    transports: optional(rule.transport, (value) => oneOrMany('transport', value, FAULT_TRANSPORTS, invalid)),
    nth: optional(rule.nth, (value) => count('nth', value, invalid)),
    times: optional(rule.times, (value) => count('times', value, invalid)),
    probability: optional(rule.probability, (value) => probability(value, invalid)),
    seed: optional(rule.seed, (value) => seed(value, invalid)) ?? DEFAULT_FAULT_SEED,
    replacement: replacement(rule, invalid),
    passThrough: optional(rule.passThrough, (value) => flag('passThrough', value, invalid)),
    headers: headers(rule, invalid),
    delayMs: optional(rule.delayMs, (value) => delay(value, invalid)) ?? 0,
    bytesPerSecond: optional(rule.bytesPerSecond, (value) => rate(value, invalid)),
    truncateAfterBytes: optional(rule.truncateAfterBytes, (value) => byteCount(value, invalid)),
    corrupt: optional(rule.corrupt, (value) => flag('corrupt', value, invalid)) ?? false,
    reset: optional(rule.reset, (value) => flag('reset', value, invalid)) ?? false,
  }
  if (checked.nth !== undefined && checked.times !== undefined) {
    throw invalid('nth faults exactly one request, so times cannot apply with it', 'Give nth or times, not both')
  }
  if (given('seed') && checked.probability === undefined) {
    throw invalid('seed only steers probability, which the rule does not give', 'Add probability, or leave seed out')
  }
  if (checked.reset) {
    const clash = ANSWER_KEYS.find(given)
    if (clash)
      throw invalid(
        `reset drops the connection, so there is no answer for ${clash} to shape`,
        `Leave ${clash} out, or reset out`,
      )
  }
  const replaces = checked.replacement !== undefined || checked.reset
  if (checked.passThrough === false && !replaces) {
    throw invalid(
      "without status, code, body or reset the rule alters the registry's own answer, which needs passThrough",
      'Leave passThrough out',
    )
  }
  const bodyAction = BODY_KEYS.find(given)
  if (bodyAction && checked.methods && [...checked.methods].every((method) => method === 'HEAD')) {
    throw invalid(`a HEAD answer has no body for ${bodyAction} to act on`, "Match GET instead (method: 'GET')")
  }
  if (bodyAction && checked.replacement && !checked.replacement.error && checked.replacement.body.byteLength === 0) {
    throw invalid(
      `the replaced answer's body is empty, so ${bodyAction} has nothing to act on`,
      'Give a body, or leave it out',
    )
  }
  if (
    checked.repository !== undefined &&
    checked.kinds &&
    [...checked.kinds].every((kind) => kind === 'base' || kind === 'catalog' || kind === 'token')
  ) {
    throw invalid(
      `a ${[...checked.kinds].join(' or ')} request names no repository, so the rule could never match`,
      'Leave repository out, or match a kind of a repository',
    )
  }
  const unreachable =
    checked.transports && [...checked.transports].find((transport) => !setting.reachable.has(transport))
  if (unreachable) {
    const fix = `Match only ${[...setting.reachable].join(', ')}`
    throw invalid(`no request can arrive through ${unreachable}: ${setting.unreachableReason}`, fix)
  }
  return { ...checked, passThrough: checked.passThrough ?? !replaces }
}

function fail(subject: string, reason: string, fix: string): FakeRegistryError {
  return new FakeRegistryError('ERR_INVALID_FAULT', { action: 'add fault', subject, reason, fix })
}

type Invalid = (reason: string, fix: string) => FakeRegistryError

function optional<T>(value: unknown, check: (value: unknown) => T): T | undefined {
  return value === undefined ? undefined : check(value)
}

function ruleName(value: unknown, setting: RuleSetting): string {
  if (value === undefined) return setting.defaultName
  if (typeof value !== 'string' || value.length === 0) {
    throw fail(
      String(value),
      'a rule name is a non-empty string',
      "Pass one such as name: 'flaky-blob', or leave name out",
    )
  }
  if (setting.names.has(value)) {
    throw fail(
      value,
      'a rule of that name is already in force, and the journal tells rules apart by name',
      'Pick another name, or remove the other rule first',
    )
  }
  return value
}

function methodsOf(value: unknown, invalid: Invalid): ReadonlySet<string> {
  const list = typeof value === 'string' ? [value] : value
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((item) => typeof item === 'string' && TOKEN.test(item))
  ) {
    throw invalid(
      `method must be an HTTP method or a non-empty list of them, got ${describe(value)}`,
      "Pass one such as 'GET' or ['GET', 'HEAD']",
    )
  }
  return new Set(list.map((item: string) => item.toUpperCase()))
}

function pattern(
  rule: Record<string, unknown>,
  key: 'path' | 'repository',
  invalid: Invalid,
): string | RegExp | undefined {
  const value = rule[key]
  const source = rule[`${key}Pattern`]
  if (value !== undefined && source !== undefined)
    throw invalid(`${key} and ${key}Pattern both say what to match`, `Give one of them`)
  if (source !== undefined) {
    if (typeof source !== 'string')
      throw invalid(
        `${key}Pattern must be the source of a RegExp, got ${describe(source)}`,
        `Pass one such as '^/v2/team/'`,
      )
    try {
      return new RegExp(source)
    } catch (error) {
      throw invalid(
        `${key}Pattern ${JSON.stringify(source)} is not a valid RegExp (${(error as Error).message})`,
        'Fix the pattern',
      )
    }
  }
  if (value === undefined || value instanceof RegExp) return value
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(
      `${key} must be a non-empty string or a RegExp, got ${describe(value)}`,
      key === 'path'
        ? "Pass one such as '/v2/team/app/tags/list' or /\\/blobs\\//"
        : "Pass one such as 'team/app' or /^team\\//",
    )
  }
  if (key === 'path' && !value.startsWith('/')) {
    throw invalid(
      `path ${JSON.stringify(value)} is compared with the URL's pathname, which starts with /`,
      `Pass '/${value}', or a RegExp`,
    )
  }
  return value
}

function oneOrMany<T extends string>(
  key: string,
  value: unknown,
  allowed: readonly T[],
  invalid: Invalid,
): ReadonlySet<T> {
  const list: unknown[] = Array.isArray(value) ? (value as unknown[]) : [value]
  const wrong = list.find((item) => !(allowed as readonly unknown[]).includes(item))
  if (list.length === 0 || wrong !== undefined) {
    throw invalid(
      `${key} must be one of ${allowed.join(', ')} or a list of them, got ${describe(list.length === 0 ? value : wrong)}`,
      `Pass one of them`,
    )
  }
  return new Set(list as T[])
}

function count(key: string, value: unknown, invalid: Invalid): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value
  throw invalid(`${key} must be a whole number from 1, got ${describe(value)}`, `Pass one such as ${key}: 2`)
}

function probability(value: unknown, invalid: Invalid): number {
  if (typeof value === 'number' && value > 0 && value <= 1) return value
  throw invalid(
    `probability must be a number above 0 and at most 1, got ${describe(value)}`,
    'Pass one such as probability: 0.25',
  )
}

function seed(value: unknown, invalid: Invalid): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value
  throw invalid(`seed must be a whole number, got ${describe(value)}`, 'Pass one such as seed: 42')
}

function flag(key: string, value: unknown, invalid: Invalid): boolean {
  if (typeof value === 'boolean') return value
  throw invalid(`${key} must be true or false, got ${describe(value)}`, `Pass a boolean, or leave ${key} out`)
}

function delay(value: unknown, invalid: Invalid): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_DELAY_MS) return value
  throw invalid(
    `delayMs must be a number of milliseconds from 0 to ${MAX_DELAY_MS}, got ${describe(value)}`,
    'Pass one such as delayMs: 500',
  )
}

function rate(value: unknown, invalid: Invalid): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value
  throw invalid(
    `bytesPerSecond must be a number above 0, got ${describe(value)}`,
    'Pass one such as bytesPerSecond: 1024',
  )
}

function byteCount(value: unknown, invalid: Invalid): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value
  throw invalid(
    `truncateAfterBytes must be a whole number of bytes from 0, got ${describe(value)}`,
    'Pass one such as truncateAfterBytes: 100',
  )
}

function replacement(rule: Record<string, unknown>, invalid: Invalid): Replacement | undefined {
  const { status, code, message, body, contentType } = rule
  if (message !== undefined && code === undefined)
    throw invalid(
      'message is the message of an error code, and the rule gives no code',
      "Add code, such as code: 'TOOMANYREQUESTS'",
    )
  if (contentType !== undefined && body === undefined)
    throw invalid('contentType is the type of body, and the rule gives no body', 'Add body, or leave contentType out')
  if (code !== undefined && body !== undefined)
    throw invalid('code answers with the error envelope, and body with other bytes', 'Give code or body, not both')
  if (status === undefined && code === undefined && body === undefined) return undefined
  const known =
    typeof code === 'string' && Object.hasOwn(ERROR_CODES, code)
      ? ERROR_CODES[code as keyof typeof ERROR_CODES]
      : undefined
  if (
    status !== undefined &&
    !(typeof status === 'number' && Number.isInteger(status) && status >= 200 && status <= 599)
  ) {
    throw invalid(
      `status must be a whole number from 200 to 599, got ${describe(status)}`,
      'Pass one such as status: 503',
    )
  }
  if (code !== undefined) {
    if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(code)) {
      throw invalid(
        `code must be an error code in capitals, got ${describe(code)}`,
        `Pass one such as 'TOOMANYREQUESTS', or one of ${Object.keys(ERROR_CODES).join(', ')}`,
      )
    }
    if (message !== undefined && (typeof message !== 'string' || message.length === 0)) {
      throw invalid(
        `message must be a non-empty string, got ${describe(message)}`,
        "Pass one such as message: 'service unavailable', or leave it out",
      )
    }
    const finalStatus = status ?? known?.status
    if (finalStatus === undefined) {
      throw invalid(
        `code ${code} is not in the spec's table, so it brings no status`,
        `Add status, or use one of ${Object.keys(ERROR_CODES).join(', ')}`,
      )
    }
    const text = message ?? known?.message ?? code.toLowerCase().replaceAll('_', ' ')
    if (NULL_BODY_STATUSES.has(finalStatus))
      throw invalid(`a ${finalStatus} answer has no body for the error envelope`, 'Pick another status')
    // A code outside the table is written the same way: with status and message given, the
    // error never looks its code up.
    const error = new OciError(code as ErrorCode, undefined, { status: finalStatus, message: text })
    return { status: finalStatus, error, body: new Uint8Array(0) }
  }
  if (status === undefined)
    throw invalid('a body needs a status to be answered with', 'Add status, such as status: 503')
  if (body === undefined) return bodied(status, new Uint8Array(0), undefined, invalid)
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw invalid(
      `body must be a string or a Uint8Array, got ${describe(body)}`,
      "Pass one such as body: 'Service Unavailable', or '' for an empty one",
    )
  }
  if (contentType !== undefined && (typeof contentType !== 'string' || !/^[^\s/]+\/[^\s]+/.test(contentType))) {
    throw invalid(
      `contentType must be a media type, got ${describe(contentType)}`,
      "Pass one such as 'text/html; charset=utf-8'",
    )
  }
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body)
  const type = contentType ?? (bytes.byteLength > 0 ? 'text/plain; charset=utf-8' : undefined)
  return bodied(status, bytes, type, invalid)
}

function bodied(
  status: number,
  body: Uint8Array<ArrayBuffer>,
  contentType: string | undefined,
  invalid: Invalid,
): Replacement {
  if (NULL_BODY_STATUSES.has(status) && body.byteLength > 0)
    throw invalid(`a ${status} answer has no body`, 'Leave code and body out, or pick another status')
  return contentType === undefined ? { status, body } : { status, body, contentType }
}

function headers(rule: Record<string, unknown>, invalid: Invalid): Record<string, string> {
  const result: Record<string, string> = {}
  const given = rule.headers
  if (given !== undefined) {
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
      throw invalid(
        `headers must be an object of names and values, got ${describe(given)}`,
        "Pass one such as { 'x-cache': 'miss' }",
      )
    }
    for (const [name, value] of Object.entries(given)) {
      const lower = name.toLowerCase()
      if (!TOKEN.test(name) || typeof value !== 'string' || /[\r\n\0]/.test(value)) {
        throw invalid(
          `header ${JSON.stringify(name)} must be a header name with a one-line string value, got ${describe(value)}`,
          "Pass one such as { 'x-cache': 'miss' }",
        )
      }
      if (FRAMING_HEADERS.has(lower))
        throw invalid(
          `${lower} is written from the body by the transport`,
          `Leave ${lower} out; use truncateAfterBytes for a body shorter than announced`,
        )
      result[lower] = value
    }
  }
  if (rule.retryAfter !== undefined) {
    if (result['retry-after'] !== undefined)
      throw invalid('retryAfter and headers both set Retry-After', 'Give one of them')
    result['retry-after'] = retryAfter(rule.retryAfter, invalid)
  }
  return result
}

function retryAfter(value: unknown, invalid: Invalid): string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value)
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined
  if (date && !Number.isNaN(date.getTime())) return date.toUTCString()
  throw invalid(
    `retryAfter must be whole seconds from 0 or a date, got ${describe(value)}`,
    "Pass one such as retryAfter: 5 or retryAfter: new Date('2030-01-01T00:00:00Z')",
  )
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value instanceof Date) return 'an invalid Date'
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'an object'
  return String(value)
}
