import { isTag } from '../leaf/names.js'
import { parseSupportedDigest, type DigestAlgorithm } from '../leaf/digest.js'
import { OciError } from '../errors/oci-error.js'

/** The `<reference>` of a manifest URL: a digest or a tag (spec: "MUST NOT be in any other format"). */
export type ManifestReference =
  { kind: 'digest'; digest: string; algorithm: DigestAlgorithm } | { kind: 'tag'; tag: string; valid: boolean }

/**
 * Reads a manifest reference. A reference with `:` is a digest: malformed, upper-case hex or an
 * algorithm the registry cannot compute is `400 DIGEST_INVALID`. Anything else is a tag, whose
 * validity each method judges (400 on PUT, 404 on GET).
 *
 * @example
 * parseManifestReference('latest') // { kind: 'tag', tag: 'latest', valid: true }
 */
export function parseManifestReference(reference: string): ManifestReference {
  if (!reference.includes(':')) return { kind: 'tag', tag: reference, valid: isTag(reference) }
  const parsed = parseSupportedDigest(reference)
  if (!parsed) throw new OciError('DIGEST_INVALID', { digest: reference })
  return { kind: 'digest', digest: parsed.digest, algorithm: parsed.algorithm }
}
