import { isRepositoryName } from '../../leaf/names.js'
import type { BlobStore } from './blob-store.js'
import { json, type LayoutFiles } from './layout-files.js'
import { errorCode } from './layout-fs.js'
import { prepareRoot, ROOT_MARKER, SNAPSHOTS, TEMP } from './layout-root.js'
import { rootError } from './layout-state.js'
import type { RepositoryLayouts } from './repository-layouts.js'

/**
 * Brings a storage root into service: checks it (creating it when missing), refuses a directory
 * that holds something else, drops the leftovers of an earlier process and adopts the layouts
 * other tools wrote into it.
 */
export async function openRoot(
  files: LayoutFiles,
  root: string,
  repositories: RepositoryLayouts,
  blobs: BlobStore,
): Promise<void> {
  const { fs } = files
  try {
    await fs.mkdir(root)
  } catch (error) {
    throw rootError(
      root,
      `it cannot be created (${reasonOf(error)})`,
      'Choose a directory the process can write to',
      error,
    )
  }
  const entries = await fs.readdir(root).catch((error: unknown) => {
    throw rootError(
      root,
      `it cannot be read (${reasonOf(error)})`,
      'Choose a directory the process can read and write',
      error,
    )
  })
  const link = await findLink(files, root)
  if (link !== undefined) {
    throw rootError(
      root,
      `it holds a symbolic link, "${link}", and the registry never follows a link out of its root`,
      'Replace the link with the directory or file it points to, or remove it',
    )
  }
  if (!entries.includes(ROOT_MARKER)) {
    const foreign = await foreignEntry(files, root, entries)
    if (entries.includes('oci-layout')) {
      throw rootError(
        root,
        'it is an OCI image layout itself, and the storage root holds one layout per repository',
        'Pass its parent directory (the layout then serves as the repository named after it), or import it with registry.importLayout(dir, { repository })',
      )
    }
    if (foreign !== undefined) {
      throw rootError(
        root,
        `it is not empty and was not written by this registry (found "${foreign}")`,
        'Choose an empty or new directory, one this registry wrote, or one that holds only OCI image layouts',
      )
    }
  }
  try {
    await prepareRoot(files, root)
    await files.writeAtomic(fs.join(root, ROOT_MARKER), json({ storage: 'fake-oci-registry', version: 1 }))
  } catch (error) {
    throw rootError(
      root,
      `it is not writable (${reasonOf(error)})`,
      'Choose a directory the process can write to',
      error,
    )
  }
  // Snapshots live as long as the process that took them; temp files are leftovers of a crash.
  await fs.rm(fs.join(root, SNAPSHOTS))
  await fs.rm(fs.join(root, TEMP))
  await prepareRoot(files, root)
  for (const { dir } of await repositories.all()) await adopt(repositories, blobs, dir)
}

// Deeper than any repository name (at most 255 characters) can nest.
const MAX_DEPTH = 160

/**
 * The first symbolic link under `dir`, found without following any. The layout expects files
 * and directories only; a link would lead reads, writes, and removals out of the root. Temp
 * files and snapshots are skipped: they are removed at start, and removing never follows links.
 */
async function findLink(files: LayoutFiles, dir: string, depth = 0): Promise<string | undefined> {
  for (const entry of await files.readdirOptional(dir)) {
    if (depth === 0 && (entry === TEMP || entry === SNAPSHOTS)) continue
    const path = files.fs.join(dir, entry)
    const stats = await files.statOptional(path)
    if (stats?.isSymbolicLink()) return path
    if (stats?.isDirectory() && depth < MAX_DEPTH) {
      const inner = await findLink(files, path, depth + 1)
      if (inner !== undefined) return inner
    }
  }
  return undefined
}

/**
 * The first entry that shows a directory holds something else than OCI layouts: a file, a
 * hidden entry, or a directory whose name no repository could have.
 */
async function foreignEntry(
  files: LayoutFiles,
  dir: string,
  entries: string[],
  depth = 0,
): Promise<string | undefined> {
  if (entries.includes('oci-layout') && depth > 0) return undefined
  for (const entry of entries) {
    const path = files.fs.join(dir, entry)
    const stats = await files.fs.stat(path)
    if (!stats.isDirectory() || !isRepositoryName(entry) || depth > 64) return path
    const inner = await foreignEntry(files, path, await files.fs.readdir(path), depth + 1)
    if (inner !== undefined) return inner
  }
  return undefined
}

/** A layout written by another tool (no state file): its blobs join the store, every one linked. */
async function adopt(repositories: RepositoryLayouts, blobs: BlobStore, dir: string): Promise<void> {
  // Read even when the state file exists: a corrupt one is reported at startup, not mid-test.
  const state = await repositories.read(dir)
  if (!state || (await repositories.hasStateFile(dir))) return
  for (const digest of await repositories.blobDigests(dir))
    await blobs.linkFrom(repositories.blobPath(dir, digest), digest)
  // Only the state file: the layout's own index.json stays as the other tool wrote it.
  await repositories.writeStateFile(dir, state)
}

function reasonOf(error: unknown): string {
  return errorCode(error) ?? String(error)
}
