// A registry with auth never serves content, nor changes any, for a request without a valid
// credential holding the access it needs: every route of the API × no credential, a wrong one, an
// expired token and one without the access. Each answer is the scheme's 401 with its challenge
// and distribution's body; afterwards storage is as it was.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { basic, claimsOf, parseChallenge } from '../support/auth.js'
import { MediaTypes, sha256 } from '../support/push.js'

const USERS = { alice: 'secret', carol: 'carol-secret' }
// carol may do everything, elsewhere: a valid user who holds nothing on team/app.
const PERMISSIONS = { alice: ['repository:*:*', 'registry:catalog:*'], carol: ['repository:elsewhere/*:*'] }
const START = Date.UTC(2030, 0, 1)

interface Context {
  manifest: string
  manifestBytes: Uint8Array
  layer: string
  upload: string
}

interface Route {
  name: string
  method: string
  path: (context: Context) => string
  body?: (context: Context) => Uint8Array
  headers?: Record<string, string>
  /** `/v2/` needs a credential but no access: a valid credential always gets in. */
  noAccess?: boolean
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
const newBlob = bytes('a blob nobody may push')

const ROUTES: Route[] = [
  { name: 'base', method: 'GET', path: () => '/v2/', noAccess: true },
  { name: 'catalog', method: 'GET', path: () => '/v2/_catalog' },
  {
    name: 'manifest by tag',
    method: 'GET',
    path: () => '/v2/team/app/manifests/1',
    headers: { accept: MediaTypes.OM },
  },
  {
    name: 'manifest by digest',
    method: 'GET',
    path: (c) => `/v2/team/app/manifests/${c.manifest}`,
    headers: { accept: MediaTypes.OM },
  },
  { name: 'manifest HEAD', method: 'HEAD', path: () => '/v2/team/app/manifests/1', headers: { accept: MediaTypes.OM } },
  {
    name: 'manifest PUT',
    method: 'PUT',
    path: () => '/v2/team/app/manifests/2',
    body: (c) => c.manifestBytes,
    headers: { 'content-type': MediaTypes.OM },
  },
  { name: 'manifest DELETE', method: 'DELETE', path: (c) => `/v2/team/app/manifests/${c.manifest}` },
  { name: 'tag DELETE', method: 'DELETE', path: () => '/v2/team/app/manifests/1' },
  { name: 'blob GET', method: 'GET', path: (c) => `/v2/team/app/blobs/${c.layer}` },
  { name: 'blob HEAD', method: 'HEAD', path: (c) => `/v2/team/app/blobs/${c.layer}` },
  { name: 'blob DELETE', method: 'DELETE', path: (c) => `/v2/team/app/blobs/${c.layer}` },
  { name: 'upload start', method: 'POST', path: () => '/v2/team/app/blobs/uploads/' },
  {
    name: 'monolithic upload',
    method: 'POST',
    path: () => `/v2/team/app/blobs/uploads/?digest=${sha256(newBlob)}`,
    body: () => newBlob,
  },
  { name: 'mount', method: 'POST', path: (c) => `/v2/team/copy/blobs/uploads/?mount=${c.layer}&from=team/app` },
  { name: 'upload status', method: 'GET', path: (c) => c.upload },
  {
    name: 'upload PATCH',
    method: 'PATCH',
    path: (c) => c.upload,
    body: () => newBlob,
    headers: { 'content-type': 'application/octet-stream' },
  },
  { name: 'upload PUT', method: 'PUT', path: (c) => `${c.upload}?digest=${sha256(newBlob)}`, body: () => newBlob },
  { name: 'upload cancel', method: 'DELETE', path: (c) => c.upload },
  { name: 'tags', method: 'GET', path: () => '/v2/team/app/tags/list' },
  { name: 'referrers', method: 'GET', path: (c) => `/v2/team/app/referrers/${c.manifest}` },
]

type State = 'none' | 'wrong' | 'expired' | 'insufficient'

const SCHEMES = [
  { scheme: 'bearer' as const, states: ['none', 'wrong', 'expired', 'insufficient'] as State[] },
  // Basic credentials do not expire.
  { scheme: 'basic' as const, states: ['none', 'wrong', 'insufficient'] as State[] },
]

describe.each(SCHEMES)('every route with auth scheme $scheme', ({ scheme, states }) => {
  let registry: FakeRegistry
  let other: FakeRegistry
  let context: Context

  async function tokenFor(target: FakeRegistry, user: keyof typeof USERS, scope: string | undefined): Promise<string> {
    const query = new URLSearchParams({ service: 'fake-oci-registry' })
    for (const one of scope ? scope.split(' ') : []) query.append('scope', one)
    const response = await target.fetch(`/token?${query}`, { headers: { authorization: basic(user, USERS[user]) } })
    expect(response.status).toBe(200)
    return ((await response.json()) as { token: string }).token
  }

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(START)
    const auth = { scheme, users: USERS, permissions: PERMISSIONS }
    registry = await createFakeRegistry({ transport: 'none', auth })
    other = await createFakeRegistry({ transport: 'none', auth })
    const image = await registry.seed.image('team/app:1')
    const stored = await registry.manifest('team/app:1')
    const layer = (stored?.body as { layers: Array<{ digest: string }> }).layers[0]?.digest as string
    const alice =
      scheme === 'basic'
        ? basic('alice', 'secret')
        : `Bearer ${await tokenFor(registry, 'alice', 'repository:team/app:pull,push')}`
    const started = await registry.fetch('/v2/team/app/blobs/uploads/', {
      method: 'POST',
      headers: { authorization: alice },
    })
    expect(started.status).toBe(202)
    context = {
      manifest: image.digest,
      manifestBytes: stored?.bytes as Uint8Array,
      layer,
      upload: new URL(started.headers.get('location') as string, registry.url).pathname,
    }
    registry.requests.clear()
  })

  afterEach(async () => {
    vi.useRealTimers()
    await registry.close()
    await other.close()
  })

  /** The Authorization header for a state, given the scope the route's challenge names. */
  async function credential(state: State, scope: string | undefined): Promise<string | undefined> {
    if (state === 'none') return undefined
    if (scheme === 'basic') return state === 'wrong' ? basic('alice', 'wrong') : basic('carol', USERS.carol)
    if (state === 'wrong') return `Bearer ${await tokenFor(other, 'alice', scope)}`
    if (state === 'insufficient') return `Bearer ${await tokenFor(registry, 'carol', scope)}`
    const token = await tokenFor(registry, 'alice', scope)
    vi.setSystemTime((claimsOf(token).exp as number) * 1000)
    return `Bearer ${token}`
  }

  const cases = ROUTES.flatMap((route) =>
    states.filter((state) => !(route.noAccess && state === 'insufficient')).map((state) => ({ route, state })),
  )

  it.each(cases.map((c) => ({ ...c, label: `${c.route.name} (${c.route.method}), ${c.state}` })))(
    '$label: 401, nothing served, nothing changed',
    async ({ route, state }) => {
      const path = route.path(context)
      const init = (authorization?: string): RequestInit => ({
        method: route.method,
        headers: { ...route.headers, ...(authorization ? { authorization } : {}) },
        body: route.body?.(context) as Uint8Array<ArrayBuffer> | undefined,
      })
      const plain = await registry.fetch(path, init())
      const challenge = plain.headers.get('www-authenticate')
      await plain.arrayBuffer()
      const scope = parseChallenge(challenge)?.params.scope

      const response = await registry.fetch(path, init(await credential(state, scope)))
      const body = route.method === 'HEAD' ? '' : await response.text()
      expect(response.status).toBe(401)
      if (route.method !== 'HEAD') {
        const { errors } = JSON.parse(body) as { errors: Array<{ code: string; detail: unknown }> }
        expect(errors).toHaveLength(1)
        expect(errors[0]?.code).toBe('UNAUTHORIZED')
        expect(errors[0]?.detail === null).toBe(route.noAccess === true)
        expect(body).not.toContain('schemaVersion')
      }
      const header = response.headers.get('www-authenticate') as string
      if (scheme === 'basic') expect(header).toBe('Basic realm="fake-oci-registry"')
      else {
        const expectedError = {
          none: undefined,
          wrong: 'invalid_token',
          expired: 'invalid_token',
          insufficient: 'insufficient_scope',
        }[state]
        expect(parseChallenge(header)?.params.error).toBe(expectedError)
        expect(parseChallenge(header)?.params.scope).toBe(scope)
      }
      expect(response.headers.get('docker-content-digest')).toBeNull()
      expect(response.headers.get('location')).toBeNull()
      const outcome = { none: 'missing', wrong: 'invalid', expired: 'expired', insufficient: 'insufficient' }[state]
      expect(registry.requests.last()?.auth?.outcome).toBe(outcome)

      // Nothing changed: the tag, the manifest, the blob and the open upload are as seeded.
      vi.useRealTimers()
      expect(await registry.tags('team/app')).toEqual(['1'])
      expect(await registry.tags('team/copy')).toEqual([])
      expect((await registry.manifest('team/app:1'))?.digest).toBe(context.manifest)
      expect(await registry.blob('team/app', context.layer)).toBeDefined()
      expect(await registry.blob('team/app', sha256(newBlob))).toBeUndefined()
      expect(await registry.blob('team/copy', context.layer)).toBeUndefined()
      const upload = await registry.fetch(context.upload, {
        headers: {
          authorization:
            scheme === 'basic'
              ? basic('alice', 'secret')
              : `Bearer ${await tokenFor(registry, 'alice', 'repository:team/app:pull')}`,
        },
      })
      expect(upload.status).toBe(204)
      expect(upload.headers.get('range')).toBe('0-0')
    },
  )
})
