import type { OciError } from '../errors/oci-error.js'
import { FakeRegistryError } from '../errors/fake-registry-error.js'
import type { RouteParams } from './context.js'
import { toHar, type Har } from './har.js'

/** Which part of the Distribution API a request addressed. */
export type ResourceKind = 'base' | 'catalog' | 'upload' | 'blob' | 'manifest' | 'tags' | 'referrers'

/** Anything with `asymmetricMatch`, such as vitest's `expect.objectContaining(…)` or `expect.any(String)`. */
export interface AsymmetricMatcherLike {
  asymmetricMatch(other: unknown): boolean
}

/** A value to compare a text with: equal text, a RegExp it matches, or an asymmetric matcher. */
export type TextMatch = string | RegExp | AsymmetricMatcherLike

/**
 * Which requests to pick from the journal. Every field given must match; texts compare equal,
 * or with a RegExp or an asymmetric matcher; `headers` and `query` are subsets.
 *
 * @example
 * registry.requests.filter({ method: 'PUT', path: /\/manifests\//, status: 201 })
 */
export interface RequestFilter {
  /** Case-insensitive when a string. */
  method?: TextMatch
  /** The URL's pathname, `/v2/team/app/manifests/1`. */
  path?: TextMatch
  repository?: TextMatch
  /** Tag or digest of a manifest request, digest of a blob or referrers request. */
  reference?: TextMatch
  resource?: ResourceKind | AsymmetricMatcherLike
  /** 'http', 'msw', 'dispatcher' or 'fetch'. */
  transport?: TextMatch
  status?: number | AsymmetricMatcherLike
  /** The first error code of an error answer, `MANIFEST_UNKNOWN`. */
  errorCode?: TextMatch
  digest?: TextMatch
  /** Request headers (names are case-insensitive) that must be present with these values. */
  headers?: Record<string, TextMatch>
  /** Query parameters that must be present with these values. */
  query?: Record<string, TextMatch | readonly string[]>
}

/** The answer a recorded request got. */
export interface RecordedResponse {
  readonly status: number
  readonly statusText: string
  readonly headers: Readonly<Record<string, string>>
  /**
   * Bytes of the body as streamed to the client. Until the client has read it to the end, the
   * declared `Content-Length` (or 0 when none).
   */
  readonly bodySize: number
  /** True once the body has been read to the end or abandoned (or there was none). */
  readonly complete: boolean
  /** The first error code of the `{"errors":[…]}` envelope, `MANIFEST_UNKNOWN`. */
  readonly errorCode?: string
  /** Every error of the envelope, code and message. */
  readonly errors?: ReadonlyArray<{ readonly code: string; readonly message: string; readonly detail?: unknown }>
}

/**
 * One request and its answer. Blob bodies are never kept: only their size and digest.
 */
export interface RecordedRequest {
  /** 1, 2, 3… in order of arrival, for this registry. */
  readonly id: number
  /** How it arrived: 'http', 'msw', 'dispatcher', or 'fetch' (`registry.fetch`). */
  readonly transport: string
  readonly startedAt: Date
  readonly method: string
  readonly url: string
  /** The URL's pathname. */
  readonly path: string
  /** Query parameters; a repeated one as an array. */
  readonly query: Readonly<Record<string, string | string[]>>
  /** The API resource, or undefined for a path outside the API. */
  readonly resource: ResourceKind | undefined
  readonly repository: string | undefined
  /** Tag or digest of a manifest request, digest of a blob or referrers request. */
  readonly reference: string | undefined
  /** The content digest involved: the answer's `Docker-Content-Digest`, else the one in the URL. */
  readonly digest: string | undefined
  /** Request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  /** Bytes of the request body: counted as read, or the declared `Content-Length` when the registry stopped early. */
  readonly bodySize: number
  /** The parsed body of a manifest PUT (as the registry decoded it), when it was read. */
  readonly manifest?: unknown
  readonly response: RecordedResponse
  /** Milliseconds: until the answer's headers (`wait`) and reading its body (`receive`). */
  readonly timings: { readonly wait: number; readonly receive: number }
}

/**
 * The journal of a registry (`registry.requests`): every request and its answer, in order of
 * arrival, queryable and exportable as HAR 1.2.
 *
 * @example
 * await registry.fetch('/v2/team/app/tags/list')
 * registry.requests.last()?.response.status // 404
 */
export interface RequestJournal extends Iterable<RecordedRequest> {
  /** How many requests it holds. */
  readonly size: number
  /** How many of the oldest requests were dropped to keep it within its limit. */
  readonly dropped: number
  /** Every request, oldest first. */
  all(): RecordedRequest[]
  /** The requests matching a filter (every field given must match) or a predicate, oldest first. */
  filter(match?: RequestFilter | ((request: RecordedRequest) => boolean)): RecordedRequest[]
  /** The first matching request. */
  find(match: RequestFilter | ((request: RecordedRequest) => boolean)): RecordedRequest | undefined
  /** The newest request, or the newest matching one. */
  last(match?: RequestFilter | ((request: RecordedRequest) => boolean)): RecordedRequest | undefined
  /** Forgets every request; ids keep counting. */
  clear(): void
  /**
   * The journal as a HAR 1.2 document, for a bug report. `Authorization`, `Cookie` and
   * `Set-Cookie` values are redacted.
   * @example writeFileSync('registry.har', JSON.stringify(registry.requests.toHAR(), null, 2))
   */
  toHAR(): Har
}

/** What handlers add to a request's record while they answer it (see RouteInput.facts). */
export interface RequestFacts {
  /** The route's parameters, once a route matched. */
  params?: RouteParams
  /** The decoded body of a manifest PUT. */
  manifest?: unknown
  /** The error the answer carries. */
  error?: OciError
}

/** How many requests a journal keeps before dropping the oldest. */
export const JOURNAL_LIMIT = 10_000

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? (T[K] extends Date ? T[K] : Mutable<T[K]>) : T[K] }
type Entry = Mutable<Omit<RecordedRequest, 'response'>> & { response: Mutable<RecordedResponse> }

const FILTER_KEYS: ReadonlySet<string> = new Set(['method', 'path', 'repository', 'reference', 'resource', 'transport', 'status', 'errorCode', 'digest', 'headers', 'query'])

/** The registry's journal; `start` is called by the core for each request. */
export class Journal implements RequestJournal {
  #entries: Entry[] = []
  #nextId = 1
  #dropped = 0
  #limit: number

  constructor(limit: number = JOURNAL_LIMIT) {
    this.#limit = limit
  }

  get size(): number {
    return this.#entries.length
  }

  get dropped(): number {
    return this.#dropped
  }

  [Symbol.iterator](): Iterator<RecordedRequest> {
    return this.all()[Symbol.iterator]()
  }

  all(): RecordedRequest[] {
    return [...this.#entries]
  }

  filter(match?: RequestFilter | ((request: RecordedRequest) => boolean)): RecordedRequest[] {
    if (match === undefined) return this.all()
    return this.#entries.filter(predicateOf(match))
  }

  find(match: RequestFilter | ((request: RecordedRequest) => boolean)): RecordedRequest | undefined {
    return this.#entries.find(predicateOf(match))
  }

  last(match?: RequestFilter | ((request: RecordedRequest) => boolean)): RecordedRequest | undefined {
    if (match === undefined) return this.#entries.at(-1)
    return this.#entries.findLast(predicateOf(match))
  }

  clear(): void {
    this.#entries = []
    this.#dropped = 0
  }

  toHAR(): Har {
    return toHar(this.#entries)
  }

  /** Starts recording a request; the core answers with `recording.request` and passes the answer to `finish`. */
  start(request: Request, transport: string): Recording {
    return new Recording(this, this.#nextId++, request, transport)
  }

  /** Files a finished entry in order of arrival (answers can finish out of order). */
  add(entry: Entry): void {
    let index = this.#entries.length
    while (index > 0 && (this.#entries[index - 1] as Entry).id > entry.id) index--
    this.#entries.splice(index, 0, entry)
    if (this.#entries.length > this.#limit) {
      this.#entries.shift()
      this.#dropped++
    }
  }
}

/** One request being answered: counts the bodies as they stream, never buffering them. */
export class Recording {
  readonly facts: RequestFacts = {}
  /** The request to answer: the original, with its body counted as the handler reads it. */
  readonly request: Request
  #journal: Journal
  #entry: Entry
  #started = performance.now()
  #requestRead = 0
  #requestDone = false

  constructor(journal: Journal, id: number, request: Request, transport: string) {
    this.#journal = journal
    const url = new URL(request.url)
    this.#entry = {
      id,
      transport,
      startedAt: new Date(),
      method: request.method,
      url: request.url,
      path: url.pathname,
      query: queryOf(url.searchParams),
      resource: undefined,
      repository: undefined,
      reference: undefined,
      digest: undefined,
      headers: Object.fromEntries(request.headers),
      bodySize: 0,
      response: { status: 0, statusText: '', headers: {}, bodySize: 0, complete: false },
      timings: { wait: 0, receive: 0 },
    }
    this.request = request.body
      ? new Request(request, {
          body: counted(request.body, (bytes) => (this.#requestRead += bytes), () => (this.#requestDone = true)),
          duplex: 'half',
        } as RequestInit)
      : request
  }

  /** Records the answer and returns it, its body counted as the client reads it. */
  finish(response: Response): Response {
    const entry = this.#entry
    const { params, manifest, error } = this.facts
    entry.timings.wait = elapsed(this.#started)
    const declared = Number(entry.headers['content-length'] ?? Number.NaN)
    entry.bodySize = this.#requestDone || !Number.isSafeInteger(declared) ? this.#requestRead : declared
    if (params) {
      entry.resource = resourceOf(entry.path, params)
      entry.repository = params.name
      entry.reference = params.reference ?? params.digest
    }
    if (manifest !== undefined) entry.manifest = manifest
    const answer = entry.response
    answer.status = response.status
    answer.statusText = response.statusText
    answer.headers = Object.fromEntries(response.headers)
    if (error) {
      answer.errors = error.entries.map((e) => (e.detail === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, detail: e.detail }))
      answer.errorCode = error.entries[0]?.code
    }
    entry.digest = answer.headers['docker-content-digest'] ?? firstOf(entry.query.digest) ?? (params?.digest !== undefined || entry.reference?.includes(':') ? entry.reference : undefined)
    this.#journal.add(entry)
    if (!response.body) {
      answer.complete = true
      return response
    }
    const length = Number(answer.headers['content-length'] ?? Number.NaN)
    answer.bodySize = Number.isSafeInteger(length) ? length : 0
    let sent = 0
    const body = counted(
      response.body,
      (bytes) => (sent += bytes),
      () => {
        answer.bodySize = sent
        answer.complete = true
        entry.timings.receive = Math.max(0, elapsed(this.#started) - entry.timings.wait)
      },
    )
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
  }
}

// A pull-driven wrapper rather than a TransformStream: it reads only as the consumer asks, so an
// unread body stays unread, and it sees a cancel (a client that stops reading).
function counted(source: ReadableStream<Uint8Array>, onBytes: (bytes: number) => void, onEnd: () => void): ReadableStream<Uint8Array> {
  const reader = source.getReader()
  let ended = false
  const end = (): void => {
    if (ended) return
    ended = true
    onEnd()
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>
        try {
          result = await reader.read()
        } catch (error) {
          end()
          throw error
        }
        if (result.done) {
          end()
          controller.close()
          return
        }
        onBytes(result.value.byteLength)
        controller.enqueue(result.value)
      },
      cancel(reason) {
        end()
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 1000) / 1000
}

function queryOf(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {}
  for (const [name, value] of params) {
    const previous = query[name]
    query[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value]
  }
  return query
}

function firstOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function resourceOf(path: string, params: RouteParams): ResourceKind {
  if (params.uuid !== undefined || /\/blobs\/uploads\/?$/.test(path)) return 'upload'
  if (params.reference !== undefined) return 'manifest'
  if (params.digest !== undefined) return /\/referrers\/[^/]+$/.test(path) ? 'referrers' : 'blob'
  if (params.name !== undefined) return 'tags'
  return path.endsWith('/_catalog') ? 'catalog' : 'base'
}

/**
 * True when `actual` matches `expected`: asymmetric matchers and RegExps (for texts) decide for
 * themselves, arrays match element by element, objects are subsets, anything else is `Object.is`.
 */
export function matchValue(actual: unknown, expected: unknown): boolean {
  if (isAsymmetricMatcher(expected)) return expected.asymmetricMatch(actual)
  if (expected instanceof RegExp) {
    if (typeof actual !== 'string') return false
    expected.lastIndex = 0
    return expected.test(actual)
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((item, index) => matchValue(actual[index], item))
  }
  if (isPlainObject(expected)) {
    if (typeof actual !== 'object' || actual === null) return false
    return Object.entries(expected).every(([key, value]) => matchValue((actual as Record<string, unknown>)[key], value))
  }
  return Object.is(actual, expected)
}

/** True for vitest's and jest's asymmetric matchers (anything with `asymmetricMatch`). */
export function isAsymmetricMatcher(value: unknown): value is AsymmetricMatcherLike {
  return typeof value === 'object' && value !== null && typeof (value as Partial<AsymmetricMatcherLike>).asymmetricMatch === 'function'
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const prototype = Object.getPrototypeOf(value) as unknown
  return prototype === Object.prototype || prototype === null
}

/**
 * True when a recorded request matches the filter. Throws `FakeRegistryError` for a filter that
 * is not an object or has keys the journal does not know.
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
      return typeof expected === 'string' ? request.method.toUpperCase() === expected.toUpperCase() : matchValue(request.method, expected)
    case 'status':
      return matchValue(request.response.status, expected)
    case 'errorCode':
      return matchValue(request.response.errorCode, expected)
    case 'headers': {
      const headers = expected as Record<string, unknown>
      return Object.entries(headers).every(([name, value]) => matchValue(request.headers[name.toLowerCase()], value))
    }
    case 'query': {
      const query = expected as Record<string, unknown>
      return Object.entries(query).every(([name, value]) => matchValue(request.query[name], value))
    }
    default:
      return matchValue(request[key as keyof RecordedRequest], expected)
  }
}

/** Checks a filter's shape at the boundary, so a typo fails loudly instead of matching everything. */
export function assertRequestFilter(filter: unknown, action: string): asserts filter is RequestFilter {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new FakeRegistryError('ERR_INVALID_EXPECTATION', {
      action,
      subject: String(filter),
      reason: 'a request filter is an object',
      fix: "Pass one such as { method: 'PUT', path: /\\/manifests\\// }",
    })
  }
  for (const key of Object.keys(filter)) {
    if (!FILTER_KEYS.has(key)) {
      throw new FakeRegistryError('ERR_INVALID_EXPECTATION', {
        action,
        subject: key,
        reason: 'it is not a field of a recorded request',
        fix: `Use only ${[...FILTER_KEYS].join(', ')}`,
      })
    }
  }
  for (const key of ['headers', 'query'] as const) {
    const value = (filter as Record<string, unknown>)[key]
    if (value !== undefined && (typeof value !== 'object' || value === null || isAsymmetricMatcher(value))) {
      throw new FakeRegistryError('ERR_INVALID_EXPECTATION', {
        action,
        subject: key,
        reason: `${key} must be an object of names and values`,
        fix: `Pass one such as ${key === 'headers' ? "{ 'content-type': 'application/vnd.oci.image.manifest.v1+json' }" : "{ digest: 'sha256:…' }"}`,
      })
    }
  }
}

function predicateOf(match: RequestFilter | ((request: RecordedRequest) => boolean)): (request: RecordedRequest) => boolean {
  if (typeof match === 'function') return match
  assertRequestFilter(match, 'filter the journal by')
  return (request) => matchesRequest(request, match)
}
