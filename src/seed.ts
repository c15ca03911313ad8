// The 'fake-oci-registry/seed' entry: builders of test content (images, indexes, artifacts,
// layers) and the types of what `registry.seed` pushes, apart from the main entry so that it
// stays small.
export {
  createSeeder,
  type IndexChild,
  type SeedArtifactOptions,
  type SeededArtifact,
  type SeededImage,
  type SeededManifest,
  type Seeder,
  type SubjectInput,
} from './seed/seeder.js'
export type { SeedTarget } from './seed/push-client.js'
export { blobOf, buildArtifact, buildImage, buildIndex, descriptorOf, randomLayer, textLayer } from './seed/builders.js'
export type {
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
  SeedMediaType,
} from './seed/types.js'
export type { ExportedLayout, ImportedManifest, ImportLayoutOptions } from './seed/layout.js'
export { computeDigest, type DigestAlgorithm } from './leaf/digest.js'
