import { createLightResponse } from '../leaf/light-response.js'
import type { RouteHandler } from './route-types.js'

const BODY = new TextEncoder().encode('{}')
const EMPTY = new Uint8Array(0)

/**
 * `GET /v2/`: the API version check every client makes first. Its body is `{}`, or nothing at all
 * where the registry sends nothing (`quirks.baseBody`, zot).
 *
 * Spec: end-1, https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#endpoints
 */
export const getBase: RouteHandler = ({ context }) => {
  const body = context.options.quirks.baseBody === 'empty' ? EMPTY : BODY
  return createLightResponse(body, {
    status: 200,
    headers: { 'content-type': 'application/json', 'content-length': String(body.byteLength) },
  })
}
