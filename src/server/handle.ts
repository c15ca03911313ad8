import type { Authority, Passage } from '../auth/authority.js'
import { isOciError, OciError } from '../errors/oci-error.js'
import type { RegistryContext } from '../api/route-types.js'
import type { FaultInjector } from '../faults/faults.js'
import type { Journal, RequestFacts } from '../journal/journal.js'
import { isRepositoryName } from '../leaf/names.js'
import { isLightRequest } from '../leaf/light-request.js'
import { createLightResponse, isLightResponse } from '../leaf/light-response.js'
import { routeNotFound } from '../api/route-not-found.js'
import { matchRoute } from './routes.js'
import { writeErrorEnvelope } from './error-envelopes.js'
import type { RateLimiter } from './rate-limiter.js'
import type { BlobStorageOrigin } from './blob-redirects.js'

/** The registry as one function, in the manner of a fetch handler. */
export type FetchHandler = (request: Request, meta?: HandlerMeta) => Promise<Response>

/** What a transport tells the core about a request, for the journal. */
export interface HandlerMeta {
  /** How the request arrived: 'http', 'msw', 'dispatcher'…; 'fetch' (`registry.fetch`) when absent. */
  transport?: string
  /** false keeps the request out of the journal (the registry's own seeding requests). */
  record?: boolean
  /**
   * true for the registry's own requests (seeding, layout export): they need no credentials.
   * Only the registry sets it; transports never do.
   */
  internal?: boolean
  /**
   * The request target exactly as the client sent it (`/v2/a/%2e%2e/b/tags/list`), when the
   * transport has it. Routing uses its path instead of the parsed URL's, whose parser resolves
   * dot segments (`%2e%2e` included) and reads a backslash as `/`: that would serve another
   * repository than the one the bytes name.
   */
  target?: string
}

/**
 * The registry's way in for transports built outside it (`registryHandlers` from
 * `fake-oci-registry/msw`): like `fetch`, plus the `HandlerMeta` that names the transport in the
 * journal. A registered symbol, so a second copy of the package still finds it.
 */
export const SERVE_WITH_META = Symbol.for('fake-oci-registry.serve-with-meta')

/** What the core is built with besides the handlers' context; each part is optional. */
export interface HandlerParts {
  /** Fault rules (`registry.faults`) that may replace or alter an answer. */
  faults?: FaultInjector
  /** Credentials and tokens (the `auth` option); without it every request is let in. */
  authority?: Authority | undefined
  /** The pull limit (`rateLimit`); the registry's own requests are never counted. */
  limiter?: RateLimiter | undefined
  /** The storage origin that blob redirects (`blobRedirect`) point to, served by the same core. */
  storageOrigin?: BlobStorageOrigin | undefined
}

/**
 * Builds the core: one pure function from a Fetch `Request` to a `Response`. Every transport
 * calls it; it never throws (a bug becomes a 500 with the spec's envelope). `journal` records
 * every request and its answer (`registry.requests`); without one nothing is recorded. `faults`
 * may replace or alter the answer of a request the user's rules pick; the registry's own
 * requests (`record: false`) are never faulted. A fault that drops the connection answers
 * `Response.error()`, Fetch's network error, which each transport turns into its own. `authority`
 * checks credentials before a handler runs (the registry's own `internal` requests skip it);
 * `limiter` counts the client's pulls; a request to `storageOrigin` gets the storage host's answer.
 */
export function createHandler(context: RegistryContext, journal?: Journal, parts: HandlerParts = {}): FetchHandler {
  const { faults, authority, limiter, storageOrigin } = parts
  return async (incoming, meta) => {
    const recording = meta?.record === false ? undefined : journal?.start(incoming, meta?.transport ?? 'fetch')
    const request = recording?.request ?? incoming
    // The redirect target is another host: S3's answers, none of the registry's headers.
    if (storageOrigin && urlOf(request).origin === storageOrigin.origin) {
      const stored = await storageOrigin.serve(request)
      return recording ? recording.finish(stored) : stored
    }
    const fault = meta?.record === false ? undefined : faults?.plan(request, meta?.transport ?? 'fetch')
    const internal = meta?.internal === true
    // The registry's own requests (seeding) are not the client's: no limit counts them, no credential is asked.
    const options: RouteOptions = {
      authority: internal ? undefined : authority,
      limiter: internal || meta?.record === false ? undefined : limiter,
      target: meta?.target,
    }
    let response = fault
      ? await fault.answer(request, () => answer(request, context, recording?.facts, options))
      : await answer(request, context, recording?.facts, options)
    if (request.method === 'HEAD' && (isLightResponse(response) ? response.hasBody : response.body)) {
      // HEAD answers like GET, Content-Length included, without the body.
      if (isLightResponse(response)) await response.cancelBody()
      else await response.body?.cancel()
      response = createLightResponse(null, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      })
    }
    if (fault && recording) {
      fault.note(recording.facts)
      // A replaced answer never reached the route: the record still names what was asked for.
      recording.facts.params ??= matchRoute(new URL(request.url).pathname)?.params
    }
    const finished = recording ? recording.finish(response) : response
    return fault ? fault.deliver(finished) : finished
  }
}

/** What routing needs besides the request: the credentials check, the pull limit and the target as sent. */
interface RouteOptions {
  authority: Authority | undefined
  limiter: RateLimiter | undefined
  target: string | undefined
}

async function answer(
  request: Request,
  context: RegistryContext,
  facts: RequestFacts | undefined,
  options: RouteOptions,
): Promise<Response> {
  const { quirks } = context.options
  const limited = options.limiter?.decide(request.method, resourceOf(request, options.target))
  let response: Response
  if (limited && 'refuse' in limited) {
    response = limited.refuse
  } else {
    try {
      response = await route(request, context, facts, options)
    } catch (error) {
      const ociError = isOciError(error) ? error : internalError(error)
      if (facts) facts.error = ociError
      response = writeErrorEnvelope(ociError, quirks)
    }
    if (limited) for (const [name, value] of Object.entries(limited.headers)) response.headers.set(name, value)
  }
  if (quirks.apiVersionHeader) response.headers.set('docker-distribution-api-version', 'registry/2.0')
  return response
}

// Auth comes after the route is known and before anything else, as in distribution: a path
// outside the API is a 404 for anyone, and an unknown method, a bad name or a missing
// repository are only told to a request with the access it needs. The token endpoint comes
// first, as the fault rules see it; its path never shadows an API route (options.ts checks it).
// Not async: it hands over the handler's promise, and its own refusals are thrown where
// `answer` catches them.
function route(
  request: Request,
  context: RegistryContext,
  facts: RequestFacts | undefined,
  options: RouteOptions,
): Promise<Response> | Response {
  const { authority, target } = options
  const url = urlOf(request)
  const pathname = pathOf(url, target)
  if (authority?.isTokenEndpoint(pathname)) {
    if (facts) facts.resource = 'token'
    return authority.serveToken(request, url, facts)
  }
  const matched = matchRoute(pathname)
  if (!matched) throw routeNotFound(pathname)
  if (facts) {
    facts.params = matched.params
    facts.resource = matched.route.resource
  }
  const passage = authority?.authorize(request, url, matched.params.name, facts)
  // An own property only: a method named `constructor` or `toString` is just another unknown method.
  const handler = Object.hasOwn(matched.route.methods, request.method)
    ? matched.route.methods[request.method]
    : undefined
  if (!handler) {
    const allow = Object.keys(matched.route.methods).join(', ')
    throw new OciError('UNSUPPORTED', { method: request.method, allow }, { headers: { allow } })
  }
  const { name } = matched.params
  if (name !== undefined && !isRepositoryName(name)) throw new OciError('NAME_INVALID', { name })
  const answered = handler({ request, url, params: matched.params, context, facts })
  return passage ? withPassage(answered, passage) : answered
}

/**
 * The answer with what the auth layer let it take along: its headers (zot's and Quay's challenge
 * on `/v2/`), and its status in place of the handler's (Quay's 401 `/v2/`, the body kept).
 */
async function withPassage(answered: Promise<Response> | Response, passage: Passage): Promise<Response> {
  const response = await answered
  for (const [header, value] of Object.entries(passage.headers)) response.headers.set(header, value)
  if (passage.status === undefined) return response
  const body = new Uint8Array(await response.arrayBuffer())
  return createLightResponse(body, { status: passage.status, headers: response.headers })
}

// A light request was parsed once by whoever built it.
function urlOf(request: Request): URL {
  return isLightRequest(request) ? request.parsedUrl : new URL(request.url)
}

/** The path routing reads: the target as sent when the transport has it, else the parsed URL's. */
function pathOf(url: URL, target: string | undefined): string {
  return target?.startsWith('/') ? (target.split(/[?#]/, 1)[0] as string) : url.pathname
}

/** 'manifest' for a manifest URL, the one resource the pull limit counts. */
function resourceOf(request: Request, target: string | undefined): 'manifest' | undefined {
  return /^\/v2\/.+\/manifests\/[^/]+$/.test(pathOf(urlOf(request), target)) ? 'manifest' : undefined
}

function internalError(error: unknown): OciError {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return new OciError('UNKNOWN', detail)
}
