// The OCI distribution-spec v1.1 conformance workflows (pull, push, content discovery, content
// management), rebuilt as vitest suites. This module holds what the four workflows share: the
// suite's options (each one mirrors an environment variable of the upstream suite), the test
// content, a small HTTP client on Node's global fetch, and the expectation helpers.
//
// Every request goes over real loopback HTTP to a registry started with the http transport, so
// the transport, the core, the handlers and storage are all exercised together.
import { createHash, randomUUID } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, it as vitestIt, type TestContext } from 'vitest'
import { createFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from '../../src/index.js'

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json'

/** The spec's error codes: a 4xx body must name one of them. */
export const ERROR_CODES = [
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'BLOB_UPLOAD_UNKNOWN',
  'DIGEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN',
  'MANIFEST_UNVERIFIED',
  'NAME_INVALID',
  'NAME_UNKNOWN',
  'SIZE_INVALID',
  'TAG_INVALID',
  'UNAUTHORIZED',
  'DENIED',
  'UNSUPPORTED',
] as const

// ---------------------------------------------------------------------------------------------
// Options

export type Workflow = 'pull' | 'push' | 'contentDiscovery' | 'contentManagement'

export const WORKFLOW_TITLES: Record<Workflow, string> = {
  pull: 'Pull',
  push: 'Push',
  contentDiscovery: 'Content Discovery',
  contentManagement: 'Content Management',
}

/** Content that already exists in the registry, so the pull workflow skips its own setup. */
export interface PreloadedContent {
  /** OCI_TAG_NAME */
  tag: string
  /** OCI_MANIFEST_DIGEST: replaces the digest of every test manifest. */
  manifestDigest: string
  /** OCI_BLOB_DIGEST: replaces the digest of every test config blob. */
  blobDigest: string
}

/** The upstream suite's environment variables, as options. */
export interface ConformanceConfig {
  /** OCI_NAMESPACE: the repository every workflow works in. */
  namespace: string
  /** OCI_CROSSMOUNT_NAMESPACE: the repository blobs are mounted into. Default `conformance-<uuid>`. */
  crossmountNamespace: string
  /**
   * OCI_AUTOMATIC_CROSSMOUNT: whether a mount without `from` finds the blob by itself.
   * Undefined (the variable unset) skips both automatic-mount specs.
   */
  automaticCrossmount: boolean | undefined
  /** OCI_DELETE_MANIFEST_BEFORE_BLOBS: teardown order. Default true. */
  deleteManifestBeforeBlobs: boolean
  /** OCI_TEST_PULL, OCI_TEST_PUSH, OCI_TEST_CONTENT_DISCOVERY, OCI_TEST_CONTENT_MANAGEMENT. */
  workflows: readonly Workflow[]
  /** OCI_HIDE_SKIPPED_WORKFLOWS: a disabled workflow is left out instead of reported as skipped. */
  hideSkippedWorkflows: boolean
  /** OCI_SKIP_EMPTY_LAYER_PUSH_TEST */
  skipEmptyLayerPushTest: boolean
  /** OCI_TAG_NAME + OCI_MANIFEST_DIGEST + OCI_BLOB_DIGEST, all three set: no pull setup or teardown. */
  preloaded: PreloadedContent | undefined
  /** OCI_TAG_LIST: tags that already exist, so content discovery skips its setup and teardown. */
  tagList: readonly string[] | undefined
  /** OCI_USERNAME and OCI_PASSWORD: the client answers challenges with them, Basic or Bearer. */
  username: string | undefined
  password: string | undefined
}

/**
 * What the registry under test claims beyond the spec's MUSTs. Where the upstream suite only
 * warns (a manifest with no layers, the `artifactType` filter) or accepts a refusal (405 on
 * DELETE), a claimed capability turns the lenient branch into a failure.
 */
export interface Capabilities {
  deletes: boolean
  emptyLayerManifest: boolean
  artifactTypeFilter: boolean
  /**
   * Whether the registry has the referrers API. Upstream checks `OCI-Subject` on a push with a
   * subject only when the header is there; a registry that claims the API must send it, one
   * without must not.
   */
  referrers: boolean
}

/** One configuration of the suite against one configuration of the registry. */
export interface Variant {
  label: string
  registry: FakeRegistryOptions
  config: ConformanceConfig
  capabilities: Capabilities
  /**
   * Specs ("<Workflow>: <spec>") this registry is known to fail, for a profile that imitates a
   * real registry's failures. When set, each spec passes exactly when its outcome is the known
   * one: a listed spec must fail, every other spec must pass, and every listed spec must run.
   */
  expectedFailures?: ReadonlySet<string>
}

/** The suite configured for a registry with cross-mount, automatic cross-mount, deletes and referrers. */
export function variant(
  label: string,
  overrides: {
    registry?: FakeRegistryOptions
    config?: Partial<ConformanceConfig>
    capabilities?: Partial<Capabilities>
    expectedFailures?: ReadonlySet<string>
  } = {},
): Variant {
  const registry: FakeRegistryOptions = { transport: 'http', host: '127.0.0.1', ...overrides.registry }
  return {
    label,
    registry,
    config: {
      namespace: 'oci-conformance/distribution-test',
      crossmountNamespace: `conformance-${randomUUID()}`,
      automaticCrossmount: true,
      deleteManifestBeforeBlobs: true,
      workflows: ['pull', 'push', 'contentDiscovery', 'contentManagement'],
      hideSkippedWorkflows: false,
      skipEmptyLayerPushTest: false,
      preloaded: undefined,
      tagList: undefined,
      username: undefined,
      password: undefined,
      ...overrides.config,
    },
    capabilities: {
      deletes: registry.deletes ?? true,
      emptyLayerManifest: true,
      artifactTypeFilter: true,
      referrers: registry.referrers ?? true,
      ...overrides.capabilities,
    },
    ...(overrides.expectedFailures ? { expectedFailures: overrides.expectedFailures } : {}),
  }
}

/**
 * The specs distribution 2.8 fails, as measured against Debian's docker-registry 2.8.2 with
 * deletes enabled (docs/profiles.md, "distribution 2.8 and the conformance suite"). The
 * `distribution-2.8` profile must fail exactly these and pass every other spec.
 */
export const DISTRIBUTION_28_FAILURES: ReadonlySet<string> = new Set([
  // Tags: `n` and `last` are ignored; every tag comes back.
  'Content Discovery: GET number of tags should be limitable by `n` query parameter',
  'Content Discovery: GET start of tag is set by `last` query parameter',
  // No referrers API: the route is a 404, and a push with a subject gets no OCI-Subject.
  'Content Discovery: References setup',
  'Content Discovery: GET request to nonexistent blob should result in empty 200 response',
  'Content Discovery: GET request to existing blob should yield 200',
  'Content Discovery: GET request to existing blob with filter should yield 200',
  'Content Discovery: GET request to missing manifest should yield 200',
  // Content-Range is not read: an out-of-order chunk is appended (202); a Location whose
  // `_state` is behind the session no longer finds it (404).
  'Push: Out-of-order blob upload should return 416',
  'Push: Retry previous blob chunk should return 416',
  'Push: Get on stale blob upload should return 204 with a range and location',
  // `sha256:totallywrong` is not a digest, and 2.8 answers 500 UNKNOWN.
  'Pull: 400 response body should contain OCI-conforming JSON message',
  // DELETE by tag: 400 DIGEST_INVALID (the spec allows 400 only with UNSUPPORTED).
  'Content Management: DELETE request to manifest tag should return 202, unless tag deletion is disallowed (400/405)',
])

/**
 * The same workflow against a registry that asks for credentials: Basic over http, and the
 * Bearer token flow over TLS (the client trusts the registry's CA).
 */
export function authVariants(
  overrides: {
    registry?: FakeRegistryOptions
    config?: Partial<ConformanceConfig>
    capabilities?: Partial<Capabilities>
  } = {},
): Variant[] {
  const users = { conformance: 'conformance-secret' }
  const config = { ...overrides.config, username: 'conformance', password: 'conformance-secret' }
  return [
    variant('basic auth', {
      ...overrides,
      registry: { ...overrides.registry, auth: { scheme: 'basic', users } },
      config,
    }),
    variant('bearer tokens over TLS', {
      ...overrides,
      registry: { ...overrides.registry, auth: { scheme: 'bearer', users }, tls: true },
      config,
    }),
  ]
}

// ---------------------------------------------------------------------------------------------
// Content

/** A blob or manifest of the suite: its bytes, their length as a header value, and digest. */
export interface TestContent {
  content: Uint8Array
  contentLength: string
  digest: string
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

export function contentOf(bytes: Uint8Array | string): TestContent {
  const content = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes
  return { content, contentLength: String(content.byteLength), digest: sha256(content) }
}

/** Indented as Go's json.MarshalIndent(v, "", "\t") writes it, so digests are stable per layout. */
function json(value: unknown): TestContent {
  return contentOf(JSON.stringify(value, null, '\t'))
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64')
}

/**
 * A descriptor as the suite writes it. Every descriptor carries `newUnspecifiedField` (null when
 * unset), a field no spec defines: a registry must store and serve it untouched.
 */
function descriptor(
  mediaType: string,
  target: TestContent,
  extra: { data?: Uint8Array; unspecified?: Uint8Array } = {},
): Record<string, unknown> {
  const result: Record<string, unknown> = { mediaType, digest: target.digest, size: target.content.byteLength }
  if (extra.data) result.data = base64(extra.data)
  result.newUnspecifiedField = extra.unspecified ? base64(extra.unspecified) : null
  return result
}

/** Repeatable pseudo-random bytes (mulberry32), so the random-looking blobs are the same every run. */
function randomBytes(size: number, seed: number): Uint8Array {
  let state = seed >>> 0
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    bytes[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff
  }
  return bytes
}

/** The two halves of the chunked-upload blob; the first is one byte longer, as upstream. */
export interface ChunkedBlob extends TestContent {
  chunk1: Uint8Array
  chunk1Range: string
  chunk2: Uint8Array
  chunk2Range: string
}

export function chunkedBlob(size: number, seed = 2): ChunkedBlob {
  const content = randomBytes(size, seed)
  const split = Math.floor(size / 2) + 1
  return {
    ...contentOf(content),
    chunk1: content.subarray(0, split),
    chunk1Range: `0-${split - 1}`,
    chunk2: content.subarray(split),
    chunk2Range: `${split}-${size - 1}`,
  }
}

const SEED = 0x0c1

/** Builds every piece of test content the four workflows push, from one seed. */
function buildFixtures() {
  // One config per workflow (index 4 is the discovery subject's): the author makes each unique.
  const configs = [0, 1, 2, 3, 4].map((index) =>
    json({
      author: `conformance-${SEED}-${index}`,
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
    }),
  )
  // Any gzip stream will do as a layer: registries must not look inside.
  const layer = contentOf(
    new Uint8Array(gzipSync(Buffer.from('you bothered to find out what was in here. Congratulations!\n'))),
  )
  const layerDescriptor = descriptor(OCI_LAYER, layer)
  const hello = new TextEncoder().encode('hello world')
  const manifests = configs.map((config) =>
    json({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: descriptor(OCI_CONFIG, config, { data: config.content, unspecified: hello }),
      layers: [layerDescriptor],
    }),
  )
  const emptyJson = contentOf('{}')
  const emptyJsonDescriptor = descriptor(OCI_EMPTY, emptyJson)
  const emptyLayerManifest = json({
    schemaVersion: 2,
    config: descriptor(OCI_CONFIG, configs[1]!, { data: configs[1]!.content, unspecified: hello }),
    layers: [],
  })

  const blobA = contentOf(randomBytes(42, SEED + 1))
  const refBlobA = contentOf('NHL Peanut Butter on my NHL bagel')
  const refBlobB = contentOf('NBA Strawberry Jam on my NBA croissant')
  const artifactTypeA = 'application/vnd.nhl.peanut.butter.bagel'
  const artifactTypeB = 'application/vnd.nba.strawberry.jam.croissant'
  const artifactTypeIndex = 'application/vnd.food.stand'
  const annotationKey = 'org.opencontainers.conformance.test'

  // Push workflow: OCI image-spec v1.1 artifacts without a subject.
  const configTypeArtifact = json({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor(artifactTypeA, refBlobA),
    layers: [emptyJsonDescriptor],
  })
  const artifactTypeArtifact = json({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: artifactTypeA,
    config: emptyJsonDescriptor,
    layers: [descriptor(artifactTypeA, refBlobA)],
  })
  const pushIndex = json({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    artifactType: artifactTypeIndex,
    manifests: [descriptor(OCI_MANIFEST, manifests[0]!)],
    annotations: { [annotationKey]: 'test index' },
  })
  const pushNestedIndex = json({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    artifactType: artifactTypeIndex,
    manifests: [descriptor(OCI_INDEX, pushIndex)],
    annotations: { [annotationKey]: 'test index' },
  })
  // Its subject (manifests[3]) is never pushed by the push workflow; only blobs it pushed are used.
  const danglingSubjectArtifact = json({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: artifactTypeB,
    config: emptyJsonDescriptor,
    subject: descriptor(OCI_MANIFEST, manifests[3]!),
    layers: [descriptor(artifactTypeB, refBlobA)],
  })

  // Content discovery: five referrers of manifests[4], and one of the never-pushed manifests[3].
  const subject = descriptor(OCI_MANIFEST, manifests[4]!)
  const referrer = (fields: Record<string, unknown>, annotation: string | undefined): TestContent =>
    json({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      ...fields,
      ...(annotation === undefined ? {} : { annotations: { [annotationKey]: annotation } }),
    })
  const refsAConfig = referrer(
    { config: descriptor(artifactTypeA, refBlobA), subject, layers: [emptyJsonDescriptor] },
    'test config a',
  )
  const refsBConfig = referrer(
    { config: descriptor(artifactTypeB, refBlobB), subject, layers: [emptyJsonDescriptor] },
    'test config b',
  )
  const refsALayer = referrer(
    {
      artifactType: artifactTypeA,
      config: emptyJsonDescriptor,
      subject,
      layers: [descriptor(artifactTypeA, refBlobA)],
    },
    'test layer a',
  )
  const refsBLayer = referrer(
    {
      artifactType: artifactTypeB,
      config: emptyJsonDescriptor,
      subject,
      layers: [descriptor(artifactTypeB, refBlobB)],
    },
    'test layer b',
  )
  const refsCLayer = referrer(
    {
      artifactType: artifactTypeB,
      config: emptyJsonDescriptor,
      subject: descriptor(OCI_MANIFEST, manifests[3]!),
      layers: [descriptor(artifactTypeB, refBlobB)],
    },
    undefined,
  )
  const refsIndex = json({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    artifactType: artifactTypeIndex,
    manifests: [descriptor(OCI_MANIFEST, refsAConfig), descriptor(OCI_MANIFEST, refsALayer)],
    subject,
    annotations: { [annotationKey]: 'test index' },
  })
  const annotationValues = new Map<string, string>([
    [refsAConfig.digest, 'test config a'],
    [refsBConfig.digest, 'test config b'],
    [refsALayer.digest, 'test layer a'],
    [refsBLayer.digest, 'test layer b'],
    [refsIndex.digest, 'test index'],
  ])

  return {
    configs,
    manifests,
    layer,
    emptyJson,
    emptyLayerManifest,
    blobA,
    refBlobA,
    refBlobB,
    artifactTypeA,
    artifactTypeB,
    annotationKey,
    annotationValues,
    configTypeArtifact,
    artifactTypeArtifact,
    pushIndex,
    pushNestedIndex,
    danglingSubjectArtifact,
    refsAConfig,
    refsBConfig,
    refsALayer,
    refsBLayer,
    refsCLayer,
    refsIndex,
    /** sha256 of "hello world": a digest no workflow ever pushes. */
    dummyDigest: sha256(new TextEncoder().encode('hello world')),
    /** Neither a tag nor a digest: a tag may not start with a dot. */
    nonexistentManifest: '.INVALID_MANIFEST_NAME',
    invalidManifestContent: new TextEncoder().encode('blablabla'),
    testTagName: 'tagtest0',
    emptyLayerTestTag: 'emptylayer',
  }
}

export const fixtures = buildFixtures()

/** The upstream suite hashes `{}` to this well-known digest; a mismatch means the content is wrong. */
export const EMPTY_JSON_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'

// ---------------------------------------------------------------------------------------------
// HTTP

/** A finished exchange: status, headers and the whole (small) body, with the request for messages. */
export interface Exchange {
  method: string
  url: string
  status: number
  headers: Headers
  body: Uint8Array
}

export interface RequestOptions {
  query?: Record<string, string>
  headers?: Record<string, string>
  body?: Uint8Array
}

/** How the client reaches a registry that asks for credentials or serves TLS. */
export interface ClientAccess {
  username?: string
  password?: string
  /** The registry's CA (PEM), for TLS. */
  ca?: string
}

/**
 * The client side of the suite: Node's global fetch against `root`, one repository by default.
 * With credentials it answers challenges as the upstream suite's client does: a Basic challenge
 * with the credentials, a Bearer one with a token from the realm for the challenge's scope.
 */
export class ConformanceClient {
  readonly root: string
  readonly namespace: string
  readonly #access: ClientAccess
  #agent: Agent | undefined

  constructor(root: string, namespace: string, access: ClientAccess = {}) {
    this.root = root
    this.namespace = namespace
    this.#access = access
  }

  /** Closes the TLS connections, if any. */
  async close(): Promise<void> {
    await this.#agent?.close()
  }

  /** `/v2/<name>/blobs/<digest>` */
  blob(digest: string, name = this.namespace): string {
    return `/v2/${name}/blobs/${digest}`
  }

  /** `/v2/<name>/blobs/uploads/` */
  uploads(name = this.namespace): string {
    return `/v2/${name}/blobs/uploads/`
  }

  /** `/v2/<name>/manifests/<reference>` */
  manifest(reference: string, name = this.namespace): string {
    return `/v2/${name}/manifests/${reference}`
  }

  /** `/v2/<name>/tags/list` */
  tags(name = this.namespace): string {
    return `/v2/${name}/tags/list`
  }

  /** `/v2/<name>/referrers/<digest>` */
  referrers(digest: string, name = this.namespace): string {
    return `/v2/${name}/referrers/${digest}`
  }

  /** Sends one request; `path` may be a Location header value, absolute or relative, with its own query. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Exchange> {
    const url = new URL(path, this.root)
    if (url.origin !== new URL(this.root).origin) throw new Error(`refusing to follow ${path}: it leaves ${this.root}`)
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.append(key, value)
    // The suite's bytes never live in a SharedArrayBuffer, which is all this cast rules out.
    const body = options.body as Uint8Array<ArrayBuffer> | undefined
    let response = await this.#fetch(url, { method, headers: options.headers, body, redirect: 'manual' })
    const authorization = response.status === 401 ? await this.#answer(response) : undefined
    if (authorization)
      response = await this.#fetch(url, {
        method,
        headers: { ...options.headers, authorization },
        body,
        redirect: 'manual',
      })
    return {
      method,
      url: url.pathname + url.search,
      status: response.status,
      headers: response.headers,
      body: new Uint8Array(await response.arrayBuffer()),
    }
  }

  // Over TLS: undici's own fetch with an Agent that trusts the registry's CA (one undici for
  // both, since Node's global fetch bundles another). undici is loaded only then: loading it
  // installs its Agent as the global dispatcher when Node's fetch has not set one yet.
  async #fetch(url: URL | string, init: RequestInit): Promise<Response> {
    if (this.#access.ca === undefined) return fetch(url, init)
    const undici = await import('undici')
    this.#agent ??= new undici.Agent({ connect: { ca: this.#access.ca } })
    return (await undici.fetch(url, { ...(init as object), dispatcher: this.#agent })) as unknown as Response
  }

  // The Authorization value that answers a challenge, or undefined when the client has no credentials.
  async #answer(challenged: Response): Promise<string | undefined> {
    const { username, password } = this.#access
    const challenge = challenged.headers.get('www-authenticate') ?? ''
    if (username === undefined || password === undefined) return undefined
    await challenged.arrayBuffer()
    const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
    if (/^basic /i.test(challenge)) return basic
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]))
    if (!/^bearer /i.test(challenge) || !params.realm) return undefined
    const realm = new URL(params.realm)
    if (params.service) realm.searchParams.set('service', params.service)
    for (const scope of params.scope?.split(' ') ?? []) realm.searchParams.append('scope', scope)
    const issued = await this.#fetch(realm, { headers: { authorization: basic } })
    const { token } = (await issued.json()) as { token?: string }
    return token === undefined ? undefined : `Bearer ${token}`
  }

  /** Opens an upload session and closes it with the whole blob in the PUT, as the suite's setups do. */
  async pushBlob(blob: TestContent): Promise<Exchange> {
    const started = await this.send('POST', this.uploads())
    return this.send('PUT', relativeLocation(started), {
      query: { digest: blob.digest },
      headers: { 'content-type': 'application/octet-stream' },
      body: blob.content,
    })
  }

  async putManifest(reference: string, manifest: TestContent, mediaType = OCI_MANIFEST): Promise<Exchange> {
    return this.send('PUT', this.manifest(reference), {
      headers: { 'content-type': mediaType },
      body: manifest.content,
    })
  }
}

/** The Location header as a path and query, whether the registry sent it absolute or relative. */
export function relativeLocation(exchange: Exchange): string {
  const location = exchange.headers.get('location')
  if (location === null) return ''
  const url = new URL(location, 'http://relative.invalid')
  return url.pathname + url.search
}

export function textOf(exchange: Exchange): string {
  return new TextDecoder().decode(exchange.body)
}

export function jsonOf<T>(exchange: Exchange): T {
  return JSON.parse(textOf(exchange)) as T
}

/** The request and the answer, for assertion messages. */
export function describeExchange(exchange: Exchange): string {
  const body = textOf(exchange)
  return `${exchange.method} ${exchange.url} -> ${exchange.status}${body ? ` ${body.slice(0, 300)}` : ''}`
}

export const SUCCESS = 'any 2xx'
export type AllowedStatus = number | typeof SUCCESS

/** The suite's status checks: one status, or any of a set where `SUCCESS` stands for 200-299. */
export function expectStatus(exchange: Exchange, ...allowed: AllowedStatus[]): void {
  const ok = allowed.some((status) =>
    status === SUCCESS ? exchange.status >= 200 && exchange.status < 300 : exchange.status === status,
  )
  expect(ok, `expected ${allowed.join(' or ')}: ${describeExchange(exchange)}`).toBe(true)
}

/**
 * A DELETE the suite allows to be refused with 405: the upstream set, narrowed by what the
 * registry claims. With deletes enabled a 405 is a failure; with deletes disabled only 405 is right.
 */
export function expectDelete(exchange: Exchange, capabilities: Capabilities, ...allowed: AllowedStatus[]): void {
  expectStatus(exchange, ...allowed)
  if (capabilities.deletes) expect(exchange.status, `deletes are enabled: ${describeExchange(exchange)}`).not.toBe(405)
  else expect(exchange.status, `deletes are disabled: ${describeExchange(exchange)}`).toBe(405)
}

export interface ErrorBody {
  errors: Array<{ code: string; message?: string; detail?: unknown }>
}

/** A 4xx body in the spec's envelope whose first code is one of the spec's codes. */
export function expectSpecErrors(exchange: Exchange): ErrorBody['errors'] {
  const body = jsonOf<ErrorBody>(exchange)
  expect(Array.isArray(body.errors) && body.errors.length > 0, describeExchange(exchange)).toBe(true)
  expect(ERROR_CODES).toContain(body.errors[0]!.code)
  return body.errors
}

// ---------------------------------------------------------------------------------------------
// Suites

/** What a workflow's specs work with once the registry is up. */
export interface Session {
  registry: FakeRegistry
  client: ConformanceClient
  variant: Variant
}

/**
 * Declares one workflow for one variant against a fresh registry. Specs run in order and share
 * state through closures, as the upstream suite's do. A disabled workflow is reported as skipped,
 * or left out entirely with `hideSkippedWorkflows`.
 */
export function describeWorkflow(workflow: Workflow, variant: Variant, define: (session: () => Session) => void): void {
  const enabled = variant.config.workflows.includes(workflow)
  if (!enabled && variant.config.hideSkippedWorkflows) return
  const suite = enabled ? describe : describe.skip
  suite(`${WORKFLOW_TITLES[workflow]} workflow, ${variant.label}`, () => {
    let session: Session | undefined
    const ran = new Set<string>()
    if (variant.expectedFailures) {
      const expected = [...variant.expectedFailures].filter((name) => name.startsWith(`${WORKFLOW_TITLES[workflow]}: `))
      afterAll(() => {
        expect(
          expected.filter((name) => !ran.has(name)),
          'known failures whose spec never ran',
        ).toEqual([])
      })
    }
    beforeAll(async () => {
      const registry = await createFakeRegistry(variant.registry)
      const { username, password } = variant.config
      session = {
        registry,
        client: new ConformanceClient(registry.url, variant.config.namespace, { username, password, ca: registry.ca }),
        variant,
      }
    })
    afterAll(async () => {
      await session?.client.close()
      await session?.registry.close()
    })
    declaring = { variant, ran }
    try {
      define(() => {
        if (!session) throw new Error('the registry did not start: see the beforeAll failure')
        return session
      })
    } finally {
      declaring = undefined
    }
    if (variant.config.username !== undefined) {
      vitestIt('Auth: every request of the workflow was let through as the configured user after a challenge', () => {
        const { registry } = session as Session
        const user = variant.config.username as string
        expect(registry.requests.filter({ user, auth: { outcome: 'granted' } }).length).toBeGreaterThan(0)
        expect(registry.requests.filter({ auth: { outcome: 'invalid' } })).toEqual([])
        expect(registry.requests.filter({ status: 401 }).every((request) => request.auth?.outcome === 'missing')).toBe(
          true,
        )
      })
    }
  })
}

// The variant whose specs are being declared: vitest calls a suite's factory synchronously, so
// `it` below knows which variant each spec belongs to.
let declaring: { variant: Variant; ran: Set<string> } | undefined

type SpecBody = (context: TestContext) => unknown

/** A spec's body under its variant's known failures: a listed spec must fail, any other must pass. */
function outcomeChecked(name: string, body: SpecBody): SpecBody {
  const current = declaring
  if (!current?.variant.expectedFailures) return body
  const mustFail = current.variant.expectedFailures.has(name)
  return async (context) => {
    current.ran.add(name)
    try {
      await body(context)
    } catch (error) {
      // A skip is not an outcome: it goes on to vitest.
      if ((error as { code?: unknown } | null)?.code === 'VITEST_PENDING' || !mustFail) throw error
      return
    }
    if (mustFail) throw new Error(`${name}: passed, but ${current.variant.label} is known to fail it`)
  }
}

/**
 * vitest's `it` for the conformance specs: the same calls (`it`, `it.runIf`, `it.skipIf`), with
 * each body checked against its variant's known failures when the variant lists some.
 */
export const it = Object.assign((name: string, body: SpecBody) => vitestIt(name, outcomeChecked(name, body)), {
  runIf: (condition: boolean) => (name: string, body: SpecBody) =>
    vitestIt.runIf(condition)(name, outcomeChecked(name, body)),
  skipIf: (condition: boolean) => (name: string, body: SpecBody) =>
    vitestIt.skipIf(condition)(name, outcomeChecked(name, body)),
})

/** Teardown of a manifest the workflow pushed: deleted, or refused with 405 where the registry does not delete. */
export async function deleteManifest(session: Session, reference: string): Promise<void> {
  const { client, variant } = session
  expectDelete(await client.send('DELETE', client.manifest(reference)), variant.capabilities, SUCCESS, 405)
}

/** Teardown of a blob the workflow pushed: as a manifest, or 404 where a shared blob is already gone. */
export async function deleteBlob(session: Session, digest: string): Promise<void> {
  const { client, variant } = session
  expectDelete(await client.send('DELETE', client.blob(digest)), variant.capabilities, SUCCESS, 404, 405)
}

/** The spec's name as the upstream suite prints it: "<Workflow>: <spec>". */
export function specName(workflow: Workflow, spec: string): string {
  return `${WORKFLOW_TITLES[workflow]}: ${spec}`
}
