import { jsonResponse, textResponse } from '../leaf/json-response.js'
import { createLightResponse } from '../leaf/light-response.js'
import { OciError } from '../errors/oci-error.js'
import { basicChallenge, bearerChallenge, unauthorized } from './challenge.js'
import { parseAuthorization, type Credential } from './credentials.js'
import type { TokenSigner } from './jwt.js'
import { allowedActions } from './permissions.js'
import { formatScope, parseScopes, type ResourceScope } from './scopes.js'
import { realmOf, serviceFor, withHost } from './service.js'
import type { AuthFacts, AuthFactsSink, ResolvedAuthOptions, ResolvedAuthShape } from './types.js'

// The token endpoint of docs/content/spec/auth/token.md (GET) and oauth.md (POST), served on the
// registry's own origin: go-containerregistry refuses a realm on another loopback port.

/** What the token endpoint needs of its registry. */
export interface TokenEndpointContext {
  options: ResolvedAuthOptions
  signer: TokenSigner
  verifyUser(user: string, password: string): boolean
  sink?: AuthFactsSink
}

// A token form holds a few short fields; anything longer is not one.
const MAX_FORM_BYTES = 64 * 1024
const FORM_TYPE = 'application/x-www-form-urlencoded'

/** RFC 6749 §5.2 error codes, the body of every 400 the endpoint sends. */
type OAuthError = 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope'

/**
 * Answers GET (Basic credentials or none, repeated `scope`, `service`, `offline_token`) and POST
 * (an OAuth2 form, `grant_type` password or refresh_token), in the shape of the profile's token
 * server: its body fields, its refusal of POST, GHCR's 403 for a scope anonymous clients may not
 * have. Misuse gets 400 with an OAuth2 error body (Harbor's text for a service it does not know),
 * a wrong password on GET a 401 (the OCI envelope and a Basic challenge, or the profile's own),
 * any other method 405: never a 500.
 */
export async function serveTokenRequest(request: Request, url: URL, context: TokenEndpointContext): Promise<Response> {
  const header = request.headers.get('authorization')
  const facts: AuthFacts = {
    user: null,
    scheme: header ? (header.split(' ', 1)[0] ?? '').toLowerCase().slice(0, 32) : null,
    asked: [],
    granted: [],
    outcome: 'refused',
  }
  if (context.sink) context.sink.auth = facts
  const refuse = (status: 400, error: OAuthError, description: string): Response => {
    facts.error = error
    return jsonResponse({ error, error_description: description }, { status })
  }
  switch (request.method) {
    case 'GET':
    case 'HEAD':
      return tokenByGet(request, url, context, facts, refuse)
    case 'POST':
      return tokenByPost(request, url, context, facts, refuse)
    default: {
      const { tokenPost } = context.options.shape
      const allow = tokenPost === 'supported' || tokenPost === 400 ? 'GET, POST' : 'GET'
      throw new OciError('UNSUPPORTED', { method: request.method, allow }, { headers: { allow } })
    }
  }
}

/**
 * A wrong password (or a malformed credential, whose reason is told) on GET, in the registry's
 * way: throws 401 UNAUTHORIZED for the error envelope to write, with a Basic challenge, or
 * Quay's words and Bearer challenge; returns Harbor's bare 401, whose handler aborts with no
 * body, and GitLab's, which Rails renders itself.
 */
function refuseLogin(options: ResolvedAuthOptions, url: URL, credential: Credential): Response {
  const { loginRefusal, basicRealm } = options.shape
  switch (loginRefusal) {
    case 'empty':
      return emptyAnswer(401)
    case 'gitlab':
      return gitlabAccessDenied(url)
    case 'quay': {
      // endpoints/v2/v2auth.py raises InvalidLogin with the user store's message; a header that
      // is not a Basic pair counts as no credential there, and gets InvalidLogin's own words.
      const message = credential.kind === 'basic' ? 'Invalid Username or Password' : 'Specified credentials are invalid'
      throw unauthorized([], bearerChallenge(realmOf(options, url), serviceFor(options, url), []), message)
    }
    case 'envelope': {
      const headers = { 'www-authenticate': basicChallenge(withHost(basicRealm, url)) }
      const reason = credential.kind === 'malformed' ? credential.reason : 'incorrect username or password'
      throw new OciError('UNAUTHORIZED', reason, { headers })
    }
  }
}

// GitLab's JwtController#render_access_denied: Rails' JSON (no trailing newline, its charset),
// no challenge, and a link to the instance's own help page.
const GITLAB_HELP_PAGE =
  '/help/user/profile/account/two_factor_authentication_troubleshooting.md#error-http-basic-access-denied-if-a-password-was-provided-for-git-authentication-'

function gitlabAccessDenied(url: URL): Response {
  const message =
    'HTTP Basic: Access denied. If a password was provided for Git authentication, the password was incorrect ' +
    "or you're required to use a token instead of a password. If a token was provided, it was either incorrect, " +
    `expired, or improperly scoped. See ${url.origin}${GITLAB_HELP_PAGE}`
  return textResponse(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message }] }), {
    status: 401,
    contentType: 'application/json; charset=utf-8',
  })
}

/**
 * Harbor's token handler for a service it has no token maker for: beego's CustomAbort writes the
 * text as it is, and Go's server names it text/plain.
 */
function harborUnknownService(service: string): Response {
  return textResponse(`Unable to handle service: ${service}`, { status: 400, contentType: 'text/plain; charset=utf-8' })
}

/** A status and nothing else, as answers seen only as a status (or known to be bare) are. */
function emptyAnswer(status: number): Response {
  return createLightResponse(new Uint8Array(0), { status, headers: { 'content-length': '0' } })
}

/**
 * A token server that takes no POST, as clients meet it (containerd falls back to GET on each):
 * Quay's Flask route answers 405 with Werkzeug's page; GCR's 404 and Artifactory's 401 were seen
 * only as statuses, so their bodies are empty.
 */
function refusePost(status: 401 | 404 | 405): Response {
  if (status !== 405) return emptyAnswer(status)
  return textResponse(WERKZEUG_405, {
    status,
    contentType: 'text/html; charset=utf-8',
    headers: { allow: 'GET, HEAD' },
  })
}

const WERKZEUG_405 =
  '<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n'

type Refuse = (status: 400, error: OAuthError, description: string) => Response

function tokenByGet(
  request: Request,
  url: URL,
  context: TokenEndpointContext,
  facts: AuthFacts,
  refuse: Refuse,
): Response {
  const { options, signer } = context
  const service = serviceFor(options, url)
  if (options.shape.unknownService === 'harbor') {
    // beego's GetString: the first `service`, or '' without one.
    const given = url.searchParams.get('service') ?? ''
    if (given !== service) {
      facts.error = 'invalid_request'
      return harborUnknownService(given)
    }
  } else {
    const serviceProblem = checkService(url.searchParams.getAll('service'), service, options)
    if (serviceProblem) return refuse(400, 'invalid_request', serviceProblem)
  }
  const scopes = parseScopes(url.searchParams.getAll('scope'))
  if ('error' in scopes)
    return refuse(400, 'invalid_scope', `the scope "${scopes.scope}" is malformed: ${scopes.error}`)
  facts.asked = scopes.map(formatScope)
  const credential = parseAuthorization(request.headers.get('authorization'))
  let user: string | null = null
  if (credential.kind !== 'none') {
    if (credential.kind !== 'basic' || !context.verifyUser(credential.user, credential.password)) {
      facts.error = 'invalid_credentials'
      return refuseLogin(options, url, credential)
    }
    user = credential.user
  }
  facts.user = user
  const access = grant(options, user, scopes)
  facts.granted = access.filter((scope) => scope.actions.length > 0).map(formatScope)
  const withheld = access.some((scope, index) => scope.actions.length < (scopes[index]?.actions.length ?? 0))
  if (user === null && withheld && options.shape.unknownRepository === 'token-403') {
    // GHCR hides a repository at the token endpoint: anonymous clients get no token at all.
    facts.error = 'denied'
    throw new OciError('DENIED')
  }
  facts.outcome = 'issued'
  const now = Date.now()
  const token = signer.sign({ sub: user ?? '', aud: service, access, ttlSeconds: options.tokenTtlSeconds, now })
  const body: Record<string, unknown> = {}
  for (const field of options.shape.tokenFields) {
    if (field === 'token') body.token = token
    else if (field === 'access_token') body.access_token = options.shape.emptyAccessToken ? '' : token
    else if (field === 'expires_in') body.expires_in = options.tokenTtlSeconds
    else body.issued_at = issuedAt(now, options.shape.issuedAt)
  }
  // token.md: a refresh token only with offline_token=true, and only for a user.
  if (url.searchParams.get('offline_token') === 'true' && user !== null)
    body.refresh_token = signer.sign({ sub: user, aud: service, access: [], now })
  return jsonResponse(body)
}

async function tokenByPost(
  request: Request,
  url: URL,
  context: TokenEndpointContext,
  facts: AuthFacts,
  refuse: Refuse,
): Promise<Response> {
  const { options, signer } = context
  const { tokenPost } = options.shape
  if (tokenPost !== 'supported' && tokenPost !== 400) {
    facts.error = 'post_refused'
    return refusePost(tokenPost)
  }
  const type = (request.headers.get('content-type') ?? '').split(';', 1)[0]?.trim().toLowerCase()
  if (type !== FORM_TYPE) return refuse(400, 'invalid_request', `the body must be ${FORM_TYPE}`)
  const text = await readForm(request)
  if (text === undefined) return refuse(400, 'invalid_request', `the form is longer than ${MAX_FORM_BYTES} bytes`)
  const form = new URLSearchParams(text)
  const grantType = form.get('grant_type')
  if (grantType === null || grantType === '') return refuse(400, 'invalid_request', 'grant_type is required')
  facts.grantType = grantType
  if (grantType !== 'password' && grantType !== 'refresh_token') {
    return refuse(400, 'unsupported_grant_type', `grant_type "${grantType}" is neither password nor refresh_token`)
  }
  // ACR: passwords go by GET with Basic; POST takes refresh tokens only.
  if (grantType === 'password' && tokenPost === 400)
    return refuse(
      400,
      'unsupported_grant_type',
      'grant_type "password" is not supported: use GET with Basic credentials',
    )
  if (!form.get('client_id')) return refuse(400, 'invalid_request', 'client_id is required')
  const service = serviceFor(options, url)
  const serviceProblem = checkService(form.getAll('service'), service, options)
  if (serviceProblem) return refuse(400, 'invalid_request', serviceProblem)
  const scopes = parseScopes(form.getAll('scope'))
  if ('error' in scopes)
    return refuse(400, 'invalid_scope', `the scope "${scopes.scope}" is malformed: ${scopes.error}`)
  facts.asked = scopes.map(formatScope)

  let user: string
  let refreshToken: string | undefined
  if (grantType === 'password') {
    const username = form.get('username')
    const password = form.get('password')
    if (!username || !password)
      return refuse(400, 'invalid_request', 'username and password are required with grant_type password')
    if (!context.verifyUser(username, password)) return refuse(400, 'invalid_grant', 'incorrect username or password')
    user = username
  } else {
    const given = form.get('refresh_token')
    if (!given) return refuse(400, 'invalid_request', 'refresh_token is required with grant_type refresh_token')
    const verified = signer.verify(given, { aud: service, refresh: true })
    if (!verified.ok || !options.users.has(verified.claims.sub))
      return refuse(400, 'invalid_grant', 'the refresh token is not one this registry issued')
    user = verified.claims.sub
    refreshToken = given
  }
  facts.user = user
  const access = grant(options, user, scopes)
  const granted = access.filter((scope) => scope.actions.length > 0).map(formatScope)
  facts.granted = granted
  facts.outcome = 'issued'
  const now = Date.now()
  const token = signer.sign({ sub: user, aud: service, access, ttlSeconds: options.tokenTtlSeconds, now })
  // oauth.md's fields; ACR, whose GET answer is access_token alone, answers a POST the same way.
  const body: Record<string, unknown> = { access_token: token }
  if (options.shape.tokenFields.includes('token')) {
    body.scope = granted.join(' ')
    body.expires_in = options.tokenTtlSeconds
    body.issued_at = issuedAt(now, options.shape.issuedAt)
  }
  if (form.get('access_type') === 'offline')
    body.refresh_token = refreshToken ?? signer.sign({ sub: user, aud: service, access: [], now })
  return jsonResponse(body)
}

// token.md: asking for more than allowed is not an error; the token holds what is allowed,
// down to no action at all, and the registry then answers insufficient_scope.
function grant(options: ResolvedAuthOptions, user: string | null, scopes: readonly ResourceScope[]): ResourceScope[] {
  return scopes.map((scope) => {
    const allowed = allowedActions(options, user, scope.type, scope.name)
    return { type: scope.type, name: scope.name, actions: scope.actions.filter((action) => allowed.has(action)) }
  })
}

// A registry whose `/v2/` challenge names no service (GAR) takes token requests without one.
function checkService(values: readonly string[], service: string, options: ResolvedAuthOptions): string | undefined {
  if (values.length === 0 && !options.shape.serviceOnBase) return undefined
  if (values.length === 0 || values[0] === '') return 'service is required'
  if (values.length > 1) return 'service is given more than once'
  if (values[0] !== service) return `the service "${values[0]}" is not this registry's ("${service}")`
  return undefined
}

// RFC 3339, as token.md's issued_at: JavaScript's milliseconds by default; whole seconds as Go's
// time.RFC3339 (Harbor's); nanoseconds as Go's time.RFC3339Nano: up to nine fraction digits,
// trailing zeros dropped, no dot when nothing is left (Docker Hub's).
function issuedAt(now: number, precision: ResolvedAuthShape['issuedAt']): string {
  const second = Math.floor(now / 1000) * 1000
  if (precision === 'milliseconds') return new Date(second).toISOString()
  const whole = new Date(second).toISOString().slice(0, 19)
  if (precision === 'seconds') return `${whole}Z`
  // The clock reads milliseconds; the monotonic clock gives the digits below them.
  const nanos = (now - second) * 1_000_000 + Number(process.hrtime.bigint() % 1_000_000n)
  const fraction = String(nanos).padStart(9, '0').replace(/0+$/, '')
  return `${whole}${fraction === '' ? '' : `.${fraction}`}Z`
}

// Reads at most MAX_FORM_BYTES of the body; undefined when it is longer (the rest is left unread).
async function readForm(request: Request): Promise<string | undefined> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > MAX_FORM_BYTES) return undefined
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > MAX_FORM_BYTES) {
        await reader.cancel()
        return undefined
      }
      chunks.push(value)
    }
  } catch {
    // A client gone mid-body: nothing it could read is left to answer.
    return undefined
  }
  return Buffer.concat(chunks).toString('utf8')
}
