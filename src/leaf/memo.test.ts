import { describe, expect, it } from 'vitest'
import { memoize } from './memo.js'

describe('memoize', () => {
  it('computes each short key once, and keeps at most maxEntries', () => {
    const seen: string[] = []
    const upper = memoize(
      (key: string) => {
        seen.push(key)
        return key.toUpperCase()
      },
      { maxEntries: 2 },
    )
    expect([upper('a'), upper('a'), upper('b'), upper('b')]).toEqual(['A', 'A', 'B', 'B'])
    expect(seen).toEqual(['a', 'b'])
    // Full: the next new key empties it, so 'a' is computed again.
    upper('c')
    upper('a')
    expect(seen).toEqual(['a', 'b', 'c', 'a'])
  })

  it('never keeps a key longer than maxKeyLength', () => {
    const seen: string[] = []
    const length = memoize(
      (key: string) => {
        seen.push(key)
        return key.length
      },
      { maxKeyLength: 3 },
    )
    expect([length('abcd'), length('abcd'), length('abc'), length('abc')]).toEqual([4, 4, 3, 3])
    expect(seen).toEqual(['abcd', 'abcd', 'abc'])
  })

  it('keeps an undefined answer too', () => {
    let calls = 0
    const none = memoize(() => {
      calls++
      return undefined
    })
    none('x')
    none('x')
    expect(calls).toBe(1)
  })
})
