import { describe, expect, it } from 'vitest'
import { createPageTokens } from './page-tokens.js'

describe('createPageTokens', () => {
  const tokens = createPageTokens()

  it.each(['v1', 'team/app', 'a'.repeat(128), 'ünïcode'])('opens what it sealed: %j', (last) => {
    expect(tokens.open(tokens.seal(last))).toBe(last)
  })

  it('seals in the base64url alphabet, so a token goes into a URL as it is', () => {
    expect(tokens.seal('team/app:v1')).toMatch(/^[A-Za-z0-9_-]+$/)
  })

  it('shows nothing of the entry, and two tokens for one entry differ', () => {
    const [first, second] = [tokens.seal('release-2024'), tokens.seal('release-2024')]
    expect(first).not.toBe(second)
    for (const token of [first, second]) {
      expect(token).not.toContain('release')
      expect(Buffer.from(token, 'base64url').includes('release')).toBe(false)
    }
  })

  it('does not open a token with any one character changed', () => {
    const token = tokens.seal('v1')
    const opened = [...token].map((char, index) => {
      const other = char === 'A' ? 'B' : 'A'
      return tokens.open(`${token.slice(0, index)}${other}${token.slice(index + 1)}`)
    })
    expect(opened.filter((value) => value !== undefined)).toEqual([])
  })

  it.each([
    ['a tag name', 'v1'],
    ['the empty string', ''],
    ['characters outside base64url', `${tokens.seal('v1')}*`],
    ['a token cut short', tokens.seal('v1').slice(0, 20)],
  ])('does not open %s', (_what, token) => {
    expect(tokens.open(token)).toBeUndefined()
  })

  it("does not open another key's token", () => {
    expect(createPageTokens().open(tokens.seal('v1'))).toBeUndefined()
  })
})
