import { describe, expect, it } from 'vitest'
import { TokenSigner } from './jwt.js'

const access = [{ type: 'repository', name: 'team/app', actions: ['pull'] }]
const part = (token: string, index: number): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[index] as string, 'base64url').toString('utf8')) as Record<string, unknown>

describe('TokenSigner', () => {
  it("signs an ES256 JWT with distribution's claims, which it verifies", () => {
    const signer = new TokenSigner('fake-oci-registry', 'registry.test')
    const now = Date.UTC(2030, 0, 1)
    const token = signer.sign({ sub: 'alice', access, ttlSeconds: 300, now })
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
    expect(signer.verify(token, { now })).toEqual({ ok: true, claims })
  })

  it('refuses a token once exp has passed, and tells that apart', () => {
    const signer = new TokenSigner('i', 'a')
    const now = Date.UTC(2030, 0, 1)
    const token = signer.sign({ sub: 'alice', access, ttlSeconds: 60, now })
    expect(signer.verify(token, { now: now + 59_999 }).ok).toBe(true)
    expect(signer.verify(token, { now: now + 60_000 })).toEqual({ ok: false, problem: 'expired' })
  })

  it("refuses another registry's token, a tampered one and garbage", () => {
    const signer = new TokenSigner('i', 'a')
    const other = new TokenSigner('i', 'a')
    const token = signer.sign({ sub: 'alice', access, ttlSeconds: 60 })
    expect(other.verify(token)).toEqual({ ok: false, problem: 'signature' })
    const [header, , signature] = token.split('.')
    const widened = Buffer.from(
      JSON.stringify({
        ...part(token, 1),
        access: [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }],
      }),
    ).toString('base64url')
    expect(signer.verify(`${header}.${widened}.${signature}`)).toEqual({ ok: false, problem: 'signature' })
    const none = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'none' })).toString('base64url')
    expect(signer.verify(`${none}.${token.split('.')[1]}.`)).toEqual({ ok: false, problem: 'malformed' })
    expect(signer.verify(`${none}.${token.split('.')[1]}.${signature}`)).toEqual({ ok: false, problem: 'signature' })
    for (const garbage of ['', 'a.b', 'a.b.c.d', '!!.!!.!!', 'e30.e30.e30'])
      expect(signer.verify(garbage).ok).toBe(false)
  })

  it('keeps access and refresh tokens apart', () => {
    const signer = new TokenSigner('i', 'a')
    const refresh = signer.sign({ sub: 'alice', access: [] })
    expect(part(refresh, 1)).toMatchObject({ token_use: 'refresh' })
    expect(part(refresh, 1)).not.toHaveProperty('exp')
    expect(signer.verify(refresh)).toEqual({ ok: false, problem: 'claims' })
    expect(signer.verify(refresh, { refresh: true }).ok).toBe(true)
    const access = signer.sign({ sub: 'alice', access: [], ttlSeconds: 60 })
    expect(signer.verify(access, { refresh: true })).toEqual({ ok: false, problem: 'claims' })
  })
})
