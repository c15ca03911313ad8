import { computeDigest } from '../leaf/digest.js'
import { FakeRegistryError } from '../errors/fake-registry-error.js'
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_EMPTY, OCI_INDEX, OCI_MANIFEST } from '../media-types/constants.js'
import { gzipStored, tarOneFile } from './archive.js'
import { seededBytes } from './random.js'
import type {
  ArtifactFile,
  ArtifactOptions,
  BuiltImage,
  BuiltManifest,
  Descriptor,
  ImageOptions,
  IndexOptions,
  LayerInput,
  Platform,
  SeedBlob,
  SeedLayer,
} from './types.js'

/** Media types of the blobs the builders make. */
export const SEED_MEDIA_TYPES = {
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  empty: OCI_EMPTY,
  octetStream: 'application/octet-stream',
} as const

/** The annotation that names a file of an artifact. */
const TITLE_ANNOTATION = 'org.opencontainers.image.title'

const AMD64: Platform = { architecture: 'amd64', os: 'linux' }
const EMPTY_JSON = new TextEncoder().encode('{}')
const EMPTY_JSON_BASE64 = Buffer.from(EMPTY_JSON).toString('base64')

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
    throw misuse(
      'build a random layer of',
      `size ${String(size)}, seed ${String(seed)}`,
      'size must be a whole number of bytes and seed a whole number',
      'Pass { size: 1024, seed: 1 }, for example',
    )
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
  return { mediaType, digest: computeDigest(bytes), size: bytes.byteLength, bytes }
}

/**
 * The blobs and manifest of an image. Pure: the same options always give the same bytes.
 *
 * @example
 * const { manifest, blobs } = buildImage({ platform: { os: 'linux', architecture: 'arm64' } })
 */
export function buildImage(options: ImageOptions = {}): BuiltImage {
  const docker = usesDocker(options, 'image', 'Docker schema 2 manifests')
  const platform = options.platform ?? AMD64
  const layerType = docker ? SEED_MEDIA_TYPES.dockerLayer : SEED_MEDIA_TYPES.ociLayer
  const layers = (options.layers ?? [randomLayer({ size: 1024, seed: 1, mediaType: layerType })]).map((layer, i) =>
    layerOf(layer, i, layerType),
  )
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
    ...subjectAndAnnotations(options),
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
  const docker = usesDocker(options, 'manifest list', 'Docker manifest lists')
  const document: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: docker ? DOCKER_MANIFEST_LIST : OCI_INDEX,
    ...(options.artifactType === undefined ? {} : { artifactType: options.artifactType }),
    manifests: children.map((child) => ({
      ...descriptorOf(child),
      ...(child.platform ? { platform: child.platform } : {}),
      ...(child.annotations ? { annotations: child.annotations } : {}),
    })),
    ...subjectAndAnnotations(options),
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
    throw misuse(
      'build an artifact with artifactType',
      String(options?.artifactType),
      'an artifact needs a media type as its artifactType',
      "Pass one such as 'application/vnd.example.sbom+json'",
    )
  }
  const empty = blobOf(EMPTY_JSON, OCI_EMPTY)
  // The empty descriptor carries its two bytes inline, as the image spec's guidance shows.
  const emptyDescriptor = (): Descriptor & { data: string } => ({ ...descriptorOf(empty), data: EMPTY_JSON_BASE64 })
  const listed: ArtifactFile[] = Array.isArray(options.files)
    ? options.files
    : Object.entries(options.files ?? {}).map(([name, content]) => ({ name, content }))
  const files = listed.map((file) => blobOf(file.content, file.mediaType ?? SEED_MEDIA_TYPES.octetStream))
  const layers =
    files.length === 0
      ? [emptyDescriptor()]
      : listed.map((file, i) => {
          const annotations = {
            ...(file.name === undefined ? {} : { [TITLE_ANNOTATION]: file.name }),
            ...file.annotations,
          }
          return {
            ...descriptorOf(files[i] as SeedBlob),
            ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
          }
        })
  const document: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: options.artifactType,
    config: emptyDescriptor(),
    layers,
    ...subjectAndAnnotations(options),
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

function tarLayer(name: string, content: Uint8Array, mediaType: string): SeedLayer {
  const tar = tarOneFile(name, content)
  return { ...blobOf(gzipStored(tar), mediaType), diffId: computeDigest(tar) }
}

function layerOf(input: LayerInput, index: number, mediaType: string): SeedLayer {
  if (typeof input === 'string') return textLayer(`layer-${index}.txt`, input, mediaType)
  // A blob used as it is counts as its own uncompressed content: its diff ID is its digest.
  if (input instanceof Uint8Array) {
    const blob = blobOf(input, mediaType)
    return { ...blob, diffId: blob.digest }
  }
  return 'diffId' in input ? input : { ...input, diffId: input.digest }
}

function manifestBlob(document: Record<string, unknown>): SeedBlob {
  return blobOf(JSON.stringify(document), document.mediaType as string)
}

// Whether the manifest is Docker schema 2, which has no artifactType, subject or annotations:
// refusing them beats building a manifest that silently drops what the test asked for.
function usesDocker(options: IndexOptions, kind: string, family: string): boolean {
  const docker = (options.mediaType ?? 'oci') === 'docker'
  if (docker && (options.annotations || options.artifactType || options.subject)) {
    throw misuse(
      `build a Docker ${kind} with`,
      'annotations, artifactType or subject',
      `${family} have none of these fields`,
      "Use mediaType: 'oci', or leave those options out",
    )
  }
  return docker
}

// Key order is part of the bytes, so of the digest: these two always come last.
function subjectAndAnnotations(options: {
  subject?: Descriptor
  annotations?: Record<string, string>
}): Record<string, unknown> {
  return {
    ...(options.subject === undefined ? {} : { subject: descriptorOf(options.subject) }),
    ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
  }
}

/** A `FakeRegistryError` ERR_SEED: content the seeder was asked for and cannot build or push. */
export function misuse(action: string, subject: string, reason: string, fix: string): FakeRegistryError {
  return new FakeRegistryError('ERR_SEED', { action, subject, reason, fix })
}
