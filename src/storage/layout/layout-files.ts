import { randomUUID } from 'node:crypto'
import { SUPPORTED_DIGEST, type DigestAlgorithm } from '../../leaf/digest.js'
import { errorCode, type LayoutFileHandle, type LayoutFs, type LayoutStats } from './layout-fs.js'
import type { ByteRange } from '../storage.js'

const READ_CHUNK = 64 * 1024

/**
 * The file operations the layout storage builds on, over a `LayoutFs`: reads for which a missing
 * file is an answer rather than an error, atomic writes, and hard links with a copy as fallback.
 */
export class LayoutFiles {
  /** The plain calls, for what needs nothing more. */
  readonly fs: LayoutFs
  #temp: string

  /** `temp` is a directory on the same file system as every target, so a rename into place is atomic. */
  constructor(fs: LayoutFs, temp: string) {
    this.fs = fs
    this.#temp = temp
  }

  parent(path: string): string {
    return this.fs.join(path, '..')
  }

  /** `<dir>/<alg>/<hex>`: where a content-addressed file lives, in the blob store and in each layout. */
  digestPath(dir: string, digest: string): string {
    const [algorithm, hex] = digest.split(':') as [string, string]
    return this.fs.join(dir, algorithm, hex)
  }

  /** Digests named by the files of `<dir>/<alg>/<hex>`, ignoring anything that is not one. */
  async digestsIn(dir: string): Promise<string[]> {
    const digests: string[] = []
    for (const algorithm of await this.readdirOptional(dir)) {
      // Never listed through a link: what it names would be outside the root.
      if (!(await this.statOptional(this.fs.join(dir, algorithm)))?.isDirectory()) continue
      for (const hex of await this.readdirOptional(this.fs.join(dir, algorithm))) {
        const digest = `${algorithm}:${hex}`
        if (SUPPORTED_DIGEST.test(digest)) digests.push(digest)
      }
    }
    return digests
  }

  /** Temp file, synced, renamed over `path`: readers see the old file or the whole new one. */
  async writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
    const temp = this.fs.join(this.#temp, randomUUID())
    try {
      const handle = await this.fs.open(temp, 'wx')
      try {
        await writeAll(handle, bytes)
        await handle.sync()
      } finally {
        await handle.close()
      }
      await this.fs.rename(temp, path)
    } catch (error) {
      await this.fs.rm(temp)
      throw error
    }
    await this.fs.syncDirectory?.(this.parent(path))
  }

  /** Links or copies `source` to `target` (see `#linkOrCopy`), creating the directory of `target`. */
  async place(source: string, target: string): Promise<void> {
    await this.fs.mkdir(this.parent(target))
    await this.#linkOrCopy(source, target)
  }

  /** A hard link when the file system has them, else an atomic copy. An existing target is kept. */
  async #linkOrCopy(source: string, target: string): Promise<void> {
    try {
      await this.fs.link(source, target)
      return
    } catch (error) {
      const code = errorCode(error)
      if (code === 'EEXIST') return
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EMLINK')
        throw error
    }
    if (await this.exists(target)) return
    await this.writeAtomic(target, await this.fs.readFile(source))
  }

  /** Hard links of every file under `from` into `to`, skipping the top-level names in `skip`. */
  async mirror(from: string, to: string, skip: Set<string>): Promise<void> {
    for (const entry of await this.readdirOptional(from)) {
      if (skip.has(entry)) continue
      const source = this.fs.join(from, entry)
      const target = this.fs.join(to, entry)
      const stats = await this.statOptional(source)
      if (stats?.isDirectory()) {
        await this.fs.mkdir(target)
        await this.mirror(source, target, new Set())
      } else if (stats?.isFile()) {
        await this.#linkOrCopy(source, target)
      }
    }
  }

  /** Removes every entry of `dir` except those named in `keep`. */
  async removeEntries(dir: string, keep: string[]): Promise<void> {
    for (const entry of await this.readdirOptional(dir))
      if (!keep.includes(entry)) await this.fs.rm(this.fs.join(dir, entry))
  }

  /** The file at `path` opened, or undefined when there is none: missing, a link, a directory. */
  async openExisting(path: string, flags: 'r' | 'r+' = 'r'): Promise<LayoutFileHandle | undefined> {
    const handle = await unlessMissing(() => this.fs.open(path, flags), undefined)
    if (!handle || (await handle.stat()).isFile()) return handle
    await handle.close()
    return undefined
  }

  readOptional(path: string): Promise<Uint8Array | undefined> {
    return unlessMissing(() => this.fs.readFile(path), undefined)
  }

  readdirOptional(path: string): Promise<string[]> {
    return unlessMissing(() => this.fs.readdir(path), [])
  }

  statOptional(path: string): Promise<LayoutStats | undefined> {
    return unlessMissing(() => this.fs.stat(path), undefined)
  }

  /** True for a file or a directory; a symbolic link counts as nothing, so a write replaces it. */
  async exists(path: string): Promise<boolean> {
    const stats = await this.statOptional(path)
    return stats !== undefined && !stats.isSymbolicLink()
  }
}

/** Streams `range` of an open file, closing it at the end (unless `close` is false). */
export async function* readHandle(
  handle: LayoutFileHandle,
  range: ByteRange,
  close = true,
): AsyncGenerator<Uint8Array> {
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

/** Writes all of `bytes`, from `position` when given (else where the last write ended). */
export async function writeAll(handle: LayoutFileHandle, bytes: Uint8Array, position?: number): Promise<void> {
  let offset = 0
  while (offset < bytes.byteLength) {
    const at = position === undefined ? undefined : position + offset
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset, at)
    offset += bytesWritten
  }
}

/** A JSON file's bytes, newline-terminated. */
export function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value)}\n`)
}

/** The algorithm of a digest that passed `SUPPORTED_DIGEST`, which admits only those the registry computes. */
export function algorithmOf(digest: string): DigestAlgorithm {
  return digest.slice(0, digest.indexOf(':')) as DigestAlgorithm
}

// What the layout expects is not there: missing, a file where a directory belongs, a symbolic
// link (never followed), a directory where a file belongs.
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'EISDIR'])

/** The call's result, or `fallback` when the path is not what the layout expects there (`ABSENT`). */
async function unlessMissing<T, F>(call: () => Promise<T>, fallback: F): Promise<T | F> {
  try {
    return await call()
  } catch (error) {
    if (ABSENT.has(errorCode(error) ?? '')) return fallback
    throw error
  }
}
