import { open, link, mkdir, readdir, readFile, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { FakeRegistryError } from '../../errors/fake-registry-error.js'
import { LayoutStorage } from './fs-layout.js'
import { errorCode, wrapHandle, type LayoutFs } from './layout-fs.js'
import type { Storage } from '../storage.js'

/**
 * Storage on disk: each repository an OCI image layout under `path` (`<path>/<repository>/`
 * with `oci-layout`, `index.json` naming tags with `org.opencontainers.image.ref.name`, and
 * `blobs/<alg>/<hex>`), so `skopeo copy oci:<path>/team/app:1 …` and other OCI tools read it.
 * Content survives a restart; every write is atomic (temp file, fsync, rename). A directory
 * that holds only OCI layouts (written by skopeo, for example) is adopted: its repositories are
 * served as they are.
 *
 * @example
 * const registry = await createFakeRegistry({ storage: directoryStorage('./registry-data') })
 */
export function directoryStorage(path: string): Storage {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw new FakeRegistryError('ERR_INVALID_OPTION', {
      action: 'use directory storage at',
      subject: String(path),
      reason: 'the path must be a non-empty string without NUL bytes',
      fix: "Pass a directory path such as './registry-data'",
    })
  }
  return new LayoutStorage('directory', nodeLayoutFs, resolve(path))
}

const nodeLayoutFs: LayoutFs = {
  join,
  mkdir: async (path) => void (await mkdir(path, { recursive: true })),
  readFile: async (path) => new Uint8Array(await readFile(path)),
  open: async (path, flags) => {
    const handle = await open(path, flags)
    return wrapHandle(handle, { sync: () => handle.sync(), stat: () => handle.stat() })
  },
  rename,
  link,
  unlink,
  rm: (path) => rm(path, { recursive: true, force: true }),
  readdir: (path) => readdir(path),
  stat: (path) => stat(path),
  // Without it a rename can be lost on power failure even though the file itself was synced.
  async syncDirectory(path) {
    let handle: FileHandle | undefined
    try {
      handle = await open(path, 'r')
      await handle.sync()
    } catch (error) {
      // Some platforms cannot open or sync a directory; the rename is still atomic there.
      if (!['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP'].includes(errorCode(error) ?? '')) throw error
    } finally {
      await handle?.close()
    }
  },
}
