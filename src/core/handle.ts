import { isOciError, OciError, writeOciErrors } from '../errors/oci-error.js'
import type { RegistryContext } from './context.js'
import { isRepositoryName } from './names.js'
import { matchRoute } from './routes.js'

/** The registry as one function, in the manner of a fetch handler. */
export type FetchHandler = (request: Request) => Promise<Response>

/**
 * Builds the core: one pure function from a Fetch `Request` to a `Response`. Every transport
 * calls it; it never throws (a bug becomes a 500 with the spec's envelope).
 */
export function createHandler(context: RegistryContext): FetchHandler {
  return async (request) => {
    let response: Response
    try {
      response = await route(request, context)
    } catch (error) {
      response = writeOciErrors(isOciError(error) ? error : internalError(error))
    }
    response.headers.set('docker-distribution-api-version', 'registry/2.0')
    if (request.method === 'HEAD' && response.body) {
      // HEAD answers like GET, Content-Length included, without the body.
      await response.body.cancel()
      return new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers })
    }
    return response
  }
}

async function route(request: Request, context: RegistryContext): Promise<Response> {
  const url = new URL(request.url)
  const matched = matchRoute(url.pathname)
  if (!matched) {
    throw new OciError('UNSUPPORTED', { path: url.pathname }, { status: 404, message: 'route not part of the distribution API' })
  }
  const handler = matched.route.methods[request.method]
  if (!handler) {
    const allow = Object.keys(matched.route.methods).join(', ')
    throw new OciError('UNSUPPORTED', { method: request.method, allow }, { headers: { allow } })
  }
  const { name } = matched.params
  if (name !== undefined && !isRepositoryName(name)) throw new OciError('NAME_INVALID', { name })
  return handler({ request, url, params: matched.params, context })
}

function internalError(error: unknown): OciError {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return new OciError('UNKNOWN', detail)
}
