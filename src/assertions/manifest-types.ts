import type { AsymmetricMatcherLike, TextMatch } from '../journal/journal.js'

// What assertManifest and toHaveManifest take, apart from the code that compares it.

/**
 * A platform: `'linux/arm64/v8'`, or fields of an OCI platform object (a subset).
 *
 * @example
 * await assertManifest(registry, 'team/app:1', { platform: { os: 'linux', architecture: /^arm/ } })
 */
export type PlatformMatch =
  | string
  | {
      os?: TextMatch
      architecture?: TextMatch
      variant?: TextMatch
      'os.version'?: TextMatch
      'os.features'?: readonly string[] | AsymmetricMatcherLike
    }
  | AsymmetricMatcherLike

/**
 * Fields of a descriptor to check (a subset: fields left out are not checked).
 *
 * @example
 * await assertManifest(registry, 'team/app:1', { config: { mediaType: 'application/vnd.oci.image.config.v1+json' } })
 */
export interface ExpectedDescriptor {
  mediaType?: TextMatch
  digest?: TextMatch
  size?: number | AsymmetricMatcherLike
  artifactType?: TextMatch
  annotations?: Record<string, TextMatch> | AsymmetricMatcherLike
  platform?: PlatformMatch
  urls?: readonly string[] | AsymmetricMatcherLike
}

/**
 * A list of descriptors: how many, or each one's fields in order, or a matcher for the whole list.
 *
 * @example
 * await assertManifest(registry, 'team/app:1', { layers: [{ size: 1024 }, { mediaType: /tar\+gzip$/ }] })
 */
export type ExpectedDescriptors =
  number | ReadonlyArray<ExpectedDescriptor | AsymmetricMatcherLike> | AsymmetricMatcherLike

/**
 * What `assertManifest` / `toHaveManifest` checks; every field is optional and objects are
 * subsets. Texts compare equal, or with a RegExp or an asymmetric matcher (`expect.stringContaining`).
 *
 * @example
 * await assertManifest(registry, 'team/app:multi', { manifests: 2, platforms: ['linux/amd64', 'linux/arm64/v8'] })
 */
export interface ExpectedManifest {
  /** The stored media type (what a GET answers as `Content-Type`). */
  mediaType?: TextMatch
  digest?: TextMatch
  /** Bytes of the manifest. */
  size?: number | AsymmetricMatcherLike
  /** The artifact type a referrers listing reports: `artifactType`, else the config's media type. */
  artifactType?: TextMatch
  /** Annotations that must be present with these values; others may exist. */
  annotations?: Record<string, TextMatch> | AsymmetricMatcherLike
  config?: ExpectedDescriptor | AsymmetricMatcherLike
  layers?: ExpectedDescriptors
  /** The children of an index. */
  manifests?: ExpectedDescriptors
  /** The platforms of an index's children, in any order: `['linux/amd64', 'linux/arm64/v8']`. */
  platforms?: ReadonlyArray<PlatformMatch> | AsymmetricMatcherLike
  /** The platform of an image, read from its config blob: `'linux/arm64'`. */
  platform?: PlatformMatch
  /** The subject's digest, or fields of the subject descriptor. */
  subject?: TextMatch | ExpectedDescriptor
}
