// The shapes of seed content: what the builders take and make, and what the seeder pushes.

/**
 * An OCI platform.
 *
 * @example
 * await registry.seed.image('team/app:arm', { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } })
 */
export interface Platform {
  architecture: string
  os: string
  variant?: string
  'os.version'?: string
  'os.features'?: string[]
}

/**
 * An OCI content descriptor.
 *
 * @example
 * const subject: Descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image.digest, size: image.size }
 */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: Platform
  artifactType?: string
  annotations?: Record<string, string>
}

/**
 * A blob with its exact bytes.
 *
 * @example
 * const blob: SeedBlob = blobOf('hello')
 * await registry.seed.blob('team/app', blob)
 */
export interface SeedBlob {
  mediaType: string
  digest: string
  size: number
  bytes: Uint8Array
}

/**
 * A layer: a blob and the digest of its uncompressed content (the config's `rootfs.diff_ids`).
 *
 * @example
 * const layer: SeedLayer = textLayer('hello.txt', 'hello\n')
 * layer.diffId // the sha256 of the tar inside the gzip
 */
export interface SeedLayer extends SeedBlob {
  diffId: string
}

/**
 * Which family of media types a manifest uses.
 *
 * @example
 * await registry.seed.image('team/app:docker', { mediaType: 'docker' })
 */
export type SeedMediaType = 'oci' | 'docker'

/**
 * A layer as the builders accept it: built, raw bytes (used as they are), or text (one file in a tar+gzip).
 *
 * @example
 * await registry.seed.image('team/app:1', { layers: ['hello\n', new Uint8Array([1, 2, 3]), randomLayer({ seed: 2 })] })
 */
export type LayerInput = SeedLayer | SeedBlob | Uint8Array | string

/**
 * Options of `buildImage` and `registry.seed.image`.
 *
 * @example
 * await registry.seed.image('team/app:1', { layers: [textLayer('a.txt', 'a')], annotations: { 'org.opencontainers.image.version': '1' } })
 */
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

/**
 * Options of `buildIndex` and `registry.seed.index`.
 *
 * @example
 * await registry.seed.index('team/app:multi', [amd64, arm64], { mediaType: 'docker' })
 */
export interface IndexOptions {
  /** 'oci' (default): OCI image index; 'docker': Docker manifest list. */
  mediaType?: SeedMediaType
  annotations?: Record<string, string>
  artifactType?: string
  subject?: Descriptor
}

/**
 * A file of an artifact.
 *
 * @example
 * await registry.seed.artifact('team/app', { artifactType: 'application/spdx+json', files: [{ name: 'sbom.json', mediaType: 'application/spdx+json', content: '{}' }] })
 */
export interface ArtifactFile {
  /** Becomes the `org.opencontainers.image.title` annotation. */
  name?: string
  /** Default 'application/octet-stream'. */
  mediaType?: string
  content: Uint8Array | string
  annotations?: Record<string, string>
}

/**
 * Options of `buildArtifact` and `registry.seed.artifact`.
 *
 * @example
 * buildArtifact({ artifactType: 'application/vnd.example.signature', subject: descriptorOf(image.manifest), files: { 'sig.bin': new Uint8Array([1]) } })
 */
export interface ArtifactOptions {
  artifactType: string
  /** The manifest it refers to, listed by the referrers API of that digest. */
  subject?: Descriptor
  /** Files by name, or a list. No files: one empty-descriptor layer, as the image spec advises. */
  files?: Record<string, Uint8Array | string> | ArtifactFile[]
  annotations?: Record<string, string>
}

/**
 * A manifest built with its blobs: everything a push needs, nothing pushed yet.
 *
 * @example
 * const { manifest, document, blobs } = buildIndex([descriptorOf(buildImage().manifest)])
 */
export interface BuiltManifest {
  manifest: SeedBlob
  /** The parsed manifest body. */
  document: Record<string, unknown>
  /** Blobs the manifest references (config and layers), in push order. */
  blobs: SeedBlob[]
}

/**
 * A built image.
 *
 * @example
 * const { config, layers, platform } = buildImage({ platform: { os: 'linux', architecture: 'arm64' } })
 */
export interface BuiltImage extends BuiltManifest {
  config: SeedBlob
  layers: SeedLayer[]
  platform: Platform
}
