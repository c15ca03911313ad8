import { digestStream, SUPPORTED_DIGEST } from '../../leaf/digest.js'
import { algorithmOf, readHandle, type LayoutFiles } from './layout-files.js'
import type { LayoutFileHandle, LayoutStats } from './layout-fs.js'
import type { BlobInfo, ByteRange } from '../storage.js'

/**
 * The content-addressed blob files, `<dir>/<alg>/<hex>`, shared by every repository. A file
 * counts as the blob only while its bytes hash to its name: one changed by hand, or left half
 * written by another tool, is never served.
 */
export class BlobStore {
  #files: LayoutFiles
  #dir: string
  // Blob files whose content was hashed and matched, by the identity of the file then.
  #verified = new Map<string, string>()

  constructor(files: LayoutFiles, dir: string) {
    this.#files = files
    this.#dir = dir
  }

  /** The blob's file, or undefined for anything but a sha256 or sha512 digest. */
  path(digest: string): string | undefined {
    if (typeof digest !== 'string' || !SUPPORTED_DIGEST.test(digest)) return undefined
    return this.#files.digestPath(this.#dir, digest)
  }

  async stat(digest: string): Promise<BlobInfo | undefined> {
    const path = this.path(digest)
    if (!path) return undefined
    const handle = await this.#files.openExisting(path)
    if (!handle) return undefined
    try {
      const stats = await handle.stat()
      return (await this.#verify(digest, handle, stats)) ? { digest, size: stats.size } : undefined
    } finally {
      await handle.close()
    }
  }

  async read(digest: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array> | undefined> {
    const info = await this.stat(digest)
    if (!info) return undefined
    // Opened when the stream is read, so a stream never consumed holds no file handle.
    return this.#stream(digest, range ?? { start: 0, end: info.size - 1 })
  }

  async *#stream(digest: string, range: ByteRange): AsyncGenerator<Uint8Array> {
    const handle = await this.#files.fs.open(this.path(digest) as string, 'r')
    try {
      // Replaced since stat (a file found on disk, changed by hand): hashed again before any byte leaves.
      if (!(await this.#verify(digest, handle, await handle.stat())))
        throw new Error(`blob ${digest} no longer matches its digest`)
      yield* readHandle(handle, range, false)
    } finally {
      await handle.close()
    }
  }

  /** Puts the blob's file at `target` (in a repository's layout) when the store has it; false when not. */
  async linkTo(digest: string, target: string): Promise<boolean> {
    const source = this.path(digest) as string
    if (!(await this.#files.exists(source))) return false
    await this.#files.place(source, target)
    return true
  }

  /** Takes a file found in a layout into the store, leaving it where it is. */
  async linkFrom(source: string, digest: string): Promise<void> {
    await this.#files.place(source, this.path(digest) as string)
  }

  /** Moves a finished upload's file into the store; the caller has verified its digest. */
  async moveIn(source: string, digest: string): Promise<void> {
    // Two sessions committing the same digest race harmlessly: both files hold the same
    // verified bytes and each rename is atomic. A stored file that fails verification is
    // replaced, never trusted.
    const target = this.path(digest) as string
    if (await this.stat(digest)) {
      await this.#files.fs.unlink(source)
      return
    }
    const dir = this.#files.parent(target)
    await this.#files.fs.mkdir(dir)
    await this.#files.fs.rename(source, target)
    await this.#files.fs.syncDirectory?.(dir)
    this.#verified.set(digest, identityOf(await this.#files.fs.stat(target)))
  }

  /** Removes every blob whose digest is not in `keep`; returns the removed digests. */
  async removeAllBut(keep: Set<string>): Promise<string[]> {
    const removed: string[] = []
    for (const digest of await this.#files.digestsIn(this.#dir)) {
      if (keep.has(digest)) continue
      await this.#files.fs.rm(this.path(digest) as string)
      this.#verified.delete(digest)
      removed.push(digest)
    }
    return removed
  }

  /** For when the files under the store are replaced wholesale (clear, restore). */
  forgetVerified(): void {
    this.#verified.clear()
  }

  /**
   * True when the file's bytes hash to `digest`. Hashing happens once per file identity (inode,
   * size, mtime): files this process wrote are known, files found on disk are read once.
   */
  async #verify(digest: string, handle: LayoutFileHandle, stats: LayoutStats): Promise<boolean> {
    const identity = identityOf(stats)
    if (this.#verified.get(digest) === identity) return true
    const { digest: actual } = await digestStream(
      readHandle(handle, { start: 0, end: stats.size - 1 }, false),
      algorithmOf(digest),
    )
    const ok = actual === digest
    if (ok) this.#verified.set(digest, identity)
    return ok
  }
}

function identityOf(stats: LayoutStats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`
}
