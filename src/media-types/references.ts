import { NONDISTRIBUTABLE_LAYER_TYPES, type ManifestFamily } from './constants.js'
import { isJsonObject, type ManifestDocument } from './decode.js'

/** The descriptor fields the registry reads once a document has been validated. */
export interface ReferencedDescriptor {
  mediaType: string
  digest: string
  size: number
  urls?: unknown
}

/** What a validated manifest points to: blobs (config and layers) and child manifests. */
export interface ManifestReferences {
  blobs: ReferencedDescriptor[]
  children: ReferencedDescriptor[]
}

/**
 * The descriptors a document of the given family references; the `subject` is never among them.
 *
 * @example
 * referencesOf('index', { manifests: [child] }) // { blobs: [], children: [child] }
 */
export function referencesOf(family: ManifestFamily, document: ManifestDocument): ManifestReferences {
  if (family === 'image')
    return { blobs: [document.config, ...asArray(document.layers)].map(asDescriptor), children: [] }
  if (family === 'index') return { blobs: [], children: asArray(document.manifests).map(asDescriptor) }
  if (family === 'schema1') {
    const blobs = asArray(document.fsLayers).map((layer) =>
      asDescriptor({ digest: (layer as { blobSum?: unknown } | null)?.blobSum }),
    )
    return { blobs, children: [] }
  }
  return { blobs: [], children: [] }
}

/**
 * A descriptor as Go's zero values read it. Strict and lenient mode validate first, so this only
 * matters in gitlab-legacy, which validates nothing: an absent config has the digest `""`, which
 * GitLab then reported as an unknown blob.
 */
function asDescriptor(value: unknown): ReferencedDescriptor {
  const { mediaType, digest, size, urls } = (isJsonObject(value) ? value : {}) as Partial<
    Record<keyof ReferencedDescriptor, unknown>
  >
  return {
    mediaType: typeof mediaType === 'string' ? mediaType : '',
    digest: typeof digest === 'string' ? digest : '',
    size: typeof size === 'number' ? size : 0,
    ...(urls !== undefined && { urls }),
  }
}

/** True for a descriptor that names URLs its blob may be fetched from: GitLab skipped the blob check for any of them. */
export function hasUrls(descriptor: ReferencedDescriptor): boolean {
  return Array.isArray(descriptor.urls) && descriptor.urls.length > 0
}

/**
 * True for a nondistributable layer that names where its blob lives: registries accept it
 * without the blob (distribution, zot; conformance "non-distributable-layers").
 */
export function isForeignLayer(descriptor: ReferencedDescriptor): boolean {
  return NONDISTRIBUTABLE_LAYER_TYPES.has(descriptor.mediaType) && hasUrls(descriptor)
}

/** The fields of a manifest the referrers API reports about it. */
export interface ReferrerFields {
  subject?: string
  artifactType?: string
  annotations?: Record<string, string>
}

/**
 * The subject digest, artifact type and annotations of a validated document. An image reports
 * its `artifactType`, or `config.mediaType` when that is missing; an index only its `artifactType`
 * (media-type spec §6.6).
 */
export function referrerFieldsOf(family: ManifestFamily, document: ManifestDocument): ReferrerFields {
  const fields: ReferrerFields = {}
  const subject = document.subject as { digest?: unknown } | null | undefined
  if (typeof subject?.digest === 'string') fields.subject = subject.digest
  const config = document.config as { mediaType?: unknown } | null | undefined
  const artifactType =
    typeof document.artifactType === 'string'
      ? document.artifactType
      : family === 'image' && typeof config?.mediaType === 'string'
        ? config.mediaType
        : undefined
  if (artifactType !== undefined) fields.artifactType = artifactType
  const annotations = document.annotations
  if (typeof annotations === 'object' && annotations !== null && Object.keys(annotations).length > 0)
    fields.annotations = annotations as Record<string, string>
  return fields
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}
