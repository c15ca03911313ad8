import { describe, expect, it } from 'vitest'
import { TokenSigner } from './jwt.js'

const access = [{ type: 'repository', name: 'team/app', actions: ['pull'] }]
const part = (token: string, index: number): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[index] as string, 'base64url').toString('utf8')) as Record<string, unknown>

describe('TokenSigner', () => {
  it("signs an ES256 JWT with distribution's claims, which it verifies", () => {
    const signer = new TokenSigner('fake-oci-registry')
    const now = Date.UTC(2030, 0, 1)
    const token = signer.sign({ sub: 'alice', aud: 'registry.test', access, ttlSeconds: 300, now })
    expect(part(token, 0)).toEqual({ typ: 'JWT', alg: 'ES256', kid: signer.kid })
    const claims = part(token, 1)
    expect(claims).toEqual({
      iss: 'fake-oci-registry',
      sub: 'alice',
      aud: 'registry.test',
      iat: now / 1000,
      nbf: now / 1000,
      exp: now / 1000 + 300,
      jti: expect.any(String),
      access,
    })
    expect(Buffer.from(token.split('.')[2] as string, 'base64url')).toHaveLength(64)
    expect(signer.verify(token, { aud: 'registry.test', now })).toEqual({ ok: true, claims })
  })

  it('refuses a token once exp has passed, and tells that apart', () => {
    const signer = new TokenSigner('i')
    const now = Date.UTC(2030, 0, 1)
    const token = signer.sign({ sub: 'alice', aud: 'a', access, ttlSeconds: 60, now })
    expect(signer.verify(token, { aud: 'a', now: now + 59_999 }).ok).toBe(true)
    expect(signer.verify(token, { aud: 'a', now: now + 60_000 })).toEqual({ ok: false, problem: 'expired' })
  })

  it("refuses another registry's token, a tampered one and garbage", () => {
    const signer = new TokenSigner('i')
    const other = new TokenSigner('i')
    const token = signer.sign({ sub: 'alice', aud: 'a', access, ttlSeconds: 60 })
    expect(other.verify(token, { aud: 'a' })).toEqual({ ok: false, problem: 'signature' })
    const [header, , signature] = token.split('.')
    const widened = Buffer.from(
      JSON.stringify({
        ...part(token, 1),
        access: [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }],
      }),
    ).toString('base64url')
    expect(signer.verify(`${header}.${widened}.${signature}`, { aud: 'a' })).toEqual({
      ok: false,
      problem: 'signature',
    })
    const none = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'none' })).toString('base64url')
    expect(signer.verify(`${none}.${token.split('.')[1]}.`, { aud: 'a' })).toEqual({ ok: false, problem: 'malformed' })
    expect(signer.verify(`${none}.${token.split('.')[1]}.${signature}`, { aud: 'a' })).toEqual({
      ok: false,
      problem: 'signature',
    })
    for (const garbage of ['', 'a.b', 'a.b.c.d', '!!.!!.!!', 'e30.e30.e30'])
      expect(signer.verify(garbage, { aud: 'a' }).ok).toBe(false)
  })

  it('refuses a token issued for another service, as another host of a registry named by its host', () => {
    const signer = new TokenSigner('i')
    const token = signer.sign({ sub: 'alice', aud: '127.0.0.1:5000', access, ttlSeconds: 60 })
    expect(signer.verify(token, { aud: '127.0.0.1:5000' }).ok).toBe(true)
    expect(signer.verify(token, { aud: 'localhost:5000' })).toEqual({ ok: false, problem: 'claims' })
  })

  it('keeps access and refresh tokens apart', () => {
    const signer = new TokenSigner('i')
    const refresh = signer.sign({ sub: 'alice', aud: 'a', access: [] })
    expect(part(refresh, 1)).toMatchObject({ token_use: 'refresh' })
    expect(part(refresh, 1)).not.toHaveProperty('exp')
    expect(signer.verify(refresh, { aud: 'a' })).toEqual({ ok: false, problem: 'claims' })
    expect(signer.verify(refresh, { aud: 'a', refresh: true }).ok).toBe(true)
    const access = signer.sign({ sub: 'alice', aud: 'a', access: [], ttlSeconds: 60 })
    expect(signer.verify(access, { aud: 'a', refresh: true })).toEqual({ ok: false, problem: 'claims' })
  })
})
