import { isRepositoryName, isTag } from '../../leaf/names.js'
import { computeDigest, SUPPORTED_DIGEST } from '../../leaf/digest.js'
import type { KeyLocks } from './key-locks.js'
import { algorithmOf, json, type LayoutFiles } from './layout-files.js'
import {
  corrupt,
  emptyState,
  indexOf,
  parseJson,
  parseStateFile,
  REF_NAME,
  referrerFieldsFromBytes,
  serializeState,
  storageError,
  type ManifestRecord,
  type RepositoryState,
} from './layout-state.js'
import type { StoredManifest } from '../storage.js'

/** The lock key of a repository's layout, held by every change to it. */
export function lockOf(repository: string): string {
  return `repository:${repository}`
}

/** Per repository: what the OCI layout cannot hold (blob links, referrer fields, stored kinds). */
const REPOSITORY_STATE = '.fake-oci-registry.json'
// The files of an OCI image layout. A repository path component can take these names too
// (`team/blobs` is valid), so such a component is stored as `_blobs`: no component starts with `_`.
const LAYOUT_ENTRIES = new Set(['blobs', 'index.json', 'oci-layout'])

/**
 * The OCI image layout of each repository, `<root>/<repository>/`: its state file (the
 * registry's truth), `index.json` (the OCI view of it, naming tags), `oci-layout`, and
 * `blobs/<alg>/<hex>` with its manifests and linked blobs. A layout another tool wrote has no
 * state file and is read from its `index.json`.
 */
export class RepositoryLayouts {
  #files: LayoutFiles
  #root: string
  #locks: KeyLocks

  // Repository directories found to hold no symbolic link on their way from the root.
  #linkFree = new Set<string>()

  constructor(files: LayoutFiles, root: string, locks: KeyLocks) {
    this.#files = files
    this.#root = root
    this.#locks = locks
  }

  /**
   * Whether the path from the root to the repository's `blobs/<alg>` directories is made of
   * directories only (or of nothing yet): a link there would lead reads and writes out of the
   * root. Checked at start for the whole root; here once per repository, for links made since.
   */
  async #isLinkFree(dir: string): Promise<boolean> {
    if (this.#linkFree.has(dir)) return true
    const relative = dir.slice(this.#root.length + 1).split(/[\\/]/)
    const blobs = this.#files.fs.join(dir, 'blobs')
    const paths = relative.map((_, index) => this.#files.fs.join(this.#root, ...relative.slice(0, index + 1)))
    paths.push(blobs, this.#files.fs.join(blobs, 'sha256'), this.#files.fs.join(blobs, 'sha512'))
    let complete = true
    for (const path of paths) {
      const stats = await this.#files.statOptional(path)
      if (stats?.isSymbolicLink()) return false
      if (!stats) complete = false
    }
    if (complete) this.#linkFree.add(dir)
    return true
  }

  /** Forgets what `#isLinkFree` found, for when the files under the root are replaced (clear, restore). */
  forgetChecked(): void {
    this.#linkFree.clear()
  }

  /** `<root>/<repository>` with reserved components escaped, or undefined for an invalid name. */
  dirOf(repository: string): string | undefined {
    if (typeof repository !== 'string' || !isRepositoryName(repository)) return undefined
    return this.#files.fs.join(
      this.#root,
      ...repository.split('/').map((component) => (LAYOUT_ENTRIES.has(component) ? `_${component}` : component)),
    )
  }

  /** Where the layout keeps the manifest or blob `digest`. */
  blobPath(dir: string, digest: string): string {
    return this.#files.digestPath(this.#files.fs.join(dir, 'blobs'), digest)
  }

  /** Digests of the files under the layout's `blobs/`. */
  blobDigests(dir: string): Promise<string[]> {
    return this.#files.digestsIn(this.#files.fs.join(dir, 'blobs'))
  }

  /** Every repository layout under the root, by walking the tree. */
  async all(): Promise<Array<{ name: string; dir: string }>> {
    const found: Array<{ name: string; dir: string }> = []
    const walk = async (dir: string, components: string[]): Promise<void> => {
      const entries = await this.#files.readdirOptional(dir)
      const isLayout = components.length > 0 && (entries.includes(REPOSITORY_STATE) || entries.includes('index.json'))
      if (isLayout) found.push({ name: components.join('/'), dir })
      for (const entry of entries) {
        if (entry.startsWith('.') || (isLayout && LAYOUT_ENTRIES.has(entry))) continue
        const component = entry.startsWith('_') && LAYOUT_ENTRIES.has(entry.slice(1)) ? entry.slice(1) : entry
        const name = [...components, component].join('/')
        if (!isRepositoryName(name)) continue
        const path = this.#files.fs.join(dir, entry)
        if ((await this.#files.statOptional(path))?.isDirectory()) await walk(path, [...components, component])
      }
    }
    await walk(this.#root, [])
    return found
  }

  /** Reads a repository's state; undefined when it has never been written. */
  async read(dir: string): Promise<RepositoryState | undefined> {
    // A repository reached through a link is not this storage's: as if it were not there.
    if (!(await this.#isLinkFree(dir))) return undefined
    const statePath = this.#files.fs.join(dir, REPOSITORY_STATE)
    const stateBytes = await this.#files.readOptional(statePath)
    if (stateBytes) return parseStateFile(statePath, stateBytes)
    // No state file: a layout another tool wrote, described by its index.json alone.
    const indexPath = this.#files.fs.join(dir, 'index.json')
    const indexBytes = await this.#files.readOptional(indexPath)
    if (!indexBytes) return undefined
    const state = await this.#stateFromIndex(dir, indexPath, indexBytes)
    for (const digest of await this.blobDigests(dir)) if (!state.manifests.has(digest)) state.links.add(digest)
    return state
  }

  async #stateFromIndex(dir: string, path: string, bytes: Uint8Array): Promise<RepositoryState> {
    const index = parseJson(path, bytes) as { manifests?: unknown }
    if (!Array.isArray(index?.manifests)) throw corrupt(path, 'it has no "manifests" array')
    const state = emptyState()
    for (const entry of index.manifests as Array<Record<string, unknown>>) {
      const { mediaType, digest, size } = entry ?? {}
      if (
        typeof mediaType !== 'string' ||
        typeof digest !== 'string' ||
        !SUPPORTED_DIGEST.test(digest) ||
        typeof size !== 'number'
      ) {
        throw corrupt(
          path,
          `a descriptor is not {mediaType, digest, size} with a sha256 or sha512 digest: ${JSON.stringify(entry)}`,
        )
      }
      if (!state.manifests.has(digest)) {
        const record: ManifestRecord = { mediaType, size }
        const bytesOnDisk = await this.#files.readOptional(this.blobPath(dir, digest))
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
  update<T>(
    repository: string,
    dir: string,
    change: (state: RepositoryState) => Promise<T>,
    after?: (state: RepositoryState, result: T) => Promise<void>,
  ): Promise<T> {
    return this.#locks.run(lockOf(repository), () => this.updateHeld(dir, change, after))
  }

  /** `update` for a caller that already holds the repository's lock (`lockOf`) with others. */
  async updateHeld<T>(
    dir: string,
    change: (state: RepositoryState) => Promise<T>,
    after?: (state: RepositoryState, result: T) => Promise<void>,
  ): Promise<T> {
    if (!(await this.#isLinkFree(dir))) {
      throw storageError(
        'write',
        dir,
        'a directory on its path is a symbolic link, and the registry never follows a link out of its root',
        'Replace the link with the directory it points to, or remove it',
      )
    }
    const existing = await this.read(dir)
    const state = existing ?? emptyState()
    if (!existing) await this.#createLayout(dir)
    const before = serializeState(state)
    const result = await change(state)
    if (!existing || serializeState(state) !== before) await this.#write(dir, state)
    await after?.(state, result)
    return result
  }

  async #createLayout(dir: string): Promise<void> {
    await this.#files.fs.mkdir(this.#files.fs.join(dir, 'blobs'))
    const layout = this.#files.fs.join(dir, 'oci-layout')
    if (!(await this.#files.exists(layout)))
      await this.#files.writeAtomic(layout, json({ imageLayoutVersion: '1.0.0' }))
  }

  /** The state file first (the registry's truth), then `index.json` (the OCI view of it). */
  async #write(dir: string, state: RepositoryState): Promise<void> {
    await this.writeStateFile(dir, state)
    await this.#files.writeAtomic(this.#files.fs.join(dir, 'index.json'), json(indexOf(state)))
  }

  hasStateFile(dir: string): Promise<boolean> {
    return this.#files.exists(this.#files.fs.join(dir, REPOSITORY_STATE))
  }

  async writeStateFile(dir: string, state: RepositoryState): Promise<void> {
    await this.#files.writeAtomic(
      this.#files.fs.join(dir, REPOSITORY_STATE),
      new TextEncoder().encode(serializeState(state)),
    )
  }

  async readManifest(dir: string, digest: string, record: ManifestRecord): Promise<StoredManifest | undefined> {
    const bytes = await this.#files.readOptional(this.blobPath(dir, digest))
    // Bytes that do not hash to their digest are never served: the manifest is treated as absent.
    if (!bytes || computeDigest(bytes, algorithmOf(digest)) !== digest) return undefined
    const { size: _size, ...fields } = record
    return { digest, bytes, ...fields }
  }

  /** Writes the manifest's bytes into the layout; returns the record its state keeps. */
  async writeManifest(dir: string, manifest: StoredManifest): Promise<ManifestRecord> {
    const path = this.blobPath(dir, manifest.digest)
    await this.#files.fs.mkdir(this.#files.parent(path))
    await this.#files.writeAtomic(path, manifest.bytes)
    const record: ManifestRecord = { mediaType: manifest.mediaType, size: manifest.bytes.byteLength }
    if (manifest.subject !== undefined) record.subject = manifest.subject
    if (manifest.artifactType !== undefined) record.artifactType = manifest.artifactType
    if (manifest.annotations !== undefined) record.annotations = manifest.annotations
    return record
  }

  async removeBlob(dir: string, digest: string): Promise<void> {
    await this.#files.fs.rm(this.blobPath(dir, digest))
  }
}
