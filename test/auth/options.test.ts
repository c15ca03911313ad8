// The auth option at the boundary: defaults, and a pointed FakeRegistryError for each misuse.
import { describe, expect, it } from 'vitest'
import { createFakeRegistry, FakeRegistryError, type AuthOptions } from '../../src/index.js'
import { DEFAULTS } from '../../src/options.js'

describe('the auth option', () => {
  it('is off by default, and takes its defaults from DEFAULTS.auth', async () => {
    await using plain = await createFakeRegistry({ transport: 'none' })
    expect(plain.options.auth).toBeUndefined()
    await using registry = await createFakeRegistry({ transport: 'none', auth: { users: { alice: 'secret' } } })
    expect(DEFAULTS.auth).toEqual({
      scheme: 'bearer',
      realmPath: '/token',
      anonymous: 'none',
      tokenTtlSeconds: 300,
      service: 'fake-oci-registry',
      forbiddenStatus: 401,
      // distribution's challenges and token server: what a registry without a profile answers.
      shape: {
        serviceOnBase: true,
        basicRealm: 'fake-oci-registry',
        basicService: false,
        baseStatus: 401,
        baseAnswer: 'refuse',
        unknownRepository: 'insufficient-scope-401',
        notAllowed: 'insufficient-scope-401',
        deniedChallenge: false,
        basicOnRegistry: false,
        tokenFields: ['token', 'access_token', 'expires_in', 'issued_at'],
        emptyAccessToken: false,
        issuedAt: 'milliseconds',
        unknownService: 'oauth',
        loginRefusal: 'envelope',
        tokenPost: 'supported',
      },
    })
    expect(registry.options.auth).toMatchObject(DEFAULTS.auth)
    expect([...(registry.options.auth?.users ?? [])]).toEqual([['alice', 'secret']])
    expect(registry.options.auth?.permissions).toBeUndefined()
  })

  it.each([
    {
      auth: 'bearer',
      message:
        'Failed to use option auth "bearer": auth must be an object. Pass one such as { users: { alice: \'secret\' } }, or leave auth out.',
    },
    {
      auth: { user: { alice: 'x' } },
      message:
        'Failed to use option auth "user": it is not a field of the auth option. Use one of: scheme, realmPath, users, anonymous, permissions, tokenTtlSeconds, service, forbiddenStatus.',
    },
    {
      auth: { scheme: 'digest' },
      message:
        "Failed to use option auth.scheme \"digest\": auth.scheme must be one of 'basic', 'bearer'. Pass one of them, or leave auth.scheme out for 'bearer'.",
    },
    {
      auth: { anonymous: 'push' },
      message:
        "Failed to use option auth.anonymous \"push\": auth.anonymous must be one of 'none', 'pull'. Pass one of them, or leave auth.anonymous out for 'none'.",
    },
    {
      auth: { users: { 'a:b': 'x' } },
      message:
        'Failed to use option auth.users "a:b": a user name is non-empty, without colons or control characters. Pass one such as \'alice\'.',
    },
    {
      auth: { users: { alice: '' } },
      message:
        "Failed to use option auth.users \"alice\": the user's password is not a non-empty string. Pass one such as { alice: 'secret' }.",
    },
    {
      auth: { users: { alice: 'x' }, permissions: { bob: [] } },
      message:
        'Failed to use option auth.permissions "bob": it is not one of auth.users. Add the user to auth.users, or remove its permissions.',
    },
    {
      auth: { users: { alice: 'x' }, permissions: { alice: ['repository:team/app'] } },
      message:
        'Failed to use option auth.permissions "repository:team/app": a permission is type:name:actions, such as repository:team/*:pull,push. Write it as type:name:actions, such as \'repository:team/*:pull,push\'.',
    },
    {
      auth: { tokenTtlSeconds: 0 },
      message:
        'Failed to use option auth.tokenTtlSeconds "0": auth.tokenTtlSeconds must be a positive whole number of seconds. Pass one such as 300.',
    },
    {
      auth: { forbiddenStatus: 404 },
      message:
        'Failed to use option auth.forbiddenStatus "404": auth.forbiddenStatus must be 401 or 403. Pass 403 for DENIED, or leave it out for 401.',
    },
    {
      auth: { realmPath: 'token' },
      message:
        'Failed to use option auth.realmPath "token": auth.realmPath must be an absolute path whose segments hold letters, digits and ._~- only. Pass one such as \'/token\'.',
    },
    {
      auth: { realmPath: '/oauth2/../token' },
      message:
        'Failed to use option auth.realmPath "/oauth2/../token": auth.realmPath must be an absolute path whose segments hold letters, digits and ._~- only. Pass one such as \'/token\'.',
    },
    {
      auth: { realmPath: '/v2/team/app/tags/list' },
      message:
        'Failed to use option auth.realmPath "/v2/team/app/tags/list": under /v2/ the token endpoint would hide an API route unless it is one segment other than _catalog. Pass one such as \'/v2/token\', or a path outside /v2/.',
    },
    {
      auth: { realmPath: '/v2/_catalog' },
      message:
        'Failed to use option auth.realmPath "/v2/_catalog": under /v2/ the token endpoint would hide an API route unless it is one segment other than _catalog. Pass one such as \'/v2/token\', or a path outside /v2/.',
    },
    {
      auth: { service: 'has space' },
      message:
        'Failed to use option auth.service "has space": auth.service must be printable ASCII without spaces, quotes or backslashes. Pass one such as \'registry.test\'.',
    },
  ])('refuses $auth', async ({ auth, message }) => {
    const failure = await createFakeRegistry({ transport: 'none', auth: auth as AuthOptions }).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(FakeRegistryError)
    expect((failure as FakeRegistryError).code).toBe('ERR_INVALID_OPTION')
    expect((failure as FakeRegistryError).message).toBe(message)
  })
})
