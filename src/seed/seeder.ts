import { isRepositoryName, isTag } from '../leaf/names.js'
import { parseSupportedDigest } from '../leaf/digest.js'
import { FakeRegistryError } from '../errors/fake-registry-error.js'
import { splitReference, type ImageReference } from '../inspect.js'
import { blobOf, buildArtifact, buildImage, buildIndex, descriptorOf, misuse } from './builders.js'
import {
  headManifest,
  mountBlob,
  pushBlob,
  pushedManifest,
  pushManifest,
  type PushedManifest,
  type SeedTarget,
} from './push-client.js'
import type {
  ArtifactOptions,
  BuiltManifest,
  Descriptor,
  ImageOptions,
  IndexOptions,
  Platform,
  SeedBlob,
  SeedLayer,
} from './types.js'

/**
 * A manifest the seeder pushed.
 *
 * @example
 * const image = await registry.seed.image('team/app:1')
 * await registry.seed.index('team/app:multi', [image]) // an index of it, by its descriptor
 */
export interface SeededManifest extends PushedManifest {
  /** The blobs pushed for it (config, layers, files). */
  blobs: SeedBlob[]
  /** Child manifests (an index's), pushed first. */
  children: SeededManifest[]
}

/**
 * An image the seeder pushed.
 *
 * @example
 * const { layers, config, platform } = await registry.seed.image('team/app:1')
 */
export interface SeededImage extends SeededManifest {
  config: SeedBlob
  layers: SeedLayer[]
  platform: Platform
}

/**
 * An artifact the seeder pushed.
 *
 * @example
 * const { files } = await registry.seed.artifact('team/app', { artifactType: 'application/spdx+json', subject: 'team/app:1', files: { 'sbom.json': '{}' } })
 */
export interface SeededArtifact extends SeededManifest {
  files: SeedBlob[]
}

/**
 * A child of `seed.index`: something already seeded, or the options of an image to build.
 *
 * @example
 * await registry.seed.index('team/app:multi', [await registry.seed.image('team/app'), { platform: { os: 'linux', architecture: 'arm64' } }])
 */
export type IndexChild = SeededManifest | ImageOptions

/**
 * A subject of `seed.artifact`: something seeded, a descriptor, or a reference such as 'team/app:1'.
 *
 * @example
 * await registry.seed.artifact('team/app', { artifactType: 'application/vnd.example.sig', subject: 'team/app@sha256:…' })
 */
export type SubjectInput = SeededManifest | Descriptor | string

/**
 * Options of `seed.artifact`: those of `buildArtifact`, with a subject that may also be seeded
 * content or a reference.
 *
 * @example
 * await registry.seed.artifact('team/app', { artifactType: 'application/spdx+json', subject: image })
 */
export interface SeedArtifactOptions extends Omit<ArtifactOptions, 'subject'> {
  subject?: SubjectInput
}

/**
 * Pushes test content through the registry's own HTTP API, so it obeys the mode and is exactly
 * what a client would push. References: `'team/app:1'` (tagged), `'team/app'` (by digest only),
 * or `'team/app@sha256:…'` (must match what is built).
 *
 * @example
 * const image = await registry.seed.image('team/app:1')
 * await registry.seed.artifact('team/app', { artifactType: 'application/spdx+json', subject: image })
 */
export interface Seeder {
  /**
   * Builds and pushes an image: its blobs, then the manifest.
   * @example
   * const image = await registry.seed.image('team/app:1', { layers: [randomLayer({ size: 2048, seed: 3 })] })
   */
  image(reference: string, options?: ImageOptions): Promise<SeededImage>
  /**
   * Pushes an index (or Docker list with `mediaType: 'docker'`) of the children, pushing the
   * ones given as image options, and copying seeded ones from another repository.
   * @example
   * await registry.seed.index('team/app:multi', [{ platform: { os: 'linux', architecture: 'amd64' } }, { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }])
   */
  index(reference: string, children: IndexChild[], options?: IndexOptions): Promise<SeededManifest>
  /**
   * Pushes an artifact (a referrer when it has a `subject`).
   * @example
   * await registry.seed.artifact('team/app', { artifactType: 'application/spdx+json', subject: 'team/app:1', files: { 'sbom.json': '{}' } })
   */
  artifact(reference: string, options: SeedArtifactOptions): Promise<SeededArtifact>
  /**
   * Pushes one blob into a repository.
   * @example
   * const blob = await registry.seed.blob('team/app', 'hello')
   */
  blob(repository: string, content: SeedBlob | Uint8Array | string): Promise<SeedBlob>
}

/**
 * A seeder for a registry (anything with the registry's `fetch`).
 *
 * @example
 * const seed = createSeeder(registry)
 * await seed.image('team/app:1')
 */
export function createSeeder(target: SeedTarget): Seeder {
  return {
    async image(reference, options = {}) {
      const ref = parseReference(reference, 'seed image')
      const built = buildImage(options)
      const pushed = await pushBuilt(target, ref, built, 'seed image')
      return {
        ...pushed,
        descriptor: { ...pushed.descriptor, platform: built.platform },
        config: built.config,
        layers: built.layers,
        platform: built.platform,
      }
    },

    async index(reference, children, options = {}) {
      const ref = parseReference(reference, 'seed index')
      if (!Array.isArray(children))
        throw misuse(
          'seed index',
          reference,
          'children must be an array',
          'Pass seeded manifests or image options, such as [{ platform: { os: "linux", architecture: "arm64" } }]',
        )
      const pushedChildren: SeededManifest[] = []
      for (const child of children) {
        pushedChildren.push(
          isSeeded(child) ? await copyInto(target, ref.repository, child) : await this.image(ref.repository, child),
        )
      }
      const built = buildIndex(
        pushedChildren.map((child) => child.descriptor),
        options,
      )
      return { ...(await pushBuilt(target, ref, built, 'seed index')), children: pushedChildren }
    },

    async artifact(reference, options) {
      const ref = parseReference(reference, 'seed artifact')
      const subject = options?.subject === undefined ? undefined : await subjectDescriptor(target, options.subject)
      const built = buildArtifact({ ...options, ...(subject ? { subject } : {}) } as ArtifactOptions)
      return { ...(await pushBuilt(target, ref, built, 'seed artifact')), files: built.files }
    },

    async blob(repository, content) {
      if (!isRepositoryName(repository)) throw invalidReference('seed blob', repository)
      const blob = typeof content === 'string' || content instanceof Uint8Array ? blobOf(content) : content
      await pushBlob(target, repository, blob)
      return blob
    },
  }
}

// Stricter than an inspection reference: one of tag or digest at most, and only a digest the
// registry can compute, since the seeder checks it against the content it builds.
function parseReference(reference: string, action: string): ImageReference {
  if (typeof reference !== 'string') throw invalidReference(action, String(reference))
  const parsed = splitReference(reference)
  const { repository, tag, digest } = parsed
  const valid =
    isRepositoryName(repository) &&
    (tag === undefined || (digest === undefined && isTag(tag))) &&
    (digest === undefined || parseSupportedDigest(digest) !== undefined)
  if (!valid) throw invalidReference(action, reference)
  return parsed
}

async function pushBuilt(
  target: SeedTarget,
  ref: ImageReference,
  built: BuiltManifest,
  action: string,
): Promise<SeededManifest> {
  const { manifest } = built
  if (ref.digest !== undefined && ref.digest !== manifest.digest) {
    throw misuse(
      action,
      `${ref.repository}@${ref.digest}`,
      `the content built has the digest ${manifest.digest}`,
      'Leave the digest out of the reference, or use the one of the content',
    )
  }
  for (const blob of built.blobs) await pushBlob(target, ref.repository, blob)
  await pushManifest(target, ref.repository, ref.tag ?? manifest.digest, manifest)
  return { ...pushedManifest(ref.repository, ref.tag, manifest), blobs: built.blobs, children: [] }
}

/** The same manifest in `repository`: its blobs mounted, its children copied, its bytes pushed by digest. */
async function copyInto(target: SeedTarget, repository: string, seeded: SeededManifest): Promise<SeededManifest> {
  if (seeded.repository === repository) return seeded
  for (const blob of seeded.blobs) await mountBlob(target, repository, seeded.repository, blob.digest)
  const children: SeededManifest[] = []
  for (const child of seeded.children) children.push(await copyInto(target, repository, child))
  await pushManifest(target, repository, seeded.digest, seeded)
  const { tag: _tag, ...rest } = seeded
  return { ...rest, repository, reference: `${repository}@${seeded.digest}`, children }
}

async function subjectDescriptor(target: SeedTarget, subject: SubjectInput): Promise<Descriptor> {
  if (typeof subject !== 'string') return descriptorOf(isSeeded(subject) ? subject.descriptor : subject)
  const ref = parseReference(subject, 'resolve subject')
  const reference = ref.tag ?? ref.digest
  if (reference === undefined) throw invalidReference('resolve subject', subject)
  return headManifest(target, ref.repository, reference)
}

function isSeeded(value: unknown): value is SeededManifest {
  return (
    typeof value === 'object' && value !== null && 'descriptor' in value && 'bytes' in value && 'repository' in value
  )
}

function invalidReference(action: string, reference: string): FakeRegistryError {
  return new FakeRegistryError('ERR_INVALID_REFERENCE', {
    action,
    subject: reference,
    reason: 'a seed reference is a repository name with an optional :tag or @sha256 digest',
    fix: "Pass one such as 'team/app:1', 'team/app' or 'team/app@sha256:…'",
  })
}
