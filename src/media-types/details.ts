import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from './constants.js'

// The `detail` strings of manifest push errors. They match GitLab's and distribution's byte for
// byte (E0..E9 in the media-type spec), so a client's error handling can be tested against the fake.

/** E0: the S2 parser met a body with no `mediaType`. */
export const NO_MEDIA_TYPE = 'no mediaType in manifest'

/** E1(x): the S2 parser met another `mediaType` (`''` when absent). */
export function notDockerManifest(found: string): string {
  return `mediaType in manifest should be '${DOCKER_MANIFEST}' not '${found}'`
}

/** E2(x): the OM parser met another `mediaType`. */
export function notOciManifest(found: string): string {
  return `if present, mediaType in manifest should be '${OCI_MANIFEST}' not '${found}'`
}

/** E3(x): the DL parser met another `mediaType` (`''` when absent). */
export function notManifestList(found: string): string {
  return `mediaType in manifest list should be '${DOCKER_MANIFEST_LIST}' not '${found}'`
}

/** E4(x): the OI parser met another `mediaType`. */
export function notOciIndex(found: string): string {
  return `if present, mediaType in image index should be '${OCI_INDEX}' not '${found}'`
}

/** E5: an image parser met a document with `manifests` (CVE-2021-41190). */
export const EXPECTED_MANIFEST_FOUND_INDEX = 'ocimanifest: expected manifest but found index'

/** E6: an index parser met a document with `config` or `layers` (CVE-2021-41190). */
export const EXPECTED_INDEX_FOUND_MANIFEST = 'index: expected index but found manifest'

/** E7(n): `schemaVersion` is not the one the parser reads; n is 0 when absent, as Go's zero value. */
export function unrecognizedSchemaVersion(version: number): string {
  return `unrecognized manifest schema version ${version}`
}

/** E8: libtrust's ErrMissingSignatureKey, what a schema 1 parser says about an unsigned body. */
export const MISSING_SIGNATURE_KEY = 'missing signature key'

/** E9: a kind the registry refuses to store (schema 1). */
export const MANIFEST_TYPE_UNSUPPORTED = 'manifest type unsupported'

/** distribution v3's answer to a Content-Type no parser is registered for. */
export function noDefaultParser(contentType: string): string {
  return `unsupported manifest media type and no default available: ${contentType}`
}

/** Prefix of every decoding failure, as distribution's handler words it. */
export function unmarshalFailed(reason: string): string {
  return `failed to unmarshal manifest payload: ${reason}`
}

/** The answer to a body above the size cap in modes that use 413. */
export function bodyTooLarge(maxBytes: number): string {
  return `manifest body exceeds maximum allowed size of ${maxBytes} bytes`
}

/** Lenient mode: a body with no `mediaType` and neither `manifests` nor `config`. */
export const UNABLE_TO_DETERMINE_TYPE = 'unable to determine manifest type'

/** The spec §Warnings text lenient mode sends with a 201 when Content-Type and the stored kind differ. */
export function contentTypeMismatch(contentType: string, kind: string): string {
  return `299 - "Content-Type ${contentType} does not match manifest type ${kind}; stored as ${kind}"`
}

/** gitlab-legacy: the error of Go's `http.MaxBytesReader`, which GitLab ≤ 3.6 put in a 400. */
export const REQUEST_BODY_TOO_LARGE = 'http: request body too large'

/** gitlab-legacy: libtrust's wording when the schema 1 parser cannot read the body as a JSON object. */
export function errorUnmarshallingContent(reason: string): string {
  return `error unmarshalling content: ${reason}`
}

/** gitlab-legacy GET: the `message` (no detail) of the 400 for anything read back as schema 1 (seed A). */
export const SCHEMA1_NOT_SUPPORTED = 'Schema 1 manifest not supported'
