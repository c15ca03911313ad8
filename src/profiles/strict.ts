import { OciError } from '../errors/oci-error.js'
import { SCHEMA1_KINDS } from '../media-types/constants.js'
import { decodeManifest } from '../media-types/decode.js'
import { MANIFEST_TYPE_UNSUPPORTED, noDefaultParser } from '../media-types/details.js'
import { parseMediaType } from '../media-types/parse-content-type.js'
import { DOCKER_MANIFEST_PARSER, SCHEMA2_PARSERS } from '../media-types/parsers.js'
import { isForeignLayer } from '../media-types/references.js'
import { validateStrict } from '../media-types/validate.js'
import type { Profile } from './profile.js'
import { contentTypeRule, oversizeAs413 } from './rules.js'

/**
 * Strict mode: GitLab ≥ 3.7 (schema 2 as the default parser, seed B's proposed table) with
 * distribution v3's shape checks and image-spec validation added. The kind is decided at push
 * time and served as stored, which fixes seed A by construction.
 *
 * @example
 * strictProfile.pull.kindOf(stored) // stored.mediaType
 */
export const strictProfile: Profile = {
  mode: 'strict',
  defaults: { verifyReferences: 'all', referrers: true },
  push: {
    oversize: oversizeAs413,
    contentType: contentTypeRule((header) => {
      const type = parseMediaType(header)
      if (type === undefined) throw new OciError('MANIFEST_INVALID', 'invalid Content-Type header')
      return type
    }),
    decode: decodeManifest,
    chooseParser(contentType, _document, options) {
      const parser = contentType === undefined ? undefined : SCHEMA2_PARSERS.get(contentType)
      if (parser) return parser
      if (contentType !== undefined && SCHEMA1_KINDS.has(contentType)) throw new OciError('MANIFEST_INVALID', MANIFEST_TYPE_UNSUPPORTED)
      // application/json names no manifest type, so it counts as unknown like any other.
      if (contentType !== undefined && options.rejectUnknownContentType) throw new OciError('MANIFEST_INVALID', noDefaultParser(contentType))
      return DOCKER_MANIFEST_PARSER
    },
    checkShape: true,
    validate: (parser, document) => validateStrict(parser.family, document),
    isExempt: isForeignLayer,
    checkSizes: true,
  },
  pull: {
    kindOf: (manifest) => manifest.mediaType,
    negotiate: true,
    rewriteManifestList: true,
  },
}
