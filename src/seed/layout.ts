import { createReadStream } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { Readable } from 'node:stream'
import { isRepositoryName, isTag } from '../leaf/names.js'
import { parseSupportedDigest } from '../leaf/digest.js'
import { splitReference } from '../inspect.js'
import { OCI_INDEX, OCI_MANIFEST } from '../media-types/constants.js'
import { misuse } from './builders.js'
import {
  asDescriptors,
  blobPath,
  layoutDigest,
  parseObject,
  REF_NAME,
  referencedBlobs,
  type LayoutDescriptor,
} from './layout-format.js'
import { pushBlob, pushedManifest, pushManifest, type PushedManifest, type SeedTarget } from './push-client.js'
import type { SeedBlob } from './types.js'

// Both directions of a layout are reached through this module; the export side lives apart
// because it shares only the format (layout-format.ts) with the import side.
export { exportLayout, type ExportedLayout } from './layout-export.js'

const LAYOUT_ENTRIES = new Set(['blobs', 'index.json', 'oci-layout'])

/**
 * Options of `registry.importLayout`.
 *
 * @example
 * await registry.importLayout('./fixtures/app-layout', { repository: 'team/app' })
 */
export interface ImportLayoutOptions {
  /**
   * The repository to import into, the layout's ref names being tags. Without it, each ref name
   * must be a full reference such as 'team/app:1'.
   */
  repository?: string
}

/**
 * A manifest imported from a layout.
 *
 * @example
 * const [first] = await registry.importLayout('./fixtures/app-layout', { repository: 'team/app' })
 * first?.reference // 'team/app:1'
 */
export type ImportedManifest = PushedManifest

/** Imports a layout directory, or a directory of layouts, through the registry's API. */
export async function importLayout(
  target: SeedTarget,
  dir: string,
  options: ImportLayoutOptions = {},
): Promise<ImportedManifest[]> {
  if (options.repository !== undefined && !isRepositoryName(options.repository)) {
    throw misuse(
      'import layout into',
      String(options.repository),
      'it is not a valid repository name',
      "Pass one such as 'team/app'",
    )
  }
  if (await isFile(join(dir, 'oci-layout'))) return importOne(target, dir, options.repository)
  const layouts = await findLayouts(dir)
  if (layouts.length === 0) {
    throw misuse(
      'import layout',
      dir,
      'it has no oci-layout file and no layouts below it',
      'Pass a directory written by skopeo, exportLayout or directoryStorage',
    )
  }
  const imported: ImportedManifest[] = []
  for (const layout of layouts) {
    const repository = options.repository === undefined ? layout.name : `${options.repository}/${layout.name}`
    imported.push(...(await importOne(target, layout.dir, repository)))
  }
  return imported
}

async function importOne(target: SeedTarget, dir: string, repository: string | undefined): Promise<ImportedManifest[]> {
  const indexPath = join(dir, 'index.json')
  let index: { manifests?: unknown }
  try {
    index = JSON.parse(await readFile(indexPath, 'utf8')) as { manifests?: unknown }
  } catch (error) {
    throw misuse(
      'import layout',
      indexPath,
      `it cannot be read as JSON (${error instanceof Error ? error.message : String(error)})`,
      'Repair the layout, or write it again with skopeo or exportLayout',
    )
  }
  if (!Array.isArray(index?.manifests))
    throw misuse('import layout', indexPath, 'it has no "manifests" array', 'Repair the layout')
  const imported: ImportedManifest[] = []
  const done = new Set<string>()
  for (const descriptor of index.manifests as LayoutDescriptor[]) {
    const name = descriptor?.annotations?.[REF_NAME]
    const { repo, tag } = placeOf(indexPath, repository, typeof name === 'string' ? name : undefined)
    imported.push(pushedManifest(repo, tag, await importManifest(target, dir, repo, descriptor, tag, done)))
  }
  return imported
}

/** Where a manifest of `index.json` goes: the given repository, or the one its ref name spells. */
function placeOf(
  indexPath: string,
  repository: string | undefined,
  name: string | undefined,
): { repo: string; tag?: string } {
  if (repository !== undefined) {
    if (name === undefined) return { repo: repository }
    if (isTag(name)) return { repo: repository, tag: name }
  } else if (name !== undefined) {
    const { repository: repo, tag, digest } = splitReference(name)
    if (digest === undefined && tag !== undefined && isRepositoryName(repo) && isTag(tag)) return { repo, tag }
  }
  throw misuse(
    'import layout',
    indexPath,
    name === undefined
      ? 'a manifest has no ref name and no repository was given'
      : `the ref name "${name}" is not ${repository === undefined ? 'a reference such as team/app:1' : 'a valid tag'}`,
    "Pass { repository: 'team/app' } so ref names are read as tags",
  )
}

/** Pushes a manifest after everything it references that the layout holds; returns what was pushed. */
async function importManifest(
  target: SeedTarget,
  dir: string,
  repository: string,
  descriptor: LayoutDescriptor,
  tag: string | undefined,
  done: Set<string>,
): Promise<SeedBlob> {
  const digest = layoutDigest(dir, descriptor)
  const bytes = new Uint8Array(await readFile(blobPath(dir, digest)))
  // A manifest that is not JSON is pushed as it is, and the registry's mode decides.
  const document = parseObject(bytes)
  const key = `${repository}@${digest}`
  if (!done.has(key)) {
    done.add(key)
    for (const child of asDescriptors(document.manifests)) {
      if (await isFile(blobPath(dir, layoutDigest(dir, child))))
        await importManifest(target, dir, repository, child, undefined, done)
    }
    for (const blob of referencedBlobs(document)) {
      // Foreign layers and blobs the layout does not hold stay out; the registry's mode judges the manifest.
      const blobDigest = parseSupportedDigest(String(blob.digest))?.digest
      if (blobDigest === undefined) continue
      const path = blobPath(dir, blobDigest)
      if (!(await isFile(path))) continue
      const size = (await stat(path)).size
      await pushBlob(
        target,
        repository,
        { mediaType: String(blob.mediaType), digest: blobDigest, size },
        Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>,
      )
    }
  }
  const manifest: SeedBlob = {
    mediaType: manifestMediaType(descriptor, document),
    digest,
    size: bytes.byteLength,
    bytes,
  }
  await pushManifest(target, repository, tag ?? digest, manifest)
  return manifest
}

/**
 * The type to push a manifest as: its descriptor's, else the one its body names, else the OCI
 * kind its shape has. image-layout.md requires the descriptor's, but some layouts leave it out,
 * and a push needs some Content-Type.
 */
function manifestMediaType(descriptor: LayoutDescriptor, document: Record<string, unknown>): string {
  if (typeof descriptor.mediaType === 'string') return descriptor.mediaType
  if (typeof document.mediaType === 'string') return document.mediaType
  return document.manifests === undefined ? OCI_MANIFEST : OCI_INDEX
}

/** Layouts below `root` (directories with an `oci-layout` file), named by their path. */
async function findLayouts(root: string): Promise<Array<{ name: string; dir: string }>> {
  const found: Array<{ name: string; dir: string }> = []
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true })
    const isLayout = entries.some((entry) => entry.name === 'oci-layout' && entry.isFile())
    if (isLayout && dir !== root) {
      const name = relative(root, dir)
        .split(sep)
        .map((part) => (part.startsWith('_') && LAYOUT_ENTRIES.has(part.slice(1)) ? part.slice(1) : part))
        .join('/')
      if (isRepositoryName(name)) found.push({ name, dir })
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.') || (isLayout && LAYOUT_ENTRIES.has(entry.name))) continue
      await walk(join(dir, entry.name))
    }
  }
  await walk(root)
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}
