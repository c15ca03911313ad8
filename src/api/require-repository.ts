import { OciError } from '../errors/oci-error.js'
import type { Storage } from '../storage/storage.js'

/**
 * Refuses a name that holds no blob and no manifest with `404 NAME_UNKNOWN`. It is the catalog's
 * visibility rule, so every repository the catalog lists answers its tag list, maybe empty.
 *
 * @example
 * await requireRepository(context.storage, 'team/app') // throws NAME_UNKNOWN for an empty name
 */
export async function requireRepository(storage: Storage, name: string): Promise<void> {
  if (!(await storage.hasRepository(name))) throw new OciError('NAME_UNKNOWN', { name })
}
