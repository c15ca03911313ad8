import { writeOciErrors, type OciError, type OciErrorEntry } from '../errors/oci-error.js'
import type { ResolvedQuirks } from '../profiles/quirks.js'

// Harbor answers with its own codes (src/lib/errors/const.go): every "unknown" is NOT_FOUND.
const HARBOR_NOT_FOUND = new Set(['BLOB_UNKNOWN', 'BLOB_UPLOAD_UNKNOWN', 'MANIFEST_UNKNOWN', 'NAME_UNKNOWN'])

/**
 * Writes an API error in the envelope the quirks choose: the spec's, Harbor's (NOT_FOUND for
 * anything unknown, UNKNOWN masked as "internal server error", UNSUPPORTED as 400) or Quay's
 * (`detail` an empty object when there is none). Rows "non-OCI error envelope" in docs/profiles.md.
 *
 * @example
 * writeErrorEnvelope(new OciError('MANIFEST_UNKNOWN'), { ...DEFAULT_QUIRKS, errorEnvelope: 'harbor' }).status // 404, code NOT_FOUND
 */
export function writeErrorEnvelope(error: OciError, quirks: ResolvedQuirks): Response {
  if (quirks.errorEnvelope === 'oci') return writeOciErrors(error)
  let status = error.status
  const entries = error.entries.map((entry): OciErrorEntry => {
    if (quirks.errorEnvelope === 'quay') return { ...entry, detail: entry.detail ?? {} }
    if (HARBOR_NOT_FOUND.has(entry.code)) return { code: 'NOT_FOUND', message: entry.message }
    if (entry.code === 'UNKNOWN') return { code: 'UNKNOWN', message: 'internal server error' }
    return { code: entry.code, message: entry.message }
  })
  if (quirks.errorEnvelope === 'harbor' && entries[0]?.code === 'UNSUPPORTED' && status === 405) status = 400
  const body = `${JSON.stringify({ errors: entries })}\n`
  return new Response(body, {
    status,
    headers: {
      ...error.headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    },
  })
}
