import type { StoredManifest } from '../storage/storage.js'
import { isJsonObject } from '../media-types/decode.js'

/**
 * One entry of a referrers listing (distribution-spec §Listing Referrers): what the HTTP API
 * answers and what `registry.referrers()` returns, built in one place so the two agree.
 *
 * @example
 * const [sbom] = await registry.referrers('team/app:1', { artifactType: 'application/spdx+json' })
 * sbom?.digest // 'sha256:…'
 */
export interface ReferrerDescriptor {
  mediaType: string
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
}

/** The referrers-listing descriptor of a stored manifest. */
export function referrerDescriptorOf(manifest: StoredManifest): ReferrerDescriptor {
  const descriptor: ReferrerDescriptor = {
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: manifest.bytes.byteLength,
  }
  if (manifest.artifactType !== undefined) descriptor.artifactType = manifest.artifactType
  const annotations = stringMap(manifest.annotations)
  if (annotations !== undefined) descriptor.annotations = annotations
  return descriptor
}

// Modes that do not validate a pushed manifest store its `annotations` as they came, which may
// be any JSON (nested 10k levels deep, even). A descriptor's annotations are a string map, so only
// the string entries are listed: the listing stays a valid index and never has to serialise
// whatever else a client sent.
function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isJsonObject(value)) return undefined
  const entries = Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string')
  return entries.length > 0 ? Object.fromEntries(entries) : undefined
}
