import { createHash, randomUUID } from 'node:crypto'
import { isRepositoryName, isTag } from '../core/names.js'
import { errorCode, type LayoutFileHandle, type LayoutFs, type LayoutStats } from './layout-fs.js'
import {
  corrupt,
  FILE_DIGEST,
  indexOf,
  isVisible,
  parseJson,
  parseStateFile,
  REF_NAME,
  referrerFieldsFromBytes,
  rootError,
  serializeState,
  storageError,
  type ManifestRecord,
  type RepositoryState,
  type UploadFile,
} from './layout-state.js'
import { compareCodePoints } from './memory.js'
import type { BlobInfo, ByteRange, GarbageCollection, Storage, StorageSnapshot, StoredManifest, UploadInfo } from './storage.js'

/** The file that marks a directory as a registry's storage root. */
export const ROOT_MARKER = '.fake-oci-registry'
/** Per repository: what the OCI layout cannot hold (blob links, referrer fields, stored kinds). */
export const REPOSITORY_STATE = '.fake-oci-registry.json'
// The files of an OCI image layout. A repository path component can take these names too
// (`team/blobs` is valid), so such a component is stored as `_blobs`: no component starts with `_`.
const LAYOUT_ENTRIES = new Set(['blobs', 'index.json', 'oci-layout'])
// Directories of the root that no repository can collide with: components never start with '.'.
const BLOBS = '.blobs'
const UPLOADS = '.uploads'
const TEMP = '.tmp'
const SNAPSHOTS = '.snapshots'
const OCI_LAYOUT_FILE = `${JSON.stringify({ imageLayoutVersion: '1.0.0' })}\n`
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const READ_CHUNK = 64 * 1024

/**
 * Storage kept as files, one OCI image layout per repository, over any `LayoutFs`:
 *
 * ```
 * <root>/.fake-oci-registry            marks the root as registry storage
 * <root>/.blobs/<alg>/<hex>            every blob, content-addressed
 * <root>/.uploads/<id>, <id>.json      open upload sessions
 * <root>/<repository>/oci-layout       an OCI image layout per repository, readable by
 * <root>/<repository>/index.json       skopeo and other OCI tools (`oci:<root>/<repository>:<tag>`)
 * <root>/<repository>/blobs/<alg>/<hex>  its manifests and linked blobs (hard links when possible)
 * <root>/<repository>/.fake-oci-registry.json  links, tags and referrer fields
 * ```
 *
 * Every file is written to a temp file, synced and renamed into place, so a process killed at
 * any point never leaves a half-written file under a final name. Every path is built from a
 * name, digest or session id that has been checked here first, whatever the caller did.
 */
export class LayoutStorage implements Storage {
  readonly kind: string
  #fs: LayoutFs
  #root: string
  #opening: Promise<void> | undefined
  #locks = new Map<string, Promise<unknown>>()
  // Blob files whose content was hashed and matched, by the identity of the file then.
  #verified = new Map<string, string>()
  #snapshots = new WeakMap<StorageSnapshot, string>()

  constructor(kind: string, fs: LayoutFs, root: string) {
    this.kind = kind
    this.#fs = fs
    this.#root = root
  }

  /** Checks the root (creating it when missing), adopts layouts written by other tools, drops leftovers. */
  open(): Promise<void> {
    this.#opening ??= this.#open().catch((error: unknown) => {
      this.#opening = undefined
      throw error
    })
    return this.#opening
  }

  // --- blobs ---

  async statBlob(digest: string): Promise<BlobInfo | undefined> {
    await this.open()
    const path = this.#blobPath(digest)
    if (!path) return undefined
    const handle = await this.#openExisting(path)
    if (!handle) return undefined
    try {
      const stats = await handle.stat()
      return (await this.#verify(digest, handle, stats)) ? { digest, size: stats.size } : undefined
    } finally {
      await handle.close()
    }
  }

  async readBlob(digest: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array> | undefined> {
    const info = await this.statBlob(digest)
    if (!info) return undefined
    // Opened when the stream is read, so a stream never consumed holds no file handle.
    return this.#streamBlob(digest, range ?? { start: 0, end: info.size - 1 })
  }

  async *#streamBlob(digest: string, range: ByteRange): AsyncGenerator<Uint8Array> {
    const handle = await this.#fs.open(this.#blobPath(digest) as string, 'r')
    try {
      // Replaced since statBlob (a file found on disk, changed by hand): hashed again before any byte leaves.
      if (!(await this.#verify(digest, handle, await handle.stat()))) throw new Error(`blob ${digest} no longer matches its digest`)
      yield* readHandle(handle, range, false)
    } finally {
      await handle.close()
    }
  }

  // --- links ---

  async linkBlob(repository: string, digest: string): Promise<void> {
    const { dir } = this.#writableRepository(repository, 'link a blob into')
    this.#writableDigest(digest, 'link')
    await this.#update(repository, dir, async (state) => {
      await this.#placeBlob(dir, digest)
      state.links.add(digest)
    })
  }

  async unlinkBlob(repository: string, digest: string): Promise<boolean> {
    const dir = this.#repositoryDir(repository)
    if (!dir || !FILE_DIGEST.test(digest)) return false
    await this.open()
    return this.#update(repository, dir, async (state) => state.links.delete(digest), async (state, removed) => {
      if (removed && !state.manifests.has(digest)) await this.#removeLayoutBlob(dir, digest)
    })
  }

  async isBlobLinked(repository: string, digest: string): Promise<boolean> {
    const dir = this.#repositoryDir(repository)
    if (!dir || !FILE_DIGEST.test(digest)) return false
    await this.open()
    return (await this.#readState(dir))?.links.has(digest) ?? false
  }

  // --- uploads ---

  async createUpload(repository: string): Promise<UploadInfo> {
    this.#writableRepository(repository, 'start an upload into')
    await this.open()
    const id = randomUUID()
    const data = this.#uploadPath(id)
    await (await this.#fs.open(data, 'wx')).close()
    await this.#writeAtomic(`${data}.json`, json({ repository } satisfies UploadFile))
    return { id, repository, size: 0 }
  }

  async getUpload(id: string): Promise<UploadInfo | undefined> {
    if (!UPLOAD_ID.test(id)) return undefined
    await this.open()
    return this.#readUpload(id)
  }

  async appendUpload(id: string, chunks: AsyncIterable<Uint8Array>): Promise<UploadInfo | undefined> {
    if (!UPLOAD_ID.test(id)) return undefined
    await this.open()
    return this.#locked(`upload:${id}`, async () => {
      const upload = await this.#readUpload(id)
      if (!upload) return undefined
      const handle = await this.#fs.open(this.#uploadPath(id), 'a')
      let size = upload.size
      try {
        for await (const chunk of chunks) {
          await writeAll(handle, chunk)
          size += chunk.byteLength
        }
      } catch (error) {
        // All or nothing: a chunk stream that fails leaves the session as it was.
        await handle.truncate(upload.size)
        throw error
      } finally {
        await handle.close()
      }
      return (await this.#readUpload(id)) && { ...upload, size }
    })
  }

  async readUpload(id: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    if (!UPLOAD_ID.test(id)) return undefined
    await this.open()
    const upload = await this.#readUpload(id)
    const handle = upload && (await this.#openExisting(this.#uploadPath(id)))
    return handle && readHandle(handle, { start: 0, end: upload.size - 1 })
  }

  async commitUpload(id: string, digest: string): Promise<BlobInfo | undefined> {
    if (!UPLOAD_ID.test(id)) return undefined
    this.#writableDigest(digest, 'store')
    await this.open()
    const upload = await this.#locked(`upload:${id}`, async () => {
      const found = await this.#readUpload(id)
      if (!found) return undefined
      const data = this.#uploadPath(id)
      const handle = await this.#fs.open(data, 'r')
      try {
        await handle.sync()
      } finally {
        await handle.close()
      }
      // Two sessions committing the same digest race harmlessly: both files hold the same
      // verified bytes and each rename is atomic. A stored file that fails verification is
      // replaced, never trusted.
      const target = this.#blobPath(digest) as string
      if (await this.statBlob(digest)) {
        await this.#fs.unlink(data)
      } else {
        await this.#fs.mkdir(this.#parent(target))
        await this.#fs.rename(data, target)
        await this.#fs.syncDirectory?.(this.#parent(target))
        await this.#remember(digest, target)
      }
      await this.#fs.rm(`${data}.json`)
      return found
    })
    if (!upload) return undefined
    await this.linkBlob(upload.repository, digest)
    return { digest, size: upload.size }
  }

  async deleteUpload(id: string): Promise<boolean> {
    if (!UPLOAD_ID.test(id)) return false
    await this.open()
    return this.#locked(`upload:${id}`, async () => {
      const existed = (await this.#readUpload(id)) !== undefined
      const data = this.#uploadPath(id)
      await this.#fs.rm(`${data}.json`)
      await this.#fs.rm(data)
      return existed
    })
  }

  // --- manifests ---

  async putManifest(repository: string, manifest: StoredManifest): Promise<void> {
    const { dir } = this.#writableRepository(repository, 'store a manifest in')
    const [algorithm, hex] = this.#writableDigest(manifest.digest, 'store a manifest as')
    await this.#update(repository, dir, async (state) => {
      const path = this.#fs.join(dir, 'blobs', algorithm, hex)
      await this.#fs.mkdir(this.#parent(path))
      await this.#writeAtomic(path, manifest.bytes)
      const record: ManifestRecord = { mediaType: manifest.mediaType, size: manifest.bytes.byteLength }
      if (manifest.subject !== undefined) record.subject = manifest.subject
      if (manifest.artifactType !== undefined) record.artifactType = manifest.artifactType
      if (manifest.annotations !== undefined) record.annotations = manifest.annotations
      state.manifests.set(manifest.digest, record)
    })
  }

  async getManifest(repository: string, digest: string): Promise<StoredManifest | undefined> {
    const dir = this.#repositoryDir(repository)
    if (!dir || !FILE_DIGEST.test(digest)) return undefined
    await this.open()
    const record = (await this.#readState(dir))?.manifests.get(digest)
    return record && this.#readManifest(dir, digest, record)
  }

  async deleteManifest(repository: string, digest: string): Promise<boolean> {
    const dir = this.#repositoryDir(repository)
    if (!dir || !FILE_DIGEST.test(digest)) return false
    await this.open()
    return this.#update(repository, dir, async (state) => {
      if (!state.manifests.delete(digest)) return false
      for (const [tag, target] of state.tags) if (target === digest) state.tags.delete(tag)
      return true
    }, async (state, removed) => {
      if (removed && !state.links.has(digest)) await this.#removeLayoutBlob(dir, digest)
    })
  }

  async listReferrers(repository: string, subjectDigest: string): Promise<StoredManifest[]> {
    const dir = this.#repositoryDir(repository)
    if (!dir) return []
    await this.open()
    const state = await this.#readState(dir)
    const referrers: StoredManifest[] = []
    for (const [digest, record] of state?.manifests ?? []) {
      if (record.subject !== subjectDigest) continue
      const manifest = await this.#readManifest(dir, digest, record)
      if (manifest) referrers.push(manifest)
    }
    return referrers
  }

  // --- tags ---

  async setTag(repository: string, tag: string, digest: string): Promise<void> {
    const { dir } = this.#writableRepository(repository, 'tag a manifest in')
    this.#writableDigest(digest, 'tag')
    if (!isTag(tag)) throw storageError('set tag', tag, 'it is not a valid tag', 'Pass a tag that matches [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}')
    await this.#update(repository, dir, async (state) => {
      state.tags.set(tag, digest)
    })
  }

  async resolveTag(repository: string, tag: string): Promise<string | undefined> {
    const dir = this.#repositoryDir(repository)
    if (!dir || !isTag(tag)) return undefined
    await this.open()
    return (await this.#readState(dir))?.tags.get(tag)
  }

  async deleteTag(repository: string, tag: string): Promise<boolean> {
    const dir = this.#repositoryDir(repository)
    if (!dir || !isTag(tag)) return false
    await this.open()
    return this.#update(repository, dir, async (state) => state.tags.delete(tag))
  }

  async listTags(repository: string): Promise<string[] | undefined> {
    const dir = this.#repositoryDir(repository)
    if (!dir) return undefined
    await this.open()
    const state = await this.#readState(dir)
    return state && [...state.tags.keys()].sort(compareCodePoints)
  }

  // --- repositories ---

  async listRepositories(): Promise<string[]> {
    await this.open()
    const names: string[] = []
    for (const { name, dir } of await this.#layouts()) {
      const state = await this.#readState(dir)
      if (state && isVisible(state)) names.push(name)
    }
    return names.sort(compareCodePoints)
  }

  async hasRepository(repository: string): Promise<boolean> {
    const dir = this.#repositoryDir(repository)
    if (!dir) return false
    await this.open()
    const state = await this.#readState(dir)
    return state !== undefined && isVisible(state)
  }

  async clear(): Promise<void> {
    await this.open()
    await this.#removeContent([ROOT_MARKER, SNAPSHOTS])
    this.#verified.clear()
    await this.#prepareRoot()
  }

  // --- optional: snapshots and garbage collection ---

  /**
   * A copy of the content made of hard links: every file is immutable once written (writes
   * replace files, never change them), so a snapshot costs one link per file, not the bytes.
   */
  async snapshot(): Promise<StorageSnapshot> {
    await this.open()
    return this.#locked('*', async () => {
      const id = randomUUID()
      const target = this.#fs.join(this.#root, SNAPSHOTS, id)
      await this.#fs.mkdir(target)
      await this.#mirror(this.#root, target, new Set([ROOT_MARKER, UPLOADS, TEMP, SNAPSHOTS]))
      const snapshot: StorageSnapshot = Object.freeze({ kind: this.kind })
      this.#snapshots.set(snapshot, id)
      return snapshot
    })
  }

  /** Puts back the content of `snapshot`; open upload sessions end. */
  async restore(snapshot: StorageSnapshot): Promise<void> {
    const id = this.#snapshots.get(snapshot)
    if (id === undefined) {
      throw storageError('restore snapshot', this.kind, 'it was not taken from this storage', 'Pass a snapshot that this storage returned from snapshot()')
    }
    await this.open()
    await this.#locked('*', async () => {
      await this.#removeContent([ROOT_MARKER, SNAPSHOTS])
      this.#verified.clear()
      await this.#prepareRoot()
      await this.#mirror(this.#fs.join(this.#root, SNAPSHOTS, id), this.#root, new Set())
    })
  }

  /** Removes the blobs no repository links; returns their digests. */
  async garbageCollect(): Promise<GarbageCollection> {
    await this.open()
    return this.#locked('*', async () => {
      const linked = new Set<string>()
      for (const { dir } of await this.#layouts()) for (const digest of (await this.#readState(dir))?.links ?? []) linked.add(digest)
      const removed: string[] = []
      for (const digest of await this.#digestsIn(this.#fs.join(this.#root, BLOBS))) {
        if (linked.has(digest)) continue
        await this.#fs.rm(this.#blobPath(digest) as string)
        this.#verified.delete(digest)
        removed.push(digest)
      }
      return { blobs: removed.sort(compareCodePoints) }
    })
  }

  // --- opening ---

  async #open(): Promise<void> {
    try {
      await this.#fs.mkdir(this.#root)
    } catch (error) {
      throw rootError(this.#root, `it cannot be created (${errorCode(error) ?? String(error)})`, 'Choose a directory the process can write to', error)
    }
    const entries = await this.#fs.readdir(this.#root).catch((error: unknown) => {
      throw rootError(this.#root, `it cannot be read (${errorCode(error) ?? String(error)})`, 'Choose a directory the process can read and write', error)
    })
    if (!entries.includes(ROOT_MARKER)) {
      const foreign = await this.#foreignEntry(this.#root, entries)
      if (entries.includes('oci-layout')) {
        throw rootError(this.#root, 'it is an OCI image layout itself, and the storage root holds one layout per repository', 'Pass its parent directory (the layout then serves as the repository named after it), or import it with registry.seed.fromLayout(dir, { repository })')
      }
      if (foreign !== undefined) {
        throw rootError(this.#root, `it is not empty and was not written by this registry (found "${foreign}")`, 'Choose an empty or new directory, one this registry wrote, or one that holds only OCI image layouts')
      }
    }
    try {
      await this.#prepareRoot()
      await this.#writeAtomic(this.#fs.join(this.#root, ROOT_MARKER), json({ storage: 'fake-oci-registry', version: 1 }))
    } catch (error) {
      throw rootError(this.#root, `it is not writable (${errorCode(error) ?? String(error)})`, 'Choose a directory the process can write to', error)
    }
    // Snapshots live as long as the process that took them; temp files are leftovers of a crash.
    await this.#fs.rm(this.#fs.join(this.#root, SNAPSHOTS))
    await this.#fs.rm(this.#fs.join(this.#root, TEMP))
    await this.#prepareRoot()
    for (const { dir } of await this.#layouts()) await this.#adopt(dir)
  }

  async #prepareRoot(): Promise<void> {
    for (const dir of [BLOBS, UPLOADS, TEMP]) await this.#fs.mkdir(this.#fs.join(this.#root, dir))
  }

  /**
   * The first entry that shows a directory holds something else than OCI layouts: a file, a
   * hidden entry, or a directory whose name no repository could have.
   */
  async #foreignEntry(dir: string, entries: string[], depth = 0): Promise<string | undefined> {
    if (entries.includes('oci-layout') && depth > 0) return undefined
    for (const entry of entries) {
      const path = this.#fs.join(dir, entry)
      const stats = await this.#fs.stat(path)
      if (!stats.isDirectory() || !isRepositoryName(entry) || depth > 64) return path
      const inner = await this.#foreignEntry(path, await this.#fs.readdir(path), depth + 1)
      if (inner !== undefined) return inner
    }
    return undefined
  }

  /** A layout written by another tool (no state file): its blobs join the store, every one linked. */
  async #adopt(dir: string): Promise<void> {
    // Read even when the state file exists: a corrupt one is reported at startup, not mid-test.
    const state = await this.#readState(dir)
    if (!state || (await this.#exists(this.#fs.join(dir, REPOSITORY_STATE)))) return
    for (const digest of await this.#digestsIn(this.#fs.join(dir, 'blobs'))) {
      const target = this.#blobPath(digest) as string
      await this.#fs.mkdir(this.#parent(target))
      await this.#linkOrCopy(this.#layoutBlobPath(dir, digest), target)
    }
    // Only the state file: the layout's own index.json stays as the other tool wrote it.
    await this.#writeAtomic(this.#fs.join(dir, REPOSITORY_STATE), new TextEncoder().encode(serializeState(state)))
  }

  // --- repository state ---

  /** Reads a repository's state; undefined when it has never been written. */
  async #readState(dir: string): Promise<RepositoryState | undefined> {
    const statePath = this.#fs.join(dir, REPOSITORY_STATE)
    const stateBytes = await this.#readOptional(statePath)
    if (stateBytes) return parseStateFile(statePath, stateBytes)
    // No state file: a layout another tool wrote, described by its index.json alone.
    const indexPath = this.#fs.join(dir, 'index.json')
    const indexBytes = await this.#readOptional(indexPath)
    if (!indexBytes) return undefined
    const state = await this.#stateFromIndex(dir, indexPath, indexBytes)
    for (const digest of await this.#digestsIn(this.#fs.join(dir, 'blobs'))) if (!state.manifests.has(digest)) state.links.add(digest)
    return state
  }

  async #stateFromIndex(dir: string, path: string, bytes: Uint8Array): Promise<RepositoryState> {
    const index = parseJson(path, bytes) as { manifests?: unknown }
    if (!Array.isArray(index?.manifests)) throw corrupt(path, 'it has no "manifests" array')
    const state: RepositoryState = { links: new Set(), manifests: new Map(), tags: new Map() }
    for (const entry of index.manifests as Array<Record<string, unknown>>) {
      const { mediaType, digest, size } = entry ?? {}
      if (typeof mediaType !== 'string' || typeof digest !== 'string' || !FILE_DIGEST.test(digest) || typeof size !== 'number') {
        throw corrupt(path, `a descriptor is not {mediaType, digest, size} with a sha256 or sha512 digest: ${JSON.stringify(entry)}`)
      }
      if (!state.manifests.has(digest)) {
        const record: ManifestRecord = { mediaType, size }
        const bytesOnDisk = await this.#readOptional(this.#layoutBlobPath(dir, digest))
        if (bytesOnDisk) Object.assign(record, referrerFieldsFromBytes(mediaType, bytesOnDisk))
        state.manifests.set(digest, record)
      }
      const tag = (entry.annotations as Record<string, unknown> | undefined)?.[REF_NAME]
      if (typeof tag === 'string' && isTag(tag)) state.tags.set(tag, digest)
    }
    return state
  }

  /**
   * Runs `change` on the repository's state under its lock and writes the state back; `after`
   * then removes files the new state no longer needs (after the write, so a crash never leaves
   * state that names a missing file).
   */
  async #update<T>(repository: string, dir: string, change: (state: RepositoryState) => Promise<T>, after?: (state: RepositoryState, result: T) => Promise<void>): Promise<T> {
    await this.open()
    return this.#locked(`repository:${repository}`, async () => {
      const existing = await this.#readState(dir)
      const state = existing ?? { links: new Set<string>(), manifests: new Map<string, ManifestRecord>(), tags: new Map<string, string>() }
      if (!existing) await this.#createLayout(dir)
      const before = serializeState(state)
      const result = await change(state)
      if (!existing || serializeState(state) !== before) await this.#writeState(dir, state)
      await after?.(state, result)
      return result
    })
  }

  async #createLayout(dir: string): Promise<void> {
    await this.#fs.mkdir(this.#fs.join(dir, 'blobs'))
    const layout = this.#fs.join(dir, 'oci-layout')
    if (!(await this.#exists(layout))) await this.#writeAtomic(layout, new TextEncoder().encode(OCI_LAYOUT_FILE))
  }

  /** The state file first (the registry's truth), then `index.json` (the OCI view of it). */
  async #writeState(dir: string, state: RepositoryState): Promise<void> {
    await this.#writeAtomic(this.#fs.join(dir, REPOSITORY_STATE), new TextEncoder().encode(serializeState(state)))
    await this.#writeAtomic(this.#fs.join(dir, 'index.json'), json(indexOf(state)))
  }

  async #readManifest(dir: string, digest: string, record: ManifestRecord): Promise<StoredManifest | undefined> {
    const bytes = await this.#readOptional(this.#layoutBlobPath(dir, digest))
    // Bytes that do not hash to their digest are never served: the manifest is treated as absent.
    if (!bytes || hashOf(digest, bytes) !== digest) return undefined
    const { size: _size, ...fields } = record
    return { digest, bytes, ...fields }
  }

  // --- blob files ---

  /** Puts the blob's file into the repository's layout, when the store has it. */
  async #placeBlob(dir: string, digest: string): Promise<void> {
    const source = this.#blobPath(digest) as string
    if (!(await this.#exists(source))) return
    const target = this.#layoutBlobPath(dir, digest)
    await this.#fs.mkdir(this.#parent(target))
    await this.#linkOrCopy(source, target)
  }

  async #removeLayoutBlob(dir: string, digest: string): Promise<void> {
    await this.#fs.rm(this.#layoutBlobPath(dir, digest))
  }

  /** A hard link when the file system has them, else an atomic copy. An existing target is kept. */
  async #linkOrCopy(source: string, target: string): Promise<void> {
    try {
      await this.#fs.link(source, target)
      return
    } catch (error) {
      const code = errorCode(error)
      if (code === 'EEXIST') return
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EMLINK') throw error
    }
    if (await this.#exists(target)) return
    await this.#writeAtomic(target, await this.#fs.readFile(source))
  }

  /**
   * True when the file's bytes hash to `digest`. Hashing happens once per file identity (inode,
   * size, mtime): files this process wrote are known, files found on disk are read once.
   */
  async #verify(digest: string, handle: LayoutFileHandle, stats: LayoutStats): Promise<boolean> {
    const identity = identityOf(stats)
    if (this.#verified.get(digest) === identity) return true
    const hash = createHash(digest.slice(0, digest.indexOf(':')))
    for await (const chunk of readHandle(handle, { start: 0, end: stats.size - 1 }, false)) hash.update(chunk)
    const ok = `${digest.slice(0, digest.indexOf(':'))}:${hash.digest('hex')}` === digest
    if (ok) this.#verified.set(digest, identity)
    return ok
  }

  async #remember(digest: string, path: string): Promise<void> {
    this.#verified.set(digest, identityOf(await this.#fs.stat(path)))
  }

  /** Digests named by the files of `<dir>/<alg>/<hex>`, ignoring anything that is not one. */
  async #digestsIn(dir: string): Promise<string[]> {
    const digests: string[] = []
    for (const algorithm of await this.#readdirOptional(dir)) {
      for (const hex of await this.#readdirOptional(this.#fs.join(dir, algorithm))) {
        const digest = `${algorithm}:${hex}`
        if (FILE_DIGEST.test(digest)) digests.push(digest)
      }
    }
    return digests
  }

  // --- uploads ---

  async #readUpload(id: string): Promise<UploadInfo | undefined> {
    const data = this.#uploadPath(id)
    const meta = await this.#readOptional(`${data}.json`)
    if (!meta) return undefined
    const { repository } = parseJson(`${data}.json`, meta) as Partial<UploadFile>
    if (typeof repository !== 'string' || !isRepositoryName(repository)) return undefined
    const stats = await this.#statOptional(data)
    return stats && { id, repository, size: stats.size }
  }

  // --- paths, all from checked input ---

  /** `<root>/<repository>` with reserved components escaped, or undefined for an invalid name. */
  #repositoryDir(repository: string): string | undefined {
    if (typeof repository !== 'string' || !isRepositoryName(repository)) return undefined
    return this.#fs.join(this.#root, ...repository.split('/').map((component) => (LAYOUT_ENTRIES.has(component) ? `_${component}` : component)))
  }

  #writableRepository(repository: string, action: string): { dir: string } {
    const dir = this.#repositoryDir(repository)
    if (!dir) throw storageError(action, String(repository), 'it is not a valid repository name', 'Pass a name that matches the distribution-spec grammar, such as "team/app"')
    return { dir }
  }

  #writableDigest(digest: string, action: string): [string, string] {
    if (typeof digest !== 'string' || !FILE_DIGEST.test(digest)) {
      throw storageError(action, String(digest), 'it is not a sha256 or sha512 digest', 'Pass a digest such as "sha256:" followed by 64 lower-case hex digits')
    }
    return digest.split(':') as [string, string]
  }

  #blobPath(digest: string): string | undefined {
    if (typeof digest !== 'string' || !FILE_DIGEST.test(digest)) return undefined
    const [algorithm, hex] = digest.split(':') as [string, string]
    return this.#fs.join(this.#root, BLOBS, algorithm, hex)
  }

  #layoutBlobPath(dir: string, digest: string): string {
    const [algorithm, hex] = digest.split(':') as [string, string]
    return this.#fs.join(dir, 'blobs', algorithm, hex)
  }

  #uploadPath(id: string): string {
    return this.#fs.join(this.#root, UPLOADS, id)
  }

  #parent(path: string): string {
    return this.#fs.join(path, '..')
  }

  /** Every repository layout under the root, by walking the tree. */
  async #layouts(): Promise<Array<{ name: string; dir: string }>> {
    const found: Array<{ name: string; dir: string }> = []
    const walk = async (dir: string, components: string[]): Promise<void> => {
      const entries = await this.#readdirOptional(dir)
      const isLayout = components.length > 0 && (entries.includes(REPOSITORY_STATE) || entries.includes('index.json'))
      if (isLayout) found.push({ name: components.join('/'), dir })
      for (const entry of entries) {
        if (entry.startsWith('.') || (isLayout && LAYOUT_ENTRIES.has(entry))) continue
        const component = entry.startsWith('_') && LAYOUT_ENTRIES.has(entry.slice(1)) ? entry.slice(1) : entry
        const name = [...components, component].join('/')
        if (!isRepositoryName(name)) continue
        const path = this.#fs.join(dir, entry)
        if ((await this.#statOptional(path))?.isDirectory()) await walk(path, [...components, component])
      }
    }
    await walk(this.#root, [])
    return found
  }

  // --- file helpers ---

  /** Temp file in the root, synced, renamed over `path`: readers see the old file or the whole new one. */
  async #writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
    const temp = this.#fs.join(this.#root, TEMP, randomUUID())
    try {
      const handle = await this.#fs.open(temp, 'wx')
      try {
        await writeAll(handle, bytes)
        await handle.sync()
      } finally {
        await handle.close()
      }
      await this.#fs.rename(temp, path)
    } catch (error) {
      await this.#fs.rm(temp)
      throw error
    }
    await this.#fs.syncDirectory?.(this.#parent(path))
  }

  /** Hard links of every file under `from` into `to`, skipping the top-level names in `skip`. */
  async #mirror(from: string, to: string, skip: Set<string>): Promise<void> {
    for (const entry of await this.#readdirOptional(from)) {
      if (skip.has(entry)) continue
      const source = this.#fs.join(from, entry)
      const target = this.#fs.join(to, entry)
      const stats = await this.#statOptional(source)
      if (stats?.isDirectory()) {
        await this.#fs.mkdir(target)
        await this.#mirror(source, target, new Set())
      } else if (stats?.isFile()) {
        await this.#linkOrCopy(source, target)
      }
    }
  }

  async #removeContent(keep: string[]): Promise<void> {
    for (const entry of await this.#readdirOptional(this.#root)) if (!keep.includes(entry)) await this.#fs.rm(this.#fs.join(this.#root, entry))
  }

  async #openExisting(path: string): Promise<LayoutFileHandle | undefined> {
    try {
      return await this.#fs.open(path, 'r')
    } catch (error) {
      if (isMissing(error)) return undefined
      throw error
    }
  }

  async #readOptional(path: string): Promise<Uint8Array | undefined> {
    try {
      return await this.#fs.readFile(path)
    } catch (error) {
      if (isMissing(error)) return undefined
      throw error
    }
  }

  async #readdirOptional(path: string): Promise<string[]> {
    try {
      return await this.#fs.readdir(path)
    } catch (error) {
      if (isMissing(error)) return []
      throw error
    }
  }

  async #statOptional(path: string): Promise<LayoutStats | undefined> {
    try {
      return await this.#fs.stat(path)
    } catch (error) {
      if (isMissing(error)) return undefined
      throw error
    }
  }

  async #exists(path: string): Promise<boolean> {
    return (await this.#statOptional(path)) !== undefined
  }

  /** Runs `task` after every earlier task with the same key; `'*'` waits for and blocks all keys. */
  #locked<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = key === '*' ? Promise.all(this.#locks.values()) : Promise.all([this.#locks.get(key), this.#locks.get('*')])
    const run = previous.then(task, task)
    const settled = run.catch(() => undefined)
    this.#locks.set(key, settled)
    void settled.then(() => {
      if (this.#locks.get(key) === settled) this.#locks.delete(key)
    })
    return run
  }
}

/** Streams `range` of an open file, closing it at the end (unless `close` is false). */
async function* readHandle(handle: LayoutFileHandle, range: ByteRange, close = true): AsyncGenerator<Uint8Array> {
  try {
    let position = range.start
    while (position <= range.end) {
      const length = Math.min(READ_CHUNK, range.end - position + 1)
      const buffer = new Uint8Array(length)
      const { bytesRead } = await handle.read(buffer, 0, length, position)
      // The file shrank under us: end the stream short rather than invent bytes.
      if (bytesRead === 0) throw new Error(`file ended at byte ${position}, before byte ${range.end}`)
      yield bytesRead === length ? buffer : buffer.subarray(0, bytesRead)
      position += bytesRead
    }
  } finally {
    if (close) await handle.close()
  }
}

async function writeAll(handle: LayoutFileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset)
    offset += bytesWritten
  }
}

function hashOf(digest: string, bytes: Uint8Array): string {
  const algorithm = digest.slice(0, digest.indexOf(':'))
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`
}

function identityOf(stats: LayoutStats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value)}\n`)
}

function isMissing(error: unknown): boolean {
  const code = errorCode(error)
  return code === 'ENOENT' || code === 'ENOTDIR'
}
