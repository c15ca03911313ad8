import { createHash } from 'node:crypto'
import { FakeRegistryError } from '../errors/fake-registry-error.js'
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_EMPTY, OCI_INDEX, OCI_MANIFEST } from '../media-types/constants.js'
import { gzipStored, tarOneFile } from './archive.js'
import { seededBytes } from './random.js'

/** Media types of the blobs the builders make. */
export const SEED_MEDIA_TYPES = {
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  empty: OCI_EMPTY,
  octetStream: 'application/octet-stream',
} as const

/** The annotation that names a file of an artifact (and a manifest in an OCI layout's index). */
export const TITLE_ANNOTATION = 'org.opencontainers.image.title'

/** An OCI platform. */
export interface Platform {
  architecture: string
  os: string
  variant?: string
  'os.version'?: string
  'os.features'?: string[]
}

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: Platform
  artifactType?: string
  annotations?: Record<string, string>
}

/** A blob with its exact bytes. */
export interface SeedBlob {
  mediaType: string
  digest: string
  size: number
  bytes: Uint8Array
}

/** A layer: a blob and the digest of its uncompressed content (the config's `rootfs.diff_ids`). */
export interface SeedLayer extends SeedBlob {
  diffId: string
}

/** Which family of media types a manifest uses. */
export type SeedMediaType = 'oci' | 'docker'

/** A layer as the builders accept it: built, raw bytes (used as they are), or text (one file in a tar+gzip). */
export type LayerInput = SeedLayer | SeedBlob | Uint8Array | string

/** Options of `buildImage` and `registry.seed.image`. */
export interface ImageOptions {
  /** Default: one `randomLayer({ size: 1024, seed: 1 })`. */
  layers?: LayerInput[]
  /** Fields merged over the default config (`architecture`, `os`, `rootfs` from the platform and layers). */
  config?: Record<string, unknown>
  /** Default linux/amd64. */
  platform?: Platform
  /** The manifest's annotations (OCI only). */
  annotations?: Record<string, string>
  /** 'oci' (default): OCI image manifest; 'docker': Docker schema 2. */
  mediaType?: SeedMediaType
  /** The manifest's `artifactType` (OCI only). */
  artifactType?: string
  /** The manifest's `subject` (OCI only), making it a referrer. */
  subject?: Descriptor
}

/** Options of `buildIndex` and `registry.seed.index`. */
export interface IndexOptions {
  /** 'oci' (default): OCI image index; 'docker': Docker manifest list. */
  mediaType?: SeedMediaType
  annotations?: Record<string, string>
  artifactType?: string
  subject?: Descriptor
}

/** A file of an artifact. */
export interface ArtifactFile {
  /** Becomes the `org.opencontainers.image.title` annotation. */
  name?: string
  /** Default 'application/octet-stream'. */
  mediaType?: string
  content: Uint8Array | string
  annotations?: Record<string, string>
}

/** Options of `buildArtifact` and `registry.seed.artifact`. */
export interface ArtifactOptions {
  artifactType: string
  /** The manifest it refers to, listed by the referrers API of that digest. */
  subject?: Descriptor
  /** Files by name, or a list. No files: one empty-descriptor layer, as the image spec advises. */
  files?: Record<string, Uint8Array | string> | ArtifactFile[]
  annotations?: Record<string, string>
}

/** A manifest built with its blobs: everything a push needs, nothing pushed yet. */
export interface BuiltManifest {
  manifest: SeedBlob
  /** The parsed manifest body. */
  document: Record<string, unknown>
  /** Blobs the manifest references (config and layers), in push order. */
  blobs: SeedBlob[]
}

/** A built image. */
export interface BuiltImage extends BuiltManifest {
  config: SeedBlob
  layers: SeedLayer[]
  platform: Platform
}

const AMD64: Platform = { architecture: 'amd64', os: 'linux' }
const EMPTY_JSON = new TextEncoder().encode('{}')

/**
 * A deterministic layer: a tar+gzip archive holding one file of `size` pseudo-random bytes made
 * from `seed`. The same options give the same digest on every run and platform; different
 * seeds give different layers.
 *
 * @example
 * const layer = randomLayer({ size: 4096, seed: 7 })
 * await registry.seed.image('team/app:1', { layers: [layer] })
 */
export function randomLayer(options: { size?: number; seed?: number; mediaType?: string } = {}): SeedLayer {
  const size = options.size ?? 1024
  const seed = options.seed ?? 1
  if (!Number.isSafeInteger(size) || size < 0 || !Number.isSafeInteger(seed)) {
    throw misuse('build a random layer of', `size ${String(size)}, seed ${String(seed)}`, 'size must be a whole number of bytes and seed a whole number', 'Pass { size: 1024, seed: 1 }, for example')
  }
  return tarLayer(`random-${seed}.bin`, seededBytes(size, seed), options.mediaType ?? SEED_MEDIA_TYPES.ociLayer)
}

/**
 * A layer holding one text file, as a tar+gzip archive.
 *
 * @example
 * const layer = textLayer('hello.txt', 'hello\n')
 */
export function textLayer(name: string, content: string, mediaType: string = SEED_MEDIA_TYPES.ociLayer): SeedLayer {
  return tarLayer(name, new TextEncoder().encode(content), mediaType)
}

/**
 * A blob from bytes or text, with its digest.
 *
 * @example
 * const blob = blobOf('{}', 'application/vnd.oci.empty.v1+json')
 */
export function blobOf(content: Uint8Array | string, mediaType: string = SEED_MEDIA_TYPES.octetStream): SeedBlob {
  // A plain Uint8Array (not a Buffer) so results compare with toEqual against fetched bytes.
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : new Uint8Array(content)
  return { mediaType, digest: sha256(bytes), size: bytes.byteLength, bytes }
}

/**
 * The blobs and manifest of an image. Pure: the same options always give the same bytes.
 *
 * @example
 * const { manifest, blobs } = buildImage({ platform: { os: 'linux', architecture: 'arm64' } })
 */
export function buildImage(options: ImageOptions = {}): BuiltImage {
  const docker = (options.mediaType ?? 'oci') === 'docker'
  if (docker && (options.annotations || options.artifactType || options.subject)) {
    throw misuse('build a Docker image with', 'annotations, artifactType or subject', 'Docker schema 2 manifests have none of these fields', "Use mediaType: 'oci', or leave those options out")
  }
  const platform = options.platform ?? AMD64
  const layerType = docker ? SEED_MEDIA_TYPES.dockerLayer : SEED_MEDIA_TYPES.ociLayer
  const layers = (options.layers ?? [randomLayer({ size: 1024, seed: 1, mediaType: layerType })]).map((layer, i) => layerOf(layer, i, layerType))
  const config = blobOf(
    JSON.stringify({
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant === undefined ? {} : { variant: platform.variant }),
      ...(platform['os.version'] === undefined ? {} : { 'os.version': platform['os.version'] }),
      config: {},
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
      ...options.config,
    }),
    docker ? SEED_MEDIA_TYPES.dockerConfig : SEED_MEDIA_TYPES.ociConfig,
  )
  const document: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: docker ? DOCKER_MANIFEST : OCI_MANIFEST,
    ...(options.artifactType === undefined ? {} : { artifactType: options.artifactType }),
    config: descriptorOf(config),
    layers: layers.map(descriptorOf),
    ...(options.subject === undefined ? {} : { subject: descriptorOf(options.subject) }),
    ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
  }
  return { manifest: manifestBlob(document), document, blobs: [config, ...layers], config, layers, platform }
}

/**
 * An index (or Docker manifest list) of already built or pushed manifests. Children with a
 * `platform` keep it in their descriptor.
 *
 * @example
 * const amd = buildImage(); const arm = buildImage({ platform: { os: 'linux', architecture: 'arm64' } })
 * buildIndex([{ ...descriptorOf(amd.manifest), platform: amd.platform }, { ...descriptorOf(arm.manifest), platform: arm.platform }])
 */
export function buildIndex(children: Descriptor[], options: IndexOptions = {}): BuiltManifest {
  const docker = (options.mediaType ?? 'oci') === 'docker'
  if (docker && (options.annotations || options.artifactType || options.subject)) {
    throw misuse('build a Docker manifest list with', 'annotations, artifactType or subject', 'Docker manifest lists have none of these fields', "Use mediaType: 'oci', or leave those options out")
  }
  const document: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: docker ? DOCKER_MANIFEST_LIST : OCI_INDEX,
    ...(options.artifactType === undefined ? {} : { artifactType: options.artifactType }),
    manifests: children.map((child) => ({ ...descriptorOf(child), ...(child.platform ? { platform: child.platform } : {}), ...(child.annotations ? { annotations: child.annotations } : {}) })),
    ...(options.subject === undefined ? {} : { subject: descriptorOf(options.subject) }),
    ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
  }
  return { manifest: manifestBlob(document), document, blobs: [] }
}

/**
 * An artifact manifest (image-spec "artifacts" guidance): `artifactType`, the empty config,
 * the files as layers, and an optional `subject`.
 *
 * @example
 * buildArtifact({ artifactType: 'application/spdx+json', files: { 'sbom.json': '{}' }, subject })
 */
export function buildArtifact(options: ArtifactOptions): BuiltManifest & { files: SeedBlob[] } {
  if (typeof options?.artifactType !== 'string' || options.artifactType.length === 0) {
    throw misuse('build an artifact with artifactType', String(options?.artifactType), 'an artifact needs a media type as its artifactType', "Pass one such as 'application/vnd.example.sbom+json'")
  }
  const empty = blobOf(EMPTY_JSON, OCI_EMPTY)
  const listed: ArtifactFile[] = Array.isArray(options.files) ? options.files : Object.entries(options.files ?? {}).map(([name, content]) => ({ name, content }))
  const files = listed.map((file) => blobOf(file.content, file.mediaType ?? SEED_MEDIA_TYPES.octetStream))
  const layers =
    files.length === 0
      ? [{ ...descriptorOf(empty), data: 'e30=' }]
      : files.map((file, i) => {
          const annotations = { ...(listed[i]?.name === undefined ? {} : { [TITLE_ANNOTATION]: listed[i]?.name as string }), ...listed[i]?.annotations }
          return { ...descriptorOf(file), ...(Object.keys(annotations).length > 0 ? { annotations } : {}) }
        })
  const document: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: options.artifactType,
    config: { ...descriptorOf(empty), data: 'e30=' },
    layers,
    ...(options.subject === undefined ? {} : { subject: descriptorOf(options.subject) }),
    ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
  }
  return { manifest: manifestBlob(document), document, blobs: [empty, ...files], files }
}

/**
 * The `{ mediaType, digest, size }` of a blob or descriptor, without its other fields.
 *
 * @example
 * descriptorOf(randomLayer()) // { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: 'sha256:…', size: 1566 }
 */
export function descriptorOf(blob: { mediaType: string; digest: string; size: number }): Descriptor {
  return { mediaType: blob.mediaType, digest: blob.digest, size: blob.size }
}

/** The sha256 digest of some bytes. */
export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

function tarLayer(name: string, content: Uint8Array, mediaType: string): SeedLayer {
  const tar = tarOneFile(name, content)
  return { ...blobOf(gzipStored(tar), mediaType), diffId: sha256(tar) }
}

function layerOf(input: LayerInput, index: number, mediaType: string): SeedLayer {
  if (typeof input === 'string') return textLayer(`layer-${index}.txt`, input, mediaType)
  if (input instanceof Uint8Array) return { ...blobOf(input, mediaType), diffId: sha256(input) }
  return 'diffId' in input ? input : { ...input, diffId: input.digest }
}

function manifestBlob(document: Record<string, unknown>): SeedBlob {
  return blobOf(JSON.stringify(document), document.mediaType as string)
}

export function misuse(action: string, subject: string, reason: string, fix: string): FakeRegistryError {
  return new FakeRegistryError('ERR_SEED', { action, subject, reason, fix })
}
