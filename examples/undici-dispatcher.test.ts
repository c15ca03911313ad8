// A client built on undici, tested against the fake registry with no socket: the registry's
// dispatcher answers in-process. Two ways in: pass it where the client takes a dispatcher, or
// install it globally for code that calls fetch with no options.
import { createHash } from 'node:crypto'
import { getGlobalDispatcher, request, setGlobalDispatcher, type Dispatcher } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from 'fake-oci-registry'

// ---- the code under test ----------------------------------------------------------------------

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

/** A tiny registry client that, like many, lets its caller choose the undici dispatcher. */
class ManifestClient {
  constructor(
    readonly baseUrl: string,
    readonly dispatcher?: Dispatcher,
  ) {}

  /** The digest a tag points to, from a HEAD request, as `crane digest` does. */
  async digest(repository: string, tag: string): Promise<string | undefined> {
    const { statusCode, headers, body } = await request(`${this.baseUrl}/v2/${repository}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { accept: OCI_MANIFEST },
      dispatcher: this.dispatcher,
    })
    await body.dump()
    return statusCode === 200 ? String(headers['docker-content-digest']) : undefined
  }
}

/** Code that uses the global fetch and cannot be handed a dispatcher. */
async function isRegistryUp(baseUrl: string): Promise<boolean> {
  const response = await fetch(`${baseUrl}/v2/`)
  return response.ok && response.headers.get('docker-distribution-api-version') === 'registry/2.0'
}

// ---- the test suite ---------------------------------------------------------------------------

describe('ManifestClient over registry.dispatcher', () => {
  let registry: FakeRegistry
  let pushedDigest: string

  beforeAll(async () => {
    registry = await createFakeRegistry({ transport: 'none', origin: 'https://registry.example.test' })
    const config = JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] } })
    const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`
    const blob = await registry.fetch(`/v2/team/app/blobs/uploads/?digest=${configDigest}`, {
      method: 'POST',
      body: config,
    })
    expect(blob.status).toBe(201)
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: Buffer.byteLength(config),
      },
      layers: [],
    })
    const pushed = await registry.fetch('/v2/team/app/manifests/stable', {
      method: 'PUT',
      headers: { 'content-type': OCI_MANIFEST },
      body: manifest,
    })
    expect(pushed.status).toBe(201)
    pushedDigest = pushed.headers.get('docker-content-digest') as string
  })
  afterAll(() => registry.close())

  it('resolves a tag to its digest', async () => {
    const client = new ManifestClient(registry.url, registry.dispatcher as Dispatcher)
    await expect(client.digest('team/app', 'stable')).resolves.toBe(pushedDigest)
  })

  it('sees an unknown tag as absent', async () => {
    const client = new ManifestClient(registry.url, registry.dispatcher as Dispatcher)
    await expect(client.digest('team/app', 'nightly')).resolves.toBeUndefined()
  })

  it('serves code that only knows the global fetch, once installed as the global dispatcher', async () => {
    const previous = getGlobalDispatcher()
    // Other origins keep going to the real network through the previous dispatcher.
    setGlobalDispatcher(registry.createDispatcher({ passthrough: previous }) as Dispatcher)
    try {
      await expect(isRegistryUp(registry.url)).resolves.toBe(true)
    } finally {
      setGlobalDispatcher(previous)
    }
  })
})
