import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import '../../src/vitest.js'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { textLayer, type SeededImage } from '../../src/seed.js'
import { MediaTypes, putManifest } from '../support/push.js'

const SBOM = 'application/spdx+json'

describe('fake-oci-registry/vitest matchers', () => {
  let registry: FakeRegistry
  let image: SeededImage
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    image = await registry.seed.image('team/app:1', {
      layers: [textLayer('a.txt', 'a'), textLayer('b.txt', 'b')],
      platform: { os: 'linux', architecture: 'amd64' },
    })
    await registry.seed.artifact('team/app', {
      artifactType: SBOM,
      subject: 'team/app:1',
      files: { 'sbom.json': '{}' },
    })
    await registry.fetch('/v2/team/app/manifests/1', { headers: { accept: MediaTypes.OM } })
    await registry.fetch('/v2/team/app/manifests/1', { method: 'HEAD', headers: { accept: MediaTypes.OM } })
  })
  afterEach(() => registry.close())

  it('toHaveManifest and .not', async () => {
    await expect(registry).toHaveManifest('team/app:1')
    await expect(registry).toHaveManifest('team/app:1', {
      mediaType: MediaTypes.OM,
      layers: 2,
      platform: 'linux/amd64',
    })
    await expect(registry).not.toHaveManifest('team/app:2')
    await expect(registry).not.toHaveManifest('team/app:1', { layers: 3 })
  })

  it('toHaveManifest with asymmetric matchers inside expected', async () => {
    await expect(registry).toHaveManifest('team/app:1', {
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      layers: [expect.objectContaining({ mediaType: MediaTypes.OCI_LAYER }), expect.anything()],
      config: expect.objectContaining({ mediaType: MediaTypes.OCI_CONFIG }),
    })
    await expect(registry).toHaveManifest('team/app:1', expect.objectContaining({ mediaType: MediaTypes.OM }))
    await expect(registry).not.toHaveManifest('team/app:1', {
      layers: [expect.objectContaining({ mediaType: MediaTypes.DOCKER_LAYER }), expect.anything()],
    })
  })

  it('toHaveBlob, toHaveTags, toHaveReferrers and their .not', async () => {
    const [layer] = image.layers
    await expect(registry).toHaveBlob('team/app', layer?.digest ?? '', { size: layer?.size })
    await expect(registry).not.toHaveBlob('team/other', layer?.digest ?? '')
    await expect(registry).toHaveTags('team/app', ['1'])
    await expect(registry).toHaveTags('team/app', expect.arrayContaining(['1']))
    await expect(registry).not.toHaveTags('team/app', ['2'])
    await expect(registry).toHaveReferrers('team/app:1', { artifactType: SBOM })
    await expect(registry).not.toHaveReferrers('team/app:1', { artifactType: 'application/vnd.cyclonedx+json' })
  })

  it('toHaveReceivedRequest, toHaveReceivedRequestTimes and their .not', () => {
    expect(registry).toHaveReceivedRequest({ method: 'GET', path: '/v2/team/app/manifests/1' })
    expect(registry).toHaveReceivedRequest({ headers: { accept: expect.stringContaining('oci') } })
    expect(registry).not.toHaveReceivedRequest({ method: 'PUT' })
    expect(registry).toHaveReceivedRequestTimes(2, { path: /\/manifests\/1$/ })
    expect(registry).not.toHaveReceivedRequestTimes(1, { path: /\/manifests\/1$/ })
  })

  it('fails with what the registry holds: a missing tag', async () => {
    await expect(expect(registry).toHaveManifest('team/app:2')).rejects.toThrowErrorMatchingInlineSnapshot(`
      [Error: Expected registry to have manifest team/app:2, but repository "team/app" has no tag "2".
      Tags of team/app:
        tag  mediaType                                   digest
        1    application/vnd.oci.image.manifest.v1+json  sha256:6883f66999b1…]
    `)
  })

  it('fails with the stored type and the Content-Type the client sent', async () => {
    const manifest = JSON.parse(new TextDecoder().decode((await registry.manifest('team/app:1'))?.bytes)) as Record<
      string,
      unknown
    >
    await putManifest(registry, 'team/app', '2', manifest, MediaTypes.OM)
    await expect(expect(registry).toHaveManifest('team/app:2', { mediaType: MediaTypes.S2 })).rejects
      .toThrowErrorMatchingInlineSnapshot(`
      [Error: Expected manifest team/app:2 to match, but 1 field differs.
      Stored: application/vnd.oci.image.manifest.v1+json sha256:6883f66999b1fe36ccda8716eb9909e314361fe98e68702f3993c4b6be12add2 (557 bytes)

      mediaType
        expected  "application/vnd.docker.distribution.manifest.v2+json"
        stored    "application/vnd.oci.image.manifest.v1+json"
        pushed by request #3 (PUT /v2/team/app/manifests/2) with Content-Type "application/vnd.oci.image.manifest.v1+json" and body mediaType "application/vnd.oci.image.manifest.v1+json"]
    `)
  })

  it('fails .not with what matched', async () => {
    await expect(expect(registry).not.toHaveManifest('team/app:1')).rejects.toThrowErrorMatchingInlineSnapshot(
      `[Error: Expected registry not to have manifest team/app:1, but it holds application/vnd.oci.image.manifest.v1+json sha256:6883f66999b1fe36ccda8716eb9909e314361fe98e68702f3993c4b6be12add2 (557 bytes).]`,
    )
    await expect(expect(registry).not.toHaveTags('team/app', ['1'])).rejects.toThrowErrorMatchingInlineSnapshot(
      `[Error: Expected team/app not to have tag "1", but team/app has tags: 1.]`,
    )
    expect(() => expect(registry).not.toHaveReceivedRequest({ method: 'HEAD' })).toThrowErrorMatchingInlineSnapshot(`
      [Error: Expected no request matching { method: "HEAD" }, but 1 matched:
        #  method  path                      status  error
        2  HEAD    /v2/team/app/manifests/1  200]
    `)
  })

  it('fails with the closest requests as a table', () => {
    expect(() => expect(registry).toHaveReceivedRequest({ method: 'PUT', path: /\/manifests\/1$/ }))
      .toThrowErrorMatchingInlineSnapshot(`
      [Error: Expected a request matching { method: "PUT", path: /\\/manifests\\/1$/ }, but none of the 2 recorded requests matched.
      Closest requests:
        #  method  path                      status  error  differs in
        1  GET     /v2/team/app/manifests/1  200            method
        2  HEAD    /v2/team/app/manifests/1  200            method]
    `)
    expect(() => expect(registry).toHaveReceivedRequestTimes(2, { method: 'GET' })).toThrowErrorMatchingInlineSnapshot(`
      [Error: Expected 2 requests matching { method: "GET" }, but 1 matched.
      Matching requests:
        #  method  path                      status  error
        1  GET     /v2/team/app/manifests/1  200]
    `)
  })

  it('reports misuse as a FakeRegistryError, not a TypeError', async () => {
    await expect(expect({}).toHaveManifest('team/app:1')).rejects.toMatchObject({
      name: 'FakeRegistryError',
      code: 'ERR_INVALID_EXPECTATION',
    })
    await expect(expect(registry).toHaveManifest('team/app:1', { layerz: 2 } as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_EXPECTATION',
    })
    expect(() => expect(registry).toHaveReceivedRequestTimes({ method: 'GET' } as never, {})).toThrow(
      /the first argument is the number of requests/,
    )
    await registry.close()
    await expect(expect(registry).toHaveTags('team/app', ['1'])).rejects.toMatchObject({ code: 'ERR_REGISTRY_CLOSED' })
  })
})
