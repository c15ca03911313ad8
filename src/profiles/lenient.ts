import { OciError } from '../errors/oci-error.js'
import { SCHEMA1_KINDS } from '../media-types/constants.js'
import { decodeManifest, mediaTypeOf, type ManifestDocument } from '../media-types/decode.js'
import {
  contentTypeMismatch,
  EXPECTED_MANIFEST_FOUND_INDEX,
  MANIFEST_TYPE_UNSUPPORTED,
  UNABLE_TO_DETERMINE_TYPE,
} from '../media-types/details.js'
import { parseMediaType } from '../media-types/parse-content-type.js'
import {
  DOCKER_MANIFEST_PARSER,
  OCI_INDEX_PARSER,
  OCI_MANIFEST_PARSER,
  opaqueParser,
  SCHEMA2_PARSERS,
  SIGNED_SCHEMA1_PARSER,
  UNSIGNED_SCHEMA1_PARSER,
  type ManifestParser,
} from '../media-types/parsers.js'
import { hasUrls } from '../media-types/references.js'
import { isMediaType, validateLenient } from '../media-types/validate.js'
import { defineMode } from './profile.js'
import { contentTypeRule, oversizeAs413 } from './rules.js'

/** The options only lenient mode reads. */
export type LenientParameters = {
  /** Whether Docker schema 1 manifests are stored; false refuses them, as the other modes do. Default true. */
  schema1: boolean
  /** Whether a manifest whose `mediaType` no parser knows is stored, unread, under that type. Default true. */
  unknownManifestTypes: boolean
}

const parameters: LenientParameters = { schema1: true, unknownManifestTypes: true }

/**
 * Lenient mode (media-type spec §3): accept what real clients send. The kind comes from the
 * body and headers only advise: a `Content-Type` that disagrees earns a `Warning: 299`, not a
 * 400. GET serves the stored kind whatever the `Accept`, as go-containerregistry's registry does.
 *
 * @example
 * lenientMode.create({ schema1: false, unknownManifestTypes: true }).pull.negotiate // false
 */
export const lenientMode = defineMode({
  mode: 'lenient',
  summary: 'accepts what real clients send',
  parameters,
  // Index children are not checked, so sparse and platform-filtered copies push.
  defaults: { verifyReferences: 'blobs', referrers: true },
  create: (options) => ({
    mode: 'lenient',
    push: {
      oversize: oversizeAs413,
      // An unparseable header is only bad advice, so it is dropped like an absent one.
      contentType: contentTypeRule(parseMediaType),
      decode: decodeManifest,
      chooseParser: (_contentType, document) => parserFromBody(document, options),
      checkShape: true,
      validate: (parser, document) => validateLenient(parser.family, document),
      // As GitLab: any descriptor that says where its blob lives, whatever its media type.
      isExempt: hasUrls,
      checkSizes: false,
      warning(contentType, parser) {
        if (contentType === undefined || contentType === parser.kind.toLowerCase()) return undefined
        return contentTypeMismatch(contentType, parser.kind)
      },
    },
    pull: {
      kindOf: (manifest) => manifest.mediaType,
      negotiate: false,
      rewriteManifestList: false,
    },
  }),
})

/** Media-type spec §3 step 4: the kind of a document, read from the document alone. */
function parserFromBody(document: ManifestDocument, options: Readonly<LenientParameters>): ManifestParser {
  const mediaType = mediaTypeOf(document)
  if (document.schemaVersion === 1 || (mediaType !== undefined && SCHEMA1_KINDS.has(mediaType))) {
    if (!options.schema1) throw new OciError('MANIFEST_INVALID', MANIFEST_TYPE_UNSUPPORTED)
    return Object.hasOwn(document, 'signatures') ? SIGNED_SCHEMA1_PARSER : UNSIGNED_SCHEMA1_PARSER
  }
  if (mediaType === undefined) return parserFromShape(document)
  const known = SCHEMA2_PARSERS.get(mediaType)
  if (known) return known
  if (options.unknownManifestTypes && isMediaType(mediaType)) return opaqueParser(mediaType)
  // Refused the way the default (S2) parser words it: E1(x).
  return DOCKER_MANIFEST_PARSER
}

/**
 * No `mediaType`: an OCI type, whatever `Content-Type` says. Docker's parsers require the field
 * for S2 and DL, so serving such a body as either would break `docker pull`.
 */
function parserFromShape(document: ManifestDocument): ManifestParser {
  if (Object.hasOwn(document, 'manifests')) {
    // Both shapes at once is the CVE-2021-41190 ambiguity.
    if (Object.hasOwn(document, 'config') || Object.hasOwn(document, 'layers'))
      throw new OciError('MANIFEST_INVALID', EXPECTED_MANIFEST_FOUND_INDEX)
    return OCI_INDEX_PARSER
  }
  if (Object.hasOwn(document, 'config')) return OCI_MANIFEST_PARSER
  throw new OciError('MANIFEST_INVALID', UNABLE_TO_DETERMINE_TYPE)
}
