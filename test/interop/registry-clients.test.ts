// Registry client libraries from npm, unmodified, against the fake on every transport they can
// use: loopback HTTP for anything that opens sockets, MSW for clients built on node:http(s)
// (needle, node-fetch v2, Azure's core-rest-pipeline). None of them speaks undici, so the
// dispatcher does not apply. Each test does what the library is for, and checks the bytes the
// registry holds or serves, not only that no error was thrown.
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import type { TokenCredential } from '@azure/core-auth'
import {
  ContainerRegistryContentClient,
  KnownManifestMediaType,
  type OciImageManifest,
} from '@azure/container-registry'
import * as snyk from '@snyk/docker-registry-v2-client'
import { RegistryClientV2 } from 'oci-registry-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import type { SeededImage } from '../../src/seed.js'
import { MediaTypes } from '../support/push.js'

type Transport = 'http' | 'msw'

function start(transport: Transport, origin: string): Promise<FakeRegistry> {
  return transport === 'http' ? createFakeRegistry() : createFakeRegistry({ transport: 'msw', origin })
}

/** What oci-registry-client's responses are at run time (node-fetch's Response); its types omit it. */
type FetchLike = { status: number; headers: { get(name: string): string | null } }

const sha256 = (bytes: Uint8Array | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString()

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks)
}

describe.each<Transport>(['http', 'msw'])('@snyk/docker-registry-v2-client over %s', (transport) => {
  let registry: FakeRegistry
  let image: SeededImage
  let arm: SeededImage
  let base: string
  // needle speaks https unless told otherwise; the loopback registry is plain http.
  const options = transport === 'http' ? { protocol: 'http:' } : {}

  beforeAll(async () => {
    registry = await start(transport, 'https://snyk.example.test')
    base = registry.host
    // Docker media types: what the client asks for unless told otherwise.
    const docker = { mediaType: 'docker' } as const
    image = await registry.seed.image('team/app:1', {
      ...docker,
      layers: ['snyk layer'],
      config: { config: { Env: ['MODE=test'] } },
    })
    await registry.seed.image('team/app:2', docker)
    arm = await registry.seed.image('team/app', { ...docker, platform: { os: 'linux', architecture: 'arm64' } })
    await registry.seed.index('team/app:multi', [await registry.seed.image('team/app', docker), arm], docker)
    await registry.seed.image('team/app:oci', { layers: ['oci layer'] })
    await registry.seed.image('other/tool:latest', docker)
  })
  afterAll(() => registry?.close())

  it('reads a manifest, its config and its layer', async () => {
    const manifest = await snyk.getManifest(base, 'team/app', '1', undefined, undefined, options)
    expect(manifest).toMatchObject({
      schemaVersion: 2,
      config: { digest: image.config.digest },
      layers: [{ digest: image.layers[0]?.digest }],
    })
    const config = (await snyk.getImageConfig(
      base,
      'team/app',
      image.config.digest,
      undefined,
      undefined,
      options,
    )) as Record<string, unknown>
    expect(config).toMatchObject({ architecture: 'amd64', os: 'linux', config: { Env: ['MODE=test'] } })
    const layer = await snyk.getLayer(
      base,
      'team/app',
      image.layers[0]?.digest as string,
      undefined,
      undefined,
      options,
    )
    expect(sha256(layer)).toBe(image.layers[0]?.digest)
  })

  it('reads an OCI manifest when asked to accept one', async () => {
    const acceptManifest = MediaTypes.OM
    const manifest = await snyk.getManifest(base, 'team/app', 'oci', undefined, undefined, {
      ...options,
      acceptManifest,
    })
    expect(manifest.mediaType).toBe(MediaTypes.OM)
  })

  it('picks the platform it asks for from an index', async () => {
    const manifest = await snyk.getManifest(base, 'team/app', 'multi', undefined, undefined, options, {
      os: 'linux',
      architecture: 'arm64',
    })
    expect(manifest.config.digest).toBe(arm.config.digest)
  })

  it('lists tags, page by page, with both of its pagination styles', async () => {
    expect(await snyk.getTags(base, 'team/app', undefined, undefined, 1, 10, options)).toEqual([
      '1',
      '2',
      'multi',
      'oci',
    ])
    expect(await snyk.getTagsPaginated(base, 'team/app', undefined, undefined, 2, options)).toEqual([
      '1',
      '2',
      'multi',
      'oci',
    ])
  })

  it('lists repositories from the catalog', async () => {
    expect(await snyk.getRepos(base, undefined, undefined, 1, 10, options)).toEqual(['other/tool', 'team/app'])
  })

  it('reports a missing tag as the 404 it is', async () => {
    await expect(snyk.getManifest(base, 'team/app', 'missing', undefined, undefined, options)).rejects.toMatchObject({
      statusCode: 404,
    })
  })
})

describe.each<Transport>(['http', 'msw'])('oci-registry-client over %s', (transport) => {
  let registry: FakeRegistry
  let client: RegistryClientV2

  beforeAll(async () => {
    registry = await start(transport, 'https://oci-client.example.test')
    client = new RegistryClientV2({
      name: `${registry.host}/team/app`,
      scheme: transport === 'http' ? 'http' : 'https',
    })
  })
  afterAll(() => registry?.close())

  it('pushes blobs and a manifest, reads them back, and deletes the manifest', async () => {
    const layer = Buffer.from('a layer pushed by oci-registry-client')
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
    )
    for (const blob of [layer, config]) {
      const pushed = (await client.blobUpload({
        digest: sha256(blob),
        stream: Readable.from([blob]),
        contentLength: blob.byteLength,
      })) as unknown as FetchLike
      expect(pushed.status).toBe(201)
    }
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaTypes.OM,
      config: { mediaType: MediaTypes.OCI_CONFIG, digest: sha256(config), size: config.byteLength },
      layers: [{ mediaType: MediaTypes.OCI_LAYER, digest: sha256(layer), size: layer.byteLength }],
    }
    const bytes = new TextEncoder().encode(JSON.stringify(manifest))
    const put = await client.putManifest({ manifestData: bytes, ref: 'v1', mediaType: MediaTypes.OM })
    expect(put.digest).toBe(sha256(bytes))
    expect(text((await registry.manifest('team/app:v1'))?.bytes ?? new Uint8Array())).toBe(text(bytes))

    expect(await client.listTags()).toMatchObject({ name: 'team/app', tags: ['v1'] })
    const got = await client.getManifest({ ref: 'v1', acceptOCIManifests: true })
    expect(got.manifest).toEqual(manifest)
    expect((got.resp as unknown as FetchLike).headers.get('docker-content-digest')).toBe(sha256(bytes))

    const [head] = (await client.headBlob({ digest: sha256(layer) })) as unknown as FetchLike[]
    expect([head?.status, head?.headers.get('content-length')]).toEqual([200, String(layer.byteLength)])
    const { stream } = await client.createBlobReadStream({ digest: sha256(layer) })
    expect((await readAll(stream)).equals(layer)).toBe(true)

    await client.deleteManifest({ ref: sha256(bytes) })
    expect(await registry.manifest('team/app:v1')).toBeUndefined()
  })
})

// Azure's client refuses a credential over plain http, and always writes the repository name
// percent-encoded (`team%2Fapp`): MSW on an https origin is its way in.
describe('@azure/container-registry (ContainerRegistryContentClient) over msw', () => {
  let registry: FakeRegistry
  let client: ContainerRegistryContentClient
  // Never asked for: the fake sends no auth challenge, so the client sends no token.
  const credential: TokenCredential = { getToken: () => Promise.reject(new Error('no token should be requested')) }

  beforeAll(async () => {
    registry = await createFakeRegistry({ transport: 'msw', origin: 'https://azure.example.test' })
    client = new ContainerRegistryContentClient(registry.url, 'team/app', credential)
  })
  afterAll(() => registry?.close())

  it('uploads blobs, sets a manifest, reads both back, and deletes them', async () => {
    const layer = Buffer.from('a layer uploaded by the Azure SDK')
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
    )
    const uploadedLayer = await client.uploadBlob(Readable.from([layer]))
    const uploadedConfig = await client.uploadBlob(config)
    expect([uploadedLayer.digest, uploadedLayer.sizeInBytes]).toEqual([sha256(layer), layer.byteLength])
    expect(uploadedConfig.digest).toBe(sha256(config))

    const manifest: OciImageManifest = {
      schemaVersion: 2,
      mediaType: KnownManifestMediaType.OciImageManifest,
      config: { mediaType: MediaTypes.OCI_CONFIG, digest: uploadedConfig.digest, size: config.byteLength },
      layers: [{ mediaType: MediaTypes.OCI_LAYER, digest: uploadedLayer.digest, size: layer.byteLength }],
    }
    const set = await client.setManifest(manifest, { tag: 'v1' })
    const stored = await registry.manifest('team/app:v1')
    expect(stored?.digest).toBe(set.digest)
    expect(stored?.mediaType).toBe(MediaTypes.OM)

    for (const reference of ['v1', set.digest]) {
      const got = await client.getManifest(reference)
      expect([got.digest, got.mediaType]).toEqual([set.digest, MediaTypes.OM])
      expect(text(got.content)).toBe(text(stored?.bytes ?? new Uint8Array()))
    }
    const downloaded = await client.downloadBlob(uploadedLayer.digest)
    expect((await readAll(downloaded.content)).equals(layer)).toBe(true)

    // Every request named the repository as team%2Fapp, which the registry decodes once.
    expect(registry.requests.filter({ repository: 'team/app' }).length).toBe(registry.requests.size)
    expect(registry.requests.all().some((request) => request.path.includes('/team%2Fapp/'))).toBe(true)

    await client.deleteManifest(set.digest)
    await client.deleteBlob(uploadedLayer.digest)
    expect(await registry.manifest('team/app:v1')).toBeUndefined()
    expect(await registry.blob('team/app', uploadedLayer.digest)).toBeUndefined()
  })

  it('refuses the loopback http URL: its credential policy demands https', async () => {
    await using loopback = await createFakeRegistry()
    const overHttp = new ContainerRegistryContentClient(loopback.url, 'team/app', credential)
    await expect(overHttp.getManifest('v1')).rejects.toThrow(
      'Bearer token authentication is not permitted for non-TLS protected (non-https) URLs.',
    )
    expect(loopback.requests.size).toBe(0)
  })
})
