import { isRepositoryName } from '../../leaf/names.js'
import type { BlobStore } from './blob-store.js'
import type { KeyLocks } from './key-locks.js'
import { json, readHandle, writeAll, type LayoutFiles } from './layout-files.js'
import { parseJson, type UploadFile } from './layout-state.js'
import type { UploadInfo } from '../storage.js'
import { isUploadId, newUploadId } from '../upload-ids.js'

/** The lock key of an upload session, held by every change to it. */
export function uploadLockOf(id: string): string {
  return `upload:${id}`
}

/**
 * Upload sessions as two files in one directory: `<id>` holds the bytes received so far (its
 * size is the session's) and `<id>.json` the repository. A session exists while both do, so a
 * session interrupted by a crash resumes after a restart. Ids reach here checked.
 */
export class UploadSessions {
  #files: LayoutFiles
  #dir: string
  #locks: KeyLocks
  #blobs: BlobStore
  // The size of each session with an append in progress, as it was before: its file grows as
  // chunks arrive, but until the append ends those bytes are not the session's.
  #appending = new Map<string, number>()

  constructor(files: LayoutFiles, dir: string, locks: KeyLocks, blobs: BlobStore) {
    this.#files = files
    this.#dir = dir
    this.#locks = locks
    this.#blobs = blobs
  }

  create(repository: string): Promise<UploadInfo> {
    const id = newUploadId()
    return this.#locks.run(uploadLockOf(id), async () => {
      const data = this.#path(id)
      await (await this.#files.fs.open(data, 'wx')).close()
      await this.#files.writeAtomic(`${data}.json`, json({ repository } satisfies UploadFile))
      return { id, repository, size: 0 }
    })
  }

  async get(id: string): Promise<UploadInfo | undefined> {
    const data = this.#path(id)
    let repository: unknown
    try {
      const meta = await this.#files.readOptional(`${data}.json`)
      if (!meta) return undefined
      ;({ repository } = parseJson(`${data}.json`, meta) as Partial<UploadFile>)
    } catch {
      repository = undefined
    }
    if (typeof repository !== 'string' || !isRepositoryName(repository)) {
      // Written atomically, so this is damage, not a write in progress: no client can use the
      // session, so it goes, and it reads as absent (404, never a 500).
      await this.#files.fs.rm(`${data}.json`)
      await this.#files.fs.rm(data)
      return undefined
    }
    const stats = await this.#files.statOptional(data)
    return stats?.isFile() ? { id, repository, size: this.#appending.get(id) ?? stats.size } : undefined
  }

  /**
   * Streams `chunks` onto the session. Its lock is a streaming one: a reset or restore does not
   * wait for a client that keeps sending, and removes the session under it; the bytes then go
   * to a file no longer named and the append answers that the session is gone.
   */
  append(id: string, chunks: AsyncIterable<Uint8Array>): Promise<UploadInfo | undefined> {
    return this.#locks.run(
      uploadLockOf(id),
      async () => {
        const upload = await this.get(id)
        if (!upload) return undefined
        // 'r+', never 'a': a session removed since get() must not be created again, empty.
        const handle = await this.#files.openExisting(this.#path(id), 'r+')
        if (!handle) return undefined
        let size = upload.size
        this.#appending.set(id, upload.size)
        try {
          for await (const chunk of chunks) {
            await writeAll(handle, chunk, size)
            size += chunk.byteLength
          }
        } catch (error) {
          // All or nothing: a chunk stream that fails leaves the session as it was.
          await handle.truncate(upload.size)
          throw error
        } finally {
          this.#appending.delete(id)
          await handle.close()
        }
        return (await this.get(id)) && { ...upload, size }
      },
      { streaming: true },
    )
  }

  async read(id: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    const upload = await this.get(id)
    const handle = upload && (await this.#files.openExisting(this.#path(id)))
    return handle && readHandle(handle, { start: 0, end: upload.size - 1 })
  }

  /**
   * Moves the session's bytes into the blob store under `digest` and ends it; returns the session
   * as it was. Undefined, committing nothing, when it does not exist or (`size` given) has
   * another size. The caller holds the session's lock (`uploadLockOf`), so no append is
   * running and the size is final here.
   */
  async commitHeld(id: string, digest: string, size?: number): Promise<UploadInfo | undefined> {
    const found = await this.get(id)
    if (!found || (size !== undefined && found.size !== size)) return undefined
    const data = this.#path(id)
    const handle = await this.#files.fs.open(data, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
    await this.#blobs.moveIn(data, digest)
    await this.#files.fs.rm(`${data}.json`)
    return found
  }

  /**
   * Removes what no client can use any more, when the storage opens: a session file without its
   * other half (a crash between the two writes), an unreadable one, anything that is not a
   * session, and (`olderThanMs` given) sessions whose files have not changed for that long.
   */
  async removeStale(olderThanMs?: number): Promise<void> {
    const entries = await this.#files.readdirOptional(this.#dir)
    const ids = new Set(entries.map((entry) => entry.replace(/\.json$/, '')))
    for (const id of ids) {
      const data = this.#path(id)
      const session =
        isUploadId(id) && entries.includes(id) && entries.includes(`${id}.json`)
          ? await this.get(id).catch(() => undefined)
          : undefined
      const changed =
        session &&
        Math.max(
          (await this.#files.statOptional(data))?.mtimeMs ?? 0,
          (await this.#files.statOptional(`${data}.json`))?.mtimeMs ?? 0,
        )
      if (session && (olderThanMs === undefined || Date.now() - (changed as number) <= olderThanMs)) continue
      await this.#files.fs.rm(data)
      await this.#files.fs.rm(`${data}.json`)
    }
  }

  /** Ends the session and drops its bytes; true when it existed. */
  delete(id: string): Promise<boolean> {
    return this.#locks.run(uploadLockOf(id), async () => {
      const existed = (await this.get(id)) !== undefined
      const data = this.#path(id)
      await this.#files.fs.rm(`${data}.json`)
      await this.#files.fs.rm(data)
      return existed
    })
  }

  #path(id: string): string {
    return this.#files.fs.join(this.#dir, id)
  }
}
