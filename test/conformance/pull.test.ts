// Conformance workflow 1, Pull: blobs and manifests by digest and by tag, error bodies, teardown.
import { beforeAll, expect } from 'vitest'
import {
  it,
  DISTRIBUTION_28_FAILURES,
  deleteBlob,
  deleteManifest,
  describeWorkflow,
  expectSpecErrors,
  expectStatus,
  fixtures,
  OCI_MANIFEST,
  specName,
  SUCCESS,
  authVariants,
  variant,
  type Exchange,
  type Session,
  type Variant,
} from './support.js'

const VARIANTS: Variant[] = [
  variant('manifests deleted before blobs'),
  variant('blobs deleted before manifests', { config: { deleteManifestBeforeBlobs: false } }),
  variant('deletes disabled in the registry', { registry: { deletes: false } }),
  variant('content preloaded (tag and digests given, no setup)', {
    config: {
      preloaded: {
        tag: 'preloaded',
        manifestDigest: fixtures.manifests[0]!.digest,
        blobDigest: fixtures.configs[0]!.digest,
      },
    },
  }),
  variant('profile distribution-2.8: fails exactly the specs distribution 2.8 fails', {
    registry: { profile: 'distribution-2.8' },
    capabilities: { referrers: false },
    expectedFailures: DISTRIBUTION_28_FAILURES,
  }),
  ...authVariants(),
]
const spec = (name: string): string => specName('pull', name)

for (const current of VARIANTS) {
  describeWorkflow('pull', current, (session: () => Session) => {
    const { config } = current
    const runSetup = config.preloaded === undefined
    // The digests every spec reads; given ones replace those of the suite's own content.
    const configDigests = fixtures.configs.slice(0, 2).map((blob) => config.preloaded?.blobDigest ?? blob.digest)
    const manifestDigests = fixtures.manifests
      .slice(0, 2)
      .map((manifest) => config.preloaded?.manifestDigest ?? manifest.digest)
    let tag = ''

    if (config.preloaded) {
      // Stands in for content another tool pushed before the suite runs.
      beforeAll(async () => {
        const { client } = session()
        expectStatus(await client.pushBlob(fixtures.configs[0]!), 201)
        expectStatus(await client.pushBlob(fixtures.layer), 201)
        expectStatus(await client.putManifest(config.preloaded!.tag, fixtures.manifests[0]!), 201)
      })
    }

    // Setup
    it.runIf(runSetup)(spec('Populate registry with test blob (config[0])'), async () => {
      expectStatus(await session().client.pushBlob(fixtures.configs[0]!), SUCCESS)
    })

    it.runIf(runSetup)(spec('Populate registry with test blob (config[1])'), async () => {
      expectStatus(await session().client.pushBlob(fixtures.configs[1]!), SUCCESS)
    })

    it.runIf(runSetup)(spec('Populate registry with test layer'), async () => {
      expectStatus(await session().client.pushBlob(fixtures.layer), SUCCESS)
    })

    it.runIf(runSetup)(spec('Populate registry with test manifest (manifest[0] by tag)'), async () => {
      tag = fixtures.testTagName
      expectStatus(await session().client.putManifest(tag, fixtures.manifests[0]!), SUCCESS)
    })

    it.runIf(runSetup)(spec('Populate registry with test manifest (manifest[1] by digest)'), async () => {
      expectStatus(await session().client.putManifest(fixtures.manifests[1]!.digest, fixtures.manifests[1]!), SUCCESS)
    })

    it.runIf(!runSetup)(spec('Get tag name from environment'), () => {
      tag = config.preloaded!.tag
      expect(tag).not.toBe('')
    })

    // Pull blobs
    it(spec('HEAD request to nonexistent blob should result in 404 response'), async () => {
      const { client } = session()
      expectStatus(await client.send('HEAD', client.blob(fixtures.dummyDigest)), 404)
    })

    it(spec('HEAD request to existing blob should yield 200'), async () => {
      const { client } = session()
      const response = await client.send('HEAD', client.blob(configDigests[0]!))
      expectStatus(response, 200)
      expectDigestHeaderIfPresent(response, configDigests[0]!)
    })

    it(spec('GET nonexistent blob should result in 404 response'), async () => {
      const { client } = session()
      const response = await client.send('GET', client.blob(fixtures.dummyDigest))
      expectStatus(response, 404)
      expect(expectSpecErrors(response)[0]!.code).toBe('BLOB_UNKNOWN')
    })

    it(spec('GET request to existing blob URL should yield 200'), async () => {
      const { client } = session()
      const response = await client.send('GET', client.blob(configDigests[0]!))
      expectStatus(response, 200)
      expect(Buffer.from(response.body).equals(Buffer.from(fixtures.configs[0]!.content))).toBe(true)
    })

    // Pull manifests
    it(spec('HEAD request to nonexistent manifest should return 404'), async () => {
      const { client } = session()
      expectStatus(await client.send('HEAD', client.manifest(fixtures.nonexistentManifest)), 404)
    })

    for (const index of [0, 1]) {
      it(spec(`HEAD request to manifest[${index}] path (digest) should yield 200 response`), async () => {
        const { client } = session()
        const response = await client.send('HEAD', client.manifest(manifestDigests[index]!), {
          headers: { accept: OCI_MANIFEST },
        })
        expectStatus(response, 200)
        expectDigestHeaderIfPresent(response, manifestDigests[index]!)
      })
    }

    it(spec('HEAD request to manifest path (tag) should yield 200 response'), async () => {
      const { client } = session()
      expect(tag).not.toBe('')
      const response = await client.send('HEAD', client.manifest(tag), { headers: { accept: OCI_MANIFEST } })
      expectStatus(response, 200)
      expectDigestHeaderIfPresent(response, manifestDigests[0]!)
    })

    it(spec('GET nonexistent manifest should return 404'), async () => {
      const { client } = session()
      const response = await client.send('GET', client.manifest(fixtures.nonexistentManifest))
      expectStatus(response, 404)
      expect(expectSpecErrors(response)[0]!.code).toBe('MANIFEST_UNKNOWN')
    })

    for (const index of [0, 1]) {
      it(spec(`GET request to manifest[${index}] path (digest) should yield 200 response`), async () => {
        const { client } = session()
        const response = await client.send('GET', client.manifest(manifestDigests[index]!), {
          headers: { accept: OCI_MANIFEST },
        })
        expectStatus(response, 200)
        expectManifestBody(response, runSetup ? index : 0)
      })
    }

    it(spec('GET request to manifest path (tag) should yield 200 response'), async () => {
      const { client } = session()
      expect(tag).not.toBe('')
      const response = await client.send('GET', client.manifest(tag), { headers: { accept: OCI_MANIFEST } })
      expectStatus(response, 200)
      expectManifestBody(response, 0)
    })

    // Error codes
    it(spec('400 response body should contain OCI-conforming JSON message'), async () => {
      const { client } = session()
      // Upstream also sends a manifest body with this GET; fetch cannot, and a GET body has no meaning.
      const response = await client.send('GET', client.manifest('sha256:totallywrong'), {
        headers: { 'content-type': OCI_MANIFEST },
      })
      expectStatus(response, 400, 404)
      if (response.status === 400) expectSpecErrors(response)
    })

    // Teardown
    const deleteManifests = (): void => {
      for (const index of [0, 1]) {
        it.runIf(runSetup)(spec(`Delete manifest[${index}] created in setup`), async () => {
          await deleteManifest(session(), manifestDigests[index]!)
        })
      }
    }
    if (config.deleteManifestBeforeBlobs) deleteManifests()
    for (const index of [0, 1]) {
      it.runIf(runSetup)(spec(`Delete config[${index}] blob created in setup`), async () => {
        await deleteBlob(session(), configDigests[index]!)
      })
    }
    it.runIf(runSetup)(spec('Delete layer blob created in setup'), async () => {
      await deleteBlob(session(), fixtures.layer.digest)
    })
    if (!config.deleteManifestBeforeBlobs) deleteManifests()
  })
}

/** Upstream only checks Docker-Content-Digest when the registry sends it. */
function expectDigestHeaderIfPresent(response: Exchange, digest: string): void {
  const header = response.headers.get('docker-content-digest')
  if (header !== null && header !== '') expect(header).toBe(digest)
}

/** A pulled manifest is the pushed bytes, exactly, with its media type. */
function expectManifestBody(response: Exchange, index: number): void {
  expect(response.headers.get('content-type')).toBe(OCI_MANIFEST)
  expect(new TextDecoder().decode(response.body)).toBe(new TextDecoder().decode(fixtures.manifests[index]!.content))
}
