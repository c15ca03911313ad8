import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST_V1,
  DOCKER_MANIFEST_V1_SIGNED,
  OCI_INDEX,
  OCI_MANIFEST,
  type ManifestFamily,
} from './constants.js'
import { NO_MEDIA_TYPE, notDockerManifest, notManifestList, notOciIndex, notOciManifest } from './details.js'

/**
 * A manifest parser as data: the kind it stores, the structure it reads, the schema version it
 * accepts and its rule for the body's `mediaType`. Profiles pick one per push.
 *
 * @example
 * OCI_MANIFEST_PARSER.checkMediaType(undefined) // undefined: OCI allows an absent mediaType
 */
export interface ManifestParser {
  /** The kind stored on success and later served as `Content-Type`. */
  readonly kind: string
  readonly family: ManifestFamily
  /** The `schemaVersion` the document must carry; undefined when the parser does not read it (opaque documents). */
  readonly schemaVersion?: number
  /** The detail of the error when the body's `mediaType` (undefined when absent) does not fit. */
  checkMediaType(mediaType: string | undefined): string | undefined
}

/** S2: Docker requires the field (manifest-v2-2.md); GitLab ≥ 3.7 says E0 when it is missing. */
export const DOCKER_MANIFEST_PARSER: ManifestParser = {
  kind: DOCKER_MANIFEST,
  family: 'image',
  schemaVersion: 2,
  checkMediaType: (mediaType) =>
    mediaType === undefined ? NO_MEDIA_TYPE : mediaType === DOCKER_MANIFEST ? undefined : notDockerManifest(mediaType),
}

/** OM: the field is optional in OCI, but when present it must name the type. */
export const OCI_MANIFEST_PARSER: ManifestParser = {
  kind: OCI_MANIFEST,
  family: 'image',
  schemaVersion: 2,
  checkMediaType: (mediaType) =>
    mediaType === undefined || mediaType === OCI_MANIFEST ? undefined : notOciManifest(mediaType),
}

/** DL: the field is required; an absent one fails as `''`. */
export const DOCKER_MANIFEST_LIST_PARSER: ManifestParser = {
  kind: DOCKER_MANIFEST_LIST,
  family: 'index',
  schemaVersion: 2,
  checkMediaType: (mediaType) => (mediaType === DOCKER_MANIFEST_LIST ? undefined : notManifestList(mediaType ?? '')),
}

/** OI: optional, as OM. */
export const OCI_INDEX_PARSER: ManifestParser = {
  kind: OCI_INDEX,
  family: 'index',
  schemaVersion: 2,
  checkMediaType: (mediaType) =>
    mediaType === undefined || mediaType === OCI_INDEX ? undefined : notOciIndex(mediaType),
}

/** The four schema 2 parsers, by the media type that selects them. */
export const SCHEMA2_PARSERS: ReadonlyMap<string, ManifestParser> = new Map([
  [DOCKER_MANIFEST, DOCKER_MANIFEST_PARSER],
  [OCI_MANIFEST, OCI_MANIFEST_PARSER],
  [DOCKER_MANIFEST_LIST, DOCKER_MANIFEST_LIST_PARSER],
  [OCI_INDEX, OCI_INDEX_PARSER],
])

/**
 * S2 as GitLab ≤ 3.6 read it: an absent `mediaType` fails as `''` (E1('')); the E0 wording came
 * with v3.7 (seed B row 3 in the current table).
 */
export const LEGACY_DOCKER_MANIFEST_PARSER: ManifestParser = {
  ...DOCKER_MANIFEST_PARSER,
  checkMediaType: (mediaType) => (mediaType === DOCKER_MANIFEST ? undefined : notDockerManifest(mediaType ?? '')),
}

/** V1S: a signed Docker schema 1 manifest, whose `fsLayers[].blobSum` are its blobs. */
export const SIGNED_SCHEMA1_PARSER: ManifestParser = {
  kind: DOCKER_MANIFEST_V1_SIGNED,
  family: 'schema1',
  schemaVersion: 1,
  checkMediaType: () => undefined,
}

/** V1: the same without `signatures`. */
export const UNSIGNED_SCHEMA1_PARSER: ManifestParser = { ...SIGNED_SCHEMA1_PARSER, kind: DOCKER_MANIFEST_V1 }

/**
 * A parser that stores a document of a type the registry does not know under that type, reading
 * nothing of it: no structure, no references, not even `schemaVersion` (ORAS's artifact manifest has none).
 *
 * @example
 * opaqueParser('application/vnd.foo.manifest.v1+json').family // 'opaque'
 */
export function opaqueParser(kind: string): ManifestParser {
  return { kind, family: 'opaque', checkMediaType: () => undefined }
}
