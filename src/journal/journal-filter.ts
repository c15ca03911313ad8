import { FakeRegistryError } from '../errors/fake-registry-error.js'
import type { AsymmetricMatcherLike, RecordedAuth, RecordedRequest, RequestFilter } from './journal-types.js'

/** A filter, or a predicate for the cases a filter cannot say. */
export type RequestMatch = RequestFilter | ((request: RecordedRequest) => boolean)

// Keyed by RequestFilter so that a field added there cannot be forgotten here; the order is the
// one a misspelt key's message lists them in.
const FILTER_FIELDS: Readonly<Record<keyof RequestFilter, true>> = {
  method: true,
  path: true,
  repository: true,
  reference: true,
  resource: true,
  transport: true,
  status: true,
  errorCode: true,
  digest: true,
  fault: true,
  headers: true,
  query: true,
  user: true,
  auth: true,
}
const FILTER_KEYS: ReadonlySet<string> = new Set(Object.keys(FILTER_FIELDS))
const AUTH_FIELDS: Readonly<Record<keyof RecordedAuth, true>> = {
  user: true,
  scheme: true,
  asked: true,
  granted: true,
  outcome: true,
  error: true,
  grantType: true,
}
const AUTH_KEYS: ReadonlySet<string> = new Set(Object.keys(AUTH_FIELDS))
const EXAMPLES = {
  headers: "{ 'content-type': 'application/vnd.oci.image.manifest.v1+json' }",
  query: "{ digest: 'sha256:…' }",
  auth: "{ user: 'alice', outcome: 'granted' }",
} as const

/**
 * True when `actual` matches `expected`: asymmetric matchers and RegExps (for texts) decide for
 * themselves, arrays match element by element, objects are subsets, anything else is `Object.is`.
 *
 * @example
 * matchValue({ os: 'linux', architecture: 'arm64' }, { os: 'linux' }) // true
 * matchValue('sha256:abc', /^sha256:/) // true
 */
export function matchValue(actual: unknown, expected: unknown): boolean {
  if (isAsymmetricMatcher(expected)) return expected.asymmetricMatch(actual)
  if (expected instanceof RegExp) {
    if (typeof actual !== 'string') return false
    // A global or sticky RegExp remembers where it stopped; every comparison starts afresh.
    expected.lastIndex = 0
    return expected.test(actual)
  }
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((item, index) => matchValue(actual[index], item))
    )
  }
  if (isPlainObject(expected)) {
    if (typeof actual !== 'object' || actual === null) return false
    return Object.entries(expected).every(([key, value]) => matchValue((actual as Record<string, unknown>)[key], value))
  }
  return Object.is(actual, expected)
}

/**
 * True for vitest's and jest's asymmetric matchers (anything with `asymmetricMatch`).
 *
 * @example
 * isAsymmetricMatcher(expect.any(String)) // true
 */
export function isAsymmetricMatcher(value: unknown): value is AsymmetricMatcherLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<AsymmetricMatcherLike>).asymmetricMatch === 'function'
  )
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const prototype = Object.getPrototypeOf(value) as unknown
  return prototype === Object.prototype || prototype === null
}

/**
 * True when a recorded request matches the filter; call `requireRequestFilter` on a filter from
 * outside first.
 *
 * @example
 * matchesRequest(registry.requests.last()!, { method: 'put', status: 201 })
 */
export function matchesRequest(request: RecordedRequest, filter: RequestFilter): boolean {
  for (const [key, expected] of Object.entries(filter)) {
    if (expected === undefined) continue
    if (!matchField(request, key, expected)) return false
  }
  return true
}

function matchField(request: RecordedRequest, key: string, expected: unknown): boolean {
  switch (key) {
    case 'method':
      return typeof expected === 'string'
        ? request.method.toUpperCase() === expected.toUpperCase()
        : matchValue(request.method, expected)
    case 'status':
      return matchValue(request.response.status, expected)
    case 'errorCode':
      return matchValue(request.response.errorCode, expected)
    case 'headers':
      return matchesEach(expected, (name) => request.headers[name.toLowerCase()])
    case 'query':
      return matchesEach(expected, (name) => request.query[name])
    case 'user':
      return request.auth !== undefined && matchValue(request.auth.user, expected)
    case 'auth':
      return request.auth !== undefined && matchValue(request.auth, expected)
    default:
      return matchValue(request[key as keyof RecordedRequest], expected)
  }
}

function matchesEach(expected: unknown, actualOf: (name: string) => unknown): boolean {
  return Object.entries(expected as Record<string, unknown>).every(([name, value]) => matchValue(actualOf(name), value))
}

/**
 * Checks a filter's shape at the boundary, so a typo fails loudly instead of matching everything.
 * Throws `FakeRegistryError` (`ERR_INVALID_EXPECTATION`) for a filter that is not an object or
 * has keys the journal does not know.
 *
 * @example
 * requireRequestFilter({ methd: 'PUT' }, 'filter the journal by') // throws: it is not a field of a recorded request
 */
export function requireRequestFilter(filter: unknown, action: string): asserts filter is RequestFilter {
  const invalid = (subject: string, reason: string, fix: string): FakeRegistryError =>
    new FakeRegistryError('ERR_INVALID_EXPECTATION', { action, subject, reason, fix })
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw invalid(
      String(filter),
      'a request filter is an object',
      "Pass one such as { method: 'PUT', path: /\\/manifests\\// }",
    )
  }
  for (const key of Object.keys(filter)) {
    if (!FILTER_KEYS.has(key))
      throw invalid(key, 'it is not a field of a recorded request', `Use only ${[...FILTER_KEYS].join(', ')}`)
  }
  for (const key of ['headers', 'query', 'auth'] as const) {
    const value = (filter as Record<string, unknown>)[key]
    if (value !== undefined && (typeof value !== 'object' || value === null || isAsymmetricMatcher(value))) {
      const example = EXAMPLES[key]
      throw invalid(key, `${key} must be an object of names and values`, `Pass one such as ${example}`)
    }
  }
  const auth = (filter as RequestFilter).auth
  for (const key of Object.keys(auth ?? {})) {
    if (!AUTH_KEYS.has(key))
      throw invalid(
        `auth.${key}`,
        "it is not a field of a recorded request's auth",
        `Use only ${[...AUTH_KEYS].join(', ')}`,
      )
  }
}

/**
 * The predicate a filter stands for, its shape checked first; a predicate comes back as it is.
 *
 * @example
 * registry.requests.all().filter(requestPredicate({ status: 404 }))
 */
export function requestPredicate(match: RequestMatch): (request: RecordedRequest) => boolean {
  if (typeof match === 'function') return match
  requireRequestFilter(match, 'filter the journal by')
  return (request) => matchesRequest(request, match)
}
