import type { FakeRegistry } from '../create-fake-registry.js'
import { matchesRequest, requireRequestFilter, type RecordedRequest, type RequestFilter } from '../journal/journal.js'
import { invalidField, requireKnownKeys, requireOpenRegistry, throwUnlessPassed, type CheckResult } from './check.js'
import { count, formatRequests, formatValue } from './format.js'

// Assertions over the journal's `auth` records: who got in with what, whether a client answered
// the challenges it was sent, and whether it kept its credentials to itself.

/**
 * What `assertAuthenticated` wants of the user's requests.
 *
 * @example
 * assertAuthenticated(registry, 'alice', { repository: 'team/app', actions: ['push'] })
 */
export interface AuthenticatedExpectation {
  /** A repository the user was granted access to. */
  repository?: string
  /** Actions granted on `repository` (every one of them), such as ['pull', 'push']. */
  actions?: readonly string[]
}

/**
 * Where `assertNoCredentials` looks.
 *
 * @example
 * assertNoCredentials(registry, { origin: 'https://storage.test' })
 */
export interface NoCredentialsOptions {
  /** Only requests to this origin (`https://registry.test`): a registry served under several, through MSW. */
  origin?: string
}

const AUTHENTICATED_KEYS = ['repository', 'actions'] as const

/** Checks that a request was let through as `user` (with the given access). */
export function checkAuthenticated(
  registry: FakeRegistry,
  user: string,
  expected: AuthenticatedExpectation = {},
): CheckResult {
  requireOpenRegistry(registry, 'check the requests of registry')
  if (typeof user !== 'string' || user === '')
    throw invalidField('assertAuthenticated', String(user), 'the user is a non-empty name', "Pass one such as 'alice'")
  requireKnownKeys(expected, AUTHENTICATED_KEYS, 'assertAuthenticated')
  const { repository, actions = [] } = expected
  if (actions.length > 0 && repository === undefined) {
    throw invalidField(
      'assertAuthenticated',
      'actions',
      'actions are granted on a repository',
      "Pass one such as { repository: 'team/app', actions: ['push'] }",
    )
  }
  const all = registry.requests.all()
  const granted = all.filter((request) => request.auth?.outcome === 'granted' && request.auth.user === user)
  const matching = repository === undefined ? granted : granted.filter((request) => holds(request, repository, actions))
  const what =
    repository === undefined ? '' : ` with ${actions.length > 0 ? actions.join(', ') : 'access'} on ${repository}`
  const lines = [
    `Expected a request authenticated as ${JSON.stringify(user)}${what}, but ${matching.length === 0 ? 'none was' : `${matching.length} were`}.`,
  ]
  const withAuth = all.filter((request) => request.auth !== undefined && request.resource !== 'token')
  if (all.length > 0 && withAuth.length === 0)
    lines.push('The registry asks for no credentials: pass the auth option to createFakeRegistry.')
  else if (withAuth.length > 0)
    lines.push('Requests and their credentials:', formatRequests(withAuth.slice(-10), AUTH_COLUMN))
  return {
    pass: matching.length > 0,
    message: lines.join('\n'),
    negatedMessage: [
      `Expected no request authenticated as ${JSON.stringify(user)}${what}, but ${count(matching.length, 'request')} were:`,
      formatRequests(matching, AUTH_COLUMN),
    ].join('\n'),
    actual: granted.map(describeAuth),
    expected: { user, ...expected },
  }
}

/**
 * Asserts that a request was let through as `user`, with `actions` on `repository` when given;
 * throws an `AssertionError` listing the requests and what each credential got.
 *
 * @example
 * assertAuthenticated(registry, 'alice', { repository: 'team/app', actions: ['push'] })
 */
export function assertAuthenticated(registry: FakeRegistry, user: string, expected?: AuthenticatedExpectation): void {
  throwUnlessPassed(checkAuthenticated(registry, user, expected), 'assertAuthenticated', assertAuthenticated)
}

/**
 * Checks that every challenge (a 401 with `WWW-Authenticate`) to a request matching `filter` was
 * followed: for Basic, the same request again with the credentials, let through; for Bearer, a
 * token issued for the challenge's scope, then the same request with a token, let through.
 * Challenges on `/v2/` are pings, not retried by most clients: they count only when `filter`
 * picks them, and any request let through with their scheme afterwards follows them.
 */
export function checkFollowedChallenge(registry: FakeRegistry, filter: RequestFilter = {}): CheckResult {
  requireOpenRegistry(registry, 'check the requests of registry')
  requireRequestFilter(filter, 'check challenges with filter')
  const all = registry.requests.all()
  const picksBase = filter.resource !== undefined || filter.path !== undefined
  const challenges = all.filter(
    (request) => isChallenge(request) && matchesRequest(request, filter) && (picksBase || request.resource !== 'base'),
  )
  const unfollowed = challenges.filter((challenge) => !followed(challenge, all))
  const pass = challenges.length > 0 && unfollowed.length === 0
  const scope = Object.keys(filter).length === 0 ? '' : ` matching ${formatValue(filter)}`
  const lines: string[] = []
  if (challenges.length === 0) {
    lines.push(`Expected a challenge${scope} that the client followed, but the registry sent none.`)
    if (all.length > 0) lines.push('Requests:', formatRequests(all.slice(-10), AUTH_COLUMN))
  } else if (unfollowed.length > 0) {
    lines.push(
      `Expected every challenge${scope} to be followed, but ${count(unfollowed.length, 'challenge')} of ${challenges.length} were not:`,
    )
    lines.push(
      formatRequests(unfollowed, {
        title: 'challenge',
        cell: (request) => request.response.headers['www-authenticate'] ?? '',
      }),
    )
    lines.push(
      'Requests after the first of them:',
      formatRequests(
        all.filter((request) => request.id > (unfollowed[0] as RecordedRequest).id).slice(0, 10),
        AUTH_COLUMN,
      ),
    )
  }
  return {
    pass,
    message: lines.join('\n'),
    negatedMessage: [
      `Expected a challenge${scope} the client did not follow, but it followed all ${challenges.length}:`,
      formatRequests(challenges),
    ].join('\n'),
    actual: unfollowed.length,
    expected: 0,
  }
}

/**
 * Asserts that the client answered every challenge matching `filter` (default: all but those on
 * `/v2/`) as the token spec says, and that there was at least one; throws an `AssertionError`
 * naming the challenges left unanswered and what the client did next.
 *
 * @example
 * assertFollowedChallenge(registry, { method: 'PUT', resource: 'manifest' })
 */
export function assertFollowedChallenge(registry: FakeRegistry, filter?: RequestFilter): void {
  throwUnlessPassed(checkFollowedChallenge(registry, filter), 'assertFollowedChallenge', assertFollowedChallenge)
}

/** Checks that no request (to `origin`, when given) carried an `Authorization` header. */
export function checkNoCredentials(registry: FakeRegistry, options: NoCredentialsOptions = {}): CheckResult {
  requireOpenRegistry(registry, 'check the requests of registry')
  requireKnownKeys(options, ['origin'], 'assertNoCredentials')
  const { origin } = options
  if (origin !== undefined && (typeof origin !== 'string' || !/^https?:\/\/[^/]+$/.test(origin))) {
    throw invalidField(
      'assertNoCredentials',
      String(origin),
      'an origin is a scheme and a host, with no path',
      "Pass one such as 'https://registry.test'",
    )
  }
  const considered = registry.requests.filter(
    (request) => origin === undefined || new URL(request.url).origin === origin,
  )
  const carrying = considered.filter((request) => request.headers.authorization !== undefined)
  const to = origin === undefined ? '' : ` to ${origin}`
  return {
    pass: carrying.length === 0,
    message: [
      `Expected no credentials sent${to}, but ${count(carrying.length, 'request')} carried an Authorization header:`,
      formatRequests(carrying, SCHEME_COLUMN),
    ].join('\n'),
    negatedMessage: `Expected credentials sent${to}, but none of the ${count(considered.length, 'request')} carried an Authorization header.`,
    actual: carrying.map(({ id, method, path }) => ({ id, method, path })),
    expected: [],
  }
}

/**
 * Asserts that no request (to `origin`, when given) carried an `Authorization` header: a client
 * that must not leak credentials to a host it was redirected to, or that must try anonymously
 * first. Throws an `AssertionError` listing the requests that did.
 *
 * @example
 * assertNoCredentials(storageHost)
 */
export function assertNoCredentials(registry: FakeRegistry, options?: NoCredentialsOptions): void {
  throwUnlessPassed(checkNoCredentials(registry, options), 'assertNoCredentials', assertNoCredentials)
}

const AUTH_COLUMN = {
  title: 'credential',
  cell: (request: RecordedRequest) => (request.auth ? describeAuth(request) : ''),
}
const SCHEME_COLUMN = {
  title: 'scheme',
  cell: (request: RecordedRequest) => request.headers.authorization?.split(' ', 1)[0] ?? '',
}

function describeAuth(request: RecordedRequest): string {
  const auth = request.auth
  if (!auth) return ''
  const who = auth.user === null ? 'anonymous' : auth.user
  const via = auth.scheme === null ? 'no credentials' : auth.scheme
  const granted = auth.granted.length > 0 ? `; granted ${auth.granted.join(' ')}` : ''
  return `${who} (${via}): ${auth.outcome}${granted}`
}

function isChallenge(request: RecordedRequest): boolean {
  return (
    request.response.status === 401 &&
    request.response.headers['www-authenticate'] !== undefined &&
    request.resource !== 'token'
  )
}

// Does `request` hold every action on `repository`? Granted scopes read `repository:<name>:<actions>`.
function holds(request: RecordedRequest, repository: string, actions: readonly string[]): boolean {
  const held = new Set<string>()
  for (const scope of request.auth?.granted ?? []) {
    const prefix = `repository:${repository}:`
    if (scope.startsWith(prefix)) for (const action of scope.slice(prefix.length).split(',')) held.add(action)
  }
  return held.size > 0 && actions.every((action) => held.has(action))
}

// A challenge is followed when the same request comes back with the challenge's scheme and is
// let through (after a token for its scope, for Bearer). The `/v2/` ping is followed by any
// request let through that way: clients learn the scheme there and go on to what they wanted.
function followed(challenge: RecordedRequest, all: readonly RecordedRequest[]): boolean {
  const header = challenge.response.headers['www-authenticate'] ?? ''
  const later = all.filter((request) => request.id > challenge.id)
  const ping = challenge.resource === 'base'
  const retried = (after: number, scheme: string): boolean =>
    later.some(
      (request) =>
        request.id > after &&
        (ping || (request.method === challenge.method && request.path === challenge.path)) &&
        request.auth?.scheme === scheme &&
        request.auth.outcome === 'granted',
    )
  if (/^basic /i.test(header)) return retried(challenge.id, 'basic')
  // A ping's scope names nothing the client wants (GHCR's placeholder): clients ask for their own.
  const scope = ping ? undefined : /scope="([^"]*)"/.exec(header)?.[1]
  const wanted = scope ? scope.split(' ') : []
  return later.some(
    (token) =>
      token.resource === 'token' &&
      token.auth?.outcome === 'issued' &&
      covers(token.auth.asked, wanted) &&
      retried(token.id, 'bearer'),
  )
}

// Does a token request that asked `asked` cover every scope of the challenge?
function covers(asked: readonly string[], wanted: readonly string[]): boolean {
  const actions = (scopes: readonly string[]): Map<string, Set<string>> => {
    const map = new Map<string, Set<string>>()
    for (const scope of scopes) {
      const last = scope.lastIndexOf(':')
      const resource = scope.slice(0, last)
      const set = map.get(resource) ?? new Set<string>()
      for (const action of scope.slice(last + 1).split(',')) set.add(action)
      map.set(resource, set)
    }
    return map
  }
  const have = actions(asked)
  for (const [resource, needed] of actions(wanted)) {
    const held = have.get(resource)
    if (!held || [...needed].some((action) => !held.has(action))) return false
  }
  return true
}
