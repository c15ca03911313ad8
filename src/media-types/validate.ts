import { computeDigest, isSupportedAlgorithm, parseDigest } from '../leaf/digest.js'
import { OCI_EMPTY, type ManifestFamily } from './constants.js'
import { isJsonObject, type ManifestDocument } from './decode.js'
import {
  EXPECTED_INDEX_FOUND_MANIFEST,
  EXPECTED_MANIFEST_FOUND_INDEX,
  unmarshalFailed,
  unrecognizedSchemaVersion,
} from './details.js'

// RFC 6838 restricted names, as image-spec's JSON schema spells them.
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/
// RFC 3986 URI: scheme ":" and the characters a URI may hold, with well-formed percent escapes.
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/
// Go's base64.StdEncoding, which decodes the `data` field: padded standard alphabet.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** True for an RFC 6838 media type such as `application/vnd.oci.image.layer.v1.tar+gzip`. */
export function isMediaType(value: unknown): value is string {
  return typeof value === 'string' && MEDIA_TYPE.test(value)
}

/**
 * The first problem of a content descriptor (image-spec descriptor.md), or undefined when it is
 * valid. Unknown media types and digest algorithms that fit the grammar pass, since descriptors
 * SHOULD allow them. `null` optional fields count as absent, as Go's decoder reads them.
 *
 * @example
 * descriptorProblem({ mediaType: 'a/b', digest: 'sha256:xyz', size: 1 }, 'config') // 'config.digest must be a valid digest'
 */
export function descriptorProblem(value: unknown, path: string): string | undefined {
  if (!isJsonObject(value)) return `${path} must be a descriptor object`
  if (!isMediaType(value.mediaType)) return `${path}.mediaType must be a media type (RFC 6838)`
  if (typeof value.digest !== 'string' || !parseDigest(value.digest)) return `${path}.digest must be a valid digest`
  if (!isSize(value.size)) return `${path}.size must be a non-negative integer`
  if (
    value.urls != null &&
    !(Array.isArray(value.urls) && value.urls.every((url) => typeof url === 'string' && URI.test(url)))
  ) {
    return `${path}.urls must be an array of absolute URIs`
  }
  if (value.annotations != null && !isStringMap(value.annotations))
    return `${path}.annotations must map strings to strings`
  if (value.artifactType != null && !isMediaType(value.artifactType))
    return `${path}.artifactType must be a media type (RFC 6838)`
  if (value.data != null) {
    const problem = dataProblem(value.data, value.size, value.digest)
    if (problem) return `${path}.data ${problem}`
  }
  return undefined
}

/**
 * The first problem of an image manifest (S2 or OM) under strict rules (image-spec manifest.md),
 * or undefined. `layers` may be empty: the distribution spec allows it and the conformance suite
 * pushes such manifests, so the JSON schema's `minItems: 1` is not enforced.
 */
export function imageManifestProblem(document: ManifestDocument): string | undefined {
  if (document.config == null) return 'config is required'
  const descriptors = configAndLayersProblem(document, descriptorProblem)
  if (descriptors) return descriptors
  const common = commonProblem(document)
  if (common) return common
  if ((document.config as { mediaType: string }).mediaType === OCI_EMPTY && document.artifactType == null) {
    return `artifactType must be set when config.mediaType is ${OCI_EMPTY}`
  }
  return undefined
}

/** The first problem of an index or manifest list (OI or DL) under strict rules (image-spec image-index.md), or undefined. */
export function indexProblem(document: ManifestDocument): string | undefined {
  return requiredListProblem(document.manifests, 'manifests', indexEntryProblem) ?? commonProblem(document)
}

function indexEntryProblem(entry: unknown, path: string): string | undefined {
  const problem = descriptorProblem(entry, path)
  if (problem) return problem
  const platform = (entry as Record<string, unknown>).platform
  if (
    platform != null &&
    !(isJsonObject(platform) && typeof platform.architecture === 'string' && typeof platform.os === 'string')
  ) {
    return `${path}.platform must have the strings architecture and os`
  }
  return undefined
}

/**
 * Strict validation of a document of the given family (media-type spec §6.2–6.3); opaque
 * documents have no structure to check.
 *
 * @example
 * validateStrict('index', { schemaVersion: 2, manifests: [] }) // undefined
 */
export function validateStrict(family: ManifestFamily, document: ManifestDocument): string | undefined {
  if (family === 'image') return imageManifestProblem(document)
  if (family === 'index') return indexProblem(document)
  return undefined
}

function commonProblem(document: ManifestDocument): string | undefined {
  if (document.subject != null) {
    // Only the shape: the subject's target never has to exist.
    const problem = descriptorProblem(document.subject, 'subject')
    if (problem) return problem
  }
  if (document.artifactType != null && !isMediaType(document.artifactType))
    return 'artifactType must be a media type (RFC 6838)'
  if (document.annotations != null && !isStringMap(document.annotations))
    return 'annotations must map strings to strings'
  return undefined
}

function dataProblem(data: unknown, size: unknown, digest: unknown): string | undefined {
  if (typeof data !== 'string' || !BASE64.test(data)) return 'must be base64'
  const bytes = Buffer.from(data, 'base64')
  if (bytes.byteLength !== size) return 'does not match size'
  const algorithm = String(digest).split(':')[0] ?? ''
  // An algorithm the registry cannot compute cannot be checked; descriptors SHOULD allow it.
  if (isSupportedAlgorithm(algorithm) && computeDigest(bytes, algorithm) !== digest) return 'does not match digest'
  return undefined
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function isStringMap(value: unknown): boolean {
  return isJsonObject(value) && Object.values(value).every((entry) => typeof entry === 'string')
}

/**
 * E5 or E6 when the document's shape contradicts the family its parser reads: an image with
 * `manifests`, or an index with `config` or `layers`. A document whose type is ambiguous must
 * not be accepted under a type it does not have (CVE-2021-41190).
 *
 * @example
 * shapeProblem('image', { manifests: [] }) // 'ocimanifest: expected manifest but found index'
 */
export function shapeProblem(family: ManifestFamily, document: ManifestDocument): string | undefined {
  if (family === 'image' && Object.hasOwn(document, 'manifests')) return EXPECTED_MANIFEST_FOUND_INDEX
  if (family === 'index' && (Object.hasOwn(document, 'config') || Object.hasOwn(document, 'layers')))
    return EXPECTED_INDEX_FOUND_MANIFEST
  return undefined
}

/**
 * E7(n) when `schemaVersion` is not the integer the parser reads (n is 0 when absent, Go's zero
 * value); a value that is not an integer at all fails decoding, as in Go.
 *
 * @example
 * schemaVersionProblem(2, { schemaVersion: 1 }) // 'unrecognized manifest schema version 1'
 */
export function schemaVersionProblem(expected: number, document: ManifestDocument): string | undefined {
  const version = document.schemaVersion
  if (version === expected) return undefined
  if (version == null) return unrecognizedSchemaVersion(0)
  if (typeof version !== 'number' || !Number.isSafeInteger(version))
    return unmarshalFailed('schemaVersion must be an integer')
  return unrecognizedSchemaVersion(version)
}

/**
 * Lenient validation (media-type spec §6.5): only the JSON shape of the kind, so that the
 * registry can read the references. A descriptor needs a `digest` and a `size`; media types,
 * `urls`, `data`, annotations and the `artifactType` MUST are not checked. A schema 1 body
 * needs nothing, but `fsLayers`, when present, must list digests.
 *
 * @example
 * validateLenient('image', { config: { digest: 'sha256:…', size: 2 }, layers: [] }) // undefined
 */
export function validateLenient(family: ManifestFamily, document: ManifestDocument): string | undefined {
  if (family === 'image') {
    const descriptors = configAndLayersProblem(document, lenientDescriptorProblem)
    if (descriptors) return descriptors
  } else if (family === 'index') {
    const entry = requiredListProblem(document.manifests, 'manifests', lenientDescriptorProblem)
    if (entry) return entry
  } else if (family === 'schema1') {
    if (document.fsLayers == null) return undefined
    if (!Array.isArray(document.fsLayers)) return 'fsLayers must be an array'
    return firstProblem(document.fsLayers, 'fsLayers', (layer, path) =>
      isJsonObject(layer) && typeof layer.blobSum === 'string' && parseDigest(layer.blobSum)
        ? undefined
        : `${path}.blobSum must be a valid digest`,
    )
  }
  // The referrers API reads the subject's digest, so even lenient mode needs a readable one.
  if (family !== 'opaque' && document.subject != null) return lenientDescriptorProblem(document.subject, 'subject')
  return undefined
}

/**
 * What Go's typed decoding refused in GitLab ≤ 3.6, which had no other field validation: a
 * field of the wrong JSON type. Absent and `null` fields are Go's zero values and pass; the
 * reference check then meets their empty digests.
 *
 * @example
 * validateLegacy('image', { config: 'x' }) // 'failed to unmarshal manifest payload: config must be a descriptor object'
 */
export function validateLegacy(family: ManifestFamily, document: ManifestDocument): string | undefined {
  const problem =
    family === 'image'
      ? (legacyDescriptorProblem(document.config, 'config') ?? legacyListProblem(document.layers, 'layers'))
      : family === 'index'
        ? legacyListProblem(document.manifests, 'manifests')
        : undefined
  return problem === undefined ? undefined : unmarshalFailed(problem)
}

function lenientDescriptorProblem(value: unknown, path: string): string | undefined {
  if (!isJsonObject(value)) return `${path} must be a descriptor object`
  if (typeof value.digest !== 'string' || !parseDigest(value.digest)) return `${path}.digest must be a valid digest`
  if (!isSize(value.size)) return `${path}.size must be a non-negative integer`
  return undefined
}

function legacyDescriptorProblem(value: unknown, path: string): string | undefined {
  if (value == null) return undefined
  if (!isJsonObject(value)) return `${path} must be a descriptor object`
  for (const [field, type] of [
    ['mediaType', 'string'],
    ['digest', 'string'],
    ['size', 'number'],
  ] as const) {
    if (value[field] != null && typeof value[field] !== type) return `${path}.${field} must be a ${type}`
  }
  if (value.urls != null && !(Array.isArray(value.urls) && value.urls.every((url) => typeof url === 'string')))
    return `${path}.urls must be an array of strings`
  return undefined
}

function legacyListProblem(value: unknown, path: string): string | undefined {
  if (value == null) return undefined
  if (!Array.isArray(value)) return `${path} must be an array`
  return firstProblem(value, path, legacyDescriptorProblem)
}

type ProblemCheck = (value: unknown, path: string) => string | undefined

function configAndLayersProblem(document: ManifestDocument, check: ProblemCheck): string | undefined {
  return check(document.config, 'config') ?? requiredListProblem(document.layers, 'layers', check)
}

function requiredListProblem(value: unknown, path: string, check: ProblemCheck): string | undefined {
  if (!Array.isArray(value)) return `${path} is required and must be an array`
  return firstProblem(value, path, check)
}

function firstProblem(values: unknown[], path: string, check: ProblemCheck): string | undefined {
  for (const [index, value] of values.entries()) {
    const problem = check(value, `${path}[${index}]`)
    if (problem) return problem
  }
  return undefined
}
