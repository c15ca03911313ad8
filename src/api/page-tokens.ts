import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/**
 * Opaque page tokens: the last entry of a page, sealed so that a client can neither read it nor
 * forge one. ECR's `NextToken` and Quay's `next_page` are tokens of this kind (docs/profiles.md,
 * "tags pagination" and "_catalog"); what a registry does with a token that does not open is
 * its own rule, so `open` only says that it did not.
 */
export interface PageTokens {
  /** The token for the page after `last`. */
  seal(last: string): string
  /** The entry a token was sealed from, or undefined for a token this registry did not issue or that was altered. */
  open(token: string): string | undefined
}

const IV_BYTES = 12
const TAG_BYTES = 16

/**
 * Page tokens under a key of their own: AES-256-GCM with a fresh IV per token, so two tokens for
 * the same entry differ, and the authentication tag refuses any byte changed.
 *
 * @example
 * const tokens = createPageTokens()
 * tokens.open(tokens.seal('v1')) // 'v1'
 */
export function createPageTokens(key: Uint8Array = randomBytes(32)): PageTokens {
  return {
    seal(last) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const sealed = Buffer.concat([cipher.update(last, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')
    },
    open(token) {
      const bytes = Buffer.from(token, 'base64url')
      // base64url decoding skips characters outside its alphabet: a token must round-trip exactly.
      if (bytes.byteLength < IV_BYTES + TAG_BYTES || bytes.toString('base64url') !== token) return undefined
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES))
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')
      } catch {
        return undefined
      }
    },
  }
}
