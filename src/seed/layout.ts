import { randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { Readable } from 'node:stream'
import { isRepositoryName, isTag } from '../core/names.js'
import { parseSupportedDigest } from '../digest/digest.js'
import { FakeRegistryError } from '../errors/fake-registry-error.js'
import { blobOf, type Descriptor } from './builders.js'
import { ACCEPT_ANY_MANIFEST, expectStatus, pushBlob, pushManifest, type SeedTarget } from './push-client.js'

/** The annotation that names a manifest in an OCI layout's `index.json`. */
const REF_NAME = 'org.opencontainers.image.ref.name'
const LAYOUT_ENTRIES = new Set(['blobs', 'index.json', 'oci-layout'])

/** Options of `seed.fromLayout`. */
export interface ImportLayoutOptions {
  /**
   * The repository to import into, the layout's ref names being tags. Without it, each ref name
   * must be a full reference such as 'team/app:1'.
   */
  repository?: string
}

/** A manifest imported from a layout. */
export interface ImportedManifest {
  repository: string
  tag?: string
  reference: string
  digest: string
  mediaType: string
  size: number
  descriptor: Descriptor
  bytes: Uint8Array
}

/** What `exportLayout` wrote. */
export interface ExportedLayout {
  dir: string
  /** The descriptors of `index.json`: one per tag, then the referrers. */
  manifests: Descriptor[]
  /** Digests of every file under `blobs/`. */
  blobs: string[]
}

interface LayoutDescriptor {
  mediaType?: string
  digest?: string
  size?: number
  urls?: unknown
  annotations?: Record<string, unknown>
}

/** Imports a layout directory, or a directory of layouts, through the registry's API. */
export async function importLayout(target: SeedTarget, dir: string, options: ImportLayoutOptions = {}): Promise<ImportedManifest[]> {
  if (options.repository !== undefined && !isRepositoryName(options.repository)) {
    throw misuse('import layout into', String(options.repository), 'it is not a valid repository name', "Pass one such as 'team/app'")
  }
  if (await isFile(join(dir, 'oci-layout'))) return importOne(target, dir, options.repository)
  const layouts = await findLayouts(dir)
  if (layouts.length === 0) {
    throw misuse('import layout', dir, 'it has no oci-layout file and no layouts below it', 'Pass a directory written by skopeo, exportLayout or directoryStorage')
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
    throw misuse('import layout', indexPath, `it cannot be read as JSON (${error instanceof Error ? error.message : String(error)})`, 'Repair the layout, or write it again with skopeo or exportLayout')
  }
  if (!Array.isArray(index?.manifests)) throw misuse('import layout', indexPath, 'it has no "manifests" array', 'Repair the layout')
  const imported: ImportedManifest[] = []
  const done = new Set<string>()
  for (const descriptor of index.manifests as LayoutDescriptor[]) {
    const name = descriptor?.annotations?.[REF_NAME]
    const { repo, tag } = placeOf(indexPath, repository, typeof name === 'string' ? name : undefined)
    const digest = await importManifest(target, dir, repo, descriptor, tag, done)
    const bytes = new Uint8Array(await readFile(blobPath(dir, digest)))
    const mediaType = descriptor.mediaType as string
    imported.push({
      repository: repo,
      ...(tag === undefined ? {} : { tag }),
      reference: tag === undefined ? `${repo}@${digest}` : `${repo}:${tag}`,
      digest,
      mediaType,
      size: bytes.byteLength,
      descriptor: { mediaType, digest, size: bytes.byteLength },
      bytes,
    })
  }
  return imported
}

/** Where a manifest of `index.json` goes: the given repository, or the one its ref name spells. */
function placeOf(indexPath: string, repository: string | undefined, name: string | undefined): { repo: string; tag?: string } {
  if (repository !== undefined) {
    if (name === undefined) return { repo: repository }
    if (isTag(name)) return { repo: repository, tag: name }
  } else if (name !== undefined) {
    const colon = name.lastIndexOf(':')
    const repo = name.slice(0, colon)
    const tag = name.slice(colon + 1)
    if (colon > name.lastIndexOf('/') && isRepositoryName(repo) && isTag(tag)) return { repo, tag }
  }
  throw misuse(
    'import layout',
    indexPath,
    name === undefined ? 'a manifest has no ref name and no repository was given' : `the ref name "${name}" is not ${repository === undefined ? 'a reference such as team/app:1' : 'a valid tag'}`,
    "Pass { repository: 'team/app' } so ref names are read as tags",
  )
}

/** Pushes a manifest after everything it references that the layout holds; returns its digest. */
async function importManifest(target: SeedTarget, dir: string, repository: string, descriptor: LayoutDescriptor, tag: string | undefined, done: Set<string>): Promise<string> {
  const digest = layoutDigest(dir, descriptor)
  const bytes = new Uint8Array(await readFile(blobPath(dir, digest)))
  const key = `${repository}@${digest}`
  if (!done.has(key)) {
    done.add(key)
    let document: Record<string, unknown> = {}
    try {
      document = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>
    } catch {
      // Not JSON: pushed as it is, and the registry's mode decides.
    }
    for (const child of asDescriptors(document?.manifests)) {
      if (await isFile(blobPath(dir, layoutDigest(dir, child)))) await importManifest(target, dir, repository, child, undefined, done)
    }
    for (const blob of [...asDescriptors(document?.config === undefined ? [] : [document.config]), ...asDescriptors(document?.layers)]) {
      const blobDigest = parseSupportedDigest(String(blob.digest))?.digest
      // Foreign layers and blobs the layout does not hold stay out; the registry's mode judges the manifest.
      if (blobDigest === undefined || !(await isFile(blobPath(dir, blobDigest)))) continue
      const path = blobPath(dir, blobDigest)
      const size = (await stat(path)).size
      await pushBlob(target, repository, { mediaType: String(blob.mediaType), digest: blobDigest, size }, Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>)
    }
  }
  const mediaType = descriptor.mediaType ?? blobOf(bytes).mediaType
  await pushManifest(target, repository, tag ?? digest, { mediaType, digest, size: bytes.byteLength, bytes })
  return digest
}

/**
 * Writes an OCI image layout of `repository` into `dir` (missing or empty): every tag, the
 * manifests and blobs it reaches, and the referrers of each, read through the registry's API.
 */
export async function exportLayout(target: SeedTarget, repository: string, dir: string): Promise<ExportedLayout> {
  if (!isRepositoryName(repository)) throw misuse('export layout of', String(repository), 'it is not a valid repository name', "Pass one such as 'team/app'")
  await mkdir(dir, { recursive: true })
  const existing = await readdir(dir)
  if (existing.length > 0) throw misuse('export layout into', dir, `it is not empty (found "${existing[0]}")`, 'Pass a new or empty directory')
  const tags = await listTags(target, repository)
  const written = new Set<string>()
  const manifests: Descriptor[] = []
  const referrers: Descriptor[] = []
  const exportManifest = async (reference: string): Promise<Descriptor> => {
    const response = await target.fetch(`/v2/${repository}/manifests/${reference}`, { headers: { accept: ACCEPT_ANY_MANIFEST } })
    await expectStatus(response, 200, `${repository}:${reference}`, 'export manifest')
    const bytes = new Uint8Array(await response.arrayBuffer())
    const descriptor = { mediaType: response.headers.get('content-type') ?? '', digest: blobOf(bytes).digest, size: bytes.byteLength }
    if (written.has(descriptor.digest)) return descriptor
    written.add(descriptor.digest)
    await writeAtomic(dir, blobPath(dir, descriptor.digest), [bytes])
    const document = parseObject(bytes)
    for (const child of asDescriptors(document.manifests)) await exportManifest(layoutDigest(dir, child))
    for (const blob of [...asDescriptors(document.config === undefined ? [] : [document.config]), ...asDescriptors(document.layers)]) {
      await exportBlob(target, repository, dir, blob, written)
    }
    for (const referrer of await listReferrers(target, repository, descriptor.digest)) {
      if (written.has(referrer.digest)) continue
      await exportManifest(referrer.digest)
      referrers.push(referrer)
    }
    return descriptor
  }
  for (const tag of tags) manifests.push({ ...(await exportManifest(tag)), annotations: { [REF_NAME]: tag } })
  manifests.push(...referrers)
  await writeAtomic(dir, join(dir, 'oci-layout'), [new TextEncoder().encode(`${JSON.stringify({ imageLayoutVersion: '1.0.0' })}\n`)])
  await writeAtomic(dir, join(dir, 'index.json'), [new TextEncoder().encode(`${JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests })}\n`)])
  await rm(join(dir, '.tmp'), { recursive: true, force: true })
  return { dir, manifests, blobs: [...written].sort() }
}

async function exportBlob(target: SeedTarget, repository: string, dir: string, blob: LayoutDescriptor, written: Set<string>): Promise<void> {
  const digest = parseSupportedDigest(String(blob.digest))?.digest
  if (digest === undefined || written.has(digest)) return
  const response = await target.fetch(`/v2/${repository}/blobs/${digest}`)
  // A foreign layer lives elsewhere (its `urls`); the layout leaves it out, as skopeo does.
  if (response.status === 404 && Array.isArray(blob.urls) && blob.urls.length > 0) {
    await response.body?.cancel()
    return
  }
  await expectStatus(response, 200, `${repository}@${digest}`, 'export blob')
  written.add(digest)
  await writeAtomic(dir, blobPath(dir, digest), response.body ? chunksOf(response.body) : [])
}

async function listTags(target: SeedTarget, repository: string): Promise<string[]> {
  const tags: string[] = []
  let next: string | undefined = `/v2/${repository}/tags/list`
  while (next !== undefined) {
    const response = await target.fetch(next)
    await expectStatus(response, 200, repository, 'list tags of')
    const body = (await response.json()) as { tags?: string[] | null }
    tags.push(...(body.tags ?? []))
    next = /<([^>]+)>;\s*rel="?next"?/.exec(response.headers.get('link') ?? '')?.[1]
  }
  return tags
}

async function listReferrers(target: SeedTarget, repository: string, digest: string): Promise<Descriptor[]> {
  const response = await target.fetch(`/v2/${repository}/referrers/${digest}`)
  // A registry created with referrers: false has no such route: nothing to export then.
  if (response.status !== 200) {
    await response.body?.cancel()
    return []
  }
  const body = (await response.json()) as { manifests?: Descriptor[] }
  return body.manifests ?? []
}

/** Layouts below `root` (directories with an `oci-layout` file), named by their path. */
async function findLayouts(root: string): Promise<Array<{ name: string; dir: string }>> {
  const found: Array<{ name: string; dir: string }> = []
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true })
    const isLayout = entries.some((entry) => entry.name === 'oci-layout' && entry.isFile())
    if (isLayout && dir !== root) {
      const name = relative(root, dir).split(sep).map((part) => (part.startsWith('_') && LAYOUT_ENTRIES.has(part.slice(1)) ? part.slice(1) : part)).join('/')
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

/** The digest of a descriptor, checked before it names a file. */
function layoutDigest(dir: string, descriptor: LayoutDescriptor): string {
  const digest = parseSupportedDigest(String(descriptor?.digest))?.digest
  if (digest === undefined) throw misuse('import layout', dir, `a descriptor has no sha256 or sha512 digest: ${JSON.stringify(descriptor)}`, 'Repair the layout')
  return digest
}

function blobPath(dir: string, digest: string): string {
  const [algorithm, hex] = digest.split(':') as [string, string]
  return join(dir, 'blobs', algorithm, hex)
}

async function writeAtomic(dir: string, path: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
  const temp = join(dir, '.tmp', randomUUID())
  await mkdir(join(dir, '.tmp'), { recursive: true })
  await mkdir(join(path, '..'), { recursive: true })
  const handle = await open(temp, 'wx')
  try {
    for await (const chunk of chunks) {
      for (let offset = 0; offset < chunk.byteLength; ) offset += (await handle.write(chunk, offset, chunk.byteLength - offset)).bytesWritten
    }
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temp, path)
}

async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader()
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) yield read.value
  } finally {
    reader.releaseLock()
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

function asDescriptors(value: unknown): LayoutDescriptor[] {
  return Array.isArray(value) ? (value.filter((item) => typeof item === 'object' && item !== null) as LayoutDescriptor[]) : []
}

function parseObject(bytes: Uint8Array): Record<string, unknown> {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as unknown
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

function misuse(action: string, subject: string, reason: string, fix: string): FakeRegistryError {
  return new FakeRegistryError('ERR_SEED', { action, subject, reason, fix })
}
