import type { AuthFacts } from '../auth/types.js'
import type { Har } from './har-types.js'

// The journal's public shapes: what it records of a request and how it is queried.

/**
 * The path parameters of the route a request matched, as the journal records them; which ones
 * are set depends on the route.
 */
export interface RequestParams {
  name?: string
  reference?: string
  digest?: string
  uuid?: string
}

/**
 * Which part of the Distribution API a request addressed.
 *
 * @example
 * registry.requests.filter({ resource: 'upload' })
 */
export type ResourceKind = 'base' | 'catalog' | 'upload' | 'blob' | 'manifest' | 'tags' | 'referrers' | 'token'

/**
 * Anything with `asymmetricMatch`, such as vitest's `expect.objectContaining(…)` or `expect.any(String)`.
 *
 * @example
 * registry.requests.filter({ status: expect.any(Number) })
 */
export interface AsymmetricMatcherLike {
  asymmetricMatch(other: unknown): boolean
}

/**
 * A value to compare a text with: equal text, a RegExp it matches, or an asymmetric matcher.
 *
 * @example
 * registry.requests.filter({ path: /\/blobs\/uploads\//, repository: 'team/app' })
 */
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
  /** The name of the fault rule that shaped the answer (`registry.faults`); `/./` for any fault. */
  fault?: TextMatch
  /** Request headers (names are case-insensitive) that must be present with these values. */
  headers?: Record<string, TextMatch>
  /** Query parameters that must be present with these values. */
  query?: Record<string, TextMatch | readonly string[]>
  /** The user the request's credential named (`auth.user`); null for anonymous requests. */
  user?: TextMatch | null
  /** Fields of `auth` that must match: `{ outcome: 'insufficient' }`, `{ granted: ['repository:team/app:pull'] }`. */
  auth?: AuthMatch
}

/**
 * A subset of `RecordedAuth` to match: texts as in `TextMatch`, lists element by element.
 *
 * @example
 * registry.requests.filter({ auth: { user: 'alice', outcome: 'granted' } })
 */
export type AuthMatch = {
  [K in keyof RecordedAuth]?: RecordedAuth[K] extends readonly string[]
    ? readonly TextMatch[] | AsymmetricMatcherLike
    : TextMatch | null
}

/**
 * What the registry made of a request's credential, when it asks for credentials (the `auth`
 * option). docs/auth.md lists every outcome.
 *
 * @example
 * registry.requests.last()?.auth
 * // { user: 'alice', scheme: 'bearer', asked: ['repository:team/app:pull,push'], granted: ['repository:team/app:pull,push'], outcome: 'granted' }
 */
export type RecordedAuth = Readonly<AuthFacts>

/**
 * The answer a recorded request got.
 *
 * @example
 * registry.requests.last()?.response.errorCode // 'MANIFEST_UNKNOWN'
 */
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
 *
 * @example
 * const push = registry.requests.find({ method: 'PUT', resource: 'manifest' })
 * push?.digest // 'sha256:…'
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
  /**
   * The parsed body of a manifest PUT the registry accepted, when it was read and is at most the
   * `journalMaxManifestBytes` option. Parsed anew from the kept bytes on each read.
   */
  readonly manifest?: unknown
  /**
   * Instead of `manifest`, for a manifest PUT body that was refused (never kept whole) or larger
   * than `journalMaxManifestBytes`: its size, and its `mediaType` field when it had one.
   */
  readonly manifestSummary?: {
    readonly size: number
    readonly mediaType?: string
    readonly reason: 'refused' | 'too large'
  }
  /** The name of the fault rule that shaped the answer (`registry.faults.add`), when one did. */
  readonly fault?: string
  /** The credential and what it was granted; absent when the registry asks for no credentials. */
  readonly auth?: RecordedAuth
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
  /** How many of the oldest requests were dropped to keep it within its limits. */
  readonly dropped: number
  /**
   * Approximately how many bytes the kept records hold (texts, error details, kept manifest
   * bodies); at most the `journalMaxBytes` option.
   */
  readonly bytes: number
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
   * Calls `listener` with each request once its answer's status and headers are known (before
   * the body is sent), for a live log. Returns the function that stops the calls. A listener
   * that throws does not disturb the answer: its error is thrown again on its own, as an
   * uncaught exception.
   *
   * @example
   * const stop = registry.requests.subscribe((request) => console.log(request.method, request.path))
   */
  subscribe(listener: (request: RecordedRequest) => void): () => void
  /**
   * The journal as a HAR 1.2 document, for a bug report. `Authorization`, `Cookie` and
   * `Set-Cookie` values are redacted.
   * @example writeFileSync('registry.har', JSON.stringify(registry.requests.toHAR(), null, 2))
   */
  toHAR(): Har
}
