import { createLightResponse } from '../leaf/light-response.js'
import type { RouteHandler } from './route-types.js'

const BODY = new TextEncoder().encode('{}')

/** `GET /v2/`: the API version check every client makes first. */
export const getBase: RouteHandler = () =>
  createLightResponse(BODY, { status: 200, headers: { 'content-type': 'application/json', 'content-length': '2' } })
