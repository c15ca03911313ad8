import { OciError } from '../errors/oci-error.js'
import { unmarshalFailed } from './details.js'

/** A manifest body decoded as a JSON object. */
export type ManifestDocument = Record<string, unknown>

// ignoreBOM keeps a byte order mark in the text, so JSON.parse rejects it as Go's decoder does.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Decodes a manifest body: strict UTF-8, then JSON, which must be an object whose `mediaType`,
 * when present and not null, is a string. Failures are `400 MANIFEST_INVALID` with the detail
 * `failed to unmarshal manifest payload: <reason>`.
 *
 * The reasons are fixed strings rather than JSON.parse's message, which changes between Node
 * versions. Duplicate keys are accepted and the last one wins, as in JSON.parse and Go's
 * encoding/json; the stored bytes keep both, since the registry never rewrites a body.
 *
 * @example
 * decodeManifest(new TextEncoder().encode('{"schemaVersion":2}')).schemaVersion // 2
 */
export function decodeManifest(bytes: Uint8Array): ManifestDocument {
  if (bytes.byteLength === 0) throw invalidPayload('unexpected end of JSON input')
  let text: string
  try {
    text = UTF8.decode(bytes)
  } catch {
    throw invalidPayload('invalid UTF-8')
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    // V8 parses iteratively today, but a deeply nested body must never become a 500.
    throw invalidPayload(error instanceof RangeError ? 'JSON nested too deeply' : 'invalid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidPayload('the payload is not a JSON object')
  const document = value as ManifestDocument
  // null decodes to Go's zero value, an absent field; anything else that is not a string fails there.
  if (document.mediaType != null && typeof document.mediaType !== 'string') throw invalidPayload('mediaType must be a string')
  return document
}

/** The body's top-level `mediaType`, undefined when absent (decodeManifest has checked its type). */
export function mediaTypeOf(document: ManifestDocument): string | undefined {
  return typeof document.mediaType === 'string' ? document.mediaType : undefined
}

function invalidPayload(reason: string): OciError {
  return new OciError('MANIFEST_INVALID', unmarshalFailed(reason))
}
