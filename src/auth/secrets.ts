import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Compares a presented secret with the expected one in time that does not depend on where they
 * first differ, nor on their lengths: both are hashed to 32 bytes, and the digests are compared
 * with `timingSafeEqual`, which needs equal lengths.
 *
 * @example
 * sameSecret('secret', 'secret') // true
 */
export function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(sha256(presented), sha256(expected))
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}
