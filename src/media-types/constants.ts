// The manifest media types the registry knows by name. Short names in comments follow the
// behaviour spec of the media-type modes (docs): S2, OM, DL, OI, V1S, V1.

/** S2: Docker image manifest, schema 2. */
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
/** OM: OCI image manifest. */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
/** DL: Docker manifest list. */
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
/** OI: OCI image index. */
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
/** V1S: signed Docker schema 1 manifest. */
export const DOCKER_MANIFEST_V1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws'
/** V1: unsigned Docker schema 1 manifest. */
export const DOCKER_MANIFEST_V1 = 'application/vnd.docker.distribution.manifest.v1+json'
/** The empty descriptor's media type (image-spec manifest.md, Guidance for an Empty Descriptor). */
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json'

/**
 * Layer types whose blobs may live elsewhere: with `urls` they are exempt from the reference
 * check, as in distribution and zot (conformance "non-distributable-layers").
 */
export const NONDISTRIBUTABLE_LAYER_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
])

/** Docker schema 1 kinds, signed and unsigned, which only lenient mode with `schema1` stores. */
export const SCHEMA1_KINDS: ReadonlySet<string> = new Set([DOCKER_MANIFEST_V1_SIGNED, DOCKER_MANIFEST_V1])

/** Manifest kinds that may carry a `subject` the referrers API reports (image-spec only). */
export const SUBJECT_KINDS: ReadonlySet<string> = new Set([OCI_MANIFEST, OCI_INDEX])

/**
 * Which structure a manifest kind has: config + layers, a list of manifests, Docker schema 1
 * (`fsLayers`, only lenient mode stores it), or none the registry reads.
 */
export type ManifestFamily = 'image' | 'index' | 'schema1' | 'opaque'
