import { parseSupportedDigest } from '../leaf/digest.js'
import { OciError } from '../errors/oci-error.js'
import type { ManifestReferences, ReferencedDescriptor } from '../media-types/references.js'
import type { VerifyReferences } from '../options.js'
import type { PushRules } from '../profiles/profile.js'
import type { Storage } from '../storage/storage.js'

/**
 * Checks that what a manifest references exists in this repository (media-type spec §6.4):
 * config and layers as linked blobs, index children as manifests or linked blobs (BuildKit
 * cache indexes point to blobs). `level` 'blobs' skips the children, 'none' skips everything.
 *
 * Every missing digest adds one `MANIFEST_BLOB_UNKNOWN` entry, so a client learns all of them at
 * once; a size that differs from the stored one is `MANIFEST_INVALID`. Throws when any is found.
 */
export async function verifyReferences(
  storage: Storage,
  repository: string,
  references: ManifestReferences,
  level: VerifyReferences,
  rules: Pick<PushRules, 'isExempt' | 'checkSizes'>,
): Promise<void> {
  if (level === 'none') return
  const errors: OciError[] = []
  const reported = new Set<string>()
  const check = async (descriptor: ReferencedDescriptor, asChild: boolean): Promise<void> => {
    if (rules.isExempt(descriptor) || reported.has(descriptor.digest)) return
    const size = await storedSize(storage, repository, descriptor.digest, asChild)
    if (size === undefined) {
      reported.add(descriptor.digest)
      errors.push(new OciError('MANIFEST_BLOB_UNKNOWN', descriptor.digest))
    } else if (rules.checkSizes && size !== descriptor.size) {
      reported.add(descriptor.digest)
      errors.push(new OciError('MANIFEST_INVALID', `descriptor size mismatch for ${descriptor.digest}`))
    }
  }
  for (const blob of references.blobs) await check(blob, false)
  if (level === 'all') for (const child of references.children) await check(child, true)
  if (errors.length > 0) throw OciError.many(errors)
}

/** The size of what `digest` names in the repository, an index child as a manifest first; undefined when absent. */
async function storedSize(
  storage: Storage,
  repository: string,
  digest: string,
  asChild: boolean,
): Promise<number | undefined> {
  // A digest of an algorithm the registry cannot compute was never stored; storage only sees valid ones.
  if (!parseSupportedDigest(digest)) return undefined
  const manifest = asChild ? await storage.getManifest(repository, digest) : undefined
  if (manifest) return manifest.bytes.byteLength
  if (!(await storage.isBlobLinked(repository, digest))) return undefined
  return (await storage.statBlob(digest))?.size
}
