// The client side of registry auth, written from the token spec the way registry clients do it:
// read the challenge, ask the realm for a token with the challenge's service and scope, retry.
// Tests use it to drive the flow over any fetch-shaped transport.

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

export interface Credentials {
  user: string
  password: string
}

/** The `Authorization` value for a user and password. */
export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`
}

/** A challenge's scheme and parameters: `Bearer realm="…",service="…"` → `{ scheme: 'bearer', params: { realm, service } }`. */
export function parseChallenge(header: string | null): { scheme: string; params: Record<string, string> } | undefined {
  if (!header) return undefined
  const space = header.indexOf(' ')
  const scheme = header.slice(0, space === -1 ? undefined : space).toLowerCase()
  const params: Record<string, string> = {}
  const pattern = /([a-z_]+)="((?:[^"\\]|\\.)*)"/gi
  for (const match of header.slice(space + 1).matchAll(pattern))
    params[(match[1] as string).toLowerCase()] = (match[2] as string).replace(/\\(.)/g, '$1')
  return { scheme, params }
}

/** The decoded claims of a JWT (no verification: what a client library reads). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
}

/** A token from the realm by GET, with Basic credentials or none, one `scope` parameter per scope. */
export async function fetchToken(
  fetchLike: FetchLike,
  realm: string,
  options: { service: string; scopes?: readonly string[]; credentials?: Credentials; offline?: boolean },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(realm)
  url.searchParams.set('service', options.service)
  for (const scope of options.scopes ?? []) url.searchParams.append('scope', scope)
  if (options.offline) url.searchParams.set('offline_token', 'true')
  const headers: Record<string, string> = options.credentials
    ? { authorization: basic(options.credentials.user, options.credentials.password) }
    : {}
  const response = await fetchLike(url.href, { headers })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/**
 * A client that follows challenges: the request goes out without credentials; a Basic challenge
 * is answered with the user's credentials, a Bearer one with a token from its realm for its
 * scope. One retry, as most clients do.
 */
export function createAuthClient(fetchLike: FetchLike, credentials?: Credentials) {
  let token: string | undefined
  return {
    get token() {
      return token
    },
    async fetch(input: string, init: RequestInit = {}): Promise<Response> {
      const first = await fetchLike(input, withAuthorization(init, token ? `Bearer ${token}` : undefined))
      if (first.status !== 401) return first
      const challenge = parseChallenge(first.headers.get('www-authenticate'))
      await first.arrayBuffer()
      if (challenge?.scheme === 'basic') {
        if (!credentials) return fetchLike(input, init)
        return fetchLike(input, withAuthorization(init, basic(credentials.user, credentials.password)))
      }
      if (challenge?.scheme !== 'bearer' || !challenge.params.realm)
        throw new Error(`no challenge to follow: ${first.headers.get('www-authenticate')}`)
      const { realm, service = '', scope } = challenge.params
      const issued = await fetchToken(fetchLike, realm, { service, scopes: scope ? scope.split(' ') : [], credentials })
      if (issued.status !== 200)
        throw new Error(`the realm refused a token: ${issued.status} ${JSON.stringify(issued.body)}`)
      token = String(issued.body.token)
      return fetchLike(input, withAuthorization(init, `Bearer ${token}`))
    },
  }
}

function withAuthorization(init: RequestInit, authorization: string | undefined): RequestInit {
  if (!authorization) return init
  const headers = new Headers(init.headers)
  headers.set('authorization', authorization)
  return { ...init, headers }
}
