import { createLightResponse } from '../leaf/light-response.js'
import type { ResolvedQuirks } from '../profiles/quirks.js'
import type { RouteHandler } from './route-types.js'

const encoder = new TextEncoder()

// Each `baseBody`'s bytes and type: distribution's `{}`, zot's nothing (still declared JSON), and
// Quay's `true` from Flask's make_response, whose default type is text/html.
const BODIES: Readonly<Record<ResolvedQuirks['baseBody'], { bytes: Uint8Array; type: string }>> = {
  object: { bytes: encoder.encode('{}'), type: 'application/json' },
  empty: { bytes: new Uint8Array(0), type: 'application/json' },
  true: { bytes: encoder.encode('true'), type: 'text/html; charset=utf-8' },
}

/**
 * `GET /v2/`: the API version check every client makes first. Its body is `{}`, or what the
 * registry sends instead (`quirks.baseBody`: nothing for zot, `true` for Quay).
 *
 * Spec: end-1, https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#endpoints
 */
export const getBase: RouteHandler = ({ context }) => {
  const { bytes, type } = BODIES[context.options.quirks.baseBody]
  return createLightResponse(bytes, {
    status: 200,
    headers: { 'content-type': type, 'content-length': String(bytes.byteLength) },
  })
}
