import { OciError } from '../errors/oci-error.js'
import { bodyTooLarge } from '../media-types/details.js'
import type { PushRules } from './profile.js'

/**
 * The modes that imitate distribution answer an oversized body with 413, the status for a
 * request refused by its size rather than its content.
 *
 * @example
 * oversizeAs413(10).status // 413
 */
export const oversizeAs413: PushRules['oversize'] = (maxBytes) =>
  new OciError('MANIFEST_INVALID', bodyTooLarge(maxBytes), { status: 413 })

/**
 * A `contentType` rule from a reader of the header's value. Every mode takes an empty header for
 * an absent one, since Go's `Header.Get` returns "" for both, so `read` never sees "".
 *
 * @example
 * contentTypeRule(parseMediaType)('') // undefined
 */
export function contentTypeRule(read: (header: string) => string | undefined): PushRules['contentType'] {
  return (header) => (header === null || header === '' ? undefined : read(header))
}
