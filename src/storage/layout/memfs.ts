import { posix } from 'node:path'
import { Volume } from 'memfs'
import { FakeRegistryError } from '../../errors/fake-registry-error.js'
import { LayoutStorage } from './fs-layout.js'
import { wrapHandle, type LayoutFs, type LayoutStats } from './layout-fs.js'
import type { Storage } from '../storage.js'

/** Options of `memfsStorage`. */
export interface MemfsStorageOptions {
  /** Where in the volume the content lives. Default '/registry'. */
  root?: string
}

/**
 * Storage in a memfs volume, laid out exactly as `directoryStorage` lays out a directory (an OCI
 * image layout per repository), so a test can read or pre-populate the files with the volume's
 * API, and bodies stream through file handles rather than whole buffers.
 *
 * @example
 * import { Volume } from 'memfs'
 * import { memfsStorage } from 'fake-oci-registry/memfs'
 * const volume = new Volume()
 * const registry = await createFakeRegistry({ storage: memfsStorage(volume) })
 * // … push …
 * volume.readdirSync('/registry/team/app') // ['.fake-oci-registry.json', 'blobs', 'index.json', 'oci-layout']
 */
export function memfsStorage(volume: Volume = new Volume(), options: MemfsStorageOptions = {}): Storage {
  const root = options.root ?? '/registry'
  if (!(volume instanceof Volume) && typeof (volume as Partial<Volume> | undefined)?.promises?.open !== 'function') {
    throw new FakeRegistryError('ERR_INVALID_OPTION', {
      action: 'use memfs storage with',
      subject: String(volume),
      reason: 'it is not a memfs Volume',
      fix: 'Pass a volume from memfs (new Volume(), or memfs().vol), or nothing for a new one',
    })
  }
  if (typeof root !== 'string' || !root.startsWith('/') || root.includes('\0')) {
    throw new FakeRegistryError('ERR_INVALID_OPTION', {
      action: 'use memfs storage at',
      subject: String(root),
      reason: 'the root must be an absolute path in the volume',
      fix: "Pass one such as '/registry'",
    })
  }
  return new LayoutStorage('memfs', volumeFs(volume), posix.normalize(root))
}

function volumeFs(volume: Volume): LayoutFs {
  const fs = volume.promises
  return {
    join: (...parts) => posix.join(...parts),
    mkdir: async (path) => void (await fs.mkdir(path, { recursive: true })),
    // A volume's calls follow links: each is refused first, as O_NOFOLLOW does on disk.
    readFile: async (path) => {
      await refuseLink(path)
      return new Uint8Array((await fs.readFile(path)) as Uint8Array)
    },
    open: async (path, flags) => {
      await refuseLink(path)
      const handle = await fs.open(path, flags)
      // A volume has no disk to flush to; datasync is what its handles offer.
      return wrapHandle(handle, { sync: () => handle.datasync(), stat: async () => statsOf(await handle.stat()) })
    },
    rename: (from, to) => fs.rename(from, to),
    link: (from, to) => fs.link(from, to),
    unlink: (path) => fs.unlink(path),
    rm: (path) => fs.rm(path, { recursive: true, force: true }),
    readdir: async (path) => (await fs.readdir(path)).map(String),
    stat: async (path) => statsOf(await fs.lstat(path)),
  }

  async function refuseLink(path: string): Promise<void> {
    let link = false
    try {
      link = (await fs.lstat(path)).isSymbolicLink()
    } catch {
      // Missing: the call itself reports it.
    }
    if (link) throw Object.assign(new Error(`ELOOP: a symbolic link, not followed: ${path}`), { code: 'ELOOP' })
  }
}

interface VolumeStats {
  size: number | bigint
  ino: number | bigint
  mtimeMs: number | bigint
  isFile(): boolean
  isDirectory(): boolean
  isSymbolicLink(): boolean
}

function statsOf(stats: VolumeStats): LayoutStats {
  return {
    size: Number(stats.size),
    ino: Number(stats.ino),
    mtimeMs: Number(stats.mtimeMs),
    isFile: () => stats.isFile(),
    isDirectory: () => stats.isDirectory(),
    isSymbolicLink: () => stats.isSymbolicLink(),
  }
}
