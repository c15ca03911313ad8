import { OciError } from '../errors/oci-error.js'
import { errorUnmarshallingContent, unmarshalFailed } from './details.js'

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
  let text: string
  try {
    text = UTF8.decode(bytes)
  } catch {
    throw invalidPayload('invalid UTF-8')
  }
  const document = parseJson(text, invalidPayload)
  if (!isJsonObject(document)) throw invalidPayload('the payload is not a JSON object')
  // null decodes to Go's zero value, an absent field; anything else that is not a string fails there.
  if (document.mediaType != null && typeof document.mediaType !== 'string')
    throw invalidPayload('mediaType must be a string')
  return document
}

// Go's encoding/json reads invalid UTF-8 inside strings as U+FFFD; outside them it is a syntax error either way.
const LOOSE_UTF8 = new TextDecoder('utf-8', { ignoreBOM: true })

/**
 * Decodes a body the way GitLab ≤ 3.6's default (schema 1) parser did: libtrust unmarshals it
 * into a map of raw JSON values before looking for `signatures`. So only the outer shape is
 * checked: invalid UTF-8 in strings and a `mediaType` of any type pass, `null` is an empty map,
 * and anything else that is not an object fails with Go's wording.
 *
 * @example
 * decodeSchema1(new TextEncoder().encode('[]')) // throws 'error unmarshalling content: json: cannot unmarshal array into Go value of type map[string]json.RawMessage'
 */
export function decodeSchema1(bytes: Uint8Array): ManifestDocument {
  const value = parseJson(LOOSE_UTF8.decode(bytes), invalidSchema1)
  if (value === null) return {}
  if (!isJsonObject(value)) {
    const found = Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value
    throw invalidSchema1(`json: cannot unmarshal ${found} into Go value of type map[string]json.RawMessage`)
  }
  return value
}

/** The body's top-level `mediaType`, undefined when absent (decodeManifest has checked its type). */
export function mediaTypeOf(document: ManifestDocument): string | undefined {
  return typeof document.mediaType === 'string' ? document.mediaType : undefined
}

/**
 * True for a JSON object: not null, not an array.
 *
 * @example
 * isJsonObject(JSON.parse('[]')) // false
 */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** JSON.parse with the fixed failure reasons both decoders give. */
function parseJson(text: string, fail: (reason: string) => OciError): unknown {
  if (text === '') throw fail('unexpected end of JSON input')
  try {
    return JSON.parse(text)
  } catch (error) {
    // V8 parses iteratively today, but a deeply nested body must never become a 500.
    throw fail(error instanceof RangeError ? 'JSON nested too deeply' : 'invalid JSON')
  }
}

function invalidPayload(reason: string): OciError {
  return new OciError('MANIFEST_INVALID', unmarshalFailed(reason))
}

function invalidSchema1(reason: string): OciError {
  return new OciError('MANIFEST_INVALID', errorUnmarshallingContent(reason))
}
