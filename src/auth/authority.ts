import {
  basicChallenge,
  bearerChallenge,
  denied,
  lowerCaseChallenge,
  unauthorized,
  type BearerError,
} from './challenge.js'
import { parseAuthorization, type Credential } from './credentials.js'
import type { OciError } from '../errors/oci-error.js'
import { TokenSigner } from './jwt.js'
import { allowedActions } from './permissions.js'
import {
  accessFor,
  CATALOG_ACCESS,
  formatScope,
  groupAccess,
  parseScopes,
  type AccessRecord,
  type ResourceScope,
} from './scopes.js'
import { sameSecret } from './secrets.js'
import { realmOf, serviceFor, withHost } from './service.js'
import { serveTokenRequest } from './token-endpoint.js'
import type { AuthFacts, AuthFactsSink, AuthOutcome, ResolvedAuthOptions } from './types.js'

/** The auth layer the request dispatcher calls before routing; handlers never see it. */
export interface Authority {
  readonly options: ResolvedAuthOptions
  /** True for the token endpoint's path (`realmPath`) when the registry issues tokens. */
  isTokenEndpoint(pathname: string): boolean
  /** Answers a token request (GET or POST); never throws for bad input. */
  serveToken(request: Request, url: URL, sink?: AuthFactsSink): Promise<Response>
  /**
   * Lets a routed request through, or throws the `OciError` to answer with (401 and a
   * challenge, or 403 DENIED). `name` is the route's repository, when it has one. Returns what
   * the answer takes along besides the handler's (`Passage`), or undefined.
   */
  authorize(request: Request, url: URL, name: string | undefined, sink?: AuthFactsSink): Passage | undefined
}

/**
 * What a request let through takes to its answer: headers besides the handler's (zot's and
 * Quay's challenge on `/v2/`), and the status that replaces the handler's (Quay's `/v2/`, whose
 * handler answers a client without credentials 401 with its usual body).
 */
export interface Passage {
  headers: Readonly<Record<string, string>>
  status?: 401
}

/**
 * Builds the auth layer of one registry: its token signing key is made here.
 *
 * @example
 * const authority = createAuthority(resolveOptions({ auth: { users: { alice: 'secret' } } }).options.auth!)
 * authority.authorize(request, new URL(request.url), 'team/app') // throws OciError 401 without a token
 */
export function createAuthority(options: ResolvedAuthOptions): Authority {
  const signer = new TokenSigner(ISSUER)
  const verifyUser = (user: string, password: string): boolean => checkPassword(options, user, password)
  const baseScope = scopeRecords(options.shape.baseScope)
  return {
    options,
    isTokenEndpoint: (pathname) => options.scheme === 'bearer' && pathname === options.realmPath,
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
      const check: Check = {
        options,
        records,
        facts,
        url,
        base: name === undefined && records.length === 0,
        carried: header !== null && header !== '',
        baseScope,
      }
      // Quay's `/v2/` handler answers every request itself: 401 without a credential, and its
      // challenge either way.
      const handlerAnswers = check.base && options.shape.baseAnswer === 'handler'
      if (handlerAnswers && credential.kind === 'none') {
        return { headers: { 'www-authenticate': challenge(check) }, status: 401 }
      }
      const basic = options.scheme === 'basic' || (credential.kind === 'basic' && options.shape.basicOnRegistry)
      if (basic) authorizeBasic(check, credential, verifyUser)
      else authorizeBearer(check, signer, credential)
      if (check.base && options.shape.schemeWord === 'lower')
        return { headers: { 'www-authenticate': zotChallenge(check) } }
      return handlerAnswers ? { headers: { 'www-authenticate': challenge(check) } } : undefined
    },
  }
}

/** The `iss` of every token: the fake's name, as Docker Hub's tokens name `auth.docker.io`. */
export const ISSUER = 'fake-oci-registry'

/** One request being checked: what it needs, where its facts go, and what shapes the answer. */
interface Check {
  options: ResolvedAuthOptions
  records: AccessRecord[]
  facts: AuthFacts
  url: URL
  /** `/v2/`: no repository, no access record. */
  base: boolean
  /** Whether the request carried an `Authorization` header (Harbor then challenges with Basic). */
  carried: boolean
  /** The records of the `/v2/` challenge's scope (GHCR's placeholder). */
  baseScope: AccessRecord[]
}

function authorizeBasic(
  check: Check,
  credential: Credential,
  verifyUser: (user: string, password: string) => boolean,
): void {
  const { options, records, facts } = check
  const refuse = (outcome: AuthOutcome): never => {
    facts.outcome = outcome
    throw refusal(check)
  }
  if (credential.kind === 'none') {
    const granted = grantedScopes(options, null, records)
    facts.granted = granted.scopes
    if ((records.length > 0 && granted.all) || anonymousBase(check)) {
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
  refuseInsufficient(check, user, false)
}

function authorizeBearer(check: Check, signer: TokenSigner, credential: Credential): void {
  const { records, facts, options, url } = check
  // As distribution: anything but a Bearer header is no token at all, and gets the plain challenge.
  if (credential.kind !== 'bearer' && !(credential.kind === 'malformed' && credential.scheme === 'bearer')) {
    if (credential.kind === 'none' && anonymousBase(check)) {
      facts.outcome = 'granted'
      return
    }
    facts.outcome = 'missing'
    throw refusal(check)
  }
  const verified =
    credential.kind === 'bearer' ? signer.verify(credential.token, { aud: serviceFor(options, url) }) : undefined
  if (!verified?.ok) {
    facts.outcome = verified?.problem === 'expired' ? 'expired' : 'invalid'
    facts.error = 'invalid_token'
    throw refusal(check, 'invalid_token')
  }
  const { claims } = verified
  const user = claims.sub === '' ? null : claims.sub
  facts.user = user
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
  refuseInsufficient(check, user, true)
}

/**
 * A valid credential without the access needed: 403 DENIED with `forbiddenStatus: 403`, else the
 * profile's 401 for an anonymous client (`unknownRepository`) or a user (`notAllowed`): a plain
 * challenge (Quay, Harbor) or distribution's `insufficient_scope`.
 */
function refuseInsufficient(check: Check, user: string | null, bearer: boolean): never {
  const { options, facts } = check
  facts.outcome = 'insufficient'
  const { shape } = options
  if (options.forbiddenStatus === 403) throw denied(shape.deniedChallenge ? basicChallengeOf(check) : undefined)
  const variant = user === null ? shape.unknownRepository : shape.notAllowed
  if (!bearer || variant === 'unauthorized-401' || variant === 'basic-401') throw refusal(check)
  facts.error = 'insufficient_scope'
  throw refusal(check, 'insufficient_scope')
}

/** The 401 of a refused request: the challenge, and the registry's own wording where it has one (Quay). */
function refusal(check: Check, error?: BearerError): OciError {
  return unauthorized(check.records, challenge(check, error), check.options.shape.unauthorizedMessage)
}

/**
 * The challenge of a 401: Basic for a Basic registry; for a Bearer one, distribution's with the
 * profile's realm path, except Harbor's `Basic realm="harbor"` once the request carried
 * `Authorization` (and always on the catalog), and on `/v2/` GAR's without `service` and GHCR's
 * placeholder scope.
 */
function challenge(check: Check, error?: BearerError): string {
  const { options, records, url, base } = check
  if (options.scheme === 'basic') return basicChallengeOf(check)
  const catalog = records.some((record) => record.type === CATALOG_ACCESS.type && record.name === CATALOG_ACCESS.name)
  if (options.shape.notAllowed === 'basic-401' && (check.carried || catalog)) return basicChallengeOf(check)
  const service = base && !options.shape.serviceOnBase ? undefined : serviceFor(options, url)
  return bearerChallenge(realmOf(options, url), service, base ? check.baseScope : records, error)
}

function basicChallengeOf(check: Check): string {
  const { options, url } = check
  const { shape } = options
  return basicChallenge(withHost(shape.basicRealm, url), shape.basicService ? serviceFor(options, url) : undefined)
}

// zot's header on a 200 `/v2/`: `basic realm=<realm>`, or `bearer realm=<token url>`.
function zotChallenge(check: Check): string {
  const { options, url } = check
  return options.scheme === 'basic'
    ? lowerCaseChallenge('basic', withHost(options.shape.basicRealm, url))
    : lowerCaseChallenge('bearer', realmOf(options, url))
}

// zot lets an anonymous `/v2/` through when anonymous clients may read. Elsewhere `/v2/` still
// challenges: clients learn the scheme from it, and one that got a 200 there would never send
// its credentials for a push (containers/image#2754 is that bug, met against zot).
function anonymousBase(check: Check): boolean {
  return check.base && check.options.shape.baseStatus === 200 && check.options.anonymous === 'pull'
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

// The access records of a scope written in a profile ('repository:user/image:pull').
function scopeRecords(scope: string | undefined): AccessRecord[] {
  if (scope === undefined) return []
  const parsed = parseScopes([scope])
  if ('error' in parsed) return []
  return parsed.flatMap((resource) =>
    resource.actions.map((action) => ({ type: resource.type, name: resource.name, action })),
  )
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
