// Regression: pulling an OCI image index that has no `mediaType` always fails.
// gitlab-org/container-registry#559 (https://gitlab.com/gitlab-org/container-registry/-/issues/559)
//
// The bug. buildah pushes multi-arch images as an OCI image index without a top-level
// `mediaType`, which image-spec allows (the field is optional). GitLab's registry accepted the
// push, but did not remember the type: every pull worked it out again from the stored bytes.
// With no `mediaType` and a `manifests` array it built a manifest list of type "", which the GET
// handler did not recognise and treated as schema 1. So every pull of the image answered
//
//   HTTP/1.1 400 Bad Request
//   Content-Length: 85
//   Content-Type: application/json
//
//   {"errors":[{"code":"MANIFEST_INVALID","message":"Schema 1 manifest not supported"}]}
//
// whatever the client's Accept header. GitLab fixed it in v3.69.0 (MR !1248) by serving such an
// index as `application/vnd.oci.image.index.v1+json`.
//
// Here: `mode: 'gitlab-legacy'` replays the bug byte for byte; `mode: 'strict'` (the default)
// stores the kind at push time and serves it back unchanged, which is the fix.
import { describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry, type Mode } from '../../src/index.js'
import { pushBlob, sha256 } from '../support/push.js'

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
// What `docker pull` sends: every type it can read.
const DOCKER_ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  OCI_MANIFEST,
  OCI_INDEX,
].join(', ')

/** Pushes two single-platform images and, as buildah does, an index of them with no mediaType. */
async function pushBuildahIndex(registry: FakeRegistry): Promise<string> {
  const config = await pushBlob(
    registry,
    'mygroup/myproject',
    '{"architecture":"amd64","os":"linux"}',
    'application/vnd.oci.image.config.v1+json',
  )
  const manifests = []
  for (const platform of [
    { architecture: 'arm64', os: 'linux', variant: 'v8' },
    { architecture: 'amd64', os: 'linux' },
  ]) {
    const image = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config,
      layers: [],
      annotations: { platform: platform.architecture },
    })
    expect((await put(registry, sha256(image), image, OCI_MANIFEST)).status).toBe(201)
    manifests.push({ mediaType: OCI_MANIFEST, digest: sha256(image), size: Buffer.byteLength(image), platform })
  }
  // The index of the issue: schemaVersion and manifests, no mediaType.
  const index = JSON.stringify({ schemaVersion: 2, manifests })
  const response = await put(registry, 'latest', index, OCI_INDEX)
  expect(response.status).toBe(201)
  return index
}

async function put(registry: FakeRegistry, reference: string, body: string, contentType: string): Promise<Response> {
  return registry.fetch(`/v2/mygroup/myproject/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': contentType },
    body: new TextEncoder().encode(body),
  })
}

async function createRegistry(mode: Mode): Promise<FakeRegistry> {
  return createFakeRegistry({ transport: 'none', mode })
}

describe('seed A, gitlab #559: an OCI index without mediaType cannot be pulled', () => {
  it('reproduces in gitlab-legacy: the push succeeds, every pull answers 400 "Schema 1 manifest not supported"', async () => {
    await using registry = await createRegistry('gitlab-legacy')
    const index = await pushBuildahIndex(registry)

    for (const reference of ['latest', sha256(index)]) {
      for (const accept of [DOCKER_ACCEPT, OCI_INDEX]) {
        const response = await registry.fetch(`/v2/mygroup/myproject/manifests/${reference}`, { headers: { accept } })
        expect(response.status).toBe(400)
        expect(response.headers.get('content-length')).toBe('85')
        expect(response.headers.get('content-type')).toBe('application/json')
        expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
        expect(await response.text()).toBe(
          '{"errors":[{"code":"MANIFEST_INVALID","message":"Schema 1 manifest not supported"}]}\n',
        )
      }
    }
    // HEAD, which clients send first, fails the same way without a body.
    const head = await registry.fetch('/v2/mygroup/myproject/manifests/latest', {
      method: 'HEAD',
      headers: { accept: DOCKER_ACCEPT },
    })
    expect(head.status).toBe(400)
    expect(head.headers.get('content-length')).toBe('85')
    expect(await head.text()).toBe('')
  })

  it('is fixed in strict: the index is served as an OCI index, bytes unchanged', async () => {
    await using registry = await createRegistry('strict')
    const index = await pushBuildahIndex(registry)

    const response = await registry.fetch('/v2/mygroup/myproject/manifests/latest', {
      headers: { accept: DOCKER_ACCEPT },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(OCI_INDEX)
    expect(response.headers.get('docker-content-digest')).toBe(sha256(index))
    // No mediaType is added: the registry serves exactly the bytes that were pushed.
    expect(await response.text()).toBe(index)
  })
})
