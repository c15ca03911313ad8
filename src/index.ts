// The main entry: the names a test needs to run a registry, read it and assert on it. Builders
// and seeding types are in 'fake-oci-registry/seed', MSW handlers in 'fake-oci-registry/msw',
// memfs storage in 'fake-oci-registry/memfs', vitest matchers in 'fake-oci-registry/vitest'.
// At most 40 names (test/types/public-api.test-d.ts counts them).

// The registry and its options.
export { createFakeRegistry, type FakeRegistry } from './create-fake-registry.js'
export {
  MODES,
  type AuthOptions,
  type FakeRegistryOptions,
  type Mode,
  type Transport,
  type VerifyReferences,
} from './options.js'
export { FakeRegistryError, type FakeRegistryErrorCode } from './errors/fake-registry-error.js'
export type { RegistryDispatcher, RegistryDispatcherOptions } from './transports/dispatcher.js'
// Fault injection (docs/faults.md): the rule type, for tables of rules; the rest is `registry.faults`.
export type { FaultRule } from './faults/fault-types.js'

// Storage: the built-in backends, and the interface for one of your own (docs/storage.md).
export { memoryStorage } from './storage/memory.js'
export { directoryStorage } from './storage/layout/index.js'
export type {
  BlobInfo,
  ByteRange,
  GarbageCollection,
  Storage,
  StorageSnapshot,
  StoredManifest,
  UploadInfo,
} from './storage/storage.js'

// Reading the registry: the journal and the read helpers.
export type { RecordedRequest, RecordedResponse, RequestFilter, RequestJournal } from './journal/journal.js'
export type { Har } from './journal/har.js'
export type { InspectedBlob, InspectedManifest, InspectedReferrer } from './inspect.js'

// Plain assertions (the vitest matchers' twins): they throw node's AssertionError.
export { assertManifest, type ExpectedDescriptor, type ExpectedManifest } from './assertions/manifest.js'
export { assertBlob, type ExpectedBlob } from './assertions/blob.js'
export { assertTags } from './assertions/tags.js'
export { assertReferrers, type ExpectedReferrers } from './assertions/referrers.js'
export { assertNoErrors, assertRequest } from './assertions/requests.js'
