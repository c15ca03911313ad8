import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createFakeRegistry,
  memoryStorage,
  type FakeRegistry,
  type Storage,
  type StoredManifest,
} from '../../src/index.js'
import {
  bytesOf,
  errorsOf,
  MediaTypes,
  pushBlob,
  pushImageContent,
  putManifest,
  sha256,
  type Descriptor,
} from '../support/push.js'

const REPO = 'team/app'
const SUBJECT = sha256('the subject')
const SBOM = 'application/vnd.example.sbom+json'
const SIGNATURE = 'application/vnd.example.signature'

/** A manifest as the manifest PUT stores it, with a body that is only there for its size and digest. */
function stored(text: string, fields: Partial<StoredManifest> = {}): StoredManifest {
  const bytes = bytesOf(text)
  return { digest: sha256(bytes), mediaType: MediaTypes.OM, bytes, ...fields }
}

function index(manifests: unknown[]): string {
  return `${JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OI, manifests })}\n`
}

async function expectIndex(response: Response, manifests: unknown[], filtered = false): Promise<void> {
  const body = index(manifests)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toBe(MediaTypes.OI)
  expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)))
  expect(response.headers.get('oci-filters-applied')).toBe(filtered ? 'artifactType' : null)
  expect(await response.text()).toBe(body)
}

describe('GET /v2/<name>/referrers/<digest> on stored manifests', () => {
  let storage: Storage
  let registry: FakeRegistry
  const sbom = stored('sbom', { subject: SUBJECT, artifactType: SBOM, annotations: { 'org.example.kind': 'sbom' } })
  const signature = stored('signature', { subject: SUBJECT, artifactType: SIGNATURE })
  const indexReferrer = stored('index referrer', { mediaType: MediaTypes.OI, subject: SUBJECT })
  const secondSbom = stored('second sbom', { subject: SUBJECT, artifactType: SBOM })
  const unrelated = stored('unrelated', { subject: sha256('another subject'), artifactType: SBOM })
  const plain = stored('plain image')

  beforeEach(async () => {
    storage = memoryStorage()
    registry = await createFakeRegistry({ transport: 'none', storage })
    for (const manifest of [sbom, plain, signature, unrelated, indexReferrer, secondSbom])
      await storage.putManifest(REPO, manifest)
    await storage.putManifest('team/other', stored('elsewhere', { subject: SUBJECT, artifactType: SBOM }))
  })
  afterEach(() => registry.close())

  it('lists the referrers of a subject in push order, as descriptors with only the fields they have', async () => {
    await expectIndex(await registry.fetch(`/v2/${REPO}/referrers/${SUBJECT}`), [
      {
        mediaType: MediaTypes.OM,
        digest: sbom.digest,
        size: 4,
        artifactType: SBOM,
        annotations: { 'org.example.kind': 'sbom' },
      },
      { mediaType: MediaTypes.OM, digest: signature.digest, size: 9, artifactType: SIGNATURE },
      { mediaType: MediaTypes.OI, digest: indexReferrer.digest, size: 14 },
      { mediaType: MediaTypes.OM, digest: secondSbom.digest, size: 11, artifactType: SBOM },
    ])
  })

  it.each([
    { query: `?artifactType=${encodeURIComponent(SBOM)}`, digests: [sbom.digest, secondSbom.digest], filtered: true },
    { query: `?artifactType=${SIGNATURE}`, digests: [signature.digest], filtered: true },
    { query: '?artifactType=application/vnd.example.none', digests: [], filtered: true },
    // An empty value cannot match an artifact type, so it filters nothing and says so.
    {
      query: '?artifactType=',
      digests: [sbom.digest, signature.digest, indexReferrer.digest, secondSbom.digest],
      filtered: false,
    },
    {
      query: '?other=1',
      digests: [sbom.digest, signature.digest, indexReferrer.digest, secondSbom.digest],
      filtered: false,
    },
  ])(
    '$query → $digests.length referrers, OCI-Filters-Applied when filtered: $filtered',
    async ({ query, digests, filtered }) => {
      const response = await registry.fetch(`/v2/${REPO}/referrers/${SUBJECT}${query}`)
      expect(response.status).toBe(200)
      expect(response.headers.get('oci-filters-applied')).toBe(filtered ? 'artifactType' : null)
      const body = (await response.json()) as { manifests: Descriptor[] }
      expect(body.manifests.map((descriptor) => descriptor.digest)).toEqual(digests)
    },
  )

  it.each([
    { what: 'an unknown subject', path: `/v2/${REPO}/referrers/${sha256('nothing points here')}` },
    { what: 'a manifest nothing refers to', path: `/v2/${REPO}/referrers/${plain.digest}` },
    { what: 'an unknown repository', path: `/v2/no/such/repo/referrers/${SUBJECT}` },
    { what: 'a sha512 subject', path: `/v2/${REPO}/referrers/sha512:${'a'.repeat(128)}` },
    {
      what: 'a subject hashed with an algorithm the registry does not compute',
      path: `/v2/${REPO}/referrers/blake3:${'a'.repeat(64)}`,
    },
  ])('answers $what with 200 and an empty index, never 404', async ({ path }) => {
    await expectIndex(await registry.fetch(path), [])
  })

  it('filters an empty listing too, and says so', async () => {
    await expectIndex(await registry.fetch(`/v2/no/such/repo/referrers/${SUBJECT}?artifactType=${SIGNATURE}`), [], true)
  })

  it.each([
    'sha256:abc',
    `sha256:${'A'.repeat(64)}`,
    `sha256:${'a'.repeat(63)}`,
    `sha512:${'a'.repeat(64)}`,
    'not-a-digest',
    'sha256:',
    `SHA256:${'a'.repeat(64)}`,
  ])('refuses the digest %j with 400 DIGEST_INVALID', async (digest) => {
    const response = await registry.fetch(`/v2/${REPO}/referrers/${digest}`)
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await errorsOf(response)).toEqual([
      { code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content', detail: { digest } },
    ])
  })

  it('stops listing a referrer once its manifest is deleted', async () => {
    await storage.deleteManifest(REPO, signature.digest)
    const response = await registry.fetch(`/v2/${REPO}/referrers/${SUBJECT}?artifactType=${SIGNATURE}`)
    await expectIndex(response, [], true)
  })
})

describe('GET /v2/<name>/referrers/<digest> with the referrers API turned off', () => {
  it.each([
    `/v2/${REPO}/referrers/${SUBJECT}`,
    `/v2/${REPO}/referrers/not-a-digest`,
    `/v2/${REPO}/referrers/${SUBJECT}?artifactType=${SBOM}`,
  ])('answers %s with 404 like a path outside the API, so clients fall back to the tag schema', async (path) => {
    await using registry = await createFakeRegistry({ transport: 'none', referrers: false })
    const response = await registry.fetch(path)
    expect(response.status).toBe(404)
    expect(response.headers.has('oci-filters-applied')).toBe(false)
    const pathname = path.split('?')[0]
    expect(await errorsOf(response)).toEqual([
      { code: 'UNSUPPORTED', message: 'route not part of the distribution API', detail: { path: pathname } },
    ])
  })
})

describe('referrers pushed through the manifest API', () => {
  let registry: FakeRegistry
  let subject: Descriptor
  let emptyConfig: Descriptor
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    const image = await pushImageContent(registry, REPO)
    const body = JSON.stringify(image)
    expect((await putManifest(registry, REPO, 'v1', body)).status).toBe(201)
    subject = { mediaType: MediaTypes.OM, digest: sha256(body), size: Buffer.byteLength(body) }
    emptyConfig = await pushBlob(registry, REPO, '{}', MediaTypes.EMPTY)
  })
  afterEach(() => registry.close())

  /** PUTs `document` by digest and checks the `OCI-Subject` answer; returns its descriptor as a referrer. */
  async function pushReferrer(document: Record<string, unknown>, mediaType: string): Promise<Descriptor> {
    const body = JSON.stringify(document)
    const digest = sha256(body)
    const response = await putManifest(registry, REPO, digest, body, mediaType)
    expect(response.status).toBe(201)
    expect(response.headers.get('oci-subject')).toBe(subject.digest)
    return { mediaType, digest, size: Buffer.byteLength(body) }
  }

  it('lists an artifact with artifactType, one whose config gives the type, and an index, with annotations', async () => {
    const layer = await pushBlob(registry, REPO, 'sbom content', 'application/spdx+json')
    const annotations = { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' }
    const artifact = await pushReferrer(
      {
        schemaVersion: 2,
        mediaType: MediaTypes.OM,
        artifactType: SBOM,
        config: emptyConfig,
        layers: [layer],
        subject,
        annotations,
      },
      MediaTypes.OM,
    )
    const configTyped = await pushBlob(registry, REPO, '{"signed":true}', SIGNATURE)
    const signature = await pushReferrer(
      { schemaVersion: 2, mediaType: MediaTypes.OM, config: configTyped, layers: [], subject },
      MediaTypes.OM,
    )
    const list = await pushReferrer(
      { schemaVersion: 2, mediaType: MediaTypes.OI, manifests: [], subject, annotations },
      MediaTypes.OI,
    )

    await expectIndex(await registry.fetch(`/v2/${REPO}/referrers/${subject.digest}`), [
      { ...artifact, artifactType: SBOM, annotations },
      { ...signature, artifactType: SIGNATURE },
      { ...list, annotations },
    ])
    await expectIndex(
      await registry.fetch(`/v2/${REPO}/referrers/${subject.digest}?artifactType=${SIGNATURE}`),
      [{ ...signature, artifactType: SIGNATURE }],
      true,
    )
  })

  it('lists a referrer whose subject was never pushed', async () => {
    const missing = { mediaType: MediaTypes.OM, digest: sha256('never pushed'), size: 12 }
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.OM,
      artifactType: SBOM,
      config: emptyConfig,
      layers: [],
      subject: missing,
    })
    const response = await putManifest(registry, REPO, sha256(body), body)
    expect(response.status).toBe(201)
    expect(response.headers.get('oci-subject')).toBe(missing.digest)
    await expectIndex(await registry.fetch(`/v2/${REPO}/referrers/${missing.digest}`), [
      { mediaType: MediaTypes.OM, digest: sha256(body), size: Buffer.byteLength(body), artifactType: SBOM },
    ])
  })

  it('drops a referrer whose manifest is deleted', async () => {
    const artifact = await pushReferrer(
      { schemaVersion: 2, mediaType: MediaTypes.OM, artifactType: SBOM, config: emptyConfig, layers: [], subject },
      MediaTypes.OM,
    )
    expect((await registry.fetch(`/v2/${REPO}/manifests/${artifact.digest}`, { method: 'DELETE' })).status).toBe(202)
    await expectIndex(await registry.fetch(`/v2/${REPO}/referrers/${subject.digest}`), [])
  })
})
