// The pure builders: deterministic layers that are real tar+gzip archives, and image, index and
// artifact documents whose descriptors match their blobs.
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { FakeRegistryError } from '../../src/index.js'
import { blobOf, buildArtifact, buildImage, buildIndex, descriptorOf, randomLayer, textLayer } from '../../src/seed.js'
import { sha256 } from '../support/push.js'

const decoder = new TextDecoder()
const json = (bytes: Uint8Array): Record<string, unknown> =>
  JSON.parse(decoder.decode(bytes)) as Record<string, unknown>

describe('randomLayer', () => {
  it('gives the same bytes for the same options, on every run (pinned digests)', () => {
    const layer = randomLayer({ size: 16, seed: 1 })
    expect(randomLayer({ size: 16, seed: 1 }).bytes).toEqual(layer.bytes)
    expect([layer.digest, layer.diffId, layer.size, layer.mediaType]).toEqual([
      'sha256:5eaf18b34855caaf75a06eb2fa1efe8c4bc4c21560b060e50aea16fce7f78ac9',
      'sha256:9d17a081e314bd3d12c91d522015ffbe976cb69f6f9c76f1613b1f6891a3d9fc',
      2071,
      'application/vnd.oci.image.layer.v1.tar+gzip',
    ])
    expect(randomLayer({ size: 16, seed: 2 }).digest).not.toBe(layer.digest)
    expect(randomLayer({ size: 17, seed: 1 }).digest).not.toBe(layer.digest)
  })

  it.each([0, 1, 511, 512, 65_535, 65_536, 200_000])(
    'is a tar+gzip of one file of %i bytes whose diffId is the tar digest',
    (size) => {
      const layer = randomLayer({ size, seed: 5 })
      expect(sha256(layer.bytes)).toBe(layer.digest)
      expect(layer.size).toBe(layer.bytes.byteLength)
      const tar = new Uint8Array(gunzipSync(layer.bytes))
      expect(sha256(tar)).toBe(layer.diffId)
      expect(decoder.decode(tar.subarray(0, 12))).toBe('random-5.bin')
      expect(Number.parseInt(decoder.decode(tar.subarray(124, 135)), 8)).toBe(size)
      expect(tar.byteLength).toBe(512 + Math.ceil(size / 512) * 512 + 1024)
    },
  )

  it('refuses a size that is not a whole number of bytes', () => {
    expect(() => randomLayer({ size: -1 })).toThrow(FakeRegistryError)
    expect(() => randomLayer({ size: 1.5 })).toThrow(
      'Failed to build a random layer of "size 1.5, seed 1": size must be a whole number of bytes and seed a whole number. Pass { size: 1024, seed: 1 }, for example.',
    )
  })
})

describe('buildImage', () => {
  it('builds an OCI image whose config lists the layers diff_ids and the platform', () => {
    const layers = [randomLayer({ size: 10, seed: 1 }), textLayer('a.txt', 'hello\n')]
    const image = buildImage({
      layers,
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      annotations: { team: 'a' },
    })
    expect(json(image.config.bytes)).toEqual({
      architecture: 'arm64',
      os: 'linux',
      variant: 'v8',
      config: {},
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    })
    expect(json(image.manifest.bytes)).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: descriptorOf(image.config),
      layers: layers.map(descriptorOf),
      annotations: { team: 'a' },
    })
    expect(image.manifest.digest).toBe(sha256(image.manifest.bytes))
    expect(image.blobs).toEqual([image.config, ...layers])
  })

  it('builds a Docker schema 2 image with Docker media types, and merges config fields', () => {
    const image = buildImage({ mediaType: 'docker', layers: ['text'], config: { config: { Env: ['A=1'] } } })
    expect(image.manifest.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json')
    expect(image.config.mediaType).toBe('application/vnd.docker.container.image.v1+json')
    expect(image.layers.map((layer) => layer.mediaType)).toEqual(['application/vnd.docker.image.rootfs.diff.tar.gzip'])
    expect(json(image.config.bytes).config).toEqual({ Env: ['A=1'] })
  })

  it('uses raw bytes as they are, and refuses OCI-only fields on a Docker image', () => {
    const raw = new TextEncoder().encode('raw bytes')
    expect(buildImage({ layers: [raw] }).layers[0]).toMatchObject({
      digest: sha256(raw),
      diffId: sha256(raw),
      bytes: raw,
    })
    expect(() => buildImage({ mediaType: 'docker', annotations: { a: 'b' } })).toThrow(
      'Failed to build a Docker image with "annotations, artifactType or subject": Docker schema 2 manifests have none of these fields. Use mediaType: \'oci\', or leave those options out.',
    )
  })
})

describe('buildIndex and buildArtifact', () => {
  it('lists children with their platforms', () => {
    const amd = buildImage()
    const child = { ...descriptorOf(amd.manifest), platform: amd.platform }
    const index = buildIndex([child], { annotations: { a: 'b' } })
    expect(json(index.manifest.bytes)).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [child],
      annotations: { a: 'b' },
    })
    expect(buildIndex([child], { mediaType: 'docker' }).manifest.mediaType).toBe(
      'application/vnd.docker.distribution.manifest.list.v2+json',
    )
  })

  it('builds an artifact: artifactType, the empty config, files as titled layers, a subject', () => {
    const subject = descriptorOf(buildImage().manifest)
    const artifact = buildArtifact({ artifactType: 'application/spdx+json', subject, files: { 'sbom.json': '{}' } })
    const file = blobOf('{}', 'application/octet-stream')
    expect(json(artifact.manifest.bytes)).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/spdx+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2, data: 'e30=' },
      layers: [{ ...descriptorOf(file), annotations: { 'org.opencontainers.image.title': 'sbom.json' } }],
      subject,
    })
  })

  it('uses the empty descriptor as the only layer of an artifact without files', () => {
    const artifact = buildArtifact({ artifactType: 'application/vnd.example.signature' })
    expect(json(artifact.manifest.bytes).layers).toEqual([
      { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2, data: 'e30=' },
    ])
    expect(() => buildArtifact({} as never)).toThrow('Failed to build an artifact with artifactType "undefined"')
  })
})
