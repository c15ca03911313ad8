import { describe, expect, it } from 'vitest'
import { seededRandom } from './prng.js'

describe('seededRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const next = seededRandom(seed)
      return Array.from({ length: 5 }, () => next())
    }
    expect(draw(42)).toEqual(draw(42))
    expect(draw(42)).not.toEqual(draw(43))
  })

  it('stays within [0, 1) and spreads over it', () => {
    const next = seededRandom(7)
    const values = Array.from({ length: 1000 }, () => next())
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true)
    const below = values.filter((value) => value < 0.5).length
    expect(below).toBeGreaterThan(400)
    expect(below).toBeLessThan(600)
  })
})
