import type { Authority } from '../auth/authority.js'
import { isOciError, OciError } from '../errors/oci-error.js'
import type { RegistryContext } from '../api/route-types.js'
import type { Journal, RequestFacts } from '../journal/journal.js'
import { isRepositoryName } from '../leaf/names.js'
import { routeNotFound } from '../api/route-not-found.js'
import { matchRoute } from './routes.js'
import { writeErrorEnvelope } from './error-envelopes.js'
import type { RateLimiter } from './rate-limiter.js'
import type { BlobStorageOrigin } from './blob-redirects.js'

/** What the core serves besides the API: auth, limits on it, and the storage origin of blob redirects. */
export interface HandlerExtras {
  authority?: Authority | undefined
  limiter?: RateLimiter | undefined
  storageOrigin?: BlobStorageOrigin | undefined
}

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
}

/**
 * The registry's way in for transports built outside it (`registryHandlers` from
 * `fake-oci-registry/msw`): like `fetch`, plus the `HandlerMeta` that names the transport in the
 * journal. A registered symbol, so a second copy of the package still finds it.
 */
export const SERVE_WITH_META = Symbol.for('fake-oci-registry.serve-with-meta')

/**
 * Builds the core: one pure function from a Fetch `Request` to a `Response`. Every transport
 * calls it; it never throws (a bug becomes a 500 with the spec's envelope). `journal` records
 * every request and its answer (`registry.requests`); without one nothing is recorded.
 */
export function createHandler(context: RegistryContext, journal?: Journal, extras: HandlerExtras = {}): FetchHandler {
  const { quirks } = context.options
  const { limiter, storageOrigin, authority } = extras
  return async (incoming, meta) => {
    const recording = meta?.record === false ? undefined : journal?.start(incoming, meta?.transport ?? 'fetch')
    const request = recording?.request ?? incoming
    // The redirect target is another host: S3's answers, none of the registry's headers.
    if (storageOrigin && new URL(request.url).origin === storageOrigin.origin) {
      const answer = await storageOrigin.serve(request)
      return recording ? recording.finish(answer) : answer
    }
    // The registry's own requests (seeding) are not the client's: no limit counts them, no credential is asked.
    const internal = meta?.internal === true || meta?.record === false
    const limited = internal ? undefined : limiter?.decide(request.method, resourceOf(request))
    let response: Response
    if (limited && 'refuse' in limited) {
      response = limited.refuse
    } else {
      try {
        response = await route(request, context, recording?.facts, meta?.internal === true ? undefined : authority)
      } catch (error) {
        const ociError = isOciError(error) ? error : internalError(error)
        if (recording) recording.facts.error = ociError
        response = writeErrorEnvelope(ociError, quirks)
      }
      for (const [name, value] of Object.entries(limited?.headers ?? {})) response.headers.set(name, value)
    }
    if (quirks.apiVersionHeader) response.headers.set('docker-distribution-api-version', 'registry/2.0')
    if (request.method === 'HEAD' && response.body) {
      // HEAD answers like GET, Content-Length included, without the body.
      await response.body.cancel()
      response = new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers })
    }
    return recording ? recording.finish(response) : response
  }
}

// Auth comes after the route is known and before anything else, as in distribution: a path
// outside the API is a 404 for anyone, and an unknown method, a bad name or a missing
// repository are only told to a request with the access it needs.
async function route(request: Request, context: RegistryContext, facts: RequestFacts | undefined, authority: Authority | undefined): Promise<Response> {
  const url = new URL(request.url)
  const matched = matchRoute(url.pathname)
  if (!matched) {
    if (!authority?.isTokenEndpoint(url.pathname)) throw routeNotFound(url.pathname)
    if (facts) facts.resource = 'token'
    return authority.serveToken(request, url, facts)
  }
  if (facts) facts.params = matched.params
  authority?.authorize(request, url, matched.params.name, facts)
  // An own property only: a method named `constructor` or `toString` is just another unknown method.
  const handler = Object.hasOwn(matched.route.methods, request.method) ? matched.route.methods[request.method] : undefined
  if (!handler) {
    const allow = Object.keys(matched.route.methods).join(', ')
    throw new OciError('UNSUPPORTED', { method: request.method, allow }, { headers: { allow } })
  }
  const { name } = matched.params
  if (name !== undefined && !isRepositoryName(name)) throw new OciError('NAME_INVALID', { name })
  return handler({ request, url, params: matched.params, context, facts })
}

/** 'manifest' for a manifest URL, the one resource the pull limit counts. */
function resourceOf(request: Request): 'manifest' | undefined {
  return /^\/v2\/.+\/manifests\/[^/]+$/.test(new URL(request.url).pathname) ? 'manifest' : undefined
}

function internalError(error: unknown): OciError {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return new OciError('UNKNOWN', detail)
}
