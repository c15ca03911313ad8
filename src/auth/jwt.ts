import { createHash, generateKeyPairSync, randomUUID, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto'
import type { ResourceScope } from './scopes.js'

// A compact JWS (RFC 7515) signed with ES256, the shape of distribution's token-server tokens:
// header { typ, alg, kid }, claims iss, sub, aud, exp, nbf, iat, jti and `access`.

/** The claims of a token this registry issues. */
export interface TokenClaims {
  iss: string
  /** The user; '' for an anonymous token, as Docker Hub writes it. */
  sub: string
  aud: string
  iat: number
  nbf: number
  /** Seconds since the epoch; absent on refresh tokens, which live as long as the registry. */
  exp?: number
  jti: string
  access: ResourceScope[]
  /** 'refresh' on a refresh token; absent on an access token. One cannot stand for the other. */
  token_use?: 'refresh'
}

/** Why a token was refused: `expired` is told apart so a journal can show a client that did not refresh. */
export type TokenProblem = 'malformed' | 'signature' | 'claims' | 'expired'

/** What verifying a token found. */
export type VerifiedToken = { ok: true; claims: TokenClaims } | { ok: false; problem: TokenProblem }

/**
 * Signs and verifies one registry's tokens with a P-256 key made for it: a token from one
 * registry means nothing to another. The audience is the service a token is for, given on each
 * call: a registry that names its host as its service has one per host it is reached by.
 *
 * @example
 * const signer = new TokenSigner('fake-oci-registry')
 * const token = signer.sign({ sub: 'alice', aud: 'registry.test', access: [], ttlSeconds: 300 })
 * signer.verify(token, { aud: 'registry.test' }) // { ok: true, claims: { sub: 'alice', … } }
 */
export class TokenSigner {
  readonly kid: string
  #privateKey: KeyObject
  #publicKey: KeyObject
  #issuer: string

  constructor(issuer: string) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    this.#privateKey = privateKey
    this.#publicKey = publicKey
    this.#issuer = issuer
    this.kid = thumbprint(publicKey.export({ format: 'jwk' }))
  }

  /** A signed token for `sub` holding `access`, for the service `aud`; without `ttlSeconds`, a refresh token. */
  sign(input: { sub: string; aud: string; access: ResourceScope[]; ttlSeconds?: number; now?: number }): string {
    const iat = Math.floor((input.now ?? Date.now()) / 1000)
    const claims: TokenClaims = {
      iss: this.#issuer,
      sub: input.sub,
      aud: input.aud,
      iat,
      nbf: iat,
      jti: randomUUID(),
      access: input.access,
    }
    if (input.ttlSeconds === undefined) claims.token_use = 'refresh'
    else claims.exp = iat + input.ttlSeconds
    const signingInput = `${base64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', kid: this.kid }))}.${base64url(JSON.stringify(claims))}`
    const signature = sign('sha256', Buffer.from(signingInput), { key: this.#privateKey, dsaEncoding: 'ieee-p1363' })
    return `${signingInput}.${signature.toString('base64url')}`
  }

  /**
   * Checks the signature, issuer, audience (`aud`, the service the token is presented to),
   * validity window and kind. `refresh` asks for a refresh token; otherwise only an access token passes.
   */
  verify(token: string, options: { aud: string; refresh?: boolean; now?: number }): VerifiedToken {
    const parts = token.split('.')
    if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part)))
      return { ok: false, problem: 'malformed' }
    const [headerPart, claimsPart, signaturePart] = parts as [string, string, string]
    const header = parseJson(headerPart)
    if (!header || header.alg !== 'ES256' || header.kid !== this.kid) return { ok: false, problem: 'signature' }
    const signature = Buffer.from(signaturePart, 'base64url')
    const valid =
      signature.length === 64 &&
      verify(
        'sha256',
        Buffer.from(`${headerPart}.${claimsPart}`),
        { key: this.#publicKey, dsaEncoding: 'ieee-p1363' },
        signature,
      )
    if (!valid) return { ok: false, problem: 'signature' }
    const claims = parseJson(claimsPart) as Partial<TokenClaims> | undefined
    if (
      !claims ||
      claims.iss !== this.#issuer ||
      claims.aud !== options.aud ||
      typeof claims.sub !== 'string' ||
      !Array.isArray(claims.access)
    ) {
      return { ok: false, problem: 'claims' }
    }
    if ((claims.token_use === 'refresh') !== (options.refresh === true)) return { ok: false, problem: 'claims' }
    const now = Math.floor((options.now ?? Date.now()) / 1000)
    if (typeof claims.nbf === 'number' && claims.nbf > now) return { ok: false, problem: 'claims' }
    if (!options.refresh) {
      if (typeof claims.exp !== 'number') return { ok: false, problem: 'claims' }
      if (claims.exp <= now) return { ok: false, problem: 'expired' }
    }
    return { ok: true, claims: claims as TokenClaims }
  }
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url')
}

function parseJson(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

// RFC 7638: the SHA-256 of the key's required members in lexicographic order, base64url.
function thumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })
  return createHash('sha256').update(canonical).digest('base64url')
}
