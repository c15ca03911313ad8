// Writes tiny OCI image layout directories (image-spec image-layout.md: `oci-layout`,
// `index.json`, `blobs/sha256/<hex>`) for real clients to read with `oci:DIR:tag`. The content
// comes from the library's own seeding builders, byte for byte the same on every run: real gzip'd
// tar layers (a client may sniff the compression and would recompress, and so change digests, if
// a "tar+gzip" layer were not), a config whose diff_ids match the layers, and a manifest or an index.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  blobOf,
  buildImage as buildSeedImage,
  buildIndex as buildSeedIndex,
  descriptorOf,
  type BuiltManifest,
  type SeedBlob,
} from '../../src/seed.js'

/** The annotation that names a manifest in `index.json`; `oci:DIR:<tag>` looks it up. */
export const REF_NAME = 'org.opencontainers.image.ref.name'

/** One content-addressed blob: its descriptor fields and its exact bytes. */
export type LayoutBlob = SeedBlob

export interface Platform {
  architecture: string
  os: string
  variant?: string
}

/** An image: its manifest, config and layers as blobs. */
export interface LayoutImage {
  manifest: LayoutBlob
  config: LayoutBlob
  layers: LayoutBlob[]
  platform: Platform
}

/** An index and the images it lists, in order. */
export interface LayoutIndex {
  index: LayoutBlob
  images: LayoutImage[]
}

export interface ImageOptions {
  /** Layer file contents; each becomes one gzip'd tar with a single file. Default one layer. */
  layers?: string[]
  platform?: Platform
  /** Leave the manifest's top-level `mediaType` out, as buildah pushes it. */
  omitMediaType?: boolean
}

export interface IndexOptions {
  /** Two platforms by default: linux/amd64 and linux/arm64/v8. */
  platforms?: Platform[]
  /** Leave the index's top-level `mediaType` out (seed A's document). */
  omitMediaType?: boolean
}

/** A layout on disk and what is in it. */
export interface WrittenLayout {
  /** The layout directory, for `oci:${dir}:${tag}`. */
  dir: string
  tag: string
  /** The manifest or index that `tag` names. */
  root: LayoutBlob
  /** Every blob written, by digest. */
  blobs: Map<string, Uint8Array>
}

/** A layout read back from disk. */
export interface ReadLayout {
  /** `index.json`, parsed. */
  index: {
    schemaVersion: number
    manifests: Array<{ mediaType: string; digest: string; size: number; annotations?: Record<string, string> }>
  }
  /** Every file under `blobs/sha256`, by digest as named on disk. */
  blobs: Map<string, Uint8Array>
}

const AMD64: Platform = { architecture: 'amd64', os: 'linux' }
const ARM64: Platform = { architecture: 'arm64', os: 'linux', variant: 'v8' }

/** Builds an image's blobs. Pure: the same options always give the same bytes. */
export function buildImage(options: ImageOptions = {}): LayoutImage {
  const platform = options.platform ?? AMD64
  const suffix = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('-')
  const built = buildSeedImage({ layers: options.layers ?? [`hello from ${suffix}\n`], platform })
  const manifest = options.omitMediaType ? withoutMediaType(built) : built.manifest
  return { manifest, config: built.config, layers: built.layers, platform }
}

/** Builds a multi-platform index and its images. Pure, like `buildImage`. */
export function buildIndex(options: IndexOptions = {}): LayoutIndex {
  const images = (options.platforms ?? [AMD64, ARM64]).map((platform) => buildImage({ platform }))
  const built = buildSeedIndex(images.map((image) => ({ ...descriptorOf(image.manifest), platform: image.platform })))
  const index = options.omitMediaType ? withoutMediaType(built) : built.manifest
  return { index, images }
}

/** Writes an image layout into a new temp directory; `tag` names the manifest. */
export async function writeImageLayout(
  tag: string,
  options: ImageOptions = {},
): Promise<WrittenLayout & { image: LayoutImage }> {
  const image = buildImage(options)
  const written = await writeLayout(tag, image.manifest, imageBlobs(image))
  return { ...written, image }
}

/** Writes an index layout (the index and every image it lists) into a new temp directory. */
export async function writeIndexLayout(tag: string, options: IndexOptions = {}): Promise<WrittenLayout & LayoutIndex> {
  const built = buildIndex(options)
  const written = await writeLayout(tag, built.index, [built.index, ...built.images.flatMap(imageBlobs)])
  return { ...written, ...built }
}

/** Reads a layout directory: `index.json` and every blob file. */
export async function readLayout(dir: string): Promise<ReadLayout> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as ReadLayout['index']
  const blobs = new Map<string, Uint8Array>()
  for (const name of await readdir(join(dir, 'blobs', 'sha256'))) {
    blobs.set(`sha256:${name}`, new Uint8Array(await readFile(join(dir, 'blobs', 'sha256', name))))
  }
  return { index, blobs }
}

/** Removes a directory made by `writeImageLayout`, `writeIndexLayout` or `makeTempDir`. */
export async function removeLayout(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

/** A new empty temp directory, e.g. for a client to copy a layout into. */
export function makeTempDir(prefix = 'fake-oci-layout-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

async function writeLayout(tag: string, root: LayoutBlob, blobs: LayoutBlob[]): Promise<WrittenLayout> {
  const dir = await makeTempDir()
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true })
  const byDigest = new Map<string, Uint8Array>()
  for (const { digest, bytes } of blobs) {
    byDigest.set(digest, bytes)
    await writeFile(join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes)
  }
  await writeFile(join(dir, 'oci-layout'), json({ imageLayoutVersion: '1.0.0' }))
  await writeFile(
    join(dir, 'index.json'),
    json({ schemaVersion: 2, manifests: [{ ...descriptorOf(root), annotations: { [REF_NAME]: tag } }] }),
  )
  return { dir, tag, root, blobs: byDigest }
}

function imageBlobs(image: LayoutImage): LayoutBlob[] {
  return [image.manifest, image.config, ...image.layers]
}

/** The same document without its top-level `mediaType` (as buildah pushes it), still described by that type. */
function withoutMediaType({ manifest, document }: BuiltManifest): LayoutBlob {
  const { mediaType: _omitted, ...rest } = document
  return blobOf(JSON.stringify(rest), manifest.mediaType)
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value))
}
