import { createLightResponse } from './light-response.js'

/** How a JSON answer differs from a plain 200 `application/json` one. */
export interface JsonResponseInit {
  status?: number
  /** The media type, for bodies that are documents of their own kind (an image index). */
  contentType?: string
  /** Extra headers; they cannot override `Content-Type` or `Content-Length`. */
  headers?: Record<string, string>
}

/**
 * A JSON answer with a trailing newline after the JSON, as Go's encoder writes it, so bodies
 * compare byte for byte with distribution's and GitLab's.
 *
 * @example
 * jsonResponse({ repositories: [] }) // 200, '{"repositories":[]}\n'
 */
const encoder = new TextEncoder()

export function jsonResponse(value: unknown, init: JsonResponseInit = {}): Response {
  const body = encoder.encode(`${JSON.stringify(value)}\n`)
  return createLightResponse(body, {
    status: init.status ?? 200,
    headers: {
      ...init.headers,
      'content-type': init.contentType ?? 'application/json',
      'content-length': String(body.byteLength),
    },
  })
}
