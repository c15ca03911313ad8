// auth.realmPath without a profile: the token endpoint moves, the challenge names it, the journal
// and fault rules know it, and a repository whose name looks like it is still a repository.
import { describe, expect, it } from 'vitest'
import { basic } from '../support/auth.js'
import { MediaTypes } from '../support/push.js'
import { useRegistry } from '../support/registry.js'

const ORIGIN = 'http://registry.fake-oci.invalid'

describe("auth.realmPath '/v2/auth'", () => {
  const { registry } = useRegistry({ auth: { users: { alice: 'secret' }, realmPath: '/v2/auth' } }, async (r) => {
    await r.seed.image('auth:1')
  })

  it('names the path in the challenge and serves tokens there, not at /token', async () => {
    const base = await registry().fetch('/v2/')
    expect([base.status, base.headers.get('www-authenticate')]).toEqual([
      401,
      `Bearer realm="${ORIGIN}/v2/auth",service="fake-oci-registry"`,
    ])
    const issued = await registry().fetch('/v2/auth?service=fake-oci-registry&scope=repository:auth:pull', {
      headers: { authorization: basic('alice', 'secret') },
    })
    expect(issued.status).toBe(200)
    const { token } = (await issued.json()) as { token: string }
    const manifest = await registry().fetch('/v2/auth/manifests/1', {
      headers: { authorization: `Bearer ${token}`, accept: MediaTypes.OM },
    })
    expect(manifest.status).toBe(200)
    expect((await registry().fetch('/token?service=fake-oci-registry')).status).toBe(404)
  })

  it('keeps a repository named like the endpoint a repository: its routes still ask for access', async () => {
    const response = await registry().fetch('/v2/auth/manifests/1')
    expect([response.status, response.headers.get('www-authenticate')]).toEqual([
      401,
      `Bearer realm="${ORIGIN}/v2/auth",service="fake-oci-registry",scope="repository:auth:pull"`,
    ])
  })

  it('records token requests there as the token resource, and fault rules for tokens aim there', async () => {
    await registry().fetch('/v2/auth?service=fake-oci-registry', { headers: { authorization: basic('alice', 'x') } })
    const refused = registry().requests.last()!
    expect([refused.resource, refused.path, refused.auth?.outcome, refused.auth?.error]).toEqual([
      'token',
      '/v2/auth',
      'refused',
      'invalid_credentials',
    ])
    registry().faults.add({ kind: 'token', status: 503, times: 1 })
    expect((await registry().fetch('/v2/auth?service=fake-oci-registry')).status).toBe(503)
    expect((await registry().fetch('/v2/')).status).toBe(401)
  })
})
