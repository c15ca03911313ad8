import type { ResourceKind } from '../journal/journal-types.js'

// The public shapes of fault injection (`registry.faults`): what a rule matches, what it does,
// and the handle `add()` returns.

/**
 * The part of the API a rule can aim at. `token` is the auth token endpoint; a rule for it
 * matches nothing on a registry that has no such endpoint.
 *
 * @example
 * registry.faults.add({ kind: 'blob', method: 'GET', truncateAfterBytes: 100 })
 */
export type FaultKind = ResourceKind | 'token'

/**
 * How a request reached the registry, as the journal names it: a socket (`http`), MSW (`msw`),
 * the undici dispatcher (`dispatcher`) or `registry.fetch` (`fetch`).
 *
 * @example
 * registry.faults.add({ transport: 'dispatcher', reset: true })
 */
export type FaultTransport = 'http' | 'msw' | 'dispatcher' | 'fetch'

/**
 * One fault: which requests it matches (every field given must match) and what it does to them.
 * A rule that sets `status`, `code` or `body` replaces the registry's answer; `reset` drops the
 * connection instead of answering; every other action alters the answer the request gets, the
 * registry's own unless it is replaced. Rules are tried in the order they were added and the
 * first that fires wins; a request one rule faulted is not counted by the rules after it.
 *
 * @example
 * // Two 503s with Retry-After on the first blob GETs, then the real answers.
 * registry.faults.add({ method: 'GET', kind: 'blob', times: 2, status: 503, retryAfter: 1 })
 * // A dropped connection in the middle of the third manifest pull.
 * registry.faults.add({ kind: 'manifest', method: 'GET', nth: 3, truncateAfterBytes: 64 })
 */
export interface FaultRule {
  /** Names the rule in the journal (`record.fault`) and in messages. Default: `fault-1`, `fault-2`… */
  name?: string

  // --- matching --------------------------------------------------------------------------------
  /** HTTP method or methods, case-insensitive. */
  method?: string | readonly string[]
  /** The URL's pathname: equal to a string, or matching a RegExp. */
  path?: string | RegExp
  /** `path` as the source of a RegExp, for rules written as JSON (`--faults FILE`). */
  pathPattern?: string
  /** The repository name: equal to a string, or matching a RegExp. */
  repository?: string | RegExp
  /** `repository` as the source of a RegExp, for rules written as JSON. */
  repositoryPattern?: string
  /** The part of the API, or several. */
  kind?: FaultKind | readonly FaultKind[]
  /** How the request arrived, or several (see `FaultTransport`), as the journal's `transport`. */
  transport?: FaultTransport | readonly FaultTransport[]
  /** Fault only the nth request (1-based) that the fields above match. */
  nth?: number
  /** Fault at most this many requests, then let every later one through. */
  times?: number
  /** Fault each matching request with this probability (0 < p <= 1), drawn from a seeded generator. */
  probability?: number
  /** Seed of this rule's generator, so a run repeats exactly. Default 1. */
  seed?: number

  // --- replacing the answer ----------------------------------------------------------------------
  /** Status of the answer. Default: the `code`'s status, required with `body` or alone. */
  status?: number
  /**
   * An error code, answered in the spec's envelope `{"errors":[{"code","message"}]}` as
   * `application/json`. A code of the spec's table (`TOOMANYREQUESTS`) brings its status and
   * message; another one (`UNAVAILABLE`) needs `status`.
   */
  code?: string
  /** The envelope's message. Default: the code's, else the code in lower case. */
  message?: string
  /** A raw body instead of the envelope: plain text, HTML, or '' for an empty one. */
  body?: string | Uint8Array
  /** Content type of `body`. Default 'text/plain; charset=utf-8' (none for an empty body). */
  contentType?: string
  /**
   * Let the registry answer the request first, so its effects (a stored manifest, a committed
   * upload) persist, then replace its answer or reset. Default false for rules that replace or
   * reset; every other rule always passes the request through.
   */
  passThrough?: boolean

  // --- altering the answer -------------------------------------------------------------------
  /** Headers set on the answer (replacing ones of the same name). */
  headers?: Record<string, string>
  /**
   * `Retry-After`: whole seconds, or a Date sent as an HTTP date (in JSON rules, a date string
   * such as '2030-01-01T00:00:00Z').
   */
  retryAfter?: number | Date | string
  /** Wait this long before answering (before the headers are sent). */
  delayMs?: number
  /** Send the body at this rate: slices of about a tenth of it, one after another. */
  bytesPerSecond?: number
  /** Stop the body after this many bytes and break the connection: the client sees a premature close. */
  truncateAfterBytes?: number
  /** Invert the body's first byte, so a digest check fails; the length stays the same. */
  corrupt?: boolean

  // --- the connection ----------------------------------------------------------------------------
  /** Drop the connection instead of answering: a network error to the client. */
  reset?: boolean
}

/**
 * What `registry.faults.add()` returns: how often the rule fired, and a way to take it back.
 *
 * @example
 * const flaky = registry.faults.add({ kind: 'blob', status: 503, times: 1 })
 * // … run the client …
 * expect(flaky.calls).toBe(1)
 * flaky.remove()
 */
export interface FaultHandle {
  /** The rule's name, as the journal's `fault` field gives it. */
  readonly name: string
  /** How many requests it faulted. */
  readonly calls: number
  /** How many requests its matching fields matched, faulted or not. */
  readonly matched: number
  /** Stops the rule; `calls` keeps its count. Idempotent. */
  remove(): void
}

/**
 * Fault injection (`registry.faults`): make chosen requests fail, stall, break off or come back
 * corrupted, to test a client's retries and error handling.
 *
 * @example
 * registry.faults.add({ method: 'GET', kind: 'manifest', status: 429, code: 'TOOMANYREQUESTS', retryAfter: 1, times: 1 })
 * registry.requests.filter({ fault: /./ }) // the requests it faulted
 */
export interface Faults {
  /**
   * Adds a rule; it applies to the next request. A rule with an unknown key, an invalid value
   * or an action that cannot apply throws a `FakeRegistryError` (`ERR_INVALID_FAULT`) at once.
   */
  add(rule: FaultRule): FaultHandle
  /** The rules in force, in the order they are tried. */
  list(): FaultHandle[]
  /** Removes every rule. `registry.reset()` does this too. */
  reset(): void
}
