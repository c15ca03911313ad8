// Manifest documents and error entries the manifest suites build their rows from: an OCI image
// whose config and layer are never pushed (so a reference check can name them), and the error
// entries a refused PUT answers with.
import { MediaTypes, sha256 } from './push.js'

export type Json = Record<string, unknown>

export const CONFIG = { mediaType: MediaTypes.OCI_CONFIG, digest: sha256('config'), size: 6 }
export const LAYER = { mediaType: MediaTypes.OCI_LAYER, digest: sha256('layer'), size: 5 }

/** An OCI image manifest of CONFIG and LAYER, with `patch` merged over its top-level fields. */
export const image = (patch: Json = {}): Json => ({
  schemaVersion: 2,
  mediaType: MediaTypes.OM,
  config: CONFIG,
  layers: [LAYER],
  ...patch,
})

/** The errors of a 400 MANIFEST_INVALID with this detail. */
export const invalid = (detail: string) => [{ code: 'MANIFEST_INVALID', message: 'manifest invalid', detail }]

/** The error entry of a reference the repository does not hold. */
export const blobUnknown = (digest: string) => ({
  code: 'MANIFEST_BLOB_UNKNOWN',
  message: 'blob unknown to registry',
  detail: digest,
})
