// Regression: a manifest pushed without Content-Type fails with "missing signature key".
// gitlab-org/container-registry#426 (https://gitlab.com/gitlab-org/container-registry/-/issues/426)
//
// The bug. A registry picks the manifest parser from the request's Content-Type. GitLab's
// registry had removed Docker schema 1 support, yet still fell back to the schema 1 parser
// when the header was missing or unknown. That parser first looks for the JWS `signatures` of a
// signed schema 1 manifest, so a perfectly good schema 2 manifest pushed without Content-Type
// answered
//
//   400 {"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid","detail":"missing signature key"}]}
//
// an error that names nothing the client did wrong. GitLab fixed it in v3.7.0 (MR !714) by making
// schema 2 the default parser: the same push is accepted, and a body whose mediaType does not fit
// gets an error that says so ("no mediaType in manifest", "mediaType in manifest should be …").
//
// Here: `mode: 'gitlab-legacy'` replays the bug byte for byte; `mode: 'strict'` (the default)
// behaves as the fixed registry. The full tables run in test/seeds/seed-b.test.ts.
import { describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry, type Mode } from '../../src/index.js'
import { pushBlob, sha256 } from '../support/push.js'

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'

/** A Docker schema 2 image whose config and layer are in the repository. */
async function dockerImage(registry: FakeRegistry): Promise<string> {
  const config = await pushBlob(
    registry,
    'team/app',
    '{"architecture":"amd64","os":"linux"}',
    'application/vnd.docker.container.image.v1+json',
  )
  const layer = await pushBlob(registry, 'team/app', 'layer', 'application/vnd.docker.image.rootfs.diff.tar.gzip')
  return JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config, layers: [layer] })
}

/** PUT by digest, as GitLab's own test pushes, with no Content-Type header at all. */
async function pushWithoutContentType(registry: FakeRegistry, manifest: string): Promise<Response> {
  return registry.fetch(`/v2/team/app/manifests/${sha256(manifest)}`, {
    method: 'PUT',
    body: new TextEncoder().encode(manifest),
  })
}

async function createRegistry(mode: Mode): Promise<FakeRegistry> {
  return createFakeRegistry({ transport: 'none', mode })
}

describe('seed B, gitlab #426: a push without Content-Type goes to the schema 1 parser', () => {
  it('reproduces in gitlab-legacy: 400 "missing signature key" for a valid schema 2 manifest', async () => {
    await using registry = await createRegistry('gitlab-legacy')
    const manifest = await dockerImage(registry)

    const response = await pushWithoutContentType(registry, manifest)
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.text()).toBe(
      '{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid","detail":"missing signature key"}]}\n',
    )
  })

  it('is fixed in strict: schema 2 is the default parser and the push is accepted', async () => {
    await using registry = await createRegistry('strict')
    const manifest = await dockerImage(registry)

    const response = await pushWithoutContentType(registry, manifest)
    expect(response.status).toBe(201)
    expect(response.headers.get('docker-content-digest')).toBe(sha256(manifest))
    const pulled = await registry.fetch(`/v2/team/app/manifests/${sha256(manifest)}`)
    expect(pulled.headers.get('content-type')).toBe(DOCKER_MANIFEST)
    expect(await pulled.text()).toBe(manifest)
  })
})
