import { OciError } from '../errors/oci-error.js'
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from '../media-types/constants.js'
import { decodeManifest, decodeSchema1, type ManifestDocument } from '../media-types/decode.js'
import {
  MANIFEST_TYPE_UNSUPPORTED,
  MISSING_SIGNATURE_KEY,
  REQUEST_BODY_TOO_LARGE,
  SCHEMA1_NOT_SUPPORTED,
} from '../media-types/details.js'
import { parseMediaTypeAsGo } from '../media-types/parse-content-type.js'
import {
  DOCKER_MANIFEST_LIST_PARSER,
  LEGACY_DOCKER_MANIFEST_PARSER,
  OCI_INDEX_PARSER,
  OCI_MANIFEST_PARSER,
  SIGNED_SCHEMA1_PARSER,
  type ManifestParser,
} from '../media-types/parsers.js'
import { hasUrls } from '../media-types/references.js'
import { validateLegacy } from '../media-types/validate.js'
import type { StoredManifest } from '../storage/storage.js'
import { defineMode } from './profile.js'
import { contentTypeRule } from './rules.js'

// The parsers GitLab ≤ 3.6 registered by media type. Everything else, an absent Content-Type
// included, went to the "" entry: schema 1.
const PARSERS: ReadonlyMap<string, ManifestParser> = new Map([
  [DOCKER_MANIFEST, LEGACY_DOCKER_MANIFEST_PARSER],
  [OCI_MANIFEST, OCI_MANIFEST_PARSER],
  [DOCKER_MANIFEST_LIST, DOCKER_MANIFEST_LIST_PARSER],
  [OCI_INDEX, OCI_INDEX_PARSER],
])

/** gitlab-legacy reads no options of its own. */
export type GitlabLegacyParameters = Record<never, never>

const parameters: GitlabLegacyParameters = {}

/**
 * gitlab-legacy (media-type spec §4): GitLab container registry ≤ v3.6.x, where both seeds
 * reproduce. Schema 1 is the default parser, so a push without a known Content-Type answers
 * `missing signature key` (seed B); there is no shape check; and every GET works the kind out
 * again from the stored bytes, reading an index without `mediaType` as schema 1 (seed A).
 * There is no referrers API.
 *
 * @example
 * gitlabLegacyMode.defaults.referrers // false
 */
export const gitlabLegacyMode = defineMode<'gitlab-legacy', GitlabLegacyParameters>({
  mode: 'gitlab-legacy',
  summary: 'reproduces GitLab ≤ 3.6 and its bugs',
  parameters,
  defaults: { verifyReferences: 'all', referrers: false },
  create: () => ({
    mode: 'gitlab-legacy',
    push: {
      // Go's http.MaxBytesReader fails the read, and GitLab wrapped that in a plain 400.
      oversize: () => new OciError('MANIFEST_INVALID', REQUEST_BODY_TOO_LARGE),
      // Absent or empty, distribution's UnmarshalManifest skips parsing the header and looks up "".
      contentType: contentTypeRule((header) => {
        const parsed = parseMediaTypeAsGo(header)
        if ('error' in parsed) throw new OciError('MANIFEST_INVALID', parsed.error)
        return parsed.type
      }),
      decode: (bytes, contentType) =>
        contentType !== undefined && PARSERS.has(contentType) ? decodeManifest(bytes) : decodeSchema1(bytes),
      chooseParser(contentType, document) {
        const parser = contentType === undefined ? undefined : PARSERS.get(contentType)
        if (parser) return parser
        if (!Object.hasOwn(document, 'signatures')) throw new OciError('MANIFEST_INVALID', MISSING_SIGNATURE_KEY)
        return SCHEMA1_DEFAULT
      },
      checkShape: false,
      validate: (parser, document) => validateLegacy(parser.family, document),
      isExempt: hasUrls,
      checkSizes: false,
      refuseParsed(parser, byDigest) {
        if (parser.family !== 'schema1') return
        // GitLab hashed a schema 1 manifest's JWS payload (the body without `signatures`), so the
        // digest of the bytes sent never matched; by tag, storage refused the kind.
        if (byDigest) throw new OciError('DIGEST_INVALID')
        throw new OciError('MANIFEST_INVALID', MANIFEST_TYPE_UNSUPPORTED)
      },
    },
    pull: {
      kindOf: redetectKind,
      negotiate: true,
      rewriteManifestList: true,
    },
  }),
})

/**
 * The "" entry once libtrust's ParsePrettySignature has found `signatures`. Storage refuses
 * schema 1 whatever its version, so the version is never read.
 */
const SCHEMA1_DEFAULT: ManifestParser = {
  kind: SIGNED_SCHEMA1_PARSER.kind,
  family: 'schema1',
  checkMediaType: () => undefined,
}

/**
 * GitLab's `manifestStore.Get` before v3.69.0: the kind from the stored bytes, on every read.
 * With no `mediaType` a `manifests` array made it a manifest list of type `""`, which the GET
 * handler's type switch sent to its schema 1 default: the 400 of seed A, whatever the Accept.
 */
function redetectKind(manifest: StoredManifest): string {
  let document: ManifestDocument | undefined
  try {
    document = decodeManifest(manifest.bytes)
  } catch {
    document = undefined
  }
  // Only pushes through another mode's rules (shared storage) can store what GitLab never read back.
  if (document === undefined) return manifest.mediaType
  if (document.schemaVersion === 1 || (document.mediaType == null && Array.isArray(document.manifests))) {
    throw new OciError('MANIFEST_INVALID', undefined, { message: SCHEMA1_NOT_SUPPORTED })
  }
  if (document.mediaType == null) return OCI_MANIFEST
  return typeof document.mediaType === 'string' && PARSERS.has(document.mediaType)
    ? document.mediaType
    : manifest.mediaType
}
