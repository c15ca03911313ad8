import { randomUUID } from 'node:crypto'
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { isRepositoryName } from '../leaf/names.js'
import { computeDigest, parseSupportedDigest } from '../leaf/digest.js'
import { OCI_INDEX } from '../media-types/constants.js'
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
import { ACCEPT_ANY_MANIFEST, expectStatus, type SeedTarget } from './push-client.js'
import type { Descriptor } from './types.js'

/**
 * What `exportLayout` wrote.
 *
 * @example
 * const { manifests, blobs } = await registry.exportLayout('team/app', './out/app')
 */
export interface ExportedLayout {
  dir: string
  /** The descriptors of `index.json`: one per tag, then the referrers. */
  manifests: Descriptor[]
  /** Digests of every file under `blobs/`. */
  blobs: string[]
}

/**
 * Writes an OCI image layout of `repository` into `dir` (missing or empty): every tag, the
 * manifests and blobs it reaches, and the referrers of each, read through the registry's API.
 */
export async function exportLayout(target: SeedTarget, repository: string, dir: string): Promise<ExportedLayout> {
  if (!isRepositoryName(repository))
    throw misuse(
      'export layout of',
      String(repository),
      'it is not a valid repository name',
      "Pass one such as 'team/app'",
    )
  await mkdir(dir, { recursive: true })
  const existing = await readdir(dir)
  if (existing.length > 0)
    throw misuse('export layout into', dir, `it is not empty (found "${existing[0]}")`, 'Pass a new or empty directory')
  const tags = await listTags(target, repository)
  const written = new Set<string>()
  const manifests: Descriptor[] = []
  const referrers: Descriptor[] = []
  const exportManifest = async (reference: string): Promise<Descriptor> => {
    const response = await target.fetch(`/v2/${repository}/manifests/${reference}`, {
      headers: { accept: ACCEPT_ANY_MANIFEST },
    })
    await expectStatus(response, 200, `${repository}:${reference}`, 'export manifest')
    const bytes = new Uint8Array(await response.arrayBuffer())
    const descriptor = {
      mediaType: response.headers.get('content-type') ?? '',
      digest: computeDigest(bytes),
      size: bytes.byteLength,
    }
    if (written.has(descriptor.digest)) return descriptor
    written.add(descriptor.digest)
    await writeAtomic(dir, blobPath(dir, descriptor.digest), [bytes])
    const document = parseObject(bytes)
    for (const child of asDescriptors(document.manifests)) await exportManifest(layoutDigest(dir, child))
    for (const blob of referencedBlobs(document)) await exportBlob(target, repository, dir, blob, written)
    for (const referrer of await listReferrers(target, repository, descriptor.digest)) {
      if (written.has(referrer.digest)) continue
      await exportManifest(referrer.digest)
      referrers.push(referrer)
    }
    return descriptor
  }
  for (const tag of tags) manifests.push({ ...(await exportManifest(tag)), annotations: { [REF_NAME]: tag } })
  manifests.push(...referrers)
  await writeAtomic(dir, join(dir, 'oci-layout'), [
    new TextEncoder().encode(`${JSON.stringify({ imageLayoutVersion: '1.0.0' })}\n`),
  ])
  await writeAtomic(dir, join(dir, 'index.json'), [
    new TextEncoder().encode(`${JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests })}\n`),
  ])
  await rm(join(dir, '.tmp'), { recursive: true, force: true })
  return { dir, manifests, blobs: [...written].sort() }
}

async function exportBlob(
  target: SeedTarget,
  repository: string,
  dir: string,
  blob: LayoutDescriptor,
  written: Set<string>,
): Promise<void> {
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

async function writeAtomic(
  dir: string,
  path: string,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<void> {
  const temp = join(dir, '.tmp', randomUUID())
  await mkdir(join(dir, '.tmp'), { recursive: true })
  await mkdir(join(path, '..'), { recursive: true })
  const handle = await open(temp, 'wx')
  try {
    for await (const chunk of chunks) {
      for (let offset = 0; offset < chunk.byteLength;)
        offset += (await handle.write(chunk, offset, chunk.byteLength - offset)).bytesWritten
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
