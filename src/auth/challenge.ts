import { OciError } from '../errors/oci-error.js'
import { accessDetail, formatScope, groupAccess, type AccessRecord } from './scopes.js'

/** Why a Bearer challenge is sent again: RFC 6750 §3.1 error codes, as distribution uses them. */
export type BearerError = 'invalid_token' | 'insufficient_scope'

/**
 * `Basic realm="…"`, as distribution's htpasswd access controller writes it; ECR adds its `service`.
 *
 * @example
 * basicChallenge('fake-oci-registry') // 'Basic realm="fake-oci-registry"'
 */
export function basicChallenge(realm: string, service?: string): string {
  const challenge = `Basic realm=${goQuote(realm)}`
  return service === undefined ? challenge : `${challenge},service=${goQuote(service)}`
}

/**
 * distribution's token challenge, byte for byte: `Bearer realm=%q,service=%q`, then
 * `,scope=%q` when the request needs access (several resources joined by one space), then
 * `,error=%q` when a token was sent and refused. Without `service` (GAR's `/v2/`) that part is left out.
 *
 * @example
 * bearerChallenge('https://127.0.0.1:5000/token', 'fake-oci-registry', records, 'insufficient_scope')
 * // 'Bearer realm="https://127.0.0.1:5000/token",service="fake-oci-registry",scope="repository:team/app:pull,push",error="insufficient_scope"'
 */
export function bearerChallenge(
  realm: string,
  service: string | undefined,
  records: readonly AccessRecord[],
  error?: BearerError,
): string {
  let challenge = `Bearer realm=${goQuote(realm)}`
  if (service !== undefined) challenge += `,service=${goQuote(service)}`
  const scope = groupAccess(records).map(formatScope).join(' ')
  if (scope !== '') challenge += `,scope=${goQuote(scope)}`
  if (error) challenge += `,error=${goQuote(error)}`
  return challenge
}

/**
 * zot's challenge on a 200 `/v2/`: the scheme in lower case and the realm unquoted, as its
 * `"basic realm=" + realm` writes it. Only characters of an HTTP token stay: the realm is ours.
 *
 * @example
 * lowerCaseChallenge('basic', 'zot') // 'basic realm=zot'
 */
export function lowerCaseChallenge(scheme: 'basic' | 'bearer', realm: string): string {
  return `${scheme} realm=${realm.replace(/[^\x21-\x7e]|[",\\]/g, '')}`
}

/**
 * The 401 distribution writes for any refused credential: `UNAUTHORIZED` whose `detail` is the
 * request's access records (`null` when it needs none, as for `/v2/`), and the challenge. With a
 * registry's own `message` (Quay's), the detail is left out, as that registry's error has none.
 */
export function unauthorized(records: readonly AccessRecord[], challenge: string, message?: string): OciError {
  const headers = { 'www-authenticate': challenge }
  if (message !== undefined) return new OciError('UNAUTHORIZED', undefined, { message, headers })
  return new OciError('UNAUTHORIZED', records.length === 0 ? null : accessDetail(records), { headers })
}

/**
 * The 403 of registries that tell a refused credential apart from a missing one (GHCR, zot); zot
 * sends its Basic challenge with it.
 */
export function denied(challenge?: string): OciError {
  return challenge === undefined
    ? new OciError('DENIED')
    : new OciError('DENIED', undefined, { headers: { 'www-authenticate': challenge } })
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
