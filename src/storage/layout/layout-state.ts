import { SUPPORTED_DIGEST } from '../../leaf/digest.js'
import { isTag } from '../../leaf/names.js'
import { FakeRegistryError } from '../../errors/fake-registry-error.js'
import { referrerFieldsOf } from '../../media-types/references.js'

// The registry's own record of a repository beside its OCI layout, and the layout's index.json
// view of it: what the layout cannot hold (blob links, referrer fields) lives in the state file.

/** The annotation that names a manifest in `index.json`; `oci:DIR:<tag>` looks it up. */
export const REF_NAME = 'org.opencontainers.image.ref.name'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const INDEX_KINDS = new Set([OCI_INDEX, 'application/vnd.docker.distribution.manifest.list.v2+json'])

export interface ManifestRecord {
  mediaType: string
  size: number
  subject?: string
  artifactType?: string
  annotations?: Record<string, string>
}

/** One repository as its files describe it. */
export interface RepositoryState {
  links: Set<string>
  /** In push order, as the referrers API lists them. */
  manifests: Map<string, ManifestRecord>
  tags: Map<string, string>
}

export interface StateFile {
  links: string[]
  manifests: Array<{ digest: string } & ManifestRecord>
  tags: Record<string, string>
}

export interface UploadFile {
  repository: string
}

export function emptyState(): RepositoryState {
  return { links: new Set(), manifests: new Map(), tags: new Map() }
}

export function isVisible(state: RepositoryState): boolean {
  return state.links.size > 0 || state.manifests.size > 0
}

/** `index.json`: one descriptor per tag, and one without a name for each untagged manifest. */
export function indexOf(state: RepositoryState): unknown {
  const manifests: unknown[] = []
  for (const [digest, record] of state.manifests) {
    const descriptor: Record<string, unknown> = { mediaType: record.mediaType, digest, size: record.size }
    if (record.artifactType !== undefined) descriptor.artifactType = record.artifactType
    const tags = [...state.tags].filter(([, target]) => target === digest).map(([tag]) => tag)
    if (tags.length === 0) manifests.push(descriptor)
    for (const tag of tags) manifests.push({ ...descriptor, annotations: { [REF_NAME]: tag } })
  }
  return { schemaVersion: 2, mediaType: OCI_INDEX, manifests }
}

export function serializeState(state: RepositoryState): string {
  const file: StateFile = {
    links: [...state.links],
    manifests: [...state.manifests].map(([digest, record]) => ({ digest, ...record })),
    tags: Object.fromEntries(state.tags),
  }
  return `${JSON.stringify(file)}\n`
}

export function parseStateFile(path: string, bytes: Uint8Array): RepositoryState {
  const file = parseJson(path, bytes) as Partial<StateFile>
  if (
    !Array.isArray(file?.links) ||
    !Array.isArray(file.manifests) ||
    typeof file.tags !== 'object' ||
    file.tags === null
  ) {
    throw corrupt(path, 'it is not {links, manifests, tags}')
  }
  const state = emptyState()
  for (const digest of file.links)
    if (typeof digest === 'string' && SUPPORTED_DIGEST.test(digest)) state.links.add(digest)
  for (const { digest, ...record } of file.manifests) {
    if (typeof digest === 'string' && SUPPORTED_DIGEST.test(digest) && typeof record.mediaType === 'string')
      state.manifests.set(digest, record)
  }
  for (const [tag, digest] of Object.entries(file.tags))
    if (isTag(tag) && typeof digest === 'string') state.tags.set(tag, digest)
  return state
}

/** Referrer fields of a manifest found in a layout with no state file, read from its bytes. */
export function referrerFieldsFromBytes(
  mediaType: string,
  bytes: Uint8Array,
): Omit<ManifestRecord, 'mediaType' | 'size'> {
  try {
    const document = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>
    if (typeof document !== 'object' || document === null) return {}
    return referrerFieldsOf(INDEX_KINDS.has(mediaType) ? 'index' : 'image', document)
  } catch {
    return {}
  }
}

export function parseJson(path: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes))
  } catch (error) {
    throw corrupt(path, `it is not valid JSON (${error instanceof Error ? error.message : String(error)})`)
  }
}

/** A `FakeRegistryError` with code `ERR_STORAGE`. */
export function storageError(
  action: string,
  subject: string,
  reason: string,
  fix: string,
  cause?: unknown,
): FakeRegistryError {
  return new FakeRegistryError(
    'ERR_STORAGE',
    { action, subject, reason, fix },
    cause === undefined ? undefined : { cause },
  )
}

export function rootError(root: string, reason: string, fix: string, cause?: unknown): FakeRegistryError {
  return storageError('open storage directory', root, reason, fix, cause)
}

export function corrupt(path: string, reason: string): FakeRegistryError {
  return storageError(
    'read',
    path,
    reason,
    'Repair or remove the file; the registry never guesses at content it cannot read',
  )
}
