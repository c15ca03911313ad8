// scheme 'bearer' (the default): the token flow of distribution's token spec, with the token
// endpoint on the registry's own origin. Challenges and bodies are compared byte for byte.
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { FakeRegistry } from '../../src/index.js'
import { basic, claimsOf } from '../support/auth.js'
import { MediaTypes, sha256 } from '../support/push.js'
import { useRegistry } from '../support/registry.js'

const ORIGIN = 'http://registry.fake-oci.invalid'
const REALM = `realm="${ORIGIN}/token",service="fake-oci-registry"`
const unauthorizedBody = (detail: string): string =>
  `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":${detail}}]}\n`
const record = (name: string, action: string): string =>
  `{"Type":"repository","Class":"","Name":"${name}","Action":"${action}"}`

interface Issued {
  status: number
  body: Record<string, unknown>
  token: string
}

async function token(registry: FakeRegistry, scopes: string[], credentials?: string, extra = ''): Promise<Issued> {
  const query = ['service=fake-oci-registry', ...scopes.map((scope) => `scope=${encodeURIComponent(scope)}`)].join('&')
  const response = await registry.fetch(`/token?${query}${extra}`, {
    headers: credentials ? { authorization: credentials } : {},
  })
  const body = (await response.json()) as Record<string, unknown>
  return { status: response.status, body, token: String(body.token ?? body.access_token) }
}

async function post(
  registry: FakeRegistry,
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await registry.fetch('/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const bearer = (value: string): Record<string, string> => ({ authorization: `Bearer ${value}`, accept: MediaTypes.OM })

afterEach(() => {
  vi.useRealTimers()
})

describe("auth scheme 'bearer'", () => {
  const { registry } = useRegistry(
    {
      auth: {
        users: { alice: 'secret', bob: 'hunter2' },
        permissions: { alice: ['repository:*:*', 'registry:catalog:*'], bob: ['repository:team/*:pull'] },
      },
    },
    async (r) => {
      await r.seed.image('team/app:1')
      await r.seed.image('team/base:1')
    },
  )

  it('challenges a request without a token with the realm on its own origin, the service and the scope', async () => {
    const response = await registry().fetch('/v2/team/app/manifests/1')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer ${REALM},scope="repository:team/app:pull"`)
    expect(await response.text()).toBe(unauthorizedBody(`[${record('team/app', 'pull')}]`))
    const base = await registry().fetch('/v2/')
    expect(base.headers.get('www-authenticate')).toBe(`Bearer ${REALM}`)
    expect(await base.text()).toBe(unauthorizedBody('null'))
  })

  it('issues a JWT by GET with token, access_token, expires_in and issued_at, and the token pulls', async () => {
    const issued = await token(registry(), ['repository:team/app:pull'], basic('alice', 'secret'))
    expect(issued.status).toBe(200)
    expect(Object.keys(issued.body).sort()).toEqual(['access_token', 'expires_in', 'issued_at', 'token'])
    expect(issued.body.access_token).toBe(issued.body.token)
    expect(issued.body.expires_in).toBe(300)
    const claims = claimsOf(issued.token)
    expect(claims).toEqual({
      iss: 'fake-oci-registry',
      sub: 'alice',
      aud: 'fake-oci-registry',
      iat: expect.any(Number),
      nbf: claims.iat,
      exp: (claims.iat as number) + 300,
      jti: expect.any(String),
      access: [{ type: 'repository', name: 'team/app', actions: ['pull'] }],
    })
    expect(issued.body.issued_at).toBe(new Date((claims.iat as number) * 1000).toISOString())
    expect(registry().requests.last()).toMatchObject({
      resource: 'token',
      auth: {
        user: 'alice',
        scheme: 'basic',
        asked: ['repository:team/app:pull'],
        granted: ['repository:team/app:pull'],
        outcome: 'issued',
      },
    })
    const pulled = await registry().fetch('/v2/team/app/manifests/1', { headers: bearer(issued.token) })
    expect(pulled.status).toBe(200)
    expect(registry().requests.last()?.auth).toEqual({
      user: 'alice',
      scheme: 'bearer',
      asked: ['repository:team/app:pull'],
      granted: ['repository:team/app:pull'],
      outcome: 'granted',
    })
  })

  it('answers a token without the action needed with insufficient_scope', async () => {
    const { token: pullOnly } = await token(registry(), ['repository:team/app:pull'], basic('alice', 'secret'))
    const response = await registry().fetch('/v2/team/app/manifests/1', { method: 'DELETE', headers: bearer(pullOnly) })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer ${REALM},scope="repository:team/app:delete",error="insufficient_scope"`,
    )
    expect(await response.text()).toBe(unauthorizedBody(`[${record('team/app', 'delete')}]`))
    expect(registry().requests.last()?.auth).toEqual({
      user: 'alice',
      scheme: 'bearer',
      asked: ['repository:team/app:delete'],
      granted: [],
      outcome: 'insufficient',
      error: 'insufficient_scope',
    })
  })

  it('lets * in a token stand for every action on its repository, as distribution', async () => {
    const { token: all } = await token(registry(), ['repository:team/base:*'], basic('alice', 'secret'))
    expect(claimsOf(all).access).toEqual([{ type: 'repository', name: 'team/base', actions: ['*'] }])
    const deleted = await registry().fetch('/v2/team/base/manifests/1', { method: 'DELETE', headers: bearer(all) })
    expect(deleted.status).toBe(202)
    expect(registry().requests.last()?.auth).toMatchObject({
      asked: ['repository:team/base:delete'],
      granted: ['repository:team/base:delete'],
      outcome: 'granted',
    })
    // bob may pull only: his * gives nothing, since * is granted only to those who may do everything.
    const { token: bobs } = await token(registry(), ['repository:team/base:*'], basic('bob', 'hunter2'))
    expect(claimsOf(bobs).access).toEqual([{ type: 'repository', name: 'team/base', actions: [] }])
  })

  it('grants what a user may of what is asked, not an error, and the registry then refuses the rest', async () => {
    const issued = await token(
      registry(),
      ['repository:team/app:pull,push', 'repository:other/app:pull'],
      basic('bob', 'hunter2'),
    )
    expect(issued.status).toBe(200)
    expect(claimsOf(issued.token).access).toEqual([
      { type: 'repository', name: 'team/app', actions: ['pull'] },
      { type: 'repository', name: 'other/app', actions: [] },
    ])
    expect(registry().requests.last()?.auth?.granted).toEqual(['repository:team/app:pull'])
    const push = await registry().fetch('/v2/team/app/blobs/uploads/', {
      method: 'POST',
      headers: bearer(issued.token),
    })
    expect(push.headers.get('www-authenticate')).toBe(
      `Bearer ${REALM},scope="repository:team/app:pull,push",error="insufficient_scope"`,
    )
    expect(await push.text()).toBe(unauthorizedBody(`[${record('team/app', 'pull')},${record('team/app', 'push')}]`))
  })

  it('hides whether a repository exists from those who may not pull it', async () => {
    const anonymous = await token(registry(), ['repository:team/app:pull', 'repository:team/nothing:pull'])
    expect(anonymous.status).toBe(200)
    expect(claimsOf(anonymous.token)).toMatchObject({ sub: '', access: [{ actions: [] }, { actions: [] }] })
    const existing = await registry().fetch('/v2/team/app/manifests/1', { headers: bearer(anonymous.token) })
    const missing = await registry().fetch('/v2/team/nothing/manifests/1', { headers: bearer(anonymous.token) })
    expect([existing.status, missing.status]).toEqual([401, 401])
    expect(existing.headers.get('www-authenticate')?.replace('team/app', 'X')).toBe(
      missing.headers.get('www-authenticate')?.replace('team/nothing', 'X'),
    )
    expect((await existing.text()).replace('team/app', 'X')).toBe((await missing.text()).replace('team/nothing', 'X'))
    expect(registry().requests.last()?.auth).toMatchObject({ user: null, outcome: 'insufficient' })
  })

  it('lets an anonymous token reach /v2/, as Docker Hub does', async () => {
    const anonymous = await token(registry(), [])
    const response = await registry().fetch('/v2/', { headers: bearer(anonymous.token) })
    expect(response.status).toBe(200)
    expect(registry().requests.last()?.auth).toEqual({
      user: null,
      scheme: 'bearer',
      asked: [],
      granted: [],
      outcome: 'granted',
    })
  })

  it('asks pull on the source of a mount, and mounts with a token that holds it', async () => {
    const image = await registry().manifest('team/base:1')
    const layer = (image?.body as { layers: Array<{ digest: string }> }).layers[0]?.digest as string
    const path = `/v2/team/app/blobs/uploads/?mount=${layer}&from=team/base`
    const { token: appOnly } = await token(registry(), ['repository:team/app:pull,push'], basic('bob', 'hunter2'))
    const refused = await registry().fetch(path, { method: 'POST', headers: bearer(appOnly) })
    expect(refused.headers.get('www-authenticate')).toBe(
      `Bearer ${REALM},scope="repository:team/app:pull,push repository:team/base:pull",error="insufficient_scope"`,
    )
    expect(await refused.text()).toBe(
      unauthorizedBody(`[${record('team/app', 'pull')},${record('team/app', 'push')},${record('team/base', 'pull')}]`),
    )
    const { token: both } = await token(
      registry(),
      ['repository:team/app:pull,push', 'repository:team/base:pull'],
      basic('alice', 'secret'),
    )
    const mounted = await registry().fetch(path, { method: 'POST', headers: bearer(both) })
    expect(mounted.status).toBe(201)
    expect(registry().requests.last()?.auth?.granted).toEqual([
      'repository:team/app:pull,push',
      'repository:team/base:pull',
    ])
  })

  it('needs registry:catalog:* for the catalog', async () => {
    const response = await registry().fetch('/v2/_catalog')
    expect(response.headers.get('www-authenticate')).toBe(`Bearer ${REALM},scope="registry:catalog:*"`)
    const { token: catalog } = await token(registry(), ['registry:catalog:*'], basic('alice', 'secret'))
    const listed = await registry().fetch('/v2/_catalog', { headers: bearer(catalog) })
    expect(await listed.json()).toEqual({ repositories: ['team/app', 'team/base'] })
  })

  it('answers an expired token with invalid_token, and the journal says expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.UTC(2030, 0, 1))
    const { token: pull } = await token(registry(), ['repository:team/app:pull'], basic('alice', 'secret'))
    vi.setSystemTime(Date.UTC(2030, 0, 1, 0, 4, 59))
    expect((await registry().fetch('/v2/team/app/manifests/1', { headers: bearer(pull) })).status).toBe(200)
    vi.setSystemTime(Date.UTC(2030, 0, 1, 0, 5, 0))
    const expired = await registry().fetch('/v2/team/app/manifests/1', { headers: bearer(pull) })
    expect(expired.status).toBe(401)
    expect(expired.headers.get('www-authenticate')).toBe(
      `Bearer ${REALM},scope="repository:team/app:pull",error="invalid_token"`,
    )
    expect(await expired.text()).toBe(unauthorizedBody(`[${record('team/app', 'pull')}]`))
    expect(registry().requests.last()?.auth).toEqual({
      user: null,
      scheme: 'bearer',
      asked: ['repository:team/app:pull'],
      granted: [],
      outcome: 'expired',
      error: 'invalid_token',
    })
  })

  it("answers a forged token, another registry's token and garbage with invalid_token", async () => {
    const { token: pull } = await token(registry(), ['repository:team/app:pull'], basic('bob', 'hunter2'))
    const [header, payload] = pull.split('.') as [string, string]
    const claims = claimsOf(pull)
    const widened = Buffer.from(
      JSON.stringify({
        ...claims,
        access: [{ type: 'repository', name: 'team/app', actions: ['pull', 'push', 'delete'] }],
      }),
    ).toString('base64url')
    for (const forged of [
      `${header}.${widened}.${pull.split('.')[2]}`,
      `${header}.${payload}.`,
      'not-a-jwt',
      `${header}.${payload}.${'A'.repeat(86)}`,
    ]) {
      const response = await registry().fetch('/v2/team/app/manifests/1', { headers: bearer(forged) })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer ${REALM},scope="repository:team/app:pull",error="invalid_token"`,
      )
      expect(registry().requests.last()?.auth?.outcome).toBe('invalid')
    }
  })

  it('answers Basic credentials sent to the registry itself with the plain challenge, as distribution', async () => {
    const response = await registry().fetch('/v2/team/app/manifests/1', {
      headers: { authorization: basic('alice', 'secret') },
    })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer ${REALM},scope="repository:team/app:pull"`)
    expect(registry().requests.last()?.auth).toEqual({
      user: null,
      scheme: 'basic',
      asked: ['repository:team/app:pull'],
      granted: [],
      outcome: 'missing',
    })
  })

  it('refuses a wrong password at the token endpoint with 401, the OCI envelope and a Basic challenge', async () => {
    const response = await registry().fetch('/token?service=fake-oci-registry&scope=repository:team/app:pull', {
      headers: { authorization: basic('alice', 'wrong') },
    })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="fake-oci-registry"')
    expect(await response.text()).toBe(
      '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":"incorrect username or password"}]}\n',
    )
    expect(registry().requests.last()?.auth).toEqual({
      user: null,
      scheme: 'basic',
      asked: ['repository:team/app:pull'],
      granted: [],
      outcome: 'refused',
      error: 'invalid_credentials',
    })
  })

  it('gives a refresh token for offline_token=true, and the OAuth2 POST turns it into access tokens', async () => {
    const issued = await token(
      registry(),
      ['repository:team/app:pull'],
      basic('alice', 'secret'),
      '&offline_token=true',
    )
    const refreshToken = issued.body.refresh_token as string
    expect(claimsOf(refreshToken)).toMatchObject({ sub: 'alice', token_use: 'refresh', access: [] })
    // A refresh token is no access token.
    expect((await registry().fetch('/v2/team/app/manifests/1', { headers: bearer(refreshToken) })).status).toBe(401)
    const refreshed = await post(registry(), {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: 'test',
      service: 'fake-oci-registry',
      scope: 'repository:team/app:pull,push repository:team/base:pull',
    })
    expect(refreshed.status).toBe(200)
    expect(Object.keys(refreshed.body).sort()).toEqual(['access_token', 'expires_in', 'issued_at', 'scope'])
    expect(refreshed.body).toMatchObject({
      scope: 'repository:team/app:pull,push repository:team/base:pull',
      expires_in: 300,
    })
    expect(claimsOf(refreshed.body.access_token as string)).toMatchObject({ sub: 'alice' })
    expect(registry().requests.last()?.auth).toMatchObject({
      user: 'alice',
      grantType: 'refresh_token',
      outcome: 'issued',
    })
    const blob = new TextEncoder().encode('refreshed push')
    const push = await registry().fetch(`/v2/team/app/blobs/uploads/?digest=${sha256(blob)}`, {
      method: 'POST',
      headers: bearer(refreshed.body.access_token as string),
      body: blob,
    })
    expect(push.status).toBe(201)
  })

  it('serves the OAuth2 password grant, with a refresh token for access_type=offline', async () => {
    const granted = await post(registry(), {
      grant_type: 'password',
      username: 'bob',
      password: 'hunter2',
      client_id: 'test',
      service: 'fake-oci-registry',
      access_type: 'offline',
      scope: 'repository:team/app:pull,push',
    })
    expect(granted.status).toBe(200)
    expect(Object.keys(granted.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'issued_at',
      'refresh_token',
      'scope',
    ])
    expect(granted.body.scope).toBe('repository:team/app:pull')
    const again = await post(registry(), {
      grant_type: 'refresh_token',
      refresh_token: granted.body.refresh_token as string,
      client_id: 'test',
      service: 'fake-oci-registry',
      access_type: 'offline',
    })
    expect(again.body.refresh_token).toBe(granted.body.refresh_token)
    expect(again.body.scope).toBe('')
  })
})

describe("auth scheme 'bearer' with anonymous pull, a token lifetime and forbiddenStatus 403", () => {
  const { registry } = useRegistry(
    {
      auth: {
        users: { alice: 'secret' },
        anonymous: 'pull',
        tokenTtlSeconds: 60,
        forbiddenStatus: 403,
        permissions: { alice: ['repository:team/*:pull,push'] },
      },
    },
    (r) => r.seed.image('team/app:1'),
  )

  it('gives anonymous tokens pull, with the lifetime asked', async () => {
    const anonymous = await token(registry(), ['repository:team/app:pull,push'])
    expect(anonymous.body.expires_in).toBe(60)
    const claims = claimsOf(anonymous.token)
    expect(claims.exp).toBe((claims.iat as number) + 60)
    expect(claims.access).toEqual([{ type: 'repository', name: 'team/app', actions: ['pull'] }])
    expect((await registry().fetch('/v2/team/app/manifests/1', { headers: bearer(anonymous.token) })).status).toBe(200)
  })

  it('answers a valid token without the access needed 403 DENIED, with no challenge to retry', async () => {
    const anonymous = await token(registry(), ['repository:team/app:pull,push'])
    const denied = await registry().fetch('/v2/team/app/blobs/uploads/', {
      method: 'POST',
      headers: bearer(anonymous.token),
    })
    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toBeNull()
    expect(await denied.text()).toBe(
      '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}\n',
    )
    // No token at all is still a 401 with the challenge.
    expect((await registry().fetch('/v2/team/app/blobs/uploads/', { method: 'POST' })).status).toBe(401)
  })
})

describe("auth scheme 'basic' has no token endpoint", () => {
  const { registry } = useRegistry({ auth: { scheme: 'basic', users: { alice: 'secret' } } })

  it('answers /token as any path outside the API', async () => {
    const response = await registry().fetch('/token?service=fake-oci-registry', {
      headers: { authorization: basic('alice', 'secret') },
    })
    expect(response.status).toBe(404)
    expect((await response.json()) as unknown).toEqual({
      errors: [{ code: 'UNSUPPORTED', message: 'route not part of the distribution API', detail: { path: '/token' } }],
    })
  })
})
