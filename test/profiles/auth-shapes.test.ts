// A table per profile of its auth shape (docs/profiles.md, the three auth rows): each row turns
// auth on under the profile and checks what the real registry answers: the status, the exact
// WWW-Authenticate header, the token endpoint's path and JSON fields. Then a client in the way of
// containerd meets the token POST refusals and falls back to GET, over a socket.
import { afterEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type AuthOptions, type FakeRegistry } from '../../src/index.js'
import type { RegistryProfileName } from '../../src/options.js'
import { REGISTRY_PROFILE_NAMES, registryProfile } from '../../src/profiles/registries/index.js'
import { assertFollowedChallenge } from '../../src/auth.js'
import { basic, claimsOf, parseChallenge } from '../support/auth.js'

const ORIGIN = 'http://registry.fake-oci.invalid'
// The service of GAR, ACR and Quay: the host the request went to, here the registry's own.
const HOST = 'registry.fake-oci.invalid'
const USERS = { alice: 'secret', bob: 'hunter2' }
// alice may do anything; bob may pull team/app and nothing else.
const PERMISSIONS = { alice: ['repository:*:*', 'registry:catalog:*'], bob: ['repository:team/app:pull'] }
const ALICE = basic('alice', 'secret')
const BOB = basic('bob', 'hunter2')
const ALL_FIELDS = ['token', 'access_token', 'expires_in', 'issued_at']
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

let open: FakeRegistry[] = []
afterEach(async () => {
  await Promise.all(open.map((registry) => registry.close()))
  open = []
})

/** A registry with the profile and auth on (the profile's fields under `auth`), holding team/app:1. */
async function start(profile: RegistryProfileName, auth: AuthOptions = {}): Promise<FakeRegistry> {
  const registry = await createFakeRegistry({
    transport: 'none',
    profile,
    auth: { users: USERS, permissions: PERMISSIONS, ...auth },
  })
  open.push(registry)
  await registry.seed.image('team/app:1')
  return registry
}

interface Answer {
  status: number
  challenge: string | null
  /** The first error code of an OCI envelope, if the body is one. */
  code?: string
}

async function answer(registry: FakeRegistry, path: string, authorization?: string, method = 'GET'): Promise<Answer> {
  const headers: Record<string, string> = { accept: OCI_MANIFEST, ...(authorization ? { authorization } : {}) }
  const response = await registry.fetch(path, { method, headers })
  const text = await response.text()
  const result: Answer = { status: response.status, challenge: response.headers.get('www-authenticate') }
  if (text.startsWith('{"errors"'))
    result.code = (JSON.parse(text) as { errors: Array<{ code: string }> }).errors[0]!.code
  return result
}

/** The status, the challenge and the exact body of an answer. */
async function exactly(
  registry: FakeRegistry,
  path: string,
  authorization?: string,
  method = 'GET',
): Promise<{ status: number; challenge: string | null; body: string }> {
  const headers: Record<string, string> = { accept: OCI_MANIFEST, ...(authorization ? { authorization } : {}) }
  const response = await registry.fetch(path, { method, headers })
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: await response.text() }
}

interface Issued {
  status: number
  body: Record<string, unknown>
  /** The body's keys in order. */
  keys: string[]
  /** What a client uses: a non-empty `access_token` (ggcr, regclient, containerd), else `token`. */
  token: string
}

/** A token by GET from the registry's realm path, with the registry's service unless `service: false`. */
async function tokenByGet(
  registry: FakeRegistry,
  options: { scopes: string[]; authorization?: string; service?: false; extra?: string },
): Promise<Issued> {
  const auth = registry.options.auth!
  const query = [
    ...(options.service === false ? [] : [`service=${serviceOf(registry)}`]),
    ...options.scopes.map((scope) => `scope=${encodeURIComponent(scope)}`),
  ]
  const response = await registry.fetch(`${auth.realmPath}?${query.join('&')}${options.extra ?? ''}`, {
    headers: options.authorization ? { authorization: options.authorization } : {},
  })
  const body = (await response.json()) as Record<string, unknown>
  const accessToken = typeof body.access_token === 'string' ? body.access_token : ''
  return { status: response.status, body, keys: Object.keys(body), token: accessToken || String(body.token) }
}

/** The password grant of oauth.md, as containerd posts it. */
async function tokenByPost(registry: FakeRegistry, form: Record<string, string>): Promise<Response> {
  const auth = registry.options.auth!
  return registry.fetch(auth.realmPath, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'containerd-client', service: serviceOf(registry), ...form }).toString(),
  })
}

/** The service a client reads from the registry's challenges. */
function serviceOf(registry: FakeRegistry): string {
  return registry.options.auth!.service.replaceAll('<host>', registry.host)
}

const PASSWORD_GRANT = { grant_type: 'password', username: 'alice', password: 'secret' }

const UPLOAD = '/v2/team/app/blobs/uploads/'

/** bob's token for pushing to team/app, where he may only pull, and the registry's answer to a push with it. */
async function bobPushes(registry: FakeRegistry): Promise<Answer> {
  const issued = await tokenByGet(registry, { scopes: ['repository:team/app:pull,push'], authorization: BOB })
  expect(issued.status).toBe(200)
  return answer(registry, UPLOAD, `Bearer ${issued.token}`, 'POST')
}

/** An anonymous token for team/app on a registry where anonymous clients may not pull, and the registry's answer to it. */
async function anonymousOnApp(registry: FakeRegistry): Promise<Answer> {
  const issued = await tokenByGet(registry, { scopes: ['repository:team/app:pull'] })
  expect(issued.status).toBe(200)
  return answer(registry, '/v2/team/app/manifests/1', `Bearer ${issued.token}`)
}

const bearer = (realmPath: string, service: string, rest = ''): string =>
  `Bearer realm="${ORIGIN}${realmPath}",service="${service}"${rest}`
const SCOPE = ',scope="repository:team/app:pull"'
const PUSH_SCOPE = ',scope="repository:team/app:pull,push"'
const INSUFFICIENT = ',error="insufficient_scope"'
// Quay's refusals (endpoints/v2/errors.py): its own messages, and `detail: {}`.
const QUAY_UNAUTHORIZED =
  '{"errors":[{"code":"UNAUTHORIZED","message":"access to the requested resource is not authorized","detail":{}}]}\n'
// A wrong password: the user store's message (data/users/database.py); a header that is not a
// Basic pair: InvalidLogin's own.
const QUAY_WRONG_PASSWORD =
  '{"errors":[{"code":"UNAUTHORIZED","message":"Invalid Username or Password","detail":{}}]}\n'
const QUAY_INVALID_LOGIN =
  '{"errors":[{"code":"UNAUTHORIZED","message":"Specified credentials are invalid","detail":{}}]}\n'

type Row = [behaviour: string, check: (profile: RegistryProfileName) => Promise<void>]

/**
 * The rows of a registry that runs distribution's token server, or answers as one where nothing
 * else is known: challenges with its realm path and service, its token fields, POST answered or
 * refused with `post`, and 401 insufficient_scope for whoever lacks access.
 */
function tokenServerRows(shape: {
  realmPath: string
  service: string
  fields: string[]
  post: number
  expiresIn?: number
}): Row[] {
  const { realmPath, service } = shape
  return [
    [
      'challenge and token',
      async (profile) => {
        const registry = await start(profile)
        expect(await answer(registry, '/v2/')).toEqual({
          status: 401,
          challenge: bearer(realmPath, service),
          code: 'UNAUTHORIZED',
        })
        expect(await answer(registry, '/v2/team/app/manifests/1')).toEqual({
          status: 401,
          challenge: bearer(realmPath, service, SCOPE),
          code: 'UNAUTHORIZED',
        })
        const issued = await tokenByGet(registry, { scopes: ['repository:team/app:pull'], authorization: ALICE })
        expect([issued.status, issued.keys]).toEqual([200, shape.fields])
        if (shape.expiresIn !== undefined) expect(issued.body.expires_in).toBe(shape.expiresIn)
        expect((await answer(registry, '/v2/team/app/manifests/1', `Bearer ${issued.token}`)).status).toBe(200)
        expect((await tokenByPost(registry, PASSWORD_GRANT)).status).toBe(shape.post)
      },
    ],
    ...insufficientScopeRows(realmPath, service),
  ]
}

/** distribution's answer to a token without the access needed, anonymous or not: 401 insufficient_scope. */
function insufficientScopeRows(realmPath: string, service: string): Row[] {
  return [
    [
      'unknown repository (anonymous)',
      async (profile) =>
        expect(await anonymousOnApp(await start(profile, { anonymous: 'none' }))).toEqual({
          status: 401,
          challenge: bearer(realmPath, service, SCOPE + INSUFFICIENT),
          code: 'UNAUTHORIZED',
        }),
    ],
    [
      'authenticated but not allowed',
      async (profile) =>
        expect(await bobPushes(await start(profile))).toEqual({
          status: 401,
          challenge: bearer(realmPath, service, PUSH_SCOPE + INSUFFICIENT),
          code: 'UNAUTHORIZED',
        }),
    ],
  ]
}

const TABLES: Record<RegistryProfileName, Row[]> = {
  'docker-hub': [
    ...tokenServerRows({
      realmPath: '/token',
      service: 'registry.docker.io',
      fields: ALL_FIELDS,
      post: 200,
      expiresIn: 300,
    }),
    [
      'challenge and token',
      async (profile) => {
        // issued_at as Go's RFC3339Nano writes it: the token's second, then up to nine digits
        // without trailing zeros, by GET and by POST.
        const registry = await start(profile)
        const stamps: Array<[stamp: string, iat: number]> = []
        for (let round = 0; round < 3; round++) {
          const issued = await tokenByGet(registry, { scopes: ['repository:team/app:pull'], authorization: ALICE })
          stamps.push([String(issued.body.issued_at), (claimsOf(issued.token) as { iat: number }).iat])
          const posted = (await (await tokenByPost(registry, PASSWORD_GRANT)).json()) as Record<string, unknown>
          stamps.push([String(posted.issued_at), (claimsOf(String(posted.access_token)) as { iat: number }).iat])
        }
        for (const [stamp, iat] of stamps) {
          expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,8}[1-9])?Z$/)
          expect(Date.parse(stamp.replace(/\.\d+/, '')) / 1000, stamp).toBe(iat)
        }
        // Digits below the millisecond: a millisecond clock alone leaves three at most.
        expect(
          stamps.some(([stamp]) => /\.\d{4,9}Z$/.test(stamp)),
          stamps.join(' '),
        ).toBe(true)
      },
    ],
  ],
  ghcr: [
    [
      'challenge and token',
      async (profile) => {
        const registry = await start(profile)
        // The /v2/ challenge carries a scope that names no real repository.
        expect(await answer(registry, '/v2/')).toEqual({
          status: 401,
          challenge: bearer('/token', 'ghcr.io', ',scope="repository:user/image:pull"'),
          code: 'UNAUTHORIZED',
        })
        expect((await answer(registry, '/v2/team/app/manifests/1')).challenge).toBe(bearer('/token', 'ghcr.io', SCOPE))
        const issued = await tokenByGet(registry, { scopes: ['repository:team/app:pull'], authorization: ALICE })
        expect([issued.status, issued.keys]).toEqual([200, ['token']])
        expect((await answer(registry, '/v2/team/app/manifests/1', `Bearer ${issued.token}`)).status).toBe(200)
        // Anonymous pulls of public images work.
        expect((await tokenByGet(registry, { scopes: ['repository:team/app:pull'] })).status).toBe(200)
      },
    ],
    [
      'unknown repository (anonymous)',
      async (profile) => {
        // The token endpoint hides the repository: 403 DENIED, no token.
        const hidden = await tokenByGet(await start(profile, { anonymous: 'none' }), {
          scopes: ['repository:team/app:pull'],
        })
        expect([hidden.status, hidden.body]).toEqual([
          403,
          { errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] },
        ])
        // Where anonymous pulls are allowed, asking for pull and push together is refused the same way.
        const registry = await start(profile)
        const combined = await tokenByGet(registry, { scopes: ['repository:team/app:pull,push'] })
        expect(combined.status).toBe(403)
        const entry = registry.requests.last()!
        expect([entry.resource, entry.path, entry.auth?.outcome, entry.auth?.error]).toEqual([
          'token',
          '/token',
          'refused',
          'denied',
        ])
      },
    ],
    [
      'authenticated but not allowed',
      async (profile) =>
        expect(await bobPushes(await start(profile))).toEqual({ status: 403, challenge: null, code: 'DENIED' }),
    ],
  ],
  ecr: [
    [
      'challenge and token',
      async (profile) => {
        const registry = await start(profile)
        const challenge = 'Basic realm="https://registry.fake-oci.invalid/",service="ecr.amazonaws.com"'
        expect(await answer(registry, '/v2/')).toEqual({ status: 401, challenge, code: 'UNAUTHORIZED' })
        expect((await answer(registry, '/v2/team/app/manifests/1', ALICE)).status).toBe(200)
        // No token endpoint.
        expect((await registry.fetch('/token?service=ecr.amazonaws.com')).status).toBe(404)
      },
    ],
    [
      'unknown repository (anonymous)',
      async (profile) =>
        expect(await answer(await start(profile), '/v2/team/app/manifests/1')).toEqual({
          status: 401,
          challenge: 'Basic realm="https://registry.fake-oci.invalid/",service="ecr.amazonaws.com"',
          code: 'UNAUTHORIZED',
        }),
    ],
    [
      'authenticated but not allowed',
      async (profile) =>
        expect(await answer(await start(profile), UPLOAD, BOB, 'POST')).toEqual({
          status: 403,
          challenge: null,
          code: 'DENIED',
        }),
    ],
  ],
  gar: [
    [
      'challenge and token',
      async (profile) => {
        const registry = await start(profile)
        // No service on /v2/; repository challenges name it.
        expect(await answer(registry, '/v2/')).toEqual({
          status: 401,
          challenge: `Bearer realm="${ORIGIN}/v2/token"`,
          code: 'UNAUTHORIZED',
        })
        expect((await answer(registry, '/v2/team/app/manifests/1')).challenge).toBe(bearer('/v2/token', HOST, SCOPE))
        // A client that learnt the challenge from /v2/ asks without a service, and gets its token.
        const issued = await tokenByGet(registry, {
          scopes: ['repository:team/app:pull'],
          authorization: ALICE,
          service: false,
        })
        expect([issued.status, issued.keys]).toEqual([200, ['token', 'expires_in']])
        expect((await answer(registry, '/v2/team/app/manifests/1', `Bearer ${issued.token}`)).status).toBe(200)
        const post = await tokenByPost(registry, PASSWORD_GRANT)
        expect([post.status, await post.text()]).toEqual([404, ''])
      },
    ],
    ...insufficientScopeRows('/v2/token', HOST),
  ],
  acr: [
    [
      'challenge and token',
      async (profile) => {
        const registry = await start(profile)
        expect(await answer(registry, '/v2/')).toEqual({
          status: 401,
          challenge: bearer('/oauth2/token', HOST),
          code: 'UNAUTHORIZED',
        })
        const issued = await tokenByGet(registry, {
          scopes: ['repository:team/app:pull'],
          authorization: ALICE,
          extra: '&offline_token=true',
        })
        expect([issued.status, issued.keys]).toEqual([200, ['access_token', 'refresh_token']])
        expect((await answer(registry, '/v2/team/app/manifests/1', `Bearer ${issued.token}`)).status).toBe(200)
        // A password by POST is refused; a refresh token by POST gets access_token alone.
        const password = await tokenByPost(registry, PASSWORD_GRANT)
        expect([password.status, ((await password.json()) as { error: string }).error]).toEqual([
          400,
          'unsupported_grant_type',
        ])
        const refreshed = await tokenByPost(registry, {
          grant_type: 'refresh_token',
          refresh_token: String(issued.body.refresh_token),
          scope: 'repository:team/app:pull',
        })
        expect([refreshed.status, Object.keys((await refreshed.json()) as object)]).toEqual([200, ['access_token']])
      },
    ],
    ...insufficientScopeRows('/oauth2/token', HOST),
  ],
  quay: [
    [
      'challenge and token',
      async (profile) => {
        const registry = await start(profile)
        // /v2/ answers `true` itself: 401 without a credential, 200 with a token, the challenge on both.
        const ping = await registry.fetch('/v2/')
        expect([ping.status, ping.headers.get('content-type'), ping.headers.get('www-authenticate')]).toEqual([
          401,
          'text/html; charset=utf-8',
          bearer('/v2/auth', HOST),
        ])
        expect(await ping.text()).toBe('true')
        expect(registry.requests.last()?.auth?.outcome).toBe('missing')
        const issued = await tokenByGet(registry, { scopes: ['repository:team/app:pull'], authorization: ALICE })
        expect([issued.status, issued.keys]).toEqual([200, ['token']])
        expect(await exactly(registry, '/v2/', `Bearer ${issued.token}`)).toEqual({
          status: 200,
          challenge: bearer('/v2/auth', HOST),
          body: 'true',
        })
        expect((await registry.fetch('/v2/', { method: 'HEAD' })).status).toBe(401)
        // The token lives an hour, which the body does not say.
        const claims = claimsOf(issued.token) as { iat: number; exp: number }
        expect(claims.exp - claims.iat).toBe(3600)
        expect((await answer(registry, '/v2/team/app/manifests/1', `Bearer ${issued.token}`)).status).toBe(200)
        // GET only: Flask's 405.
        const post = await tokenByPost(registry, PASSWORD_GRANT)
        expect([post.status, post.headers.get('allow'), post.headers.get('content-type')]).toEqual([
          405,
          'GET, HEAD',
          'text/html; charset=utf-8',
        ])
        expect(await post.text()).toContain('<title>405 Method Not Allowed</title>')
        // A wrong password, in Quay's words, with its Bearer challenge (the V2RegistryException handler's).
        expect(await exactly(registry, `/v2/auth?service=${HOST}`, basic('alice', 'wrong'))).toEqual({
          status: 401,
          challenge: bearer('/v2/auth', HOST),
          body: QUAY_WRONG_PASSWORD,
        })
        expect(await exactly(registry, `/v2/auth?service=${HOST}`, 'Bearer not.a.password')).toEqual({
          status: 401,
          challenge: bearer('/v2/auth', HOST),
          body: QUAY_INVALID_LOGIN,
        })
        // A service given explicitly wins over the host.
        expect((await exactly(await start(profile, { service: 'quay.io' }), '/v2/')).challenge).toBe(
          bearer('/v2/auth', 'quay.io'),
        )
      },
    ],
    [
      'unknown repository (anonymous)',
      async (profile) => {
        // 401 UNAUTHORIZED with the scope, and no error: Quay hides the repository, in its words.
        const registry = await start(profile, { anonymous: 'none' })
        const refused = { status: 401, challenge: bearer('/v2/auth', HOST, SCOPE), body: QUAY_UNAUTHORIZED }
        const issued = await tokenByGet(registry, { scopes: ['repository:team/app:pull'] })
        expect(await exactly(registry, '/v2/team/app/manifests/1', `Bearer ${issued.token}`)).toEqual(refused)
        expect(await exactly(registry, '/v2/team/app/manifests/1')).toEqual(refused)
      },
    ],
    [
      'authenticated but not allowed',
      async (profile) => {
        const registry = await start(profile)
        const issued = await tokenByGet(registry, { scopes: ['repository:team/app:pull,push'], authorization: BOB })
        expect(await exactly(registry, UPLOAD, `Bearer ${issued.token}`, 'POST')).toEqual({
          status: 401,
          challenge: bearer('/v2/auth', HOST, PUSH_SCOPE),
          body: QUAY_UNAUTHORIZED,
        })
      },
    ],
  ],
  harbor: [
    [
      'challenge and token',
      async (profile) => {
        const registry = await start(profile)
        expect(await answer(registry, '/v2/')).toEqual({
          status: 401,
          challenge: bearer('/service/token', 'harbor-registry'),
          code: 'UNAUTHORIZED',
        })
        const issued = await tokenByGet(registry, { scopes: ['repository:team/app:pull'], authorization: ALICE })
        expect([issued.status, issued.keys, issued.body.access_token, issued.body.expires_in]).toEqual([
          200,
          ALL_FIELDS,
          '',
          1800,
        ])
        // issued_at as Go's time.RFC3339 writes it: the token's second, no fraction.
        const stamp = String(issued.body.issued_at)
        expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
        expect(Date.parse(stamp) / 1000).toBe((claimsOf(issued.token) as { iat: number }).iat)
        // A service it has no token maker for, none included: beego's plain-text 400. Only the first counts.
        for (const [query, service] of [
          ['service=quay.io', 'quay.io'],
          ['scope=repository:team/app:pull', ''],
          ['service=quay.io&service=harbor-registry', 'quay.io'],
        ]) {
          const refused = await registry.fetch(`/service/token?${query}`, { headers: { authorization: ALICE } })
          const text = `Unable to handle service: ${service}`
          expect([
            refused.status,
            refused.headers.get('content-type'),
            refused.headers.get('content-length'),
            await refused.text(),
          ]).toEqual([400, 'text/plain; charset=utf-8', String(text.length), text])
        }
        const twice = await registry.fetch('/service/token?service=harbor-registry&service=quay.io', {
          headers: { authorization: ALICE },
        })
        expect(twice.status).toBe(200)
        expect((await answer(registry, '/v2/team/app/manifests/1', `Bearer ${issued.token}`)).status).toBe(200)
        // The catalog always asks for Basic, and Basic credentials are taken.
        expect(await answer(registry, '/v2/_catalog')).toEqual({
          status: 401,
          challenge: 'Basic realm="harbor"',
          code: 'UNAUTHORIZED',
        })
        expect((await answer(registry, '/v2/_catalog', ALICE)).status).toBe(200)
        // A wrong password: the token endpoint answers 401 and nothing else.
        const wrong = await registry.fetch('/service/token?service=harbor-registry&scope=repository:team/app:pull', {
          headers: { authorization: basic('alice', 'wrong') },
        })
        expect([
          wrong.status,
          wrong.headers.get('www-authenticate'),
          wrong.headers.get('content-type'),
          wrong.headers.get('content-length'),
          await wrong.text(),
        ]).toEqual([401, null, null, '0', ''])
        expect(registry.requests.last()?.auth).toMatchObject({ outcome: 'refused', error: 'invalid_credentials' })
      },
    ],
    [
      'unknown repository (anonymous)',
      async (profile) => {
        const registry = await start(profile, { anonymous: 'none' })
        expect(await answer(registry, '/v2/team/app/manifests/1')).toEqual({
          status: 401,
          challenge: bearer('/service/token', 'harbor-registry', SCOPE),
          code: 'UNAUTHORIZED',
        })
        // A request that carried a token is asked for Basic credentials instead.
        expect(await anonymousOnApp(registry)).toEqual({
          status: 401,
          challenge: 'Basic realm="harbor"',
          code: 'UNAUTHORIZED',
        })
      },
    ],
    [
      'authenticated but not allowed',
      async (profile) => {
        const registry = await start(profile)
        const basicRefusal = { status: 401, challenge: 'Basic realm="harbor"', code: 'UNAUTHORIZED' }
        expect(await bobPushes(registry)).toEqual(basicRefusal)
        expect(await answer(registry, '/v2/team/app/manifests/1', 'Bearer not.a.token')).toEqual(basicRefusal)
        // Following the Basic challenge: bob's own rights, no more.
        expect((await answer(registry, '/v2/team/app/manifests/1', BOB)).status).toBe(200)
        expect(await answer(registry, UPLOAD, BOB, 'POST')).toEqual(basicRefusal)
      },
    ],
  ],
  gitlab: [
    ...tokenServerRows({ realmPath: '/jwt/auth', service: 'container_registry', fields: ['token'], post: 200 }),
    [
      'challenge and token',
      async (profile) => {
        // A wrong password: JwtController#render_access_denied, Rails' JSON, no challenge.
        const registry = await start(profile)
        const wrong = await registry.fetch('/jwt/auth?service=container_registry&scope=repository:team/app:pull', {
          headers: { authorization: basic('alice', 'wrong') },
        })
        expect([wrong.status, wrong.headers.get('www-authenticate'), wrong.headers.get('content-type')]).toEqual([
          401,
          null,
          'application/json; charset=utf-8',
        ])
        expect(await wrong.text()).toBe(
          '{"errors":[{"code":"UNAUTHORIZED","message":"HTTP Basic: Access denied. If a password was provided for Git authentication, ' +
            "the password was incorrect or you're required to use a token instead of a password. If a token was provided, " +
            'it was either incorrect, expired, or improperly scoped. See ' +
            `${ORIGIN}/help/user/profile/account/two_factor_authentication_troubleshooting.md` +
            '#error-http-basic-access-denied-if-a-password-was-provided-for-git-authentication-"}]}',
        )
        expect(registry.requests.last()?.auth).toMatchObject({ outcome: 'refused', error: 'invalid_credentials' })
      },
    ],
  ],
  artifactory: [
    ...tokenServerRows({
      realmPath: '/api/docker/docker/v2/token',
      service: 'fake-oci-registry',
      fields: ['token'],
      post: 401,
    }),
    [
      'challenge and token',
      async (profile) => {
        const post = await tokenByPost(await start(profile), PASSWORD_GRANT)
        expect([post.status, post.headers.get('www-authenticate'), await post.text()]).toEqual([401, null, ''])
      },
    ],
  ],
  'distribution-2.8': tokenServerRows({
    realmPath: '/token',
    service: 'fake-oci-registry',
    fields: ALL_FIELDS,
    post: 200,
  }),
  'distribution-3': tokenServerRows({
    realmPath: '/token',
    service: 'fake-oci-registry',
    fields: ALL_FIELDS,
    post: 200,
  }),
  zot: [
    [
      'challenge and token',
      async (profile) => {
        // Anonymous clients may read: /v2/ is 200, and still names the scheme, lower-case and unquoted.
        const registry = await start(profile)
        expect(await answer(registry, '/v2/')).toEqual({ status: 200, challenge: 'basic realm=zot' })
        expect(await answer(registry, '/v2/', ALICE)).toEqual({ status: 200, challenge: 'basic realm=zot' })
        // Without anonymous reads, /v2/ asks as any Basic registry.
        expect(await answer(await start(profile, { anonymous: 'none' }), '/v2/')).toEqual({
          status: 401,
          challenge: 'Basic realm="zot"',
          code: 'UNAUTHORIZED',
        })
        // zot in bearer mode names its token realm the same way.
        expect(await answer(await start(profile, { scheme: 'bearer' }), '/v2/')).toEqual({
          status: 200,
          challenge: `bearer realm=${ORIGIN}/token`,
        })
      },
    ],
    [
      'unknown repository (anonymous)',
      async (profile) =>
        expect(await answer(await start(profile, { anonymous: 'none' }), '/v2/team/app/manifests/1')).toEqual({
          status: 401,
          challenge: 'Basic realm="zot"',
          code: 'UNAUTHORIZED',
        }),
    ],
    [
      'authenticated but not allowed',
      async (profile) =>
        expect(await answer(await start(profile), UPLOAD, BOB, 'POST')).toEqual({
          status: 403,
          challenge: 'Basic realm="zot"',
          code: 'DENIED',
        }),
    ],
  ],
}

for (const name of REGISTRY_PROFILE_NAMES) {
  describe(`profile ${name} with auth on`, () => {
    it.each(TABLES[name])('%s', async (_behaviour, check) => check(name))

    it('has a row for each auth row of docs/profiles.md, and cites the ones it sets', () => {
      const rows = new Set(TABLES[name].map(([behaviour]) => behaviour))
      expect([...rows].sort()).toEqual([
        'authenticated but not allowed',
        'challenge and token',
        'unknown repository (anonymous)',
      ])
      expect(Object.values(registryProfile(name)!.cites)).toContain('challenge and token')
    })
  })
}

/**
 * A token the way containerd gets one with credentials (`authorizer.go`): POST the password
 * grant, and on 400, 401, 404 or 405 GET with Basic credentials instead. Returns the token and
 * the statuses met on the way.
 */
async function tokenLikeContainerd(
  challenge: Record<string, string>,
  user: string,
  password: string,
): Promise<{ token: string; statuses: number[] }> {
  const { realm = '', service, scope } = challenge
  const form = new URLSearchParams({ grant_type: 'password', client_id: 'containerd-client', username: user, password })
  if (service !== undefined) form.set('service', service)
  if (scope !== undefined) form.set('scope', scope)
  const post = await fetch(realm, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  })
  if (post.ok) return { token: ((await post.json()) as { access_token: string }).access_token, statuses: [200] }
  await post.arrayBuffer()
  if (![400, 401, 404, 405].includes(post.status)) throw new Error(`token POST answered ${post.status}`)
  const url = new URL(realm)
  if (service !== undefined) url.searchParams.set('service', service)
  for (const each of scope?.split(' ') ?? []) url.searchParams.append('scope', each)
  const get = await fetch(url, { headers: { authorization: basic(user, password) } })
  const body = (await get.json()) as { token?: string; access_token?: string }
  return { token: body.access_token || String(body.token), statuses: [post.status, get.status] }
}

describe('a client that asks the token endpoint by POST first, as containerd', () => {
  // The service each challenge names: GAR, ACR and Quay name the registry's host and port.
  it.each([
    ['quay', 405, 'post_refused', 'host'],
    ['gar', 404, 'post_refused', 'host'],
    ['acr', 400, 'unsupported_grant_type', 'host'],
    ['artifactory', 401, 'post_refused', 'fake-oci-registry'],
    ['docker-hub', 200, undefined, 'registry.docker.io'],
  ] as const)(
    '%s: POST answers %i, and the client gets its token and its manifest',
    async (profile, posted, error, service) => {
      const registry = await createFakeRegistry({ profile, auth: { users: USERS } })
      open.push(registry)
      await registry.seed.image('team/app:1')
      const manifest = `${registry.url}/v2/team/app/manifests/1`
      const accept = { accept: OCI_MANIFEST }
      const first = await fetch(manifest, { headers: accept })
      await first.arrayBuffer()
      const challenge = parseChallenge(first.headers.get('www-authenticate'))!
      expect([first.status, challenge.scheme, challenge.params.realm, challenge.params.service]).toEqual([
        401,
        'bearer',
        `${registry.url}${registryProfile(profile)!.auth.realmPath}`,
        service === 'host' ? registry.host : service,
      ])
      expect(registry.host).toMatch(/^127\.0\.0\.1:[1-9][0-9]*$/)

      const { token, statuses } = await tokenLikeContainerd(challenge.params, 'alice', 'secret')
      expect(statuses).toEqual(posted === 200 ? [200] : [posted, 200])
      const again = await fetch(manifest, { headers: { ...accept, authorization: `Bearer ${token}` } })
      expect(again.status).toBe(200)

      const tokenRequests = registry.requests.filter({ resource: 'token' })
      expect(tokenRequests.map((entry) => [entry.method, entry.response.status, entry.auth?.outcome])).toEqual(
        posted === 200
          ? [['POST', 200, 'issued']]
          : [
              ['POST', posted, 'refused'],
              ['GET', 200, 'issued'],
            ],
      )
      expect(tokenRequests[0]!.auth?.error).toBe(error)
      assertFollowedChallenge(registry, { resource: 'manifest' })
    },
  )
})
