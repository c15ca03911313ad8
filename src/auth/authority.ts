import { basicChallenge, bearerChallenge, denied, unauthorized } from './challenge.js'
import { parseAuthorization, type Credential } from './credentials.js'
import { TokenSigner } from './jwt.js'
import { allowedActions } from './permissions.js'
import { accessFor, formatScope, groupAccess, type AccessRecord, type ResourceScope } from './scopes.js'
import { sameSecret } from './secrets.js'
import { serveTokenRequest } from './token-endpoint.js'
import type { AuthFacts, AuthFactsSink, AuthOutcome, ResolvedAuthOptions } from './types.js'

/** The path of the token endpoint, on the registry's own origin. */
export const TOKEN_PATH = '/token'

/** The auth layer the request dispatcher calls before routing; handlers never see it. */
export interface Authority {
  readonly options: ResolvedAuthOptions
  /** True for the token endpoint's path when the registry issues tokens. */
  isTokenEndpoint(pathname: string): boolean
  /** Answers a token request (GET or POST); never throws for bad input. */
  serveToken(request: Request, url: URL, sink?: AuthFactsSink): Promise<Response>
  /**
   * Lets a routed request through, or throws the `OciError` to answer with (401 and a
   * challenge, or 403 DENIED). `name` is the route's repository, when it has one.
   */
  authorize(request: Request, url: URL, name: string | undefined, sink?: AuthFactsSink): void
}

/**
 * Builds the auth layer of one registry: its token signing key is made here.
 *
 * @example
 * const authority = createAuthority(resolveOptions({ auth: { users: { alice: 'secret' } } }).auth!)
 * authority.authorize(request, new URL(request.url), 'team/app') // throws OciError 401 without a token
 */
export function createAuthority(options: ResolvedAuthOptions): Authority {
  const signer = new TokenSigner(ISSUER, options.service)
  const verifyUser = (user: string, password: string): boolean => checkPassword(options, user, password)
  return {
    options,
    isTokenEndpoint: (pathname) => options.scheme === 'bearer' && pathname === TOKEN_PATH,
    serveToken: (request, url, sink) => serveTokenRequest(request, url, { options, signer, verifyUser, sink }),
    authorize(request, url, name, sink) {
      const records = accessFor(request.method, url, name)
      const header = request.headers.get('authorization')
      const credential = parseAuthorization(header)
      const facts: AuthFacts = {
        user: null,
        scheme: schemeOf(header),
        asked: groupAccess(records).map(formatScope),
        granted: [],
        outcome: 'missing',
      }
      if (sink) sink.auth = facts
      if (options.scheme === 'basic') authorizeBasic(options, credential, records, facts, verifyUser)
      else authorizeBearer(options, signer, credential, records, facts, `${url.origin}${TOKEN_PATH}`)
    },
  }
}

/** The `iss` of every token: the fake's name, as Docker Hub's tokens name `auth.docker.io`. */
export const ISSUER = 'fake-oci-registry'

function authorizeBasic(
  options: ResolvedAuthOptions,
  credential: Credential,
  records: AccessRecord[],
  facts: AuthFacts,
  verifyUser: (user: string, password: string) => boolean,
): void {
  const refuse = (outcome: AuthOutcome): never => {
    facts.outcome = outcome
    throw unauthorized(records, basicChallenge())
  }
  if (credential.kind === 'none') {
    // Anonymous pulls need no credential, but `/v2/` still challenges: clients learn the scheme
    // from it, and one that got a 200 there would never send its credentials for a push.
    const granted = grantedScopes(options, null, records)
    facts.granted = granted.scopes
    if (records.length > 0 && granted.all) {
      facts.outcome = 'granted'
      return
    }
    refuse('missing')
  }
  if (credential.kind !== 'basic' || !verifyUser(credential.user, credential.password)) refuse('invalid')
  const user = (credential as { user: string }).user
  facts.user = user
  const granted = grantedScopes(options, user, records)
  facts.granted = granted.scopes
  if (granted.all) {
    facts.outcome = 'granted'
    return
  }
  facts.outcome = 'insufficient'
  throw options.forbiddenStatus === 403 ? denied() : unauthorized(records, basicChallenge())
}

function authorizeBearer(
  options: ResolvedAuthOptions,
  signer: TokenSigner,
  credential: Credential,
  records: AccessRecord[],
  facts: AuthFacts,
  realm: string,
): void {
  const challenge = (error?: 'invalid_token' | 'insufficient_scope'): string =>
    bearerChallenge(realm, options.service, records, error)
  // As distribution: anything but a Bearer header is no token at all, and gets the plain challenge.
  if (credential.kind !== 'bearer' && !(credential.kind === 'malformed' && credential.scheme === 'bearer')) {
    facts.outcome = 'missing'
    throw unauthorized(records, challenge())
  }
  const verified = credential.kind === 'bearer' ? signer.verify(credential.token) : undefined
  if (!verified?.ok) {
    facts.outcome = verified?.problem === 'expired' ? 'expired' : 'invalid'
    facts.error = 'invalid_token'
    throw unauthorized(records, challenge('invalid_token'))
  }
  const { claims } = verified
  facts.user = claims.sub === '' ? null : claims.sub
  const held = heldActions(claims.access)
  // distribution's actionSet: `*` in a token stands for every action on its resource.
  const granted = records.filter((record) => {
    const actions = held(record.type, record.name)
    return actions.has('*') || actions.has(record.action)
  })
  facts.granted = groupAccess(granted).map(formatScope)
  if (granted.length === records.length) {
    facts.outcome = 'granted'
    return
  }
  facts.outcome = 'insufficient'
  if (options.forbiddenStatus === 403) throw denied()
  facts.error = 'insufficient_scope'
  throw unauthorized(records, challenge('insufficient_scope'))
}

function grantedScopes(
  options: ResolvedAuthOptions,
  user: string | null,
  records: AccessRecord[],
): { scopes: string[]; all: boolean } {
  const granted = records.filter((record) => allowedActions(options, user, record.type, record.name).has(record.action))
  return { scopes: groupAccess(granted).map(formatScope), all: granted.length === records.length }
}

// A token's actions per resource.
function heldActions(access: readonly ResourceScope[]): (type: string, name: string) => Set<string> {
  return (type, name) => {
    const held = new Set<string>()
    for (const scope of access) {
      if (scope?.type === type && scope.name === name && Array.isArray(scope.actions))
        for (const action of scope.actions) held.add(action)
    }
    return held
  }
}

// An unknown user is compared with a password nobody has, so the answer takes as long as for a
// known one with the wrong password.
function checkPassword(options: ResolvedAuthOptions, user: string, password: string): boolean {
  const expected = options.users.get(user)
  const matches = sameSecret(password, expected ?? NO_PASSWORD)
  return expected !== undefined && matches
}

const NO_PASSWORD = '\u0000no user has this password\u0000'

function schemeOf(header: string | null): string | null {
  if (header === null || header === '') return null
  const space = header.indexOf(' ')
  return (space === -1 ? header : header.slice(0, space)).toLowerCase().slice(0, 32)
}
