import { createLightResponse } from './light-response.js'

/** How a JSON answer differs from a plain 200 `application/json` one. */
export interface JsonResponseInit {
  status?: number
  /** The media type, for bodies that are documents of their own kind (an image index). */
  contentType?: string
  /** Extra headers; they cannot override `Content-Type` or `Content-Length`. */
  headers?: Record<string, string>
}

const encoder = new TextEncoder()

/**
 * A JSON answer with a trailing newline after the JSON, as Go's encoder writes it, so bodies
 * compare byte for byte with distribution's and GitLab's.
 *
 * @example
 * jsonResponse({ repositories: [] }) // 200, '{"repositories":[]}\n'
 */
export function jsonResponse(value: unknown, init: JsonResponseInit = {}): Response {
  return textResponse(`${JSON.stringify(value)}\n`, { ...init, contentType: init.contentType ?? 'application/json' })
}

/**
 * An answer whose body is `text` exactly as given (UTF-8) with its `Content-Length`: the pages
 * and messages other registries write in their own words.
 *
 * @example
 * textResponse('Unable to handle service: x', { status: 400, contentType: 'text/plain; charset=utf-8' })
 */
export function textResponse(text: string, init: JsonResponseInit & { contentType: string }): Response {
  const body = encoder.encode(text)
  return createLightResponse(body, {
    status: init.status ?? 200,
    headers: {
      ...init.headers,
      'content-type': init.contentType,
      'content-length': String(body.byteLength),
    },
  })
}
