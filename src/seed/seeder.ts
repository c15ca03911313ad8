import { isRepositoryName, isTag } from '../core/names.js'
import { parseSupportedDigest } from '../digest/digest.js'
import { FakeRegistryError } from '../errors/fake-registry-error.js'
import {
  blobOf,
  buildArtifact,
  buildImage,
  buildIndex,
  descriptorOf,
  type ArtifactOptions,
  type BuiltManifest,
  type Descriptor,
  type ImageOptions,
  type IndexOptions,
  type Platform,
  type SeedBlob,
  type SeedLayer,
} from './builders.js'
import { importLayout, type ImportedManifest, type ImportLayoutOptions } from './layout.js'
import { headManifest, mountBlob, pushBlob, pushManifest, type SeedTarget } from './push-client.js'

/** A manifest the seeder pushed. */
export interface SeededManifest {
  repository: string
  /** The tag it was pushed under, if any. */
  tag?: string
  /** `repository:tag`, or `repository@digest` when untagged. */
  reference: string
  digest: string
  mediaType: string
  size: number
  /** The exact bytes pushed. */
  bytes: Uint8Array
  /** `{ mediaType, digest, size }`, with `platform` for an image: ready for an index or a `subject`. */
  descriptor: Descriptor
  /** The blobs pushed for it (config, layers, files). */
  blobs: SeedBlob[]
  /** Child manifests (an index's), pushed first. */
  children: SeededManifest[]
}

/** An image the seeder pushed. */
export interface SeededImage extends SeededManifest {
  config: SeedBlob
  layers: SeedLayer[]
  platform: Platform
}

/** An artifact the seeder pushed. */
export interface SeededArtifact extends SeededManifest {
  files: SeedBlob[]
}

/** A child of `seed.index`: something already seeded, or the options of an image to build. */
export type IndexChild = SeededManifest | ImageOptions

/** A subject of `seed.artifact`: something seeded, a descriptor, or a reference such as 'team/app:1'. */
export type SubjectInput = SeededManifest | Descriptor | string

/** Options of `seed.artifact`. */
export interface SeedArtifactOptions extends Omit<ArtifactOptions, 'subject'> {
  subject?: SubjectInput
}

/**
 * Pushes test content through the registry's own HTTP API, so it obeys the mode and is exactly
 * what a client would push. References: `'team/app:1'` (tagged), `'team/app'` (by digest only),
 * or `'team/app@sha256:…'` (must match what is built).
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
  /**
   * Imports an OCI image layout: every manifest of its `index.json` with what it references,
   * tagged by its `org.opencontainers.image.ref.name`. A directory of layouts (as
   * `directoryStorage` writes) imports each one as the repository named by its path.
   * @example
   * await registry.seed.fromLayout('./fixtures/app-layout', { repository: 'team/app' })
   */
  fromLayout(dir: string, options?: ImportLayoutOptions): Promise<ImportedManifest[]>
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
      return { ...pushed, descriptor: { ...pushed.descriptor, platform: built.platform }, config: built.config, layers: built.layers, platform: built.platform }
    },

    async index(reference, children, options = {}) {
      const ref = parseReference(reference, 'seed index')
      if (!Array.isArray(children)) throw misuse('seed index', reference, 'children must be an array', 'Pass seeded manifests or image options, such as [{ platform: { os: "linux", architecture: "arm64" } }]')
      const pushedChildren: SeededManifest[] = []
      for (const child of children) {
        if (isSeeded(child)) {
          pushedChildren.push(await copyInto(target, ref.repository, child))
        } else {
          pushedChildren.push(await this.image(ref.repository, child))
        }
      }
      const built = buildIndex(pushedChildren.map((child) => child.descriptor), options)
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

    fromLayout(dir, options) {
      return importLayout(target, dir, options)
    },
  }
}

/** A seed reference split into its parts. */
interface SeedReference {
  repository: string
  tag?: string
  digest?: string
}

function parseReference(reference: string, action: string): SeedReference {
  if (typeof reference !== 'string') throw invalidReference(action, String(reference))
  const at = reference.indexOf('@')
  if (at >= 0) {
    const repository = reference.slice(0, at)
    const digest = reference.slice(at + 1)
    if (!isRepositoryName(repository) || !parseSupportedDigest(digest)) throw invalidReference(action, reference)
    return { repository, digest }
  }
  const colon = reference.lastIndexOf(':')
  if (colon > reference.lastIndexOf('/')) {
    const repository = reference.slice(0, colon)
    const tag = reference.slice(colon + 1)
    if (!isRepositoryName(repository) || !isTag(tag)) throw invalidReference(action, reference)
    return { repository, tag }
  }
  if (!isRepositoryName(reference)) throw invalidReference(action, reference)
  return { repository: reference }
}

async function pushBuilt(target: SeedTarget, ref: SeedReference, built: BuiltManifest, action: string): Promise<SeededManifest> {
  const { manifest } = built
  if (ref.digest !== undefined && ref.digest !== manifest.digest) {
    throw misuse(action, `${ref.repository}@${ref.digest}`, `the content built has the digest ${manifest.digest}`, 'Leave the digest out of the reference, or use the one of the content')
  }
  for (const blob of built.blobs) await pushBlob(target, ref.repository, blob)
  await pushManifest(target, ref.repository, ref.tag ?? manifest.digest, manifest)
  return {
    repository: ref.repository,
    ...(ref.tag === undefined ? {} : { tag: ref.tag }),
    reference: ref.tag === undefined ? `${ref.repository}@${manifest.digest}` : `${ref.repository}:${ref.tag}`,
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    size: manifest.size,
    bytes: manifest.bytes,
    descriptor: descriptorOf(manifest),
    blobs: built.blobs,
    children: [],
  }
}

/** The same manifest in `repository`: its blobs mounted, its children copied, its bytes pushed by digest. */
async function copyInto(target: SeedTarget, repository: string, seeded: SeededManifest): Promise<SeededManifest> {
  if (seeded.repository === repository) return seeded
  for (const blob of seeded.blobs) await mountBlob(target, repository, seeded.repository, blob.digest)
  const children: SeededManifest[] = []
  for (const child of seeded.children) children.push(await copyInto(target, repository, child))
  await pushManifest(target, repository, seeded.digest, { mediaType: seeded.mediaType, digest: seeded.digest, size: seeded.size, bytes: seeded.bytes })
  const { tag: _tag, ...rest } = seeded
  return { ...rest, repository, reference: `${repository}@${seeded.digest}`, children }
}

async function subjectDescriptor(target: SeedTarget, subject: SubjectInput): Promise<Descriptor> {
  if (typeof subject !== 'string') return descriptorOf(isSeeded(subject) ? subject.descriptor : subject)
  const ref = parseReference(subject, 'resolve subject')
  if (ref.tag === undefined && ref.digest === undefined) throw invalidReference('resolve subject', subject)
  return headManifest(target, ref.repository, ref.tag ?? (ref.digest as string))
}

function isSeeded(value: unknown): value is SeededManifest {
  return typeof value === 'object' && value !== null && 'descriptor' in value && 'bytes' in value && 'repository' in value
}

function invalidReference(action: string, reference: string): FakeRegistryError {
  return new FakeRegistryError('ERR_INVALID_REFERENCE', {
    action,
    subject: reference,
    reason: 'a seed reference is a repository name with an optional :tag or @sha256 digest',
    fix: "Pass one such as 'team/app:1', 'team/app' or 'team/app@sha256:…'",
  })
}

function misuse(action: string, subject: string, reason: string, fix: string): FakeRegistryError {
  return new FakeRegistryError('ERR_SEED', { action, subject, reason, fix })
}
