import type { RouteHandler } from './route-types.js'

/**
 * `GET /v2/`: the API version check every client makes first.
 *
 * Spec: end-1, https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#endpoints
 */
export const getBase: RouteHandler = () =>
  new Response('{}', { status: 200, headers: { 'content-type': 'application/json', 'content-length': '2' } })
