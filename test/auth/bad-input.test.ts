// Bad input to a registry with auth: malformed Authorization headers and misuse of the token
// endpoint get the documented 400 or 401 with an OAuth2 or OCI error body, never a 500.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createFakeRegistry } from '../../src/index.js'
import { basic } from '../support/auth.js'
import { useRegistry } from '../support/registry.js'

const SERVICE = 'service=fake-oci-registry'
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')

async function answer(response: Response): Promise<{ status: number; body: unknown; challenge: string | null }> {
  return {
    status: response.status,
    body: (await response.json()) as unknown,
    challenge: response.headers.get('www-authenticate'),
  }
}

const oauth = (error: string, description: string) => ({
  status: 400,
  body: { error, error_description: description },
  challenge: null,
})

describe('the token endpoint, misused', () => {
  const { registry } = useRegistry({ auth: { users: { alice: 'secret' } } })
  const form = (fields: Record<string, string>, type = 'application/x-www-form-urlencoded'): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': type },
    body: new URLSearchParams(fields).toString(),
  })
  const base = {
    grant_type: 'password',
    username: 'alice',
    password: 'secret',
    client_id: 'test',
    service: 'fake-oci-registry',
  }

  it.each([
    {
      label: 'GET without service',
      path: '/token?scope=repository:team/app:pull',
      expected: oauth('invalid_request', 'service is required'),
    },
    {
      label: 'GET with an empty service',
      path: '/token?service=',
      expected: oauth('invalid_request', 'service is required'),
    },
    {
      label: 'GET with another service',
      path: '/token?service=registry.docker.io',
      expected: oauth(
        'invalid_request',
        'the service "registry.docker.io" is not this registry\'s ("fake-oci-registry")',
      ),
    },
    {
      label: 'GET with service twice',
      path: `/token?${SERVICE}&${SERVICE}`,
      expected: oauth('invalid_request', 'service is given more than once'),
    },
    {
      label: 'GET with a scope without actions',
      path: `/token?${SERVICE}&scope=repository:team/app`,
      expected: oauth('invalid_scope', 'the scope "repository:team/app" is malformed: it is not type:name:actions'),
    },
    {
      label: 'GET with an upper-case repository',
      path: `/token?${SERVICE}&scope=repository:Team/App:pull`,
      expected: oauth(
        'invalid_scope',
        'the scope "repository:Team/App:pull" is malformed: the resource name "Team/App" is not a repository name',
      ),
    },
    {
      label: 'GET with an empty action',
      path: `/token?${SERVICE}&scope=repository:team/app:pull,`,
      expected: oauth(
        'invalid_scope',
        'the scope "repository:team/app:pull," is malformed: the action "" is not lower-case letters or *',
      ),
    },
  ])('$label', async ({ path, expected }) => {
    expect(
      await answer(await registry().fetch(path, { headers: { authorization: basic('alice', 'secret') } })),
    ).toEqual(expected)
    expect(registry().requests.last()?.auth).toMatchObject({ outcome: 'refused', error: expected.body.error })
  })

  it.each([
    {
      label: 'a JSON body',
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(base) },
      expected: oauth('invalid_request', 'the body must be application/x-www-form-urlencoded'),
    },
    {
      label: 'no body',
      init: { method: 'POST' },
      expected: oauth('invalid_request', 'the body must be application/x-www-form-urlencoded'),
    },
    {
      label: 'no grant_type',
      init: form({ ...base, grant_type: '' }),
      expected: oauth('invalid_request', 'grant_type is required'),
    },
    {
      label: 'an unknown grant_type',
      init: form({ ...base, grant_type: 'client_credentials' }),
      expected: oauth(
        'unsupported_grant_type',
        'grant_type "client_credentials" is neither password nor refresh_token',
      ),
    },
    {
      label: 'no client_id',
      init: form({ ...base, client_id: '' }),
      expected: oauth('invalid_request', 'client_id is required'),
    },
    {
      label: 'no service',
      init: form({ ...base, service: '' }),
      expected: oauth('invalid_request', 'service is required'),
    },
    {
      label: 'no password',
      init: form({ ...base, password: '' }),
      expected: oauth('invalid_request', 'username and password are required with grant_type password'),
    },
    {
      label: 'a wrong password',
      init: form({ ...base, password: 'wrong' }),
      expected: oauth('invalid_grant', 'incorrect username or password'),
    },
    {
      label: 'an unknown user',
      init: form({ ...base, username: 'mallory' }),
      expected: oauth('invalid_grant', 'incorrect username or password'),
    },
    {
      label: 'a bad scope',
      init: form({ ...base, scope: 'repository:team/app:pull nonsense' }),
      expected: oauth('invalid_scope', 'the scope "nonsense" is malformed: it is not type:name:actions'),
    },
    {
      label: 'no refresh_token',
      init: form({ grant_type: 'refresh_token', client_id: 'test', service: 'fake-oci-registry' }),
      expected: oauth('invalid_request', 'refresh_token is required with grant_type refresh_token'),
    },
    {
      label: 'a garbage refresh token',
      init: form({
        grant_type: 'refresh_token',
        refresh_token: 'not.a.token',
        client_id: 'test',
        service: 'fake-oci-registry',
      }),
      expected: oauth('invalid_grant', 'the refresh token is not one this registry issued'),
    },
    {
      label: 'a form over 64 KiB',
      init: form({ ...base, scope: 'x'.repeat(65 * 1024) }),
      expected: oauth('invalid_request', 'the form is longer than 65536 bytes'),
    },
  ])('POST with $label', async ({ init, expected }) => {
    expect(await answer(await registry().fetch('/token', init as RequestInit))).toEqual(expected)
  })

  it("refuses an access token, and another registry's refresh token, as refresh tokens", async () => {
    const granted = await registry().fetch('/token', form({ ...base, access_type: 'offline' }))
    const { access_token: accessToken } = (await granted.json()) as { access_token: string }
    await using other = await createFakeRegistry({ transport: 'none', auth: { users: { alice: 'secret' } } })
    const foreign = await other.fetch('/token', form({ ...base, access_type: 'offline' }))
    const { refresh_token: foreignRefresh } = (await foreign.json()) as { refresh_token: string }
    for (const token of [accessToken, foreignRefresh]) {
      const refused = await registry().fetch(
        '/token',
        form({ grant_type: 'refresh_token', refresh_token: token, client_id: 'test', service: 'fake-oci-registry' }),
      )
      expect(await answer(refused)).toEqual(oauth('invalid_grant', 'the refresh token is not one this registry issued'))
    }
  })

  it.each([
    { label: 'bad base64', header: 'Basic !!!', detail: 'the Basic credential is not base64' },
    {
      label: 'no colon',
      header: `Basic ${b64('alice')}`,
      detail: 'the Basic credential has no colon between user and password',
    },
    {
      label: 'an empty password',
      header: `Basic ${b64('alice:')}`,
      detail: 'the Basic credential has an empty user or password',
    },
    { label: 'a bearer token', header: 'Bearer abc', detail: 'incorrect username or password' },
    { label: 'an unknown scheme', header: 'Negotiate abc', detail: 'the scheme is neither Basic nor Bearer' },
    {
      label: 'a 64 KiB header',
      header: `Basic ${b64(`alice:${'x'.repeat(64 * 1024)}`)}`,
      detail: 'the Authorization header is longer than 8192 characters',
    },
  ])(
    'GET with $label in Authorization: 401 with the OCI envelope and a Basic challenge',
    async ({ header, detail }) => {
      expect(await answer(await registry().fetch(`/token?${SERVICE}`, { headers: { authorization: header } }))).toEqual(
        {
          status: 401,
          body: { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail }] },
          challenge: 'Basic realm="fake-oci-registry"',
        },
      )
    },
  )

  it('answers another method with 405 UNSUPPORTED and Allow', async () => {
    const response = await registry().fetch('/token', { method: 'PUT' })
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('GET, POST')
    expect(await response.json()).toEqual({
      errors: [
        {
          code: 'UNSUPPORTED',
          message: 'The operation is unsupported.',
          detail: { method: 'PUT', allow: 'GET, POST' },
        },
      ],
    })
  })
})

describe('malformed Authorization on the registry', () => {
  const HEADERS = [
    'Basic !!!',
    `Basic ${b64('alice')}`,
    `Basic ${b64(':secret')}`,
    `Basic ${b64('alice:')}`,
    'Bearer',
    'Bearer a b c',
    'Bearer ey.ey.ey',
    'Digest username="alice"',
    `Basic ${b64(`alice:${'x'.repeat(64 * 1024)}`)}`,
    `Bearer ${'A'.repeat(64 * 1024)}`,
  ]

  for (const scheme of ['bearer', 'basic'] as const) {
    describe(`with auth scheme ${scheme}`, () => {
      const { registry } = useRegistry({ auth: { scheme, users: { alice: 'secret' } } }, (r) =>
        r.seed.image('team/app:1'),
      )

      it.each(
        HEADERS.map((header) => ({
          header,
          label: header.length > 40 ? `${header.slice(0, 30)}… (${header.length} characters)` : header,
        })),
      )('$label: 401 with the challenge, no content', async ({ header }) => {
        const response = await registry().fetch('/v2/team/app/manifests/1', { headers: { authorization: header } })
        expect(response.status).toBe(401)
        expect(response.headers.get('www-authenticate')).toMatch(
          scheme === 'basic'
            ? /^Basic realm="fake-oci-registry"$/
            : /^Bearer realm="[^"]+\/token",service="fake-oci-registry",scope="repository:team\/app:pull"/,
        )
        expect(((await response.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('UNAUTHORIZED')
      })

      it('answers any Authorization value with 401 and never a 500', async () => {
        const value = fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ maxLength: 200 }).map((text) => `Basic ${b64(text)}`),
          fc.string({ maxLength: 200 }).map((text) => `Bearer ${text}`),
          fc
            .tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }))
            .map(([user, password]) => `Basic ${b64(`${user}:${password}`)}`),
        )
        await fc.assert(
          fc.asyncProperty(value, async (header) => {
            // Fetch refuses header values with control characters or outside Latin-1: no client can send those.
            if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(header) || header.trim() !== header) return
            const response = await registry().fetch('/v2/team/app/tags/list', { headers: { authorization: header } })
            const body = (await response.json()) as { errors?: Array<{ code: string }> }
            // A random string may be alice's own credential; anything else is refused.
            if (header === basic('alice', 'secret')) return
            expect(response.status).toBe(401)
            expect(body.errors?.[0]?.code).toBe('UNAUTHORIZED')
          }),
          { numRuns: 150, seed: 0x0a17 },
        )
      })
    })
  }

  it('answers a header too large for the http transport with 431 and the envelope', async () => {
    await using registry = await createFakeRegistry({ auth: { users: { alice: 'secret' } } })
    const response = await fetch(`${registry.url}/v2/`, {
      headers: { authorization: `Bearer ${'A'.repeat(64 * 1024)}` },
    })
    expect(response.status).toBe(431)
    expect(((await response.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('UNSUPPORTED')
  })
})
