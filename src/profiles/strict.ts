import { OciError } from '../errors/oci-error.js'
import { SCHEMA1_KINDS } from '../media-types/constants.js'
import { decodeManifest } from '../media-types/decode.js'
import { MANIFEST_TYPE_UNSUPPORTED, noDefaultParser } from '../media-types/details.js'
import { parseMediaType } from '../media-types/parse-content-type.js'
import { DOCKER_MANIFEST_PARSER, SCHEMA2_PARSERS } from '../media-types/parsers.js'
import { isForeignLayer } from '../media-types/references.js'
import { validateStrict } from '../media-types/validate.js'
import { defineMode } from './profile.js'
import { contentTypeRule, oversizeAs413 } from './rules.js'

/** The options only strict mode reads. */
export type StrictParameters = {
  /**
   * Whether a `Content-Type` no parser knows falls back to the default parser (Docker schema 2),
   * as distribution does; false refuses it with 400 MANIFEST_INVALID. Default true.
   */
  unknownContentTypes: boolean
}

const parameters: StrictParameters = { unknownContentTypes: true }

/**
 * Strict mode: GitLab ≥ 3.7 (schema 2 as the default parser, seed B's proposed table) with
 * distribution v3's shape checks and image-spec validation added. The kind is decided at push
 * time and served as stored, which fixes seed A by construction.
 *
 * @example
 * strictMode.create({ unknownContentTypes: false }).pull.kindOf(stored) // stored.mediaType
 */
export const strictMode = defineMode({
  mode: 'strict',
  summary: 'follows the specs',
  parameters,
  defaults: { verifyReferences: 'all', referrers: true },
  create: ({ unknownContentTypes }) => ({
    mode: 'strict',
    push: {
      oversize: oversizeAs413,
      contentType: contentTypeRule((header) => {
        const type = parseMediaType(header)
        if (type === undefined) throw new OciError('MANIFEST_INVALID', 'invalid Content-Type header')
        return type
      }),
      decode: decodeManifest,
      chooseParser(contentType) {
        const parser = contentType === undefined ? undefined : SCHEMA2_PARSERS.get(contentType)
        if (parser) return parser
        if (contentType !== undefined && SCHEMA1_KINDS.has(contentType))
          throw new OciError('MANIFEST_INVALID', MANIFEST_TYPE_UNSUPPORTED)
        // application/json names no manifest type, so it counts as unknown like any other.
        if (contentType !== undefined && !unknownContentTypes)
          throw new OciError('MANIFEST_INVALID', noDefaultParser(contentType))
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
  }),
})
