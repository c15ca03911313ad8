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
  let problems = await findProblems(storage, repository, references.blobs, false, rules, undefined)
  if (level === 'all') problems = await findProblems(storage, repository, references.children, true, rules, problems)
  if (problems) throw OciError.many([...problems.values()])
}

/**
 * Adds to `problems` (by digest, each digest reported once) what is wrong with each of
 * `descriptors`; the map is made on the first problem only, as most pushes reference what exists.
 */
async function findProblems(
  storage: Storage,
  repository: string,
  descriptors: readonly ReferencedDescriptor[],
  asChild: boolean,
  rules: Pick<PushRules, 'isExempt' | 'checkSizes'>,
  problems: Map<string, OciError> | undefined,
): Promise<Map<string, OciError> | undefined> {
  for (const descriptor of descriptors) {
    const { digest, size } = descriptor
    if (problems?.has(digest) || rules.isExempt(descriptor)) continue
    const stored = await storedSize(storage, repository, digest, asChild)
    if (stored === undefined) (problems ??= new Map()).set(digest, new OciError('MANIFEST_BLOB_UNKNOWN', digest))
    else if (rules.checkSizes && stored !== size)
      (problems ??= new Map()).set(digest, new OciError('MANIFEST_INVALID', `descriptor size mismatch for ${digest}`))
  }
  return problems
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
