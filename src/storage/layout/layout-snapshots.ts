import { randomUUID } from 'node:crypto'
import type { LayoutFiles } from './layout-files.js'
import { ROOT_MARKER, SNAPSHOTS, TEMP, UPLOADS } from './layout-root.js'
import type { StorageSnapshot } from '../storage.js'

// Root entries that are not content: the marker stays put, sessions end on restore, temp files
// are still being written, and a snapshot never holds another.
const NOT_CONTENT = new Set([ROOT_MARKER, UPLOADS, TEMP, SNAPSHOTS])

/**
 * Snapshots as copies of the root's content made of hard links, under `<root>/.snapshots/<id>`:
 * every file is immutable once written (writes replace files, never change them), so a snapshot
 * costs one link per file, not the bytes. The caller serialises them with every other write.
 */
export class LayoutSnapshots {
  #files: LayoutFiles
  #root: string
  // Only snapshots this storage took have a directory.
  #ids = new WeakMap<StorageSnapshot, string>()

  constructor(files: LayoutFiles, root: string) {
    this.#files = files
    this.#root = root
  }

  async take(kind: string): Promise<StorageSnapshot> {
    const id = randomUUID()
    const target = this.#dir(id)
    await this.#files.fs.mkdir(target)
    await this.#files.mirror(this.#root, target, NOT_CONTENT)
    const snapshot: StorageSnapshot = Object.freeze({ kind })
    this.#ids.set(snapshot, id)
    return snapshot
  }

  owns(snapshot: StorageSnapshot): boolean {
    return this.#ids.has(snapshot)
  }

  /** Links the snapshot's content back into the root, which the caller has emptied. */
  async copyBack(snapshot: StorageSnapshot): Promise<void> {
    await this.#files.mirror(this.#dir(this.#ids.get(snapshot) as string), this.#root, new Set())
  }

  #dir(id: string): string {
    return this.#files.fs.join(this.#root, SNAPSHOTS, id)
  }
}
