import type { RouteHandler } from './route-types.js'

/** `GET /v2/`: the API version check every client makes first. */
export const getBase: RouteHandler = () =>
  new Response('{}', { status: 200, headers: { 'content-type': 'application/json', 'content-length': '2' } })
