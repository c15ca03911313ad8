/**
 * `size` pseudo-random bytes from `seed` (mulberry32): the same seed always gives the same
 * bytes, on every platform, so layers built from them have stable digests.
 *
 * @example
 * seededBytes(4, 1) // the same 4 bytes on every run
 */
export function seededBytes(size: number, seed: number): Uint8Array {
  let state = seed >>> 0
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i += 4) {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    const word = (t ^ (t >>> 14)) >>> 0
    for (let j = 0; j < 4 && i + j < size; j++) bytes[i + j] = (word >>> (8 * j)) & 0xff
  }
  return bytes
}
