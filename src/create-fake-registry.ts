import type { RegistryContext } from './api/route-types.js'
import { OpenUploads } from './api/open-uploads.js'
import { lightRequestFor } from './leaf/light-request.js'
import { UploadDigesters } from './api/upload-digesters.js'
import { createAuthority } from './auth/authority.js'
import { createHandler, SERVE_WITH_META, type FetchHandler, type HandlerMeta } from './server/handle.js'
import { describeTarget } from './server/request-target.js'
import { createRateLimiter, type RateLimiter } from './server/rate-limiter.js'
import { createBlobStorageOrigin, type BlobStorageOrigin } from './server/blob-redirects.js'
import { createClock, type RegistryClock } from './leaf/clock.js'

export type { RegistryClock } from './leaf/clock.js'
import { Journal, type RequestJournal } from './journal/journal.js'
import { FakeRegistryError } from './errors/fake-registry-error.js'
import { createFaultInjector, type FaultInjector } from './faults/faults.js'
import type { Faults } from './faults/fault-types.js'
import { connectionReset, fetchFailed } from './faults/network-errors.js'
import {
  requireDigest,
  requireRepositoryName,
  inspectBlob,
  inspectManifest,
  inspectReferrers,
  inspectTags,
  parseImageReference,
  type InspectedBlob,
  type InspectedManifest,
  type InspectedReferrer,
} from './inspect.js'
import { resolveOptions, type FakeRegistryOptions, type ResolvedOptions } from './options.js'
import {
  exportLayout,
  importLayout,
  type ExportedLayout,
  type ImportedManifest,
  type ImportLayoutOptions,
} from './seed/layout.js'
import type { SeedTarget } from './seed/push-client.js'
import { createSeeder, type Seeder } from './seed/seeder.js'
import { listening, startTransport, type TransportHandle } from './start-transport.js'
import { startHttpServer } from './transports/http.js'
import { collectGarbage, restoreSnapshot, takeSnapshot } from './storage/snapshots.js'
import type { GarbageCollection, StorageSnapshot } from './storage/storage.js'
import { createPageTokens } from './api/page-tokens.js'
import {
  createRegistryDispatcher,
  type RegistryDispatcher,
  type RegistryDispatcherOptions,
} from './transports/dispatcher.js'

/**
 * A started registry. Close it with `await registry.close()`, or let `await using` do it.
 *
 * @example
 * await using registry = await createFakeRegistry()
 * const response = await fetch(`${registry.url}/v2/`)
 */
export interface FakeRegistry extends AsyncDisposable {
  /** Where clients reach it: `http://127.0.0.1:43127`, or the `origin` option with no socket. */
  readonly url: string
  /** `127.0.0.1:43127`: the registry part of an image reference. */
  readonly host: string
  /**
   * With `tls: true`, the PEM of the CA made at start, which signed the certificate for
   * `localhost`, `127.0.0.1` and `::1`; undefined otherwise. Trust it in a client: an undici
   * `Agent({ connect: { ca } })`, `NODE_EXTRA_CA_CERTS` for a child process, skopeo's `--cert-dir`.
   * @example new Agent({ connect: { ca: registry.ca } })
   */
  readonly ca: string | undefined
  /** The options in force, defaults applied. */
  readonly options: Readonly<ResolvedOptions>
  /** True once `close()` has been called. */
  readonly closed: boolean
  /**
   * The registry's clock: rate-limit windows and signed blob URLs run on it. Move it forward
   * instead of waiting.
   * @example registry.clock.advance(21_600_000) // Docker Hub's 6 h window has passed
   */
  readonly clock: RegistryClock
  /**
   * An image reference on this registry.
   * @example registry.ref('team/app:1') // '127.0.0.1:43127/team/app:1'
   */
  ref(reference: string): string
  /**
   * Calls the registry in-process, with no socket. A relative URL is resolved against `url`.
   * @example await registry.fetch('/v2/team/app/tags/list')
   */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>
  /**
   * An undici Dispatcher that serves requests for `url` in-process, with no socket, for
   * `undici.request`, undici's `fetch` and Node's global `fetch` (`dispatcher` option or
   * `setGlobalDispatcher`). Requests for other origins fail with `ERR_UNHANDLED_REQUEST`; use
   * `createDispatcher({ passthrough })` to send them elsewhere.
   * @example
   * import { request, type Dispatcher } from 'undici'
   * await request(`${registry.url}/v2/`, { dispatcher: registry.dispatcher as Dispatcher })
   */
  readonly dispatcher: RegistryDispatcher
  /**
   * A new dispatcher like `dispatcher`; `passthrough` receives the requests for other origins.
   * @example
   * import { getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici'
   * setGlobalDispatcher(registry.createDispatcher({ passthrough: getGlobalDispatcher() }) as Dispatcher)
   */
  createDispatcher(options?: RegistryDispatcherOptions): RegistryDispatcher
  /**
   * The journal: every request and its answer, queryable, exportable as HAR. The registry's own
   * requests (seeding, layout export) are not in it.
   * @example registry.requests.filter({ method: 'PUT', status: 201 })
   */
  readonly requests: RequestJournal
  /**
   * Fault injection: rules that make chosen requests fail, stall, break off or come back
   * corrupted. Faulted requests carry the rule's name in the journal (`fault`). See docs/faults.md.
   * @example
   * registry.faults.add({ method: 'GET', kind: 'blob', status: 503, retryAfter: 1, times: 2 })
   */
  readonly faults: Faults
  /**
   * The manifest a reference names, as stored (parsed body, exact bytes, digest, media type), or
   * undefined. A digest wins over a tag.
   * @example (await registry.manifest('team/app:1'))?.mediaType
   */
  manifest(reference: string): Promise<InspectedManifest | undefined>
  /**
   * The repository's tags in code-point order; empty for an unknown repository.
   * @example await registry.tags('team/app') // ['1', 'latest']
   */
  tags(repository: string): Promise<string[]>
  /**
   * The blob when the repository links it, or undefined; its bytes are read on demand.
   * @example await (await registry.blob('team/app', digest))?.text()
   */
  blob(repository: string, digest: string): Promise<InspectedBlob | undefined>
  /**
   * The manifests whose `subject` is the referenced manifest, in push order.
   * @example await registry.referrers('team/app:1', { artifactType: 'application/vnd.example.sbom' })
   */
  referrers(subject: string, options?: { artifactType?: string }): Promise<InspectedReferrer[]>
  /** Empties storage and the journal, removes every fault, and forgets open uploads; the port stays the same. */
  reset(): Promise<void>
  /**
   * Pushes test content through the registry's own API, so it obeys the mode: images, indexes,
   * artifacts (referrers), blobs, and OCI layout directories.
   * @example
   * const image = await registry.seed.image('team/app:1', { platform: { os: 'linux', architecture: 'arm64' } })
   */
  readonly seed: Seeder
  /**
   * Captures the stored content for `restore`; O(1) with memory storage, which then records only
   * the changes made afterwards.
   * @example
   * const seeded = await registry.snapshot()
   * beforeEach(() => registry.restore(seeded))
   */
  snapshot(): Promise<StorageSnapshot>
  /** Puts back what `snapshot()` captured; open uploads end. O(changes since) with memory storage. */
  restore(snapshot: StorageSnapshot): Promise<void>
  /**
   * Imports an OCI image layout through the registry's API: every manifest of its `index.json`
   * with what it references, tagged by its `org.opencontainers.image.ref.name`. A directory of
   * layouts (as `directoryStorage` writes) imports each one as the repository named by its path.
   * The pair of `exportLayout`.
   * @example
   * await registry.importLayout('./fixtures/app-layout', { repository: 'team/app' })
   */
  importLayout(dir: string, options?: ImportLayoutOptions): Promise<ImportedManifest[]>
  /**
   * Writes an OCI image layout of a repository (every tag, what it references, its referrers)
   * into a new or empty directory, for skopeo and other OCI tools. The pair of `importLayout`.
   * @example
   * await registry.exportLayout('team/app', './out/app') // then: skopeo inspect oci:./out/app:1
   */
  exportLayout(repository: string, dir: string): Promise<ExportedLayout>
  /**
   * Removes blobs that no repository links any more (after blob DELETEs); returns their digests.
   * @example
   * const { blobs } = await registry.garbageCollect()
   */
  garbageCollect(): Promise<GarbageCollection>
  /** Stops serving. Idempotent: a second call resolves at once. */
  close(): Promise<void>
}

/**
 * Creates and starts a registry: options → storage → core → transport.
 *
 * @example
 * await using registry = await createFakeRegistry({ mode: 'strict' })
 * console.log(registry.ref('team/app:1'))
 */
export async function createFakeRegistry(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const { options: resolved, profile } = resolveOptions(options)
  const clock = createClock(resolved.now)
  const context: RegistryContext = {
    options: resolved,
    profile,
    storage: resolved.storage,
    uploadDigesters: new UploadDigesters(),
    // One clock for the registry: `registry.clock.advance` expires upload sessions too.
    openUploads: new OpenUploads(resolved, () => clock.now()),
    clock,
    pageTokens: createPageTokens(),
  }
  // A directory that cannot be used fails here, not in the middle of the first request.
  await resolved.storage.open?.({ uploadTimeoutMs: resolved.uploadTimeoutMs })
  const journal = new Journal({
    maxEntries: resolved.journalMaxEntries,
    maxBytes: resolved.journalMaxBytes,
    maxManifestBytes: resolved.journalMaxManifestBytes,
  })
  // Made here, not per request: the token signing key lives as long as the registry.
  const authority = resolved.auth ? createAuthority(resolved.auth) : undefined
  // The token endpoint is outside the route table: only the authority knows its path.
  const describe = (pathname: string) =>
    authority?.isTokenEndpoint(pathname) ? { kind: 'token' as const } : describeTarget(pathname)
  const faults = createFaultInjector({ transport: resolved.transport, describe })
  const limiter = resolved.rateLimit && createRateLimiter(resolved.rateLimit, clock)
  const storageOrigin = resolved.blobRedirect && createBlobStorageOrigin(context, resolved.blobRedirect)
  context.blobUrls = storageOrigin
  const handler = createHandler(context, journal, { faults, authority, limiter, storageOrigin })
  const transport = await startTransport(handler, resolved)
  const storageTransport =
    storageOrigin &&
    (await startStorageTransport(handler, resolved, storageOrigin).catch(async (error: unknown) => {
      await transport?.close()
      throw error
    }))
  return new StartedRegistry(
    context,
    { journal, faults, limiter, storageOrigin },
    handler,
    joinTransports(transport, storageTransport),
  )
}

/**
 * Serves the storage origin of blob redirects: a second loopback listener over http, the shared
 * MSW server with transport 'msw'; with 'none' `registry.fetch` and the dispatcher reach it.
 */
async function startStorageTransport(
  handler: FetchHandler,
  options: ResolvedOptions,
  storage: BlobStorageOrigin,
): Promise<TransportHandle | undefined> {
  if (options.transport === 'none') return undefined
  if (options.transport === 'msw') return startTransport(handler, { ...options, origin: storage.origin })
  // Plain http even beside TLS: the storage host is another service, and a second certificate
  // authority would be one more thing for the test to trust.
  const listener = await startHttpServer(handler, { ...listening(options), port: 0, headerCase: 'lower' })
  storage.origin = listener.url
  return listener
}

function joinTransports(
  first: TransportHandle | undefined,
  second: TransportHandle | undefined,
): TransportHandle | undefined {
  if (!second) return first
  return { ...first, close: () => Promise.all([first?.close(), second.close()]).then(() => undefined) }
}

class StartedRegistry implements FakeRegistry {
  readonly url: string
  readonly host: string
  readonly ca: string | undefined
  readonly options: Readonly<ResolvedOptions>
  readonly seed: Seeder
  #context: RegistryContext
  #journal: Journal
  #faults: FaultInjector
  #handler: FetchHandler
  #transport: TransportHandle | undefined
  // The registry's own requests (seeding, layout export) stay out of the journal.
  // Nor do they need credentials: seeding and layout export work the same with auth on.
  #self: SeedTarget = { fetch: (input, init) => this.#send(input, init, { record: false, internal: true }) }
  #dispatcher: RegistryDispatcher | undefined
  #closing: Promise<void> | undefined
  #limiter: RateLimiter | undefined
  #storageOrigin: BlobStorageOrigin | undefined

  constructor(
    context: RegistryContext,
    parts: {
      journal: Journal
      faults: FaultInjector
      limiter?: RateLimiter | undefined
      storageOrigin?: BlobStorageOrigin | undefined
    },
    handler: FetchHandler,
    transport: TransportHandle | undefined,
  ) {
    this.options = context.options
    this.#limiter = parts.limiter
    this.#storageOrigin = parts.storageOrigin
    this.#context = context
    this.#journal = parts.journal
    this.#faults = parts.faults
    this.#handler = handler
    this.#transport = transport
    this.url = transport?.url ?? context.options.origin
    this.ca = transport?.ca
    this.host = transport?.host ?? new URL(context.options.origin).host
    this.seed = createSeeder(this.#self)
  }

  get clock(): RegistryClock {
    return this.#context.clock
  }

  get closed(): boolean {
    return this.#closing !== undefined
  }

  ref(reference: string): string {
    if (typeof reference !== 'string' || reference.length === 0 || reference.startsWith('/')) {
      throw new FakeRegistryError('ERR_INVALID_REFERENCE', {
        action: 'build a reference from',
        subject: String(reference),
        reason: 'a reference is a repository name with an optional :tag or @digest',
        fix: "Pass one such as 'team/app:1' or 'team/app@sha256:…'",
      })
    }
    return `${this.host}/${reference}`
  }

  async fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    const response = await this.#send(input, init)
    // A fault that dropped the connection: fail the way fetch does.
    if (response.type === 'error') throw fetchFailed(connectionReset())
    return response
  }

  [SERVE_WITH_META](request: Request, meta: HandlerMeta): Promise<Response> {
    return this.#send(request, undefined, meta)
  }

  get requests(): RequestJournal {
    return this.#journal
  }

  get faults(): Faults {
    return this.#faults
  }

  get dispatcher(): RegistryDispatcher {
    this.#dispatcher ??= this.createDispatcher()
    return this.#dispatcher
  }

  createDispatcher(options: RegistryDispatcherOptions = {}): RegistryDispatcher {
    const target = (request: Request, path?: string): Promise<Response> =>
      this.#send(request, undefined, { transport: 'dispatcher', target: path })
    const origins = this.#storageOrigin ? [this.url, this.#storageOrigin.origin] : [this.url]
    return createRegistryDispatcher(target, origins, options)
  }

  // Arguments are checked before the registry's state, so a wrong call fails the same way open or closed.
  async manifest(reference: string): Promise<InspectedManifest | undefined> {
    const parsed = parseImageReference(reference, this.host, 'read the manifest')
    this.#requireOpen('read a manifest from')
    return inspectManifest(this.#context.storage, parsed)
  }

  async tags(repository: string): Promise<string[]> {
    const name = requireRepositoryName(repository, 'list the tags of')
    this.#requireOpen('list tags of')
    return inspectTags(this.#context.storage, name)
  }

  async blob(repository: string, digest: string): Promise<InspectedBlob | undefined> {
    const name = requireRepositoryName(repository, 'read a blob of')
    const checked = requireDigest(digest, 'read the blob')
    this.#requireOpen('read a blob from')
    return inspectBlob(this.#context.storage, name, checked)
  }

  async referrers(subject: string, options: { artifactType?: string } = {}): Promise<InspectedReferrer[]> {
    const parsed = parseImageReference(subject, this.host, 'list the referrers of')
    this.#requireOpen('list referrers in')
    const referrers = await inspectReferrers(this.#context.storage, parsed)
    return options.artifactType === undefined
      ? referrers
      : referrers.filter((referrer) => referrer.artifactType === options.artifactType)
  }

  async snapshot(): Promise<StorageSnapshot> {
    this.#requireOpen('take a snapshot of')
    return takeSnapshot(this.#context.storage)
  }

  async restore(snapshot: StorageSnapshot): Promise<void> {
    this.#requireOpen('restore a snapshot into')
    await restoreSnapshot(this.#context.storage, snapshot)
    // Open sessions may now hold other bytes than their hash state saw: rehash on next use.
    this.#context.uploadDigesters.clear()
    this.#context.openUploads.clear()
  }

  async importLayout(dir: string, options?: ImportLayoutOptions): Promise<ImportedManifest[]> {
    this.#requireOpen('import a layout into')
    return importLayout(this.#self, dir, options)
  }

  async exportLayout(repository: string, dir: string): Promise<ExportedLayout> {
    this.#requireOpen('export a layout of')
    return exportLayout(this.#self, repository, dir)
  }

  async garbageCollect(): Promise<GarbageCollection> {
    this.#requireOpen('collect garbage in')
    return collectGarbage(this.#context.storage)
  }

  async reset(): Promise<void> {
    this.#requireOpen('reset')
    this.#context.uploadDigesters.clear()
    this.#context.openUploads.clear()
    this.#journal.clear()
    this.#faults.reset()
    this.#limiter?.reset()
    await this.#context.storage.clear()
  }

  close(): Promise<void> {
    // Delayed answers go out at once rather than hold the transport (or the process) open.
    if (!this.#closing) this.#faults.close()
    this.#closing ??= this.#transport?.close() ?? Promise.resolve()
    return this.#closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  // The journal records what the code under test did, so the registry's own requests pass
  // `record: false`; in-process transports name themselves in `meta`.
  // Not async, to spare every request a promise of its own: what building the request throws
  // (a closed registry, a URL or init Fetch refuses) is returned as a rejection all the same.
  #send(input: Request | string | URL, init?: RequestInit, meta?: HandlerMeta): Promise<Response> {
    let request: Request
    try {
      this.#requireOpen('send a request to')
      if (input instanceof Request) request = init ? new Request(input, init) : input
      else {
        const url = new URL(input, this.url)
        request = lightRequestFor(url, init) ?? new Request(url, init)
      }
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)))
    }
    return this.#handler(request, meta)
  }

  #requireOpen(action: string): void {
    if (this.#closing) {
      throw new FakeRegistryError('ERR_REGISTRY_CLOSED', {
        action,
        subject: this.url,
        reason: 'the registry is closed',
        fix: 'Create a new registry with createFakeRegistry(), or close it only after the test is done',
      })
    }
  }
}
