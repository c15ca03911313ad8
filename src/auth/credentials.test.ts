import { describe, expect, it } from 'vitest'
import { MAX_AUTHORIZATION_LENGTH, parseAuthorization } from './credentials.js'

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')

describe('parseAuthorization', () => {
  it.each([
    { header: null, expected: { kind: 'none' } },
    { header: '', expected: { kind: 'none' } },
    { header: `Basic ${b64('alice:secret')}`, expected: { kind: 'basic', user: 'alice', password: 'secret' } },
    { header: `basic ${b64('alice:secret')}`, expected: { kind: 'basic', user: 'alice', password: 'secret' } },
    { header: `BASIC  ${b64('alice:secret')}`, expected: { kind: 'basic', user: 'alice', password: 'secret' } },
    // RFC 7617: the user ends at the first colon, so the password may hold colons.
    { header: `Basic ${b64('alice:a:b:c')}`, expected: { kind: 'basic', user: 'alice', password: 'a:b:c' } },
    { header: `Basic ${b64('jürgen:pässword')}`, expected: { kind: 'basic', user: 'jürgen', password: 'pässword' } },
    { header: 'Bearer abc.def.ghi', expected: { kind: 'bearer', token: 'abc.def.ghi' } },
    { header: 'bearer abc.def-_~+/=', expected: { kind: 'bearer', token: 'abc.def-_~+/=' } },
  ])('reads $header', ({ header, expected }) => {
    expect(parseAuthorization(header)).toEqual(expected)
  })

  it.each([
    { header: 'Basic !!!!', scheme: 'basic', reason: 'the Basic credential is not base64' },
    { header: 'Basic YWxpY2U6c2VjcmV0X', scheme: 'basic', reason: 'the Basic credential is not base64' },
    { header: 'Basic', scheme: 'basic', reason: 'the Basic credential is not base64' },
    {
      header: `Basic ${b64('alice')}`,
      scheme: 'basic',
      reason: 'the Basic credential has no colon between user and password',
    },
    {
      header: `Basic ${b64(':secret')}`,
      scheme: 'basic',
      reason: 'the Basic credential has an empty user or password',
    },
    { header: `Basic ${b64('alice:')}`, scheme: 'basic', reason: 'the Basic credential has an empty user or password' },
    { header: 'Bearer', scheme: 'bearer', reason: 'a Bearer credential is one token of base64url characters' },
    { header: 'Bearer a b', scheme: 'bearer', reason: 'a Bearer credential is one token of base64url characters' },
    { header: 'Bearer "quoted"', scheme: 'bearer', reason: 'a Bearer credential is one token of base64url characters' },
    { header: 'Digest username="alice"', scheme: 'other', reason: 'the scheme is neither Basic nor Bearer' },
    { header: 'Negotiate', scheme: 'other', reason: 'the scheme is neither Basic nor Bearer' },
  ])('refuses $header', ({ header, scheme, reason }) => {
    expect(parseAuthorization(header)).toEqual({ kind: 'malformed', scheme, reason })
  })

  it('refuses a header longer than the longest credential without decoding it', () => {
    const header = `Basic ${b64(`alice:${'x'.repeat(64 * 1024)}`)}`
    expect(header.length).toBeGreaterThan(MAX_AUTHORIZATION_LENGTH)
    expect(parseAuthorization(header)).toEqual({
      kind: 'malformed',
      scheme: 'basic',
      reason: `the Authorization header is longer than ${MAX_AUTHORIZATION_LENGTH} characters`,
    })
  })
})
