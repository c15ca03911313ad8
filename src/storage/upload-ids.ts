import { randomUUID } from 'node:crypto'

// Upload session ids, in one place. The built-in backends mint UUIDs; a custom storage may mint
// its own ids, so the API admits any id of the URL-safe alphabet below and lets storage decide.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const ANY_STORAGE_ID = /^[A-Za-z0-9_-][A-Za-z0-9._=-]{0,254}$/

/**
 * A new session id, as the built-in backends mint them (a random UUID).
 *
 * @example
 * newUploadId() // '3f0c…-…'
 */
export function newUploadId(): string {
  return randomUUID()
}

/**
 * True for an id the built-in backends could have minted; anything else names no session (and,
 * in the layout backend, no file).
 *
 * @example
 * isUploadId(newUploadId()) // true
 */
export function isUploadId(id: string): boolean {
  return UUID.test(id)
}

/**
 * True for an id any storage may have minted: URL-safe characters, no leading dot, at most 255.
 * The API refuses anything else before storage sees it, so a backend that builds paths from ids
 * never gets one that could escape its directory.
 *
 * @example
 * isStorageUploadId('../x') // false
 */
export function isStorageUploadId(id: string): boolean {
  return ANY_STORAGE_ID.test(id)
}
