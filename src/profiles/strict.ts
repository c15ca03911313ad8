import { OciError } from '../errors/oci-error.js'
import { DOCKER_MANIFEST_V1, DOCKER_MANIFEST_V1_SIGNED } from '../media-types/constants.js'
import { decodeManifest } from '../media-types/decode.js'
import { bodyTooLarge, MANIFEST_TYPE_UNSUPPORTED, noDefaultParser } from '../media-types/details.js'
import { parseMediaType } from '../media-types/parse-content-type.js'
import { DOCKER_MANIFEST_PARSER, SCHEMA2_PARSERS } from '../media-types/parsers.js'
import { isForeignLayer } from '../media-types/references.js'
import { validateStrict } from '../media-types/validate.js'
import type { Profile } from './profile.js'

const SCHEMA1_TYPES: ReadonlySet<string> = new Set([DOCKER_MANIFEST_V1_SIGNED, DOCKER_MANIFEST_V1])

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
    oversize: (maxBytes) => new OciError('MANIFEST_INVALID', bodyTooLarge(maxBytes), { status: 413 }),
    contentType(header) {
      // An empty header is what Go's Header.Get returns for an absent one.
      if (header === null || header === '') return undefined
      const type = parseMediaType(header)
      if (type === undefined) throw new OciError('MANIFEST_INVALID', 'invalid Content-Type header')
      return type
    },
    decode: (bytes) => decodeManifest(bytes),
    chooseParser(contentType, _document, options) {
      const parser = contentType === undefined ? undefined : SCHEMA2_PARSERS.get(contentType)
      if (parser) return parser
      if (contentType !== undefined && SCHEMA1_TYPES.has(contentType)) throw new OciError('MANIFEST_INVALID', MANIFEST_TYPE_UNSUPPORTED)
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
