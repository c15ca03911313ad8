import { jsonResponse } from '../leaf/json-response.js'
import { ERROR_CODES, VENDOR_ERROR_CODES, type AnyErrorCode } from './codes.js'

/** How one error is written: the code's status and message unless a call site overrides them. */
export interface OciErrorInit {
  /** Overrides the code's HTTP status (413 for an oversized manifest, 416 for a bad range…). */
  status?: number
  /** Overrides the code's default message (content-negotiation errors carry their own). */
  message?: string
  /** Extra response headers (`Range` on a 416 upload answer, `Retry-After`…). */
  headers?: Record<string, string>
}

/** One entry of the `{"errors":[…]}` envelope. */
export interface OciErrorEntry {
  code: AnyErrorCode
  message: string
  detail?: unknown
}

/**
 * A Distribution API error as a value. Handlers throw it; `handle()` writes it, in one place,
 * with `writeOciErrors`. Several entries (one per missing blob) travel together in one value.
 */
export class OciError extends Error {
  readonly status: number
  readonly entries: OciErrorEntry[]
  readonly headers: Record<string, string>

  constructor(code: AnyErrorCode, detail?: unknown, init: OciErrorInit = {}) {
    const known =
      code in ERROR_CODES
        ? ERROR_CODES[code as keyof typeof ERROR_CODES]
        : VENDOR_ERROR_CODES[code as keyof typeof VENDOR_ERROR_CODES]
    const message = init.message ?? known.message
    super(
      `${code}: ${message}${detail === undefined ? '' : ` (${typeof detail === 'string' ? detail : JSON.stringify(detail)})`}`,
    )
    this.name = 'OciError'
    this.status = init.status ?? known.status
    this.entries = [detail === undefined ? { code, message } : { code, message, detail }]
    this.headers = init.headers ?? {}
  }

  /** Several errors in one envelope; the status is the first one's. */
  static many(errors: OciError[]): OciError {
    const [first, ...rest] = errors
    if (!first) throw new RangeError('OciError.many needs at least one error')
    for (const error of rest) first.entries.push(...error.entries)
    return first
  }
}

/** True when `value` is an `OciError`. */
export function isOciError(value: unknown): value is OciError {
  return value instanceof OciError
}

/**
 * The one writer of the spec's error envelope, `Content-Type: application/json` whatever the
 * error's own headers say.
 */
export function writeOciErrors(error: OciError): Response {
  return jsonResponse({ errors: error.entries }, { status: error.status, headers: error.headers })
}
