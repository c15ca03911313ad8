import { OciError } from '../errors/oci-error.js'
import { accessDetail, formatScope, groupAccess, type AccessRecord } from './scopes.js'

/** The realm of the Basic challenge (distribution's htpasswd `realm`). */
export const BASIC_REALM = 'fake-oci-registry'

/** Why a Bearer challenge is sent again: RFC 6750 §3.1 error codes, as distribution uses them. */
export type BearerError = 'invalid_token' | 'insufficient_scope'

/**
 * `Basic realm="…"`, as distribution's htpasswd access controller writes it.
 *
 * @example
 * basicChallenge() // 'Basic realm="fake-oci-registry"'
 */
export function basicChallenge(): string {
  return `Basic realm=${goQuote(BASIC_REALM)}`
}

/**
 * distribution's token challenge, byte for byte: `Bearer realm=%q,service=%q`, then
 * `,scope=%q` when the request needs access (several resources joined by one space), then
 * `,error=%q` when a token was sent and refused.
 *
 * @example
 * bearerChallenge('https://127.0.0.1:5000/token', 'fake-oci-registry', records, 'insufficient_scope')
 * // 'Bearer realm="https://127.0.0.1:5000/token",service="fake-oci-registry",scope="repository:team/app:pull,push",error="insufficient_scope"'
 */
export function bearerChallenge(
  realm: string,
  service: string,
  records: readonly AccessRecord[],
  error?: BearerError,
): string {
  let challenge = `Bearer realm=${goQuote(realm)},service=${goQuote(service)}`
  const scope = groupAccess(records).map(formatScope).join(' ')
  if (scope !== '') challenge += `,scope=${goQuote(scope)}`
  if (error) challenge += `,error=${goQuote(error)}`
  return challenge
}

/**
 * The 401 distribution writes for any refused credential: `UNAUTHORIZED` whose `detail` is the
 * request's access records (`null` when it needs none, as for `/v2/`), and the challenge.
 */
export function unauthorized(records: readonly AccessRecord[], challenge: string): OciError {
  return new OciError('UNAUTHORIZED', records.length === 0 ? null : accessDetail(records), {
    headers: { 'www-authenticate': challenge },
  })
}

/** The 403 of registries that tell a refused credential apart from a missing one (GHCR, zot). */
export function denied(): OciError {
  return new OciError('DENIED')
}

// Go's %q for the strings used here: double quotes, with `"` and `\` escaped and anything outside
// printable ASCII written as an escape, so a header never carries a raw control character.
function goQuote(text: string): string {
  let quoted = '"'
  for (const char of text) {
    const code = char.codePointAt(0) as number
    if (char === '"' || char === '\\') quoted += `\\${char}`
    else if (code >= 0x20 && code < 0x7f) quoted += char
    else if (code <= 0xff) quoted += `\\x${code.toString(16).padStart(2, '0')}`
    else if (code <= 0xffff) quoted += `\\u${code.toString(16).padStart(4, '0')}`
    else quoted += `\\U${code.toString(16).padStart(8, '0')}`
  }
  return `${quoted}"`
}
