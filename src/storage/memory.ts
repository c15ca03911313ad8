import type {
  BlobInfo,
  ByteRange,
  GarbageCollection,
  Storage,
  StorageSnapshot,
  StoredManifest,
  UploadInfo,
} from './storage.js'
import { compareCodePoints } from './listing-order.js'
import { UndoLog } from './undo-log.js'
import { newUploadId } from './upload-ids.js'

interface MemoryBlob {
  // Kept as the chunks that arrived, never concatenated: one copy of each body, no more.
  chunks: Uint8Array[]
  size: number
}

interface MemoryUpload extends UploadInfo {
  chunks: Uint8Array[]
}

interface MemoryRepository {
  blobs: Set<string>
  manifests: Map<string, StoredManifest>
  tags: Map<string, string>
}

/**
 * Storage held in process memory: the default, fastest backend. Blob bodies are kept as the
 * chunks that arrived, so a pushed blob costs its size once.
 *
 * @example
 * const registry = await createFakeRegistry({ storage: memoryStorage() })
 */
export function memoryStorage(): Storage {
  return new MemoryStorage()
}

class MemoryStorage implements Storage {
  readonly kind = 'memory'
  #blobs = new Map<string, MemoryBlob>()
  #uploads = new Map<string, MemoryUpload>()
  #repositories = new Map<string, MemoryRepository>()
  #undo = new UndoLog('memory')

  async statBlob(digest: string): Promise<BlobInfo | undefined> {
    const blob = this.#blobs.get(digest)
    return blob && { digest, size: blob.size }
  }

  async readBlob(digest: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array> | undefined> {
    const blob = this.#blobs.get(digest)
    return blob && sliceChunks(blob.chunks, range ?? { start: 0, end: blob.size - 1 })
  }

  async linkBlob(repository: string, digest: string): Promise<boolean> {
    if (!this.#blobs.has(digest)) return false
    this.#link(this.#repository(repository, true), digest)
    return true
  }

  async unlinkBlob(repository: string, digest: string): Promise<boolean> {
    const repo = this.#repository(repository)
    if (!repo?.blobs.delete(digest)) return false
    this.#undo.record(() => repo.blobs.add(digest))
    return true
  }

  async isBlobLinked(repository: string, digest: string): Promise<boolean> {
    return this.#repository(repository)?.blobs.has(digest) ?? false
  }

  async createUpload(repository: string): Promise<UploadInfo> {
    const upload: MemoryUpload = { id: newUploadId(), repository, size: 0, chunks: [] }
    this.#uploads.set(upload.id, upload)
    return uploadInfo(upload)
  }

  async getUpload(id: string): Promise<UploadInfo | undefined> {
    const upload = this.#uploads.get(id)
    return upload && uploadInfo(upload)
  }

  async appendUpload(id: string, chunks: AsyncIterable<Uint8Array>): Promise<UploadInfo | undefined> {
    const upload = this.#uploads.get(id)
    if (!upload) return undefined
    // Collected aside and added only once the stream has ended: a failed chunk changes nothing.
    const received: Uint8Array[] = []
    let size = 0
    for await (const chunk of chunks) {
      received.push(chunk)
      size += chunk.byteLength
    }
    if (!this.#uploads.has(id)) return undefined
    upload.chunks.push(...received)
    upload.size += size
    return uploadInfo(upload)
  }

  async readUpload(id: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    const upload = this.#uploads.get(id)
    return upload && sliceChunks(upload.chunks, { start: 0, end: upload.size - 1 })
  }

  async commitUpload(id: string, digest: string, size?: number): Promise<BlobInfo | undefined> {
    const upload = this.#uploads.get(id)
    if (!upload || (size !== undefined && upload.size !== size)) return undefined
    this.#uploads.delete(id)
    // Content-addressed: a blob already stored under this digest has the same bytes.
    if (!this.#blobs.has(digest)) {
      this.#blobs.set(digest, { chunks: upload.chunks, size: upload.size })
      this.#undo.record(() => this.#blobs.delete(digest))
    }
    this.#link(this.#repository(upload.repository, true), digest)
    return { digest, size: upload.size }
  }

  async deleteUpload(id: string): Promise<boolean> {
    return this.#uploads.delete(id)
  }

  async putManifest(repository: string, manifest: StoredManifest): Promise<void> {
    const { manifests } = this.#repository(repository, true)
    const previous = manifests.get(manifest.digest)
    manifests.set(manifest.digest, manifest)
    this.#undo.record(() => (previous ? manifests.set(manifest.digest, previous) : manifests.delete(manifest.digest)))
  }

  async getManifest(repository: string, digest: string): Promise<StoredManifest | undefined> {
    return this.#repository(repository)?.manifests.get(digest)
  }

  async deleteManifest(repository: string, digest: string): Promise<boolean> {
    const repo = this.#repository(repository)
    const manifest = repo?.manifests.get(digest)
    if (!repo || !manifest) return false
    // Undone by refilling the same maps (other undo steps hold them), so the manifest keeps its place in push order.
    const before = this.#undo.recording ? { manifests: [...repo.manifests], tags: [...repo.tags] } : undefined
    repo.manifests.delete(digest)
    for (const [tag, target] of repo.tags) if (target === digest) repo.tags.delete(tag)
    if (before) this.#undo.record(() => refill(repo, before))
    return true
  }

  async listReferrers(repository: string, subjectDigest: string): Promise<StoredManifest[]> {
    const manifests = this.#repository(repository)?.manifests.values() ?? []
    return [...manifests].filter((manifest) => manifest.subject === subjectDigest)
  }

  async setTag(repository: string, tag: string, digest: string): Promise<void> {
    const { tags } = this.#repository(repository, true)
    const previous = tags.get(tag)
    tags.set(tag, digest)
    this.#undo.record(() => (previous === undefined ? tags.delete(tag) : tags.set(tag, previous)))
  }

  async resolveTag(repository: string, tag: string): Promise<string | undefined> {
    return this.#repository(repository)?.tags.get(tag)
  }

  async deleteTag(repository: string, tag: string): Promise<boolean> {
    const tags = this.#repository(repository)?.tags
    const previous = tags?.get(tag)
    if (!tags || previous === undefined) return false
    tags.delete(tag)
    this.#undo.record(() => tags.set(tag, previous))
    return true
  }

  async listTags(repository: string): Promise<string[] | undefined> {
    const repo = this.#repository(repository)
    return repo && [...repo.tags.keys()].sort(compareCodePoints)
  }

  async listRepositories(): Promise<string[]> {
    return [...this.#repositories.keys()].filter((name) => this.#isVisible(name)).sort(compareCodePoints)
  }

  async hasRepository(repository: string): Promise<boolean> {
    return this.#isVisible(repository)
  }

  async clear(): Promise<void> {
    const before = { blobs: this.#blobs, repositories: this.#repositories }
    this.#blobs = new Map()
    this.#uploads.clear()
    this.#repositories = new Map()
    this.#undo.record(() => {
      this.#blobs = before.blobs
      this.#repositories = before.repositories
    })
  }

  /** O(1): nothing is copied; changes made afterwards record how to undo themselves. */
  async snapshot(): Promise<StorageSnapshot> {
    return this.#undo.snapshot()
  }

  /** O(changes since the snapshot). Open upload sessions end. */
  async restore(snapshot: StorageSnapshot): Promise<void> {
    this.#undo.restore(snapshot)
    this.#uploads.clear()
  }

  async garbageCollect(): Promise<GarbageCollection> {
    const linked = new Set<string>()
    for (const repo of this.#repositories.values()) for (const digest of repo.blobs) linked.add(digest)
    const removed: string[] = []
    for (const [digest, blob] of this.#blobs) {
      if (linked.has(digest)) continue
      this.#blobs.delete(digest)
      this.#undo.record(() => this.#blobs.set(digest, blob))
      removed.push(digest)
    }
    return { blobs: removed.sort(compareCodePoints) }
  }

  #link(repo: MemoryRepository, digest: string): void {
    if (repo.blobs.has(digest)) return
    repo.blobs.add(digest)
    this.#undo.record(() => repo.blobs.delete(digest))
  }

  #isVisible(name: string): boolean {
    const repo = this.#repositories.get(name)
    return repo !== undefined && (repo.blobs.size > 0 || repo.manifests.size > 0)
  }

  #repository(name: string, create: true): MemoryRepository
  #repository(name: string, create?: boolean): MemoryRepository | undefined
  #repository(name: string, create = false): MemoryRepository | undefined {
    let repo = this.#repositories.get(name)
    if (!repo && create) {
      repo = { blobs: new Set(), manifests: new Map(), tags: new Map() }
      this.#repositories.set(name, repo)
    }
    return repo
  }
}

function refill(
  repo: MemoryRepository,
  entries: { manifests: Array<[string, StoredManifest]>; tags: Array<[string, string]> },
): void {
  repo.manifests.clear()
  for (const [digest, manifest] of entries.manifests) repo.manifests.set(digest, manifest)
  repo.tags.clear()
  for (const [tag, digest] of entries.tags) repo.tags.set(tag, digest)
}

function uploadInfo({ id, repository, size }: UploadInfo): UploadInfo {
  return { id, repository, size }
}

async function* sliceChunks(chunks: readonly Uint8Array[], range: ByteRange): AsyncIterable<Uint8Array> {
  let offset = 0
  for (const chunk of chunks) {
    const chunkEnd = offset + chunk.byteLength
    if (chunkEnd > range.start && offset <= range.end) {
      const from = Math.max(range.start - offset, 0)
      const to = Math.min(range.end + 1 - offset, chunk.byteLength)
      yield from === 0 && to === chunk.byteLength ? chunk : chunk.subarray(from, to)
    }
    if (chunkEnd > range.end) return
    offset = chunkEnd
  }
}
