// What an `Authorization` header carries, parsed without trusting any of it.

/** The credential a request presents, or why it presents none that can be used. */
export type Credential =
  | { kind: 'none' }
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'bearer'; token: string }
  /** A header that is there but cannot be read: the scheme is known, the value is not valid. */
  | { kind: 'malformed'; scheme: 'basic' | 'bearer' | 'other'; reason: string }

// No credential is longer: an ES256 JWT with many scopes is a few KiB, a Basic pair far less.
// A longer header is refused before it is decoded, so a 64 KiB value costs nothing.
export const MAX_AUTHORIZATION_LENGTH = 8192

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/
// RFC 6750 §2.1 b64token; a JWT's three base64url parts fit it.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/

/**
 * Reads the `Authorization` header. RFC 7617 (Basic) and RFC 6750 (Bearer): the scheme is
 * case-insensitive, one space separates it from the credentials.
 *
 * @example
 * parseAuthorization('Basic YWxpY2U6c2VjcmV0') // { kind: 'basic', user: 'alice', password: 'secret' }
 * parseAuthorization(null) // { kind: 'none' }
 */
export function parseAuthorization(header: string | null): Credential {
  if (header === null || header === '') return { kind: 'none' }
  if (header.length > MAX_AUTHORIZATION_LENGTH) {
    return {
      kind: 'malformed',
      scheme: schemeOf(header),
      reason: `the Authorization header is longer than ${MAX_AUTHORIZATION_LENGTH} characters`,
    }
  }
  const space = header.indexOf(' ')
  const scheme = schemeOf(header)
  const value = space === -1 ? '' : header.slice(space + 1).trim()
  if (scheme === 'basic') return basic(value)
  if (scheme === 'bearer') {
    if (!B64TOKEN.test(value))
      return { kind: 'malformed', scheme, reason: 'a Bearer credential is one token of base64url characters' }
    return { kind: 'bearer', token: value }
  }
  return { kind: 'malformed', scheme: 'other', reason: 'the scheme is neither Basic nor Bearer' }
}

function schemeOf(header: string): 'basic' | 'bearer' | 'other' {
  const space = header.indexOf(' ')
  const name = (space === -1 ? header : header.slice(0, space)).toLowerCase()
  return name === 'basic' || name === 'bearer' ? name : 'other'
}

// RFC 7617 §2: the user is what comes before the first colon, so a password may hold colons
// and a user may not. An empty user or password is no credential at all.
function basic(value: string): Credential {
  if (!BASE64.test(value) || value.length % 4 !== 0)
    return { kind: 'malformed', scheme: 'basic', reason: 'the Basic credential is not base64' }
  const decoded = Buffer.from(value, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon === -1)
    return { kind: 'malformed', scheme: 'basic', reason: 'the Basic credential has no colon between user and password' }
  const user = decoded.slice(0, colon)
  const password = decoded.slice(colon + 1)
  if (user === '' || password === '')
    return { kind: 'malformed', scheme: 'basic', reason: 'the Basic credential has an empty user or password' }
  return { kind: 'basic', user, password }
}
