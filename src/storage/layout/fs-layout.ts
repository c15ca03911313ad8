import { SUPPORTED_DIGEST } from '../../leaf/digest.js'
import { isTag } from '../../leaf/names.js'
import { BlobStore } from './blob-store.js'
import { KeyLocks } from './key-locks.js'
import { LayoutFiles } from './layout-files.js'
import type { LayoutFs } from './layout-fs.js'
import { BLOBS, emptyRoot, prepareRoot, TEMP, UPLOADS } from './layout-root.js'
import { LayoutSnapshots } from './layout-snapshots.js'
import { isVisible, storageError, type RepositoryState } from './layout-state.js'
import { compareCodePoints } from '../listing-order.js'
import { openRoot } from './open-root.js'
import { lockOf, RepositoryLayouts } from './repository-layouts.js'
import type {
  BlobInfo,
  ByteRange,
  GarbageCollection,
  Storage,
  StorageOpenSettings,
  StorageSnapshot,
  StoredManifest,
  UploadInfo,
} from '../storage.js'
import { uploadLockOf, UploadSessions } from './upload-sessions.js'
import { isUploadId } from '../upload-ids.js'

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
  #root: string
  #files: LayoutFiles
  #locks = new KeyLocks()
  #blobs: BlobStore
  #repositories: RepositoryLayouts
  #uploads: UploadSessions
  #snapshots: LayoutSnapshots
  #opening: Promise<void> | undefined

  constructor(kind: string, fs: LayoutFs, root: string) {
    this.kind = kind
    this.#root = root
    this.#files = new LayoutFiles(fs, fs.join(root, TEMP))
    this.#blobs = new BlobStore(this.#files, fs.join(root, BLOBS))
    this.#repositories = new RepositoryLayouts(this.#files, root, this.#locks)
    this.#uploads = new UploadSessions(this.#files, fs.join(root, UPLOADS), this.#locks, this.#blobs)
    this.#snapshots = new LayoutSnapshots(this.#files, root)
  }

  /**
   * Checks the root (creating it when missing), adopts layouts written by other tools, drops
   * leftovers: temp files, half-made sessions, and sessions unused for `uploadTimeoutMs`.
   */
  open(settings: StorageOpenSettings = {}): Promise<void> {
    this.#opening ??= openRoot(this.#files, this.#root, this.#repositories, this.#blobs)
      .then(() => this.#uploads.removeStale(settings.uploadTimeoutMs))
      .catch((error: unknown) => {
        this.#opening = undefined
        throw error
      })
    return this.#opening
  }

  // --- blobs ---

  async statBlob(digest: string): Promise<BlobInfo | undefined> {
    await this.open()
    return this.#blobs.stat(digest)
  }

  async readBlob(digest: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array> | undefined> {
    await this.open()
    return this.#blobs.read(digest, range)
  }

  // --- links ---

  async linkBlob(repository: string, digest: string): Promise<boolean> {
    const dir = this.#writableDir(repository, 'link a blob into')
    this.#checkDigest(digest, 'link')
    return this.#update(repository, dir, (state) => this.#link(dir, state, digest))
  }

  // Under the repository's lock, and garbage collection is exclusive: a blob found in the store
  // here stays there until the link is written.
  async #link(dir: string, state: RepositoryState, digest: string): Promise<boolean> {
    if (!(await this.#blobs.linkTo(digest, this.#repositories.blobPath(dir, digest)))) return false
    state.links.add(digest)
    return true
  }

  async unlinkBlob(repository: string, digest: string): Promise<boolean> {
    const dir = await this.#readableDir(repository, () => SUPPORTED_DIGEST.test(digest))
    if (!dir) return false
    return this.#update(
      repository,
      dir,
      async (state) => state.links.delete(digest),
      async (state, removed) => {
        if (removed && !state.manifests.has(digest)) await this.#repositories.removeBlob(dir, digest)
      },
    )
  }

  async isBlobLinked(repository: string, digest: string): Promise<boolean> {
    return (await this.#readState(repository, () => SUPPORTED_DIGEST.test(digest)))?.links.has(digest) ?? false
  }

  // --- uploads ---

  async createUpload(repository: string): Promise<UploadInfo> {
    this.#writableDir(repository, 'start an upload into')
    await this.open()
    return this.#uploads.create(repository)
  }

  async getUpload(id: string): Promise<UploadInfo | undefined> {
    if (!isUploadId(id)) return undefined
    await this.open()
    return this.#uploads.get(id)
  }

  async appendUpload(id: string, chunks: AsyncIterable<Uint8Array>): Promise<UploadInfo | undefined> {
    if (!isUploadId(id)) return undefined
    await this.open()
    return this.#uploads.append(id, chunks)
  }

  async readUpload(id: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    if (!isUploadId(id)) return undefined
    await this.open()
    return this.#uploads.read(id)
  }

  /**
   * Moves the bytes in and links them in one task holding the session's and the repository's
   * locks: garbage collection, reset and restore are exclusive, so none of them can run between
   * the blob entering the store and its link (see docs/storage.md, Concurrency).
   */
  async commitUpload(id: string, digest: string, size?: number): Promise<BlobInfo | undefined> {
    if (!isUploadId(id)) return undefined
    this.#checkDigest(digest, 'store')
    await this.open()
    const session = await this.#uploads.get(id)
    const dir = session && this.#repositories.dirOf(session.repository)
    if (!session || !dir) return undefined
    return this.#locks.run([uploadLockOf(id), lockOf(session.repository)], async () => {
      const upload = await this.#uploads.commitHeld(id, digest, size)
      if (!upload) return undefined
      await this.#repositories.updateHeld(dir, (state) => this.#link(dir, state, digest))
      return { digest, size: upload.size }
    })
  }

  async deleteUpload(id: string): Promise<boolean> {
    if (!isUploadId(id)) return false
    await this.open()
    return this.#uploads.delete(id)
  }

  // --- manifests ---

  async putManifest(repository: string, manifest: StoredManifest): Promise<void> {
    const dir = this.#writableDir(repository, 'store a manifest in')
    this.#checkDigest(manifest.digest, 'store a manifest as')
    await this.#update(repository, dir, async (state) => {
      state.manifests.set(manifest.digest, await this.#repositories.writeManifest(dir, manifest))
    })
  }

  async getManifest(repository: string, digest: string): Promise<StoredManifest | undefined> {
    const dir = await this.#readableDir(repository, () => SUPPORTED_DIGEST.test(digest))
    if (!dir) return undefined
    const record = (await this.#repositories.read(dir))?.manifests.get(digest)
    return record && this.#repositories.readManifest(dir, digest, record)
  }

  async deleteManifest(repository: string, digest: string): Promise<boolean> {
    const dir = await this.#readableDir(repository, () => SUPPORTED_DIGEST.test(digest))
    if (!dir) return false
    return this.#update(
      repository,
      dir,
      async (state) => {
        if (!state.manifests.delete(digest)) return false
        for (const [tag, target] of state.tags) if (target === digest) state.tags.delete(tag)
        return true
      },
      async (state, removed) => {
        if (removed && !state.links.has(digest)) await this.#repositories.removeBlob(dir, digest)
      },
    )
  }

  async listReferrers(repository: string, subjectDigest: string): Promise<StoredManifest[]> {
    const dir = await this.#readableDir(repository)
    if (!dir) return []
    const referrers: StoredManifest[] = []
    for (const [digest, record] of (await this.#repositories.read(dir))?.manifests ?? []) {
      if (record.subject !== subjectDigest) continue
      const manifest = await this.#repositories.readManifest(dir, digest, record)
      if (manifest) referrers.push(manifest)
    }
    return referrers
  }

  // --- tags ---

  async setTag(repository: string, tag: string, digest: string): Promise<void> {
    const dir = this.#writableDir(repository, 'tag a manifest in')
    this.#checkDigest(digest, 'tag')
    if (!isTag(tag))
      throw storageError(
        'set tag',
        tag,
        'it is not a valid tag',
        'Pass a tag that matches [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}',
      )
    await this.#update(repository, dir, async (state) => {
      state.tags.set(tag, digest)
    })
  }

  async resolveTag(repository: string, tag: string): Promise<string | undefined> {
    return (await this.#readState(repository, () => isTag(tag)))?.tags.get(tag)
  }

  async deleteTag(repository: string, tag: string): Promise<boolean> {
    const dir = await this.#readableDir(repository, () => isTag(tag))
    if (!dir) return false
    return this.#update(repository, dir, async (state) => state.tags.delete(tag))
  }

  async listTags(repository: string): Promise<string[] | undefined> {
    const state = await this.#readState(repository)
    return state && [...state.tags.keys()].sort(compareCodePoints)
  }

  // --- repositories ---

  async listRepositories(): Promise<string[]> {
    await this.open()
    const names: string[] = []
    for (const { name, dir } of await this.#repositories.all()) {
      // A repository whose files are damaged is left out of the listing, not the listing's end:
      // its own requests still name the file to repair.
      const state = await this.#repositories.read(dir).catch(() => undefined)
      if (state && isVisible(state)) names.push(name)
    }
    return names.sort(compareCodePoints)
  }

  async hasRepository(repository: string): Promise<boolean> {
    const state = await this.#readState(repository)
    return state !== undefined && isVisible(state)
  }

  async clear(): Promise<void> {
    await this.open()
    await this.#locks.exclusive(() => this.#empty())
  }

  // --- optional: snapshots and garbage collection ---

  async snapshot(): Promise<StorageSnapshot> {
    await this.open()
    return this.#locks.exclusive(() => this.#snapshots.take(this.kind))
  }

  /** Puts back the content of `snapshot`; open upload sessions end. */
  async restore(snapshot: StorageSnapshot): Promise<void> {
    if (!this.#snapshots.owns(snapshot)) {
      throw storageError(
        'restore snapshot',
        this.kind,
        'it was not taken from this storage',
        'Pass a snapshot that this storage returned from snapshot()',
      )
    }
    await this.open()
    await this.#locks.exclusive(async () => {
      await this.#empty()
      await this.#snapshots.copyBack(snapshot)
    })
  }

  /** Removes the blobs no repository links; returns their digests. */
  async garbageCollect(): Promise<GarbageCollection> {
    await this.open()
    return this.#locks.exclusive(async () => {
      const linked = new Set<string>()
      for (const { dir } of await this.#repositories.all())
        for (const digest of (await this.#repositories.read(dir))?.links ?? []) linked.add(digest)
      return { blobs: (await this.#blobs.removeAllBut(linked)).sort(compareCodePoints) }
    })
  }

  // --- helpers ---

  /** Opens the storage, then runs `RepositoryLayouts.update`. */
  async #update<T>(
    repository: string,
    dir: string,
    change: (state: RepositoryState) => Promise<T>,
    after?: (state: RepositoryState, result: T) => Promise<void>,
  ): Promise<T> {
    await this.open()
    return this.#repositories.update(repository, dir, change, after)
  }

  /** Drops the content; blob files verified before are gone, so is what was known of them. */
  async #empty(): Promise<void> {
    await emptyRoot(this.#files, this.#root)
    this.#blobs.forgetVerified()
    this.#repositories.forgetChecked()
    await prepareRoot(this.#files, this.#root)
  }

  /**
   * The repository's directory once the storage is open; undefined, without opening, when the
   * name or the rest of the input (checked by `valid`) cannot name anything stored.
   */
  async #readableDir(repository: string, valid = () => true): Promise<string | undefined> {
    const dir = this.#repositories.dirOf(repository)
    if (!dir || !valid()) return undefined
    await this.open()
    return dir
  }

  /** The repository's state; undefined when `#readableDir` finds nothing or the repository was never written. */
  async #readState(repository: string, valid?: () => boolean): Promise<RepositoryState | undefined> {
    const dir = await this.#readableDir(repository, valid)
    return dir === undefined ? undefined : this.#repositories.read(dir)
  }

  #writableDir(repository: string, action: string): string {
    const dir = this.#repositories.dirOf(repository)
    if (!dir)
      throw storageError(
        action,
        String(repository),
        'it is not a valid repository name',
        'Pass a name that matches the distribution-spec grammar, such as "team/app"',
      )
    return dir
  }

  #checkDigest(digest: string, action: string): void {
    if (typeof digest !== 'string' || !SUPPORTED_DIGEST.test(digest)) {
      throw storageError(
        action,
        String(digest),
        'it is not a sha256 or sha512 digest',
        'Pass a digest such as "sha256:" followed by 64 lower-case hex digits',
      )
    }
  }
}
