// registry.seed pushes through the registry's own API: what it returns is what the registry
// serves, byte for byte, and the registry's answers come back as clear errors.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, FakeRegistryError, type FakeRegistry } from '../../src/index.js'
import { randomLayer } from '../../src/seed.js'
import { MediaTypes } from '../support/push.js'

const ACCEPT = [MediaTypes.OM, MediaTypes.OI, MediaTypes.S2, MediaTypes.DL].join(', ')

describe('registry.seed', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
  })
  afterEach(() => registry.close())

  async function manifest(
    repository: string,
    reference: string,
  ): Promise<{ status: number; type: string | null; bytes: Uint8Array }> {
    const response = await registry.fetch(`/v2/${repository}/manifests/${reference}`, { headers: { accept: ACCEPT } })
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      bytes: new Uint8Array(await response.arrayBuffer()),
    }
  }

  it('pushes an image: the manifest and every blob are served as returned', async () => {
    const image = await registry.seed.image('team/app:1', { layers: [randomLayer({ size: 100, seed: 1 }), 'text'] })
    expect(image).toMatchObject({ repository: 'team/app', tag: '1', reference: 'team/app:1', mediaType: MediaTypes.OM })
    expect(image.descriptor).toEqual({
      mediaType: MediaTypes.OM,
      digest: image.digest,
      size: image.size,
      platform: { architecture: 'amd64', os: 'linux' },
    })
    expect(await manifest('team/app', '1')).toEqual({ status: 200, type: MediaTypes.OM, bytes: image.bytes })
    for (const blob of image.blobs) {
      expect(new Uint8Array(await (await registry.fetch(`/v2/team/app/blobs/${blob.digest}`)).arrayBuffer())).toEqual(
        blob.bytes,
      )
    }
  })

  it('pushes a Docker image, and an image by digest only', async () => {
    const docker = await registry.seed.image('team/app:docker', { mediaType: 'docker' })
    expect((await manifest('team/app', 'docker')).type).toBe(MediaTypes.S2)
    const untagged = await registry.seed.image('team/app', { layers: ['untagged'] })
    expect(untagged.reference).toBe(`team/app@${untagged.digest}`)
    expect(await (await registry.fetch('/v2/team/app/tags/list')).json()).toEqual({
      name: 'team/app',
      tags: ['docker'],
    })
    expect((await manifest('team/app', untagged.digest)).bytes).toEqual(untagged.bytes)
    expect(docker.digest).not.toBe(untagged.digest)
  })

  it('accepts a digest reference only when it is the digest of what is built', async () => {
    const built = await registry.seed.image('team/app:x')
    await expect(registry.seed.image(`team/other@${built.digest}`)).resolves.toMatchObject({ digest: built.digest })
    await expect(registry.seed.image(`team/other@sha256:${'0'.repeat(64)}`, { layers: ['other'] })).rejects.toThrow(
      /^Failed to seed image "team\/other@sha256:0{64}": the content built has the digest sha256:[0-9a-f]{64}\. Leave the digest out/,
    )
  })

  it('pushes an index of new images and of images seeded into another repository', async () => {
    const elsewhere = await registry.seed.image('base/image:1', { platform: { os: 'linux', architecture: 's390x' } })
    const index = await registry.seed.index('team/app:multi', [
      { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      elsewhere,
    ])
    const document = JSON.parse(new TextDecoder().decode(index.bytes)) as {
      manifests: Array<{ digest: string; platform: unknown }>
    }
    expect(document.manifests.map((child) => child.platform)).toEqual([
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'linux', architecture: 's390x' },
    ])
    expect(document.manifests[1]?.digest).toBe(elsewhere.digest)
    for (const child of index.children) expect((await manifest('team/app', child.digest)).status).toBe(200)
    expect((await manifest('team/app', 'multi')).bytes).toEqual(index.bytes)
    const layer = elsewhere.layers[0]!.digest
    expect((await registry.fetch(`/v2/team/app/blobs/${layer}`, { method: 'HEAD' })).status).toBe(200)
  })

  it('pushes an artifact that the referrers API lists for its subject, resolved from a reference', async () => {
    const image = await registry.seed.image('team/app:1')
    const sbom = await registry.seed.artifact('team/app', {
      artifactType: 'application/spdx+json',
      subject: 'team/app:1',
      files: { 'sbom.json': '{"spdx":1}' },
      annotations: { kind: 'sbom' },
    })
    const signature = await registry.seed.artifact('team/app', {
      artifactType: 'application/vnd.example.sig',
      subject: image,
    })
    const response = await registry.fetch(`/v2/team/app/referrers/${image.digest}`)
    const body = (await response.json()) as { manifests: unknown[] }
    expect(body.manifests).toEqual([
      {
        mediaType: MediaTypes.OM,
        digest: sbom.digest,
        size: sbom.size,
        artifactType: 'application/spdx+json',
        annotations: { kind: 'sbom' },
      },
      {
        mediaType: MediaTypes.OM,
        digest: signature.digest,
        size: signature.size,
        artifactType: 'application/vnd.example.sig',
      },
    ])
    expect(new TextDecoder().decode(sbom.files[0]?.bytes)).toBe('{"spdx":1}')
  })

  it.each(['Team/App:1', 'team/app:', 'team/app:-bad', '/team/app', 'team/app@sha256:short', '', 'a/../b:1'])(
    'refuses the reference %j with ERR_INVALID_REFERENCE',
    async (reference) => {
      const error = await registry.seed.image(reference).then(
        () => undefined,
        (caught: unknown) => caught,
      )
      expect(error).toBeInstanceOf(FakeRegistryError)
      expect((error as FakeRegistryError).code).toBe('ERR_INVALID_REFERENCE')
    },
  )

  it('reports what the registry answered when it refuses the content', async () => {
    await using small = await createFakeRegistry({ transport: 'none', maxManifestBytes: 64 })
    const error = await small.seed.image('team/app:1').then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(FakeRegistryError)
    expect((error as FakeRegistryError).code).toBe('ERR_SEED')
    expect((error as FakeRegistryError).message).toMatch(
      /^Failed to push manifest "team\/app:1": the registry answered 413 \{"errors":\[\{"code":"[A-Z_]+"/,
    )
  })
})
