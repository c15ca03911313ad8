import { AssertionError } from 'node:assert'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assertManifest, createFakeRegistry, FakeRegistryError, type FakeRegistry } from '../../src/index.js'
import { textLayer, type SeededImage } from '../../src/seed.js'
import { MediaTypes, pushImageContent, putManifest } from '../support/push.js'

const SBOM = 'application/spdx+json'

describe('assertManifest', () => {
  let registry: FakeRegistry
  let image: SeededImage
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    image = await registry.seed.image('team/app:1', {
      layers: [textLayer('a.txt', 'hello')],
      platform: { os: 'linux', architecture: 'arm64' },
      annotations: { 'org.example.team': 'core', 'org.example.build': '42' },
    })
    await registry.seed.index('team/app:multi', [
      { platform: { os: 'linux', architecture: 'amd64' } },
      { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ])
    await registry.seed.artifact('team/app', {
      artifactType: SBOM,
      subject: 'team/app:1',
      files: { 'sbom.json': '{}' },
    })
  })
  afterEach(() => registry.close())

  it('passes when the registry holds the manifest, by tag, digest, or a ref with the host', async () => {
    await assertManifest(registry, 'team/app:1')
    await assertManifest(registry, `team/app@${image.digest}`)
    await assertManifest(registry, registry.ref('team/app:1'))
  })

  it('passes when every given field matches, objects as subsets', async () => {
    const layer = image.layers[0]
    await assertManifest(registry, 'team/app:1', {
      mediaType: MediaTypes.OM,
      digest: image.digest,
      size: image.size,
      annotations: { 'org.example.team': 'core' },
      config: { mediaType: MediaTypes.OCI_CONFIG },
      layers: [{ mediaType: MediaTypes.OCI_LAYER, digest: layer?.digest }],
      platform: 'linux/arm64',
    })
    await assertManifest(registry, 'team/app:1', { layers: 1, platform: { architecture: 'arm64' }, digest: /^sha256:/ })
    await assertManifest(registry, 'team/app:multi', {
      mediaType: MediaTypes.OI,
      manifests: 2,
      platforms: ['linux/arm64/v8', 'linux/amd64'],
    })
    const artifact = (await registry.referrers('team/app:1'))[0]
    await assertManifest(registry, `team/app@${artifact?.digest}`, { artifactType: SBOM, subject: image.digest })
    await assertManifest(registry, `team/app@${artifact?.digest}`, {
      subject: { mediaType: MediaTypes.OM, digest: image.digest },
    })
  })

  it('takes asymmetric matchers anywhere in expected', async () => {
    await assertManifest(registry, 'team/app:1', {
      mediaType: expect.stringContaining('oci.image.manifest'),
      layers: [expect.objectContaining({ size: expect.any(Number) })],
      annotations: expect.objectContaining({ 'org.example.build': '42' }),
    })
    await assertManifest(registry, 'team/app:multi', { platforms: expect.arrayContaining(['linux/amd64']) })
    await assertManifest(
      registry,
      'team/app:1',
      expect.objectContaining({ platform: 'linux/arm64', layers: expect.any(Array) }),
    )
    await expect(
      assertManifest(registry, 'team/app:1', { layers: [expect.objectContaining({ size: expect.any(String) })] }),
    ).rejects.toThrow(AssertionError)
  })

  it('throws an AssertionError with actual and expected shaped alike', async () => {
    const error = await assertManifest(registry, 'team/app:1', { mediaType: MediaTypes.OI, layers: 3 }).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(AssertionError)
    expect(error).toMatchObject({
      operator: 'assertManifest',
      actual: { mediaType: MediaTypes.OM, layers: 1 },
      expected: { mediaType: MediaTypes.OI, layers: 3 },
    })
  })

  it('names the tags that exist, and the failed push, when a tag is missing', async () => {
    const manifest = await pushImageContent(registry, 'team/app')
    await putManifest(registry, 'team/app', '2', { ...manifest, mediaType: MediaTypes.S2 })
    await expect(assertManifest(registry, 'team/app:2')).rejects.toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected registry to have manifest team/app:2, but repository "team/app" has no tag "2".
      Tags of team/app:
        tag    mediaType                                   digest
        1      application/vnd.oci.image.manifest.v1+json  sha256:b418234063cb…
        multi  application/vnd.oci.image.index.v1+json     sha256:22ca3e7a5df9…
      Manifest pushes to team/app in the journal:
        #  method  path                      status  error
        3  PUT     /v2/team/app/manifests/2  400     MANIFEST_INVALID]
    `)
  })

  it('names the repositories when the repository does not exist', async () => {
    await expect(assertManifest(registry, 'team/web:1')).rejects.toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected registry to have manifest team/web:1, but repository "team/web" does not exist.
      Repositories: team/app]
    `)
  })

  it('lists the tags and their digests when no manifest has the digest', async () => {
    await expect(assertManifest(registry, `team/app@sha256:${'0'.repeat(64)}`)).rejects
      .toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected registry to have manifest team/app@sha256:0000000000000000000000000000000000000000000000000000000000000000, but repository "team/app" has no manifest sha256:0000000000000000000000000000000000000000000000000000000000000000.
      Tags of team/app:
        tag    mediaType                                   digest
        1      application/vnd.oci.image.manifest.v1+json  sha256:b418234063cb…
        multi  application/vnd.oci.image.index.v1+json     sha256:22ca3e7a5df9…]
    `)
  })

  it('shows the stored media type and the Content-Type the push sent', async () => {
    const manifest = await pushImageContent(registry, 'team/app')
    delete manifest.mediaType
    expect((await putManifest(registry, 'team/app', '3', manifest, MediaTypes.OM)).status).toBe(201)
    await expect(assertManifest(registry, 'team/app:3', { mediaType: MediaTypes.S2 })).rejects
      .toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected manifest team/app:3 to match, but 1 field differs.
      Stored: application/vnd.oci.image.manifest.v1+json sha256:6a79f073459537aa6b43346938bcce1d64ed4f6394f1e43c71530dc067dd9a94 (341 bytes)

      mediaType
        expected  "application/vnd.docker.distribution.manifest.v2+json"
        stored    "application/vnd.oci.image.manifest.v1+json"
        pushed by request #3 (PUT /v2/team/app/manifests/3) with Content-Type "application/vnd.oci.image.manifest.v1+json" and no mediaType in the body]
    `)
  })

  it('shows every differing field with what is stored', async () => {
    await expect(
      assertManifest(registry, 'team/app:1', {
        layers: [{ mediaType: MediaTypes.DOCKER_LAYER }],
        annotations: { 'org.example.team': 'web', 'org.example.owner': 'x' },
        platform: 'linux/amd64',
      }),
    ).rejects.toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected manifest team/app:1 to match, but 3 fields differ.
      Stored: application/vnd.oci.image.manifest.v1+json sha256:b418234063cb62079aaef035f8048a86249b29f33b70fda24d6cc91dd51ea7e9 (469 bytes)

      annotations
        expected  { "org.example.team": "web", "org.example.owner": "x" } (a subset)
        stored    2 annotations:
          key                value
          org.example.team   "core"
          org.example.build  "42"

      layers
        expected  [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip" }]
        stored    1 layer:
          #  mediaType                                    digest                size
          0  application/vnd.oci.image.layer.v1.tar+gzip  sha256:17bfc0f42757…  2071
        first difference at #0: expected { mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip" }

      platform
        expected  "linux/amd64"
        stored    "linux/arm64"]
    `)
  })

  it('shows the children of an index when its platforms differ', async () => {
    await expect(assertManifest(registry, 'team/app:multi', { platforms: ['linux/amd64', 'linux/arm64'], layers: 1 }))
      .rejects.toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected manifest team/app:multi to match, but 2 fields differ.
      Stored: application/vnd.oci.image.index.v1+json sha256:22ca3e7a5df91a306ca21c43bc4d253a0996eae9349db6880771d8ac90e9f79b (506 bytes)

      layers
        expected  1 layer
        stored    no layers field

      platforms
        expected  ["linux/amd64", "linux/arm64"] (in any order)
        stored    ["linux/amd64", "linux/arm64/v8"]
          #  mediaType                                   digest                size  platform
          0  application/vnd.oci.image.manifest.v1+json  sha256:13ced13b9599…  402   linux/amd64
          1  application/vnd.oci.image.manifest.v1+json  sha256:0707f1ffe6cc…  402   linux/arm64/v8]
    `)
  })

  it('says why a manifest has no platform', async () => {
    await expect(assertManifest(registry, 'team/app:multi', { platform: 'linux/amd64' })).rejects.toThrow(
      /stored {4}none \(application\/vnd\.oci\.image\.index\.v1\+json is an index: check platforms instead\)/,
    )
  })

  it.each([
    [
      'a malformed reference',
      'Team/App:1',
      {},
      'ERR_INVALID_REFERENCE',
      'Failed to check the manifest "Team/App:1": "Team/App" is not a valid repository name (lower-case path components). Pass one such as \'team/app:1\' or \'team/app@sha256:…\'.',
    ],
    [
      'a reference with neither tag nor digest',
      'team/app',
      {},
      'ERR_INVALID_REFERENCE',
      "Failed to check the manifest \"team/app\": it names no tag and no digest. Pass one such as 'team/app:1' or 'team/app@sha256:…'.",
    ],
    [
      'an unknown key',
      'team/app:1',
      { layer: 1 },
      'ERR_INVALID_EXPECTATION',
      'Failed to use the expectation of assertManifest "layer": assertManifest has no field "layer" to check. Use only mediaType, digest, size, artifactType, annotations, config, layers, manifests, platforms, platform, subject.',
    ],
    [
      'layers of the wrong type',
      'team/app:1',
      { layers: '2' },
      'ERR_INVALID_EXPECTATION',
      'Failed to use the expectation of assertManifest "layers": layers must be a count, a list of descriptor fields, or an asymmetric matcher. Pass one such as layers: 2 or layers: [{ mediaType: \'…\' }].',
    ],
    [
      'an expectation that is not an object',
      'team/app:1',
      'oci',
      'ERR_INVALID_EXPECTATION',
      'Failed to use the expectation of assertManifest "oci": an expectation is an object of fields to check. Pass an object with some of: mediaType, digest, size, artifactType, annotations, config, layers, manifests, platforms, platform, subject.',
    ],
  ])('refuses %s with a FakeRegistryError that says what to do', async (_name, reference, expected, code, message) => {
    const error = await assertManifest(registry, reference, expected as never).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(FakeRegistryError)
    expect(error).toMatchObject({ code, message })
  })

  it('refuses a closed registry, and something that is not a registry', async () => {
    await registry.close()
    await expect(assertManifest(registry, 'team/app:1')).rejects.toMatchObject({
      code: 'ERR_REGISTRY_CLOSED',
      message:
        'Failed to check a manifest in registry "http://registry.fake-oci.invalid": the registry is closed. Assert before registry.close(), or before the block of `await using` ends.',
    })
    await expect(assertManifest({} as FakeRegistry, 'team/app:1')).rejects.toMatchObject({
      code: 'ERR_INVALID_EXPECTATION',
      message:
        'Failed to check a manifest in registry "an object": it is not a registry made by createFakeRegistry(). Pass the registry that await createFakeRegistry() returned.',
    })
  })
})
