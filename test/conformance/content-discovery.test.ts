// Conformance workflow 3, Content Discovery: listing tags with `n` and `last`, and the referrers
// API with and without the `artifactType` filter, teardown.
import { beforeAll, expect } from 'vitest'
import {
  it,
  DISTRIBUTION_28_FAILURES,
  describeExchange,
  describeWorkflow,
  EMPTY_JSON_DIGEST,
  expectDelete,
  expectStatus,
  fixtures,
  jsonOf,
  OCI_INDEX,
  OCI_MANIFEST,
  specName,
  SUCCESS,
  authVariants,
  variant,
  type ConformanceClient,
  type Exchange,
  type Session,
  type TestContent,
  type Variant,
} from './support.js'

const PUSHED_TAGS = ['test0', 'test1', 'test2', 'test3']

const VARIANTS: Variant[] = [
  variant('manifests deleted before blobs'),
  variant('blobs deleted before manifests', { config: { deleteManifestBeforeBlobs: false } }),
  variant('deletes disabled in the registry', { registry: { deletes: false } }),
  variant('tags preloaded (tag list given, no setup)', { config: { tagList: [...PUSHED_TAGS, fixtures.testTagName] } }),
  variant('profile distribution-2.8: fails exactly the specs distribution 2.8 fails', {
    registry: { profile: 'distribution-2.8' },
    capabilities: { referrers: false },
    expectedFailures: DISTRIBUTION_28_FAILURES,
  }),
  ...authVariants(),
]
const spec = (name: string): string => specName('contentDiscovery', name)

interface Descriptor {
  mediaType: string
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
}

interface ImageIndex {
  schemaVersion: number
  mediaType: string
  manifests: Descriptor[]
}

interface TagList {
  name: string
  tags: string[]
}

/** What the referrers of manifests[4] must say about each one (image-spec v1.1 referrers rules). */
const REFERRERS_OF_SUBJECT = new Map<string, { mediaType: string; content: TestContent; artifactType: string }>([
  [
    fixtures.refsAConfig.digest,
    { mediaType: OCI_MANIFEST, content: fixtures.refsAConfig, artifactType: fixtures.artifactTypeA },
  ],
  [
    fixtures.refsALayer.digest,
    { mediaType: OCI_MANIFEST, content: fixtures.refsALayer, artifactType: fixtures.artifactTypeA },
  ],
  [
    fixtures.refsIndex.digest,
    { mediaType: OCI_INDEX, content: fixtures.refsIndex, artifactType: 'application/vnd.food.stand' },
  ],
  [
    fixtures.refsBConfig.digest,
    { mediaType: OCI_MANIFEST, content: fixtures.refsBConfig, artifactType: fixtures.artifactTypeB },
  ],
  [
    fixtures.refsBLayer.digest,
    { mediaType: OCI_MANIFEST, content: fixtures.refsBLayer, artifactType: fixtures.artifactTypeB },
  ],
])

for (const current of VARIANTS) {
  describeWorkflow('contentDiscovery', current, (session: () => Session) => {
    const { config, capabilities } = current
    const { configs, manifests } = fixtures
    const runSetup = config.tagList === undefined
    let tagList: string[] = []
    // The tags the setups pushed: the references setup stops at its first missing OCI-Subject,
    // as upstream's does, before it tags manifests[4].
    const pushedTags = new Set<string>(PUSHED_TAGS)
    let numTags = PUSHED_TAGS.length

    if (!runSetup) {
      // Stands in for content another tool pushed before the suite runs.
      beforeAll(async () => {
        await populateTags(session().client)
        await populateReferences(session().client, pushedTags)
      })
    }

    // Setup
    it.runIf(runSetup)(spec('Populate registry with test blob'), async () => {
      expectStatus(await session().client.pushBlob(configs[2]!), SUCCESS)
    })

    it.runIf(runSetup)(spec('Populate registry with test layer'), async () => {
      expectStatus(await session().client.pushBlob(fixtures.layer), SUCCESS)
    })

    it.runIf(runSetup)(spec('Populate registry with test tags'), async () => {
      const { client } = session()
      for (const tag of PUSHED_TAGS) expectStatus(await client.putManifest(tag, manifests[2]!), SUCCESS)
      const listed = await client.send('GET', client.tags())
      tagList = listed.status === 200 ? jsonOf<TagList>(listed).tags : []
    })

    it.runIf(!runSetup)(spec('Populate registry with test tags (no push)'), () => {
      tagList = [...config.tagList!]
      expect(tagList.length).toBeGreaterThan(0)
    })

    it.runIf(runSetup)(spec('References setup'), async () => {
      await populateReferences(session().client, pushedTags)
    })

    // Listing tags
    it(spec('GET request to list tags should yield 200 response'), async () => {
      const { client } = session()
      const response = await client.send('GET', client.tags())
      expectStatus(response, 200)
      const body = jsonOf<TagList>(response)
      tagList = body.tags
      numTags = tagList.length
      expect(body.name).toBe(config.namespace)
      // The setups tagged manifests[2] four times and manifests[4] as tagtest0 (if they got that far), and nothing else.
      expect([...tagList].sort()).toEqual([...pushedTags].sort())
    })

    it(spec('GET number of tags should be limitable by `n` query parameter'), async () => {
      const { client } = session()
      const numResults = Math.floor(numTags / 2)
      const response = await client.send('GET', client.tags(), { query: { n: String(numResults) } })
      expectStatus(response, 200)
      tagList = jsonOf<TagList>(response).tags
      expect(tagList).toHaveLength(numResults)
    })

    it(spec('GET start of tag is set by `last` query parameter'), async () => {
      const { client } = session()
      const numResults = Math.floor(numTags / 2)
      const first = await client.send('GET', client.tags(), { query: { n: String(numResults) } })
      expectStatus(first, 200)
      const last = jsonOf<TagList>(first).tags[numResults - 1]
      expect(last, describeTags(first)).toBeDefined()
      const response = await client.send('GET', client.tags(), { query: { n: String(numResults), last: last! } })
      expectStatus(response, 200)
      const page = jsonOf<TagList>(response).tags
      expect(page.length).toBeLessThanOrEqual(numResults)
      // The page starts after `last`: tags are listed in lexical order.
      for (const tag of page) expect(tag > last!, `${tag} after last=${last}`).toBe(true)
    })

    // Listing references
    it(spec('GET request to nonexistent blob should result in empty 200 response'), async () => {
      const { client } = session()
      const response = await client.send('GET', client.referrers(fixtures.dummyDigest))
      expectStatus(response, 200)
      expect(response.headers.get('content-type')).toBe(OCI_INDEX)
      expect(jsonOf<ImageIndex>(response).manifests).toHaveLength(0)
    })

    it(spec('GET request to existing blob should yield 200'), async () => {
      const { client } = session()
      const response = await client.send('GET', client.referrers(manifests[4]!.digest))
      expectStatus(response, 200)
      expect(response.headers.get('content-type')).toBe(OCI_INDEX)
      const index = jsonOf<ImageIndex>(response)
      expect(index.manifests).toHaveLength(5)
      expect(index.manifests[0]!.digest).not.toBe(index.manifests[1]!.digest)
      expectReferrers(index.manifests, [...REFERRERS_OF_SUBJECT.keys()])
    })

    it(spec('GET request to existing blob with filter should yield 200'), async () => {
      const { client } = session()
      const response = await client.send('GET', client.referrers(manifests[4]!.digest), {
        query: { artifactType: fixtures.artifactTypeA },
      })
      expectStatus(response, 200)
      expect(response.headers.get('content-type')).toBe(OCI_INDEX)
      const index = jsonOf<ImageIndex>(response)
      const applied = response.headers.get('oci-filters-applied')
      // Upstream only warns when the filter is not applied; a registry that claims it must apply it.
      if (capabilities.artifactTypeFilter) expect(applied).toBe('artifactType')
      if (applied !== null && applied !== '') {
        expect(index.manifests).toHaveLength(2)
        expect(applied).toBe('artifactType')
        expectReferrers(index.manifests, [fixtures.refsAConfig.digest, fixtures.refsALayer.digest])
      } else {
        expect(index.manifests).toHaveLength(5)
        expectReferrers(index.manifests, [...REFERRERS_OF_SUBJECT.keys()])
      }
    })

    it(spec('GET request to missing manifest should yield 200'), async () => {
      const { client } = session()
      const response = await client.send('GET', client.referrers(manifests[3]!.digest))
      expectStatus(response, 200)
      expect(response.headers.get('content-type')).toBe(OCI_INDEX)
      const index = jsonOf<ImageIndex>(response)
      expect(index.manifests).toHaveLength(1)
      expect(index.manifests[0]!.digest).toBe(fixtures.refsCLayer.digest)
    })

    // Teardown
    const deleteAll = async (references: string[]): Promise<void> => {
      const { client } = session()
      for (const reference of references) {
        expectDelete(await client.send('DELETE', client.manifest(reference)), capabilities, SUCCESS, 405, 404)
      }
    }
    // By digest only: tagtest0 goes with manifests[4], as upstream has it since
    // opencontainers/distribution-spec#525 (a tag delete would need the 400 this teardown refuses).
    const createdManifests = [
      fixtures.refsIndex.digest,
      manifests[2]!.digest,
      manifests[4]!.digest,
      fixtures.refsAConfig.digest,
      fixtures.refsALayer.digest,
      fixtures.refsBConfig.digest,
      fixtures.refsBLayer.digest,
      fixtures.refsCLayer.digest,
    ]
    const referenceManifests = [
      fixtures.refsIndex.digest,
      fixtures.refsAConfig.digest,
      fixtures.refsALayer.digest,
      manifests[4]!.digest,
      fixtures.refsBConfig.digest,
      fixtures.refsBLayer.digest,
    ]

    if (config.deleteManifestBeforeBlobs) {
      it.runIf(runSetup)(spec('Delete created manifest & associated tags'), () => deleteAll(createdManifests))
    }

    it.runIf(runSetup)(spec('Delete config blob created in tests'), async () => {
      const { client } = session()
      expectDelete(await client.send('DELETE', client.blob(configs[2]!.digest)), capabilities, SUCCESS, 405)
    })

    it.runIf(runSetup)(spec('Delete layer blob created in setup'), async () => {
      const { client } = session()
      expectDelete(await client.send('DELETE', client.blob(fixtures.layer.digest)), capabilities, SUCCESS, 405)
    })

    if (!config.deleteManifestBeforeBlobs) {
      it.runIf(runSetup)(spec('Delete created manifest & associated tags'), () => deleteAll(createdManifests))
    }

    it.runIf(runSetup)(spec('References teardown'), async () => {
      const { client } = session()
      if (config.deleteManifestBeforeBlobs) await deleteAll(referenceManifests)
      for (const blob of [configs[4]!, fixtures.refBlobA, fixtures.refBlobB, fixtures.emptyJson]) {
        expectDelete(await client.send('DELETE', client.blob(blob.digest)), capabilities, SUCCESS, 405, 404)
      }
      if (!config.deleteManifestBeforeBlobs) await deleteAll(referenceManifests)
    })
  })
}

/** Content discovery's tag setup: manifests[2] under four tags. */
async function populateTags(client: ConformanceClient): Promise<void> {
  expectStatus(await client.pushBlob(fixtures.configs[2]!), SUCCESS)
  expectStatus(await client.pushBlob(fixtures.layer), SUCCESS)
  for (const tag of PUSHED_TAGS) expectStatus(await client.putManifest(tag, fixtures.manifests[2]!), SUCCESS)
}

/**
 * Content discovery's references setup, in upstream's order: some referrers are pushed before
 * their subject exists, and the last one's subject (manifests[3]) never does. Each push with a
 * subject is checked for OCI-Subject at once, so a registry without it stops the setup there, as
 * upstream's does; `pushedTags` learns of tagtest0 only once it is pushed.
 */
async function populateReferences(client: ConformanceClient, pushedTags: Set<string>): Promise<void> {
  const { manifests } = fixtures
  const expectSubject = (response: Exchange, subject: string): void => {
    expectStatus(response, SUCCESS)
    expect(response.headers.get('oci-subject'), describeExchange(response)).toBe(subject)
  }
  expect(fixtures.emptyJson.digest).toBe(EMPTY_JSON_DIGEST)
  expectStatus(await client.pushBlob(fixtures.emptyJson), SUCCESS)
  expectStatus(await client.pushBlob(fixtures.refBlobA), SUCCESS)
  expectSubject(await client.putManifest(fixtures.refsAConfig.digest, fixtures.refsAConfig), manifests[4]!.digest)
  expectSubject(await client.putManifest(fixtures.refsALayer.digest, fixtures.refsALayer), manifests[4]!.digest)
  expectSubject(
    await client.putManifest(fixtures.refsIndex.digest, fixtures.refsIndex, OCI_INDEX),
    manifests[4]!.digest,
  )
  expectStatus(await client.pushBlob(fixtures.configs[4]!), SUCCESS)
  expectStatus(await client.pushBlob(fixtures.layer), SUCCESS)
  expectStatus(await client.putManifest(fixtures.testTagName, manifests[4]!), SUCCESS)
  pushedTags.add(fixtures.testTagName)
  expectStatus(await client.pushBlob(fixtures.refBlobB), SUCCESS)
  expectSubject(await client.putManifest(fixtures.refsBConfig.digest, fixtures.refsBConfig), manifests[4]!.digest)
  expectSubject(await client.putManifest(fixtures.refsBLayer.digest, fixtures.refsBLayer), manifests[4]!.digest)
  expectSubject(await client.putManifest(fixtures.refsCLayer.digest, fixtures.refsCLayer), manifests[3]!.digest)
}

/**
 * Exactly the expected referrers, each described as the referrers API must: media type, size,
 * artifactType (the manifest's, else its config's media type) and the manifest's annotations.
 */
function expectReferrers(descriptors: Descriptor[], digests: string[]): void {
  expect(descriptors.map((descriptor) => descriptor.digest).sort()).toEqual([...digests].sort())
  for (const descriptor of descriptors) {
    const expected = REFERRERS_OF_SUBJECT.get(descriptor.digest)!
    expect(descriptor.mediaType, descriptor.digest).toBe(expected.mediaType)
    expect(descriptor.size, descriptor.digest).toBe(expected.content.content.byteLength)
    expect(descriptor.artifactType, descriptor.digest).toBe(expected.artifactType)
    expect(descriptor.annotations, descriptor.digest).toEqual({
      [fixtures.annotationKey]: fixtures.annotationValues.get(descriptor.digest),
    })
  }
}

function describeTags(exchange: Exchange): string {
  return `${exchange.method} ${exchange.url} -> ${new TextDecoder().decode(exchange.body)}`
}
