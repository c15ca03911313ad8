import { OciError } from '../errors/oci-error.js'
import type { ResolvedOptions } from '../options.js'

/**
 * Refuses a DELETE with `405 UNSUPPORTED` when the registry was created with
 * `deletes: false`. Every route answers alike, its `Allow` naming the methods it still
 * serves, so a client learns from the answer both what to do instead and how to enable deletes.
 *
 * @example
 * requireDeletes(context.options, 'GET, HEAD') // throws UNSUPPORTED when deletes are off
 */
export function requireDeletes(options: ResolvedOptions, allow: string): void {
  if (!options.deletes) {
    throw new OciError('UNSUPPORTED', 'deletes are disabled: createFakeRegistry({ deletes: true }) enables them', {
      headers: { allow },
    })
  }
}
