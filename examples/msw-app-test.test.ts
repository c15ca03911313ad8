// An application's test: the code under test talks to a registry it believes is remote
// (https://registry.example.test) with plain fetch; the suite's MSW server answers from an
// in-process fake registry. No socket, no DNS, no Docker.
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry } from 'fake-oci-registry'
import { registryHandlers } from 'fake-oci-registry/msw'

// ---- the application code under test --------------------------------------------------------

const REGISTRY = 'https://registry.example.test'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

/** Reads the platform an image was built for, the way a deploy tool would. */
async function imagePlatform(repository: string, tag: string): Promise<string> {
  const manifest = await fetch(`${REGISTRY}/v2/${repository}/manifests/${tag}`, { headers: { accept: OCI_MANIFEST } })
  if (!manifest.ok) throw new Error(`no image ${repository}:${tag} (${manifest.status})`)
  const { config } = (await manifest.json()) as { config: { digest: string } }
  const blob = await fetch(`${REGISTRY}/v2/${repository}/blobs/${config.digest}`)
  const { os, architecture } = (await blob.json()) as { os: string; architecture: string }
  return `${os}/${architecture}`
}

// ---- the test suite ---------------------------------------------------------------------------

// The registry's handlers are the server's initial handlers, so MSW's usual
// `server.resetHandlers()` after each test keeps them. (With a server shared from a setup file,
// add them with `server.use(...)` in a `beforeEach` instead: `resetHandlers()` drops whatever
// `use` added.)
const registry = await createFakeRegistry({ transport: 'none' })
const server = setupServer(...registryHandlers(registry, { origin: REGISTRY }))

describe('imagePlatform', () => {
  // Anything the registry does not answer (another host, a path outside /v2) fails the test.
  // (msw 3 names this option onUnhandledFrame.)
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterEach(async () => {
    server.resetHandlers()
    await registry.reset()
  })
  afterAll(async () => {
    server.close()
    await registry.close()
  })

  /** Pushes a config blob and a manifest that points at it, as a build would. */
  async function pushImage(repository: string, tag: string, config: object): Promise<void> {
    const configBytes = new TextEncoder().encode(JSON.stringify(config))
    const configDigest = await digestOf(configBytes)
    const blob = await registry.fetch(`/v2/${repository}/blobs/uploads/?digest=${configDigest}`, {
      method: 'POST',
      body: configBytes as BodyInit,
    })
    expect(blob.status).toBe(201)
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: configBytes.byteLength,
      },
      layers: [],
    }
    const pushed = await registry.fetch(`/v2/${repository}/manifests/${tag}`, {
      method: 'PUT',
      headers: { 'content-type': OCI_MANIFEST },
      body: JSON.stringify(manifest),
    })
    expect(pushed.status).toBe(201)
  }

  it('reads the platform from the image config', async () => {
    await pushImage('team/api', '1.4.0', {
      os: 'linux',
      architecture: 'arm64',
      rootfs: { type: 'layers', diff_ids: [] },
    })
    await expect(imagePlatform('team/api', '1.4.0')).resolves.toBe('linux/arm64')
  })

  it('reports an image the registry does not have', async () => {
    await pushImage('team/api', '1.4.0', {
      os: 'linux',
      architecture: 'amd64',
      rootfs: { type: 'layers', diff_ids: [] },
    })
    await expect(imagePlatform('team/api', '9.9.9')).rejects.toThrow('no image team/api:9.9.9 (404)')
  })
})

async function digestOf(bytes: Uint8Array): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', bytes as BufferSource)
  return `sha256:${Buffer.from(hash).toString('hex')}`
}
