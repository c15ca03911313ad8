import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST, type ManifestFamily } from './constants.js'
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
  /** The `schemaVersion` the document must carry. */
  readonly schemaVersion: number
  /** The detail of the error when the body's `mediaType` (undefined when absent) does not fit. */
  checkMediaType(mediaType: string | undefined): string | undefined
}

/** S2: Docker requires the field (manifest-v2-2.md); GitLab ≥ 3.7 says E0 when it is missing. */
export const DOCKER_MANIFEST_PARSER: ManifestParser = {
  kind: DOCKER_MANIFEST,
  family: 'image',
  schemaVersion: 2,
  checkMediaType: (mediaType) => (mediaType === undefined ? NO_MEDIA_TYPE : mediaType === DOCKER_MANIFEST ? undefined : notDockerManifest(mediaType)),
}

/** OM: the field is optional in OCI, but when present it must name the type. */
export const OCI_MANIFEST_PARSER: ManifestParser = {
  kind: OCI_MANIFEST,
  family: 'image',
  schemaVersion: 2,
  checkMediaType: (mediaType) => (mediaType === undefined || mediaType === OCI_MANIFEST ? undefined : notOciManifest(mediaType)),
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
  checkMediaType: (mediaType) => (mediaType === undefined || mediaType === OCI_INDEX ? undefined : notOciIndex(mediaType)),
}

/** The four schema 2 parsers, by the media type that selects them. */
export const SCHEMA2_PARSERS: ReadonlyMap<string, ManifestParser> = new Map([
  [DOCKER_MANIFEST, DOCKER_MANIFEST_PARSER],
  [OCI_MANIFEST, OCI_MANIFEST_PARSER],
  [DOCKER_MANIFEST_LIST, DOCKER_MANIFEST_LIST_PARSER],
  [OCI_INDEX, OCI_INDEX_PARSER],
])
