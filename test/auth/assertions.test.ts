// The journal's auth records as tests query them: filters by user and outcome, the plain
// assertions of 'fake-oci-registry/auth' and their vitest matchers.
import { AssertionError } from 'node:assert'
import { describe, expect, it } from 'vitest'
import { assertAuthenticated, assertFollowedChallenge, assertNoCredentials } from '../../src/auth.js'
import { FakeRegistryError, type FakeRegistry } from '../../src/index.js'
import '../../src/vitest.js'
import { basic, createAuthClient } from '../support/auth.js'
import { MediaTypes, sha256 } from '../support/push.js'
import { useRegistry } from '../support/registry.js'

const USERS = {
  users: { alice: 'secret', bob: 'hunter2' },
  permissions: { alice: ['repository:*:*'], bob: ['repository:team/*:pull'] },
}

function thrown(run: () => void): AssertionError {
  try {
    run()
  } catch (error) {
    if (error instanceof AssertionError) return error
    throw error
  }
  throw new Error('the assertion passed')
}

/** A client of `registry.fetch` that follows challenges as `user`. */
function clientOf(registry: FakeRegistry, user?: 'alice' | 'bob') {
  return createAuthClient(
    (input, init) => registry.fetch(input, init),
    user ? { user, password: USERS.users[user] } : undefined,
  )
}

async function pushBlob(registry: FakeRegistry, user: 'alice' | 'bob', text: string): Promise<Response> {
  const blob = new TextEncoder().encode(text)
  return clientOf(registry, user).fetch(`/v2/team/app/blobs/uploads/?digest=${sha256(blob)}`, {
    method: 'POST',
    body: blob,
  })
}

describe('the journal with auth', () => {
  const { registry } = useRegistry({ auth: USERS }, (r) => r.seed.image('team/app:1'))

  it('filters by user (null for anonymous) and by any field of auth', async () => {
    expect((await pushBlob(registry(), 'alice', 'a')).status).toBe(201)
    expect((await pushBlob(registry(), 'bob', 'b')).status).toBe(401)
    await registry().fetch('/v2/team/app/tags/list')
    expect(
      registry()
        .requests.filter({ user: 'alice' })
        .map((request) => [request.resource, request.response.status]),
    ).toEqual([
      ['token', 200],
      ['upload', 201],
    ])
    expect(
      registry()
        .requests.filter({ user: null })
        .map((request) => request.path),
    ).toEqual(['/v2/team/app/blobs/uploads/', '/v2/team/app/blobs/uploads/', '/v2/team/app/tags/list'])
    expect(registry().requests.filter({ auth: { user: 'bob', outcome: 'insufficient' } })).toHaveLength(1)
    expect(
      registry().requests.find({ auth: { outcome: 'issued', granted: ['repository:team/app:pull'] } })?.auth?.user,
    ).toBe('bob')
    expect(
      registry()
        .requests.filter({ auth: { error: 'insufficient_scope' } })
        .map((request) => request.auth?.user),
    ).toEqual(['bob'])
    expect(() => registry().requests.filter({ auth: { usr: 'alice' } as never })).toThrow(FakeRegistryError)
  })

  it('records nothing of auth on a registry without it', async () => {
    const { createFakeRegistry } = await import('../../src/index.js')
    await using plain = await createFakeRegistry({ transport: 'none' })
    await plain.fetch('/v2/')
    expect(plain.requests.last()?.auth).toBeUndefined()
    expect(plain.requests.filter({ user: null })).toEqual([])
  })
})

describe('assertAuthenticated and toHaveAuthenticated', () => {
  const { registry } = useRegistry({ auth: USERS }, (r) => r.seed.image('team/app:1'))

  it('pass for a user let through with the actions named, and fail with what each credential got', async () => {
    await pushBlob(registry(), 'alice', 'a')
    await clientOf(registry(), 'bob').fetch('/v2/team/app/manifests/1', { headers: { accept: MediaTypes.OM } })
    assertAuthenticated(registry(), 'alice', { repository: 'team/app', actions: ['push'] })
    assertAuthenticated(registry(), 'bob', { repository: 'team/app', actions: ['pull'] })
    expect(registry()).toHaveAuthenticated('alice', { repository: 'team/app', actions: ['pull', 'push'] })
    expect(registry()).not.toHaveAuthenticated('bob', { repository: 'team/app', actions: ['push'] })
    const error = thrown(() => assertAuthenticated(registry(), 'bob', { repository: 'team/app', actions: ['push'] }))
    expect(error.message).toBe(
      [
        'Expected a request authenticated as "bob" with push on team/app, but none was.',
        'Requests and their credentials:',
        '  #  method  path                                                     status  error         credential',
        '  1  POST    /v2/team/app/blobs/uploads/?digest=sha256:ca978112ca1b…  401     UNAUTHORIZED  anonymous (no credentials): missing',
        '  3  POST    /v2/team/app/blobs/uploads/?digest=sha256:ca978112ca1b…  201                   alice (bearer): granted; granted repository:team/app:pull,push',
        '  4  GET     /v2/team/app/manifests/1                                 401     UNAUTHORIZED  anonymous (no credentials): missing',
        '  6  GET     /v2/team/app/manifests/1                                 200                   bob (bearer): granted; granted repository:team/app:pull',
      ].join('\n'),
    )
  })

  it('say when the registry asks for no credentials', async () => {
    const { createFakeRegistry } = await import('../../src/index.js')
    await using plain = await createFakeRegistry({ transport: 'none' })
    await plain.fetch('/v2/')
    expect(thrown(() => assertAuthenticated(plain, 'alice')).message).toBe(
      'Expected a request authenticated as "alice", but none was.\nThe registry asks for no credentials: pass the auth option to createFakeRegistry.',
    )
  })

  it('refuse actions without a repository', () => {
    expect(() => assertAuthenticated(registry(), 'alice', { actions: ['push'] })).toThrow(
      "Failed to use the expectation of assertAuthenticated \"actions\": actions are granted on a repository. Pass one such as { repository: 'team/app', actions: ['push'] }.",
    )
  })
})

describe('assertFollowedChallenge and toHaveFollowedChallenge', () => {
  const { registry } = useRegistry({ auth: USERS }, (r) => r.seed.image('team/app:1'))

  it('pass for a client that fetched a token for the challenge and retried', async () => {
    const response = await clientOf(registry(), 'alice').fetch('/v2/team/app/manifests/1', {
      headers: { accept: MediaTypes.OM },
    })
    expect(response.status).toBe(200)
    assertFollowedChallenge(registry())
    expect(registry()).toHaveFollowedChallenge({ resource: 'manifest' })
  })

  it('fail for a client that gave up, naming the challenge', async () => {
    await registry().fetch('/v2/team/app/manifests/1')
    const error = thrown(() => assertFollowedChallenge(registry()))
    expect(error.message).toBe(
      [
        'Expected every challenge to be followed, but 1 challenge of 1 were not:',
        '  #  method  path                      status  error         challenge',
        '  1  GET     /v2/team/app/manifests/1  401     UNAUTHORIZED  Bearer realm="http://registry.fake-oci.invalid/token",service="fake-oci-registry",scope="repository:team/app:pull"',
        'Requests after the first of them:',
        '  #  method  path  status  error  credential',
      ].join('\n'),
    )
    expect(registry()).not.toHaveFollowedChallenge()
  })

  it('fail for a token that does not cover the challenge, and when no challenge came at all', async () => {
    await registry().fetch('/v2/team/app/manifests/1')
    // A token for another repository, then the same request with it: not what the challenge asked.
    const token = await registry().fetch('/token?service=fake-oci-registry&scope=repository:team/other:pull', {
      headers: { authorization: basic('alice', 'secret') },
    })
    const { token: value } = (await token.json()) as { token: string }
    await registry().fetch('/v2/team/app/manifests/1', { headers: { authorization: `Bearer ${value}` } })
    expect(() => assertFollowedChallenge(registry())).toThrow(AssertionError)
    expect(thrown(() => assertFollowedChallenge(registry(), { method: 'DELETE' })).message).toBe(
      [
        'Expected a challenge matching { method: "DELETE" } that the client followed, but the registry sent none.',
        'Requests:',
        '  #  method  path                                                               status  error         credential',
        '  1  GET     /v2/team/app/manifests/1                                           401     UNAUTHORIZED  anonymous (no credentials): missing',
        '  2  GET     /token?service=fake-oci-registry&scope=repository:team/other:pull  200                   alice (basic): issued; granted repository:team/other:pull',
        '  3  GET     /v2/team/app/manifests/1                                           401     UNAUTHORIZED  alice (bearer): insufficient',
      ].join('\n'),
    )
  })
})

describe('assertFollowedChallenge with Basic', () => {
  const { registry } = useRegistry({ auth: { scheme: 'basic', users: { alice: 'secret' } } }, (r) =>
    r.seed.image('team/app:1'),
  )

  it('passes for a client that sent its credentials again after a Basic challenge', async () => {
    const response = await clientOf(registry(), 'alice').fetch('/v2/team/app/tags/list')
    expect(await response.json()).toEqual({ name: 'team/app', tags: ['1'] })
    assertFollowedChallenge(registry())
  })
})

describe('assertNoCredentials and toHaveReceivedNoCredentials', () => {
  const { registry } = useRegistry({ auth: { ...USERS, anonymous: 'pull' } }, (r) => r.seed.image('team/app:1'))

  it('pass for anonymous requests and fail listing those that carried an Authorization header', async () => {
    const anonymous = clientOf(registry())
    expect((await anonymous.fetch('/v2/team/app/tags/list')).status).toBe(200)
    // The anonymous token is itself a credential sent to the registry.
    expect(() => assertNoCredentials(registry())).toThrow(AssertionError)
    registry().requests.clear()
    await registry().fetch('/v2/team/app/tags/list')
    assertNoCredentials(registry())
    expect(registry()).toHaveReceivedNoCredentials()
    await registry().fetch('/v2/team/app/tags/list', { headers: { authorization: basic('alice', 'secret') } })
    expect(thrown(() => assertNoCredentials(registry(), { origin: 'http://registry.fake-oci.invalid' })).message).toBe(
      [
        'Expected no credentials sent to http://registry.fake-oci.invalid, but 1 request carried an Authorization header:',
        '  #  method  path                    status  error         scheme',
        '  5  GET     /v2/team/app/tags/list  401     UNAUTHORIZED  Basic',
      ].join('\n'),
    )
    expect(registry()).toHaveReceivedNoCredentials({ origin: 'https://elsewhere.test' })
    expect(() => assertNoCredentials(registry(), { origin: 'elsewhere' })).toThrow(FakeRegistryError)
  })
})
