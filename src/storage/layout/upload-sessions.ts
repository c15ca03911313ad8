import { isRepositoryName } from '../../leaf/names.js'
import type { BlobStore } from './blob-store.js'
import type { KeyLocks } from './key-locks.js'
import { json, readHandle, writeAll, type LayoutFiles } from './layout-files.js'
import { parseJson, type UploadFile } from './layout-state.js'
import type { UploadInfo } from '../storage.js'
import { newUploadId } from '../upload-ids.js'

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

  constructor(files: LayoutFiles, dir: string, locks: KeyLocks, blobs: BlobStore) {
    this.#files = files
    this.#dir = dir
    this.#locks = locks
    this.#blobs = blobs
  }

  async create(repository: string): Promise<UploadInfo> {
    const id = newUploadId()
    const data = this.#path(id)
    await (await this.#files.fs.open(data, 'wx')).close()
    await this.#files.writeAtomic(`${data}.json`, json({ repository } satisfies UploadFile))
    return { id, repository, size: 0 }
  }

  async get(id: string): Promise<UploadInfo | undefined> {
    const data = this.#path(id)
    const meta = await this.#files.readOptional(`${data}.json`)
    if (!meta) return undefined
    const { repository } = parseJson(`${data}.json`, meta) as Partial<UploadFile>
    if (typeof repository !== 'string' || !isRepositoryName(repository)) return undefined
    const stats = await this.#files.statOptional(data)
    return stats && { id, repository, size: stats.size }
  }

  append(id: string, chunks: AsyncIterable<Uint8Array>): Promise<UploadInfo | undefined> {
    return this.#locked(id, async () => {
      const upload = await this.get(id)
      if (!upload) return undefined
      const handle = await this.#files.fs.open(this.#path(id), 'a')
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
      return (await this.get(id)) && { ...upload, size }
    })
  }

  async read(id: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    const upload = await this.get(id)
    const handle = upload && (await this.#files.openExisting(this.#path(id)))
    return handle && readHandle(handle, { start: 0, end: upload.size - 1 })
  }

  /** Moves the session's bytes into the blob store under `digest` and ends it; returns the session as it was. */
  commit(id: string, digest: string): Promise<UploadInfo | undefined> {
    return this.#locked(id, async () => {
      const found = await this.get(id)
      if (!found) return undefined
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
    })
  }

  /** Ends the session and drops its bytes; true when it existed. */
  delete(id: string): Promise<boolean> {
    return this.#locked(id, async () => {
      const existed = (await this.get(id)) !== undefined
      const data = this.#path(id)
      await this.#files.fs.rm(`${data}.json`)
      await this.#files.fs.rm(data)
      return existed
    })
  }

  #locked<T>(id: string, task: () => Promise<T>): Promise<T> {
    return this.#locks.run(`upload:${id}`, task)
  }

  #path(id: string): string {
    return this.#files.fs.join(this.#dir, id)
  }
}
