// Conformance workflow 2, Push: streamed, monolithic and chunked blob uploads, cross-repository
// mounts, manifest, artifact and index uploads, teardown.
import { expect } from 'vitest'
import {
  it,
  DISTRIBUTION_28_FAILURES,
  chunkedBlob,
  deleteBlob,
  deleteManifest,
  describeWorkflow,
  EMPTY_JSON_DIGEST,
  expectStatus,
  fixtures,
  OCI_INDEX,
  OCI_MANIFEST,
  relativeLocation,
  specName,
  SUCCESS,
  authVariants,
  variant,
  type Exchange,
  type Session,
  type Variant,
} from './support.js'

const VARIANTS: Variant[] = [
  variant('automatic cross-mount, manifests deleted before blobs'),
  variant('automatic cross-mount, blobs deleted before manifests, nested cross-mount namespace', {
    config: { deleteManifestBeforeBlobs: false, crossmountNamespace: 'conformance/cross-mount/target' },
  }),
  variant('automatic cross-mount disabled in the registry', {
    registry: { automaticMount: false },
    config: { automaticCrossmount: false },
  }),
  variant('automatic cross-mount not configured, empty-layer push skipped, deletes disabled in the registry', {
    registry: { deletes: false },
    config: { automaticCrossmount: undefined, skipEmptyLayerPushTest: true },
  }),
  variant('profile distribution-2.8: fails exactly the specs distribution 2.8 fails', {
    registry: { profile: 'distribution-2.8' },
    capabilities: { referrers: false },
    expectedFailures: DISTRIBUTION_28_FAILURES,
  }),
  ...authVariants(),
]
const spec = (name: string): string => specName('push', name)

for (const current of VARIANTS) {
  describeWorkflow('push', current, (session: () => Session) => {
    const { config, capabilities } = current
    const { configs, manifests } = fixtures
    let lastResponse: Exchange | undefined
    let prevResponse: Exchange | undefined
    let chunked = chunkedBlob(42)
    const pushed = {
      configTypeArtifact: false,
      artifactTypeArtifact: false,
      emptyLayerManifest: false,
      emptyJsonBlob: false,
    }

    const last = (): Exchange => {
      expect(lastResponse, 'the spec depends on the previous one, which did not get an answer').toBeDefined()
      return lastResponse!
    }

    // Setup
    it(spec('Upload empty JSON blob needed for further tests'), async () => {
      expect(fixtures.emptyJson.digest).toBe(EMPTY_JSON_DIGEST)
      expectStatus(await session().client.pushBlob(fixtures.emptyJson), SUCCESS)
      pushed.emptyJsonBlob = true
    })

    it(spec('Upload blob needed for further tests'), async () => {
      expectStatus(await session().client.pushBlob(fixtures.refBlobA), SUCCESS)
    })

    // Blob Upload Streamed
    it(spec('PATCH request with blob in body should yield 202 response'), async () => {
      const { client } = session()
      const started = await client.send('POST', client.uploads())
      expect(started.headers.get('location') ?? '', 'POST gave no Location').not.toBe('')
      const response = await client.send('PATCH', relativeLocation(started), {
        headers: { 'content-type': 'application/octet-stream' },
        body: fixtures.blobA.content,
      })
      expectStatus(response, 202)
      lastResponse = response
    })

    it(spec('PUT request to session URL with digest should yield 201 response'), async () => {
      const { client } = session()
      const response = await client.send('PUT', relativeLocation(last()), {
        query: { digest: fixtures.blobA.digest },
        headers: { 'content-type': 'application/octet-stream' },
      })
      expectStatus(response, 201)
      expect(response.headers.get('location') ?? '').not.toBe('')
    })

    // Blob Upload Monolithic
    it(spec('GET nonexistent blob should result in 404 response'), async () => {
      const { client } = session()
      expectStatus(await client.send('GET', client.blob(fixtures.dummyDigest)), 404)
    })

    it(spec('POST request with digest and blob should yield a 201 or 202'), async () => {
      const { client } = session()
      const response = await client.send('POST', client.uploads(), {
        query: { digest: configs[1]!.digest },
        headers: { 'content-type': 'application/octet-stream' },
        body: configs[1]!.content,
      })
      expect(response.headers.get('location') ?? '').not.toBe('')
      expectStatus(response, 201, 202)
      lastResponse = response
    })

    it(spec('GET request to blob URL from prior request should yield 200 or 404 based on response code'), async () => {
      const { client } = session()
      const accepted = last().status === 202
      const response = await client.send('GET', client.blob(configs[1]!.digest))
      // A 202 means the registry opened a session instead of storing the blob.
      expectStatus(response, accepted ? 404 : 200)
    })

    it(spec('POST request should yield a session ID'), async () => {
      const { client } = session()
      const response = await client.send('POST', client.uploads())
      expectStatus(response, 202)
      lastResponse = response
    })

    it(spec('PUT upload of a blob should yield a 201 Response'), async () => {
      const { client } = session()
      const response = await client.send('PUT', relativeLocation(last()), {
        query: { digest: configs[1]!.digest },
        headers: { 'content-type': 'application/octet-stream' },
        body: configs[1]!.content,
      })
      expect(response.headers.get('location') ?? '').not.toBe('')
      expectStatus(response, 201)
    })

    it(spec('GET request to existing blob should yield 200 response'), async () => {
      const { client } = session()
      const response = await client.send('GET', client.blob(configs[1]!.digest))
      expectStatus(response, 200)
      expect(Buffer.from(response.body).equals(Buffer.from(configs[1]!.content))).toBe(true)
    })

    it(spec('PUT upload of a layer blob should yield a 201 Response'), async () => {
      const response = await session().client.pushBlob(fixtures.layer)
      expect(response.headers.get('location') ?? '').not.toBe('')
      expectStatus(response, 201)
    })

    it(spec('GET request to existing layer should yield 200 response'), async () => {
      const { client } = session()
      const response = await client.send('GET', client.blob(fixtures.layer.digest))
      expectStatus(response, 200)
      expect(Buffer.from(response.body).equals(Buffer.from(fixtures.layer.content))).toBe(true)
    })

    // Blob Upload Chunked
    it(spec('Out-of-order blob upload should return 416'), async () => {
      const { client } = session()
      const started = await client.send('POST', client.uploads(), { headers: { 'content-length': '0' } })
      expect(started.headers.get('location') ?? '').not.toBe('')
      // A registry may demand bigger chunks: rebuild the blob so each half is at least that long.
      const minimum = started.headers.get('oci-chunk-min-length')
      if (minimum !== null && minimum !== '') {
        const size = Number(minimum)
        expect(Number.isSafeInteger(size), `OCI-Chunk-Min-Length: ${minimum}`).toBe(true)
        if (size > chunked.chunk1.byteLength) chunked = chunkedBlob(size * 2 - 2)
      }
      const response = await client.send('PATCH', relativeLocation(started), {
        headers: { 'content-type': 'application/octet-stream', 'content-range': chunked.chunk2Range },
        body: chunked.chunk2,
      })
      expectStatus(response, 416)
    })

    it(spec('PATCH request with first chunk should return 202'), async () => {
      const { client } = session()
      const started = await client.send('POST', client.uploads(), { headers: { 'content-length': '0' } })
      expect(started.headers.get('location') ?? '').not.toBe('')
      prevResponse = started
      const response = await client.send('PATCH', relativeLocation(started), {
        headers: { 'content-type': 'application/octet-stream', 'content-range': chunked.chunk1Range },
        body: chunked.chunk1,
      })
      expectStatus(response, 202)
      expect(response.headers.get('range')).toBe(chunked.chunk1Range)
      lastResponse = response
    })

    it(spec('Retry previous blob chunk should return 416'), async () => {
      const { client } = session()
      expect(prevResponse).toBeDefined()
      const response = await client.send('PATCH', relativeLocation(prevResponse!), {
        headers: { 'content-type': 'application/octet-stream', 'content-range': chunked.chunk1Range },
        body: chunked.chunk1,
      })
      expectStatus(response, 416)
    })

    it(spec('Get on stale blob upload should return 204 with a range and location'), async () => {
      const { client } = session()
      expect(prevResponse).toBeDefined()
      const response = await client.send('GET', relativeLocation(prevResponse!))
      expectStatus(response, 204)
      expect(response.headers.get('location') ?? '').not.toBe('')
      expect(response.headers.get('range')).toBe(chunked.chunk1Range)
      lastResponse = response
    })

    it(spec('PATCH request with second chunk should return 202'), async () => {
      const { client } = session()
      const response = await client.send('PATCH', relativeLocation(last()), {
        headers: { 'content-type': 'application/octet-stream', 'content-range': chunked.chunk2Range },
        body: chunked.chunk2,
      })
      expectStatus(response, 202)
      expect(response.headers.get('range')).toBe(`0-${chunked.content.byteLength - 1}`)
      expect(response.headers.get('location') ?? '').not.toBe('')
      lastResponse = response
    })

    it(spec('PUT request with digest should return 201'), async () => {
      const { client } = session()
      const response = await client.send('PUT', relativeLocation(last()), {
        query: { digest: chunked.digest },
        headers: { 'content-type': 'application/octet-stream' },
      })
      expectStatus(response, 201)
      expect(response.headers.get('location') ?? '').not.toBe('')
    })

    // Cross-Repository Blob Mount
    it(spec('Cross-mounting of a blob without the from argument should yield session id'), async () => {
      const { client } = session()
      const response = await client.send('POST', client.uploads(config.crossmountNamespace), {
        query: { mount: fixtures.dummyDigest },
      })
      expectStatus(response, 202)
      expect(response.headers.get('location') ?? '').not.toBe('')
    })

    it(spec("POST request to mount another repository's blob should return 201 or 202"), async () => {
      const { client } = session()
      const response = await client.send('POST', client.uploads(config.crossmountNamespace), {
        query: { mount: fixtures.blobA.digest, from: config.namespace },
      })
      expectStatus(response, 201, 202)
      lastResponse = response
    })

    it(spec('GET request to test digest within cross-mount namespace should return 200'), async (context) => {
      if (last().status !== 201) context.skip('the mount opened a session instead')
      const { client } = session()
      expect(relativeLocation(last())).toBe(`/v2/${config.crossmountNamespace}/blobs/${fixtures.blobA.digest}`)
      const response = await client.send('GET', relativeLocation(last()))
      expectStatus(response, 200)
      expect(Buffer.from(response.body).equals(Buffer.from(fixtures.blobA.content))).toBe(true)
    })

    it(spec('Cross-mounting of nonexistent blob should yield session id'), (context) => {
      if (last().status !== 202) context.skip('the mount succeeded')
      expect(
        relativeLocation(last()).startsWith(`/v2/${config.crossmountNamespace}/blobs/uploads/`),
        relativeLocation(last()),
      ).toBe(true)
    })

    it.runIf(config.automaticCrossmount === true)(
      spec('Cross-mounting without from, and automatic content discovery enabled should return a 201'),
      async (context) => {
        if (last().status !== 201) context.skip('the mount with from did not succeed')
        const { client } = session()
        expectStatus(
          await client.send('POST', client.uploads(config.crossmountNamespace), {
            query: { mount: fixtures.blobA.digest },
          }),
          201,
        )
      },
    )

    it.runIf(config.automaticCrossmount === false)(
      spec('Cross-mounting without from, and automatic content discovery disabled should return a 202'),
      async (context) => {
        if (last().status !== 201) context.skip('the mount with from did not succeed')
        const { client } = session()
        expectStatus(
          await client.send('POST', client.uploads(config.crossmountNamespace), {
            query: { mount: fixtures.blobA.digest },
          }),
          202,
        )
      },
    )

    // Manifest Upload
    it(spec('GET nonexistent manifest should return 404'), async () => {
      const { client } = session()
      expectStatus(await client.send('GET', client.manifest(fixtures.nonexistentManifest)), 404)
    })

    it(spec('PUT should accept a manifest upload'), async () => {
      const { client } = session()
      for (const tag of ['test0', 'test1', 'test2', 'test3']) {
        const response = await client.putManifest(tag, manifests[1]!)
        expect(response.headers.get('location') ?? '', tag).not.toBe('')
        expectStatus(response, 201)
      }
    })

    it.skipIf(config.skipEmptyLayerPushTest)(
      spec('Registry should accept a manifest upload with no layers'),
      async () => {
        const response = await session().client.putManifest(fixtures.emptyLayerTestTag, fixtures.emptyLayerManifest)
        // Upstream only warns when refused; a registry that claims support must accept it.
        if (capabilities.emptyLayerManifest) expectStatus(response, 201)
        if (response.status === 201) {
          expect(response.headers.get('location') ?? '').not.toBe('')
          pushed.emptyLayerManifest = true
        }
      },
    )

    it(spec('GET request to manifest URL (digest) should yield 200 response'), async () => {
      const { client } = session()
      const response = await client.send('GET', client.manifest(manifests[1]!.digest), {
        headers: { accept: OCI_MANIFEST },
      })
      expectStatus(response, 200)
      expect(new TextDecoder().decode(response.body)).toBe(new TextDecoder().decode(manifests[1]!.content))
    })

    it(
      spec('Registry should accept a manifest upload with custom config/mediaType (as artifact type) [OCI-Image v1.1]'),
      async () => {
        const artifact = fixtures.configTypeArtifact
        expectStatus(await session().client.putManifest(artifact.digest, artifact), SUCCESS)
        pushed.configTypeArtifact = true
      },
    )

    it(spec('Registry should accept a manifest upload with custom artifactType [OCI-Image v1.1]'), async () => {
      const artifact = fixtures.artifactTypeArtifact
      expectStatus(await session().client.putManifest(artifact.digest, artifact), SUCCESS)
      pushed.artifactTypeArtifact = true
    })

    it(spec('Registry should accept a manifest upload with image index'), async () => {
      const { client } = session()
      expectStatus(await client.pushBlob(configs[0]!), SUCCESS)
      expectStatus(await client.putManifest(fixtures.testTagName, manifests[0]!), SUCCESS)
      expectStatus(await client.putManifest(fixtures.pushIndex.digest, fixtures.pushIndex, OCI_INDEX), SUCCESS)
    })

    it(spec('Registry should accept a manifest upload with nested image index [OCI-Image v1.1]'), async () => {
      const nested = fixtures.pushNestedIndex
      expectStatus(await session().client.putManifest(nested.digest, nested, OCI_INDEX), SUCCESS)
    })

    it(spec('Dangling subject [OCI-Image v1.1]'), async () => {
      const artifact = fixtures.danglingSubjectArtifact
      const response = await session().client.putManifest(artifact.digest, artifact)
      expectStatus(response, SUCCESS)
      const subject = response.headers.get('oci-subject')
      // Upstream checks the header only when it is there; a registry without the referrers API sends none.
      if (!capabilities.referrers) {
        expect(subject).toBeNull()
        return
      }
      // Upstream's pattern, /^[a-f0-9]+:[a-f0-9]+$/, cannot match "sha256": the digest grammar is meant.
      expect(subject ?? '').toMatch(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/)
      expect(subject).toBe(manifests[3]!.digest)
    })

    // Teardown
    if (config.deleteManifestBeforeBlobs) {
      it(spec('Delete manifest created in tests'), async () => {
        await deleteManifest(session(), manifests[1]!.digest)
        if (pushed.configTypeArtifact) await deleteManifest(session(), fixtures.configTypeArtifact.digest)
        if (pushed.artifactTypeArtifact) await deleteManifest(session(), fixtures.artifactTypeArtifact.digest)
        if (pushed.emptyLayerManifest) await deleteManifest(session(), fixtures.emptyLayerManifest.digest)
      })
    }

    it(spec('Delete config blob created in tests'), async () => {
      await deleteBlob(session(), configs[1]!.digest)
    })

    it(spec('Delete layer blob created in setup'), async () => {
      await deleteBlob(session(), fixtures.layer.digest)
      if (pushed.emptyJsonBlob) await deleteBlob(session(), fixtures.emptyJson.digest)
    })

    if (!config.deleteManifestBeforeBlobs) {
      it(spec('Delete manifest created in tests'), async () => {
        await deleteManifest(session(), manifests[1]!.digest)
        if (pushed.emptyLayerManifest) await deleteManifest(session(), fixtures.emptyLayerManifest.digest)
      })
    }
  })
}
