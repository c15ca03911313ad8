// memfs storage as a test sees it: the files in the volume, pre-populated content, and bodies
// that stream in bounded chunks rather than whole buffers.
import { Volume } from 'memfs'
import { describe, expect, it } from 'vitest'
import { createFakeRegistry, FakeRegistryError } from '../../src/index.js'
import { randomLayer } from '../../src/seed.js'
import { memfsStorage } from '../../src/memfs.js'
import { buildImage } from '../support/oci-layout.js'
import { sha256 } from '../support/push.js'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

describe('memfs storage', () => {
  it('keeps pushed content as files a test can read in the volume', async () => {
    const volume = new Volume()
    await using registry = await createFakeRegistry({ transport: 'none', storage: memfsStorage(volume) })
    const image = await registry.seed.image('team/app:1')
    expect(volume.readdirSync('/registry/team/app').map(String).sort()).toEqual([
      '.fake-oci-registry.json',
      'blobs',
      'index.json',
      'oci-layout',
    ])
    const index = JSON.parse(String(volume.readFileSync('/registry/team/app/index.json'))) as {
      manifests: Array<{ digest: string; annotations: Record<string, string> }>
    }
    expect(index.manifests.map(({ digest, annotations }) => [digest, annotations])).toEqual([
      [image.digest, { 'org.opencontainers.image.ref.name': '1' }],
    ])
    expect(
      new Uint8Array(volume.readFileSync(`/registry/team/app/blobs/sha256/${image.digest.slice(7)}`) as Buffer),
    ).toEqual(image.bytes)
  })

  it('serves a layout a test wrote into the volume before starting, under the root it chose', async () => {
    const image = buildImage({ layers: ['pre-populated'] })
    const files: Record<string, string | Buffer> = {
      '/data/team/app/oci-layout': '{"imageLayoutVersion":"1.0.0"}',
      '/data/team/app/index.json': JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: OCI_MANIFEST,
            digest: image.manifest.digest,
            size: image.manifest.size,
            annotations: { 'org.opencontainers.image.ref.name': 'v1' },
          },
        ],
      }),
    }
    for (const blob of [image.manifest, image.config, ...image.layers])
      files[`/data/team/app/blobs/sha256/${blob.digest.slice(7)}`] = Buffer.from(blob.bytes)
    const volume = Volume.fromJSON(files)
    await using registry = await createFakeRegistry({
      transport: 'none',
      storage: memfsStorage(volume, { root: '/data' }),
    })
    const response = await registry.fetch('/v2/team/app/manifests/v1', { headers: { accept: OCI_MANIFEST } })
    expect(response.status).toBe(200)
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(image.manifest.bytes)
    expect(await (await registry.fetch('/v2/_catalog')).json()).toEqual({ repositories: ['team/app'] })
  })

  it('streams a blob in chunks of at most 64 KiB, in order, with exact bytes', async () => {
    const storage = memfsStorage()
    await using registry = await createFakeRegistry({ transport: 'none', storage })
    const layer = randomLayer({ size: 300_000, seed: 4 })
    await registry.seed.blob('team/app', layer)
    const chunks: Uint8Array[] = []
    for await (const chunk of (await storage.readBlob(layer.digest)) ?? []) chunks.push(chunk)
    expect(chunks.length).toBe(Math.ceil(layer.size / 65_536))
    expect(chunks.every((chunk) => chunk.byteLength <= 65_536)).toBe(true)
    expect(sha256(Buffer.concat(chunks))).toBe(layer.digest)
  })

  it.each([
    ['a relative root', { root: 'registry' }],
    ['a root with a NUL byte', { root: '/reg\0istry' }],
  ])('refuses %s with ERR_INVALID_OPTION', (_label, options) => {
    expect(() => memfsStorage(new Volume(), options)).toThrow(FakeRegistryError)
    expect(() => memfsStorage(new Volume(), options)).toThrow(
      /^Failed to use memfs storage at ".*": the root must be an absolute path in the volume\. Pass one such as '\/registry'\.$/,
    )
  })
})
