import { OciError } from '../errors/oci-error.js'

/**
 * The answer to a path outside the distribution API: 404, like distribution's router, with the
 * spec's `UNSUPPORTED` envelope. A route the options switch off answers the same, so clients
 * cannot tell it from one that never existed.
 *
 * @example
 * throw routeNotFound('/v3/') // 404 UNSUPPORTED, detail { path: '/v3/' }
 */
export function routeNotFound(path: string): OciError {
  return new OciError('UNSUPPORTED', { path }, { status: 404, message: 'route not part of the distribution API' })
}
