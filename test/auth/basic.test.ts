// scheme 'basic': every request carries `Authorization: Basic`, as distribution's htpasswd mode.
// Refusals are 401 with `WWW-Authenticate: Basic realm="…"` and distribution's body.
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { basic } from '../support/auth.js'
import { MediaTypes, sha256 } from '../support/push.js'
import { useRegistry } from '../support/registry.js'

const CHALLENGE = 'Basic realm="fake-oci-registry"'
const PULL_DETAIL = '[{"Type":"repository","Class":"","Name":"team/app","Action":"pull"}]'
const PUSH_DETAIL =
  '[{"Type":"repository","Class":"","Name":"team/app","Action":"pull"},{"Type":"repository","Class":"","Name":"team/app","Action":"push"}]'
const body = (detail: string): string =>
  `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":${detail}}]}\n`

const alice = basic('alice', 'secret')
const bob = basic('bob', 'hunter2')

async function expectChallenge(response: Response, detail: string): Promise<void> {
  expect(response.status).toBe(401)
  expect(response.headers.get('www-authenticate')).toBe(CHALLENGE)
  expect(response.headers.get('content-type')).toBe('application/json')
  expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
  expect(await response.text()).toBe(body(detail))
}

describe("auth scheme 'basic'", () => {
  const { registry } = useRegistry(
    {
      auth: {
        scheme: 'basic',
        users: { alice: 'secret', bob: 'hunter2' },
        permissions: { alice: ['repository:*:*', 'registry:catalog:*'], bob: ['repository:team/*:pull'] },
      },
    },
    async (r) => {
      await r.seed.image('team/app:1')
      await r.seed.image('other/app:1')
    },
  )

  it('challenges a request without credentials, with the access records as detail', async () => {
    await expectChallenge(await registry().fetch('/v2/team/app/manifests/1'), PULL_DETAIL)
    expect(registry().requests.last()?.auth).toEqual({
      user: null,
      scheme: null,
      asked: ['repository:team/app:pull'],
      granted: [],
      outcome: 'missing',
    })
  })

  it('challenges /v2/ with detail null, and answers it for a user', async () => {
    await expectChallenge(await registry().fetch('/v2/'), 'null')
    const ok = await registry().fetch('/v2/', { headers: { authorization: alice } })
    expect(ok.status).toBe(200)
    expect(await ok.text()).toBe('{}')
    expect(registry().requests.last()?.auth).toEqual({
      user: 'alice',
      scheme: 'basic',
      asked: [],
      granted: [],
      outcome: 'granted',
    })
  })

  it('serves a user pulls and pushes', async () => {
    const manifest = await registry().fetch('/v2/team/app/manifests/1', {
      headers: { authorization: alice, accept: MediaTypes.OM },
    })
    expect(manifest.status).toBe(200)
    const blob = new TextEncoder().encode('pushed with basic auth')
    const digest = sha256(blob)
    const push = await registry().fetch(`/v2/team/app/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      headers: { authorization: alice },
      body: blob,
    })
    expect(push.status).toBe(201)
    expect(registry().requests.last()?.auth).toEqual({
      user: 'alice',
      scheme: 'basic',
      asked: ['repository:team/app:pull,push'],
      granted: ['repository:team/app:pull,push'],
      outcome: 'granted',
    })
    expect(await registry().blob('team/app', digest)).toBeDefined()
  })

  it.each([
    { label: 'a wrong password', header: basic('alice', 'wrong') },
    { label: 'an unknown user', header: basic('mallory', 'secret') },
    { label: 'a bad base64 value', header: 'Basic !!!' },
    { label: 'a credential without a colon', header: `Basic ${Buffer.from('alice').toString('base64')}` },
    { label: 'a bearer token', header: 'Bearer abc.def.ghi' },
    { label: 'an unknown scheme', header: 'Digest username="alice"' },
  ])('refuses $label with the same challenge and body', async ({ header }) => {
    await expectChallenge(
      await registry().fetch('/v2/team/app/manifests/1', { headers: { authorization: header } }),
      PULL_DETAIL,
    )
    expect(registry().requests.last()?.auth).toMatchObject({ user: null, outcome: 'invalid' })
  })

  it('answers a user without the access needed exactly as one without credentials, whether the repository exists or not', async () => {
    await expectChallenge(
      await registry().fetch('/v2/team/app/blobs/uploads/', { method: 'POST', headers: { authorization: bob } }),
      PUSH_DETAIL,
    )
    expect(registry().requests.last()?.auth).toEqual({
      user: 'bob',
      scheme: 'basic',
      asked: ['repository:team/app:pull,push'],
      granted: ['repository:team/app:pull'],
      outcome: 'insufficient',
    })
    const existing = await registry().fetch('/v2/other/app/manifests/1', { headers: { authorization: bob } })
    const missing = await registry().fetch('/v2/other/nothing/manifests/1', { headers: { authorization: bob } })
    expect([existing.status, missing.status]).toEqual([401, 401])
    expect((await existing.text()).replace('other/app', 'X')).toBe((await missing.text()).replace('other/nothing', 'X'))
    // Within the rules, bob pulls.
    expect(
      (await registry().fetch('/v2/team/app/manifests/1', { headers: { authorization: bob, accept: MediaTypes.OM } }))
        .status,
    ).toBe(200)
  })

  it('needs registry:catalog:* for the catalog', async () => {
    await expectChallenge(
      await registry().fetch('/v2/_catalog', { headers: { authorization: bob } }),
      '[{"Type":"registry","Class":"","Name":"catalog","Action":"*"}]',
    )
    const listed = await registry().fetch('/v2/_catalog', { headers: { authorization: alice } })
    expect(await listed.json()).toEqual({ repositories: ['other/app', 'team/app'] })
  })

  it('lets seeding, layout export and the read helpers through without credentials', async () => {
    const image = await registry().seed.image('team/seeded:1')
    expect((await registry().manifest('team/seeded:1'))?.digest).toBe(image.digest)
    expect(await registry().tags('team/seeded')).toEqual(['1'])
    const dir = await mkdtemp(join(tmpdir(), 'fake-oci-auth-'))
    try {
      await registry().exportLayout('team/seeded', join(dir, 'out'))
      expect((await readdir(join(dir, 'out'))).sort()).toEqual(['blobs', 'index.json', 'oci-layout'])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    // None of it is in the journal, and none of it was refused.
    expect(registry().requests.filter({ status: 401 })).toEqual([])
  })
})

describe("auth scheme 'basic' with anonymous pull", () => {
  const { registry } = useRegistry({ auth: { scheme: 'basic', users: { alice: 'secret' }, anonymous: 'pull' } }, (r) =>
    r.seed.image('team/app:1'),
  )

  it('serves pulls without credentials but still challenges /v2/, so clients learn the scheme before a push', async () => {
    const pulled = await registry().fetch('/v2/team/app/manifests/1', { headers: { accept: MediaTypes.OM } })
    expect(pulled.status).toBe(200)
    expect(registry().requests.last()?.auth).toEqual({
      user: null,
      scheme: null,
      asked: ['repository:team/app:pull'],
      granted: ['repository:team/app:pull'],
      outcome: 'granted',
    })
    await expectChallenge(await registry().fetch('/v2/'), 'null')
    await expectChallenge(await registry().fetch('/v2/team/app/blobs/uploads/', { method: 'POST' }), PUSH_DETAIL)
  })

  it('does not fall back to anonymous for a wrong password', async () => {
    await expectChallenge(
      await registry().fetch('/v2/team/app/manifests/1', { headers: { authorization: basic('alice', 'wrong') } }),
      PULL_DETAIL,
    )
  })
})

describe("auth scheme 'basic' with forbiddenStatus 403", () => {
  const { registry } = useRegistry({
    auth: {
      scheme: 'basic',
      users: { bob: 'hunter2' },
      permissions: { bob: ['repository:team/*:pull'] },
      forbiddenStatus: 403,
    },
  })

  it('answers a user without the access needed 403 DENIED, and still challenges a request without credentials', async () => {
    const denied = await registry().fetch('/v2/other/app/manifests/1', { headers: { authorization: bob } })
    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toBeNull()
    expect(await denied.text()).toBe(
      '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}\n',
    )
    expect(registry().requests.last()).toMatchObject({
      response: { errorCode: 'DENIED' },
      auth: { user: 'bob', outcome: 'insufficient' },
    })
    await expectChallenge(
      await registry().fetch('/v2/other/app/manifests/1'),
      '[{"Type":"repository","Class":"","Name":"other/app","Action":"pull"}]',
    )
  })
})
