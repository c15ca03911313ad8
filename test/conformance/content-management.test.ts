// Conformance workflow 4, Content Management: deleting a tag, a manifest and blobs, and seeing
// the deletions in later reads. It needs a registry with deletes enabled.
import { expect } from 'vitest'
import {
  it,
  DISTRIBUTION_28_FAILURES,
  describeWorkflow,
  expectDelete,
  expectSpecErrors,
  expectStatus,
  fixtures,
  jsonOf,
  specName,
  SUCCESS,
  authVariants,
  variant,
  type Session,
  type Variant,
} from './support.js'

const VARIANTS: Variant[] = [
  variant('deletes enabled'),
  variant('deletes enabled, nested namespace', { config: { namespace: 'oci-conformance/management/deeply/nested' } }),
  variant('profile distribution-2.8: fails exactly the specs distribution 2.8 fails', {
    registry: { profile: 'distribution-2.8' },
    capabilities: { referrers: false },
    expectedFailures: DISTRIBUTION_28_FAILURES,
  }),
  ...authVariants(),
]
const spec = (name: string): string => specName('contentManagement', name)

interface TagList {
  name: string
  tags: string[]
}

for (const current of VARIANTS) {
  describeWorkflow('contentManagement', current, (session: () => Session) => {
    const { capabilities } = current
    const config = fixtures.configs[3]!
    const manifest = fixtures.manifests[3]!
    let tagToDelete = ''
    let numTags = 0
    let blobDeleteAllowed = true

    // Setup
    it(spec('Populate registry with test config blob'), async () => {
      expectStatus(await session().client.pushBlob(config), SUCCESS)
    })

    it(spec('Populate registry with test layer'), async () => {
      expectStatus(await session().client.pushBlob(fixtures.layer), SUCCESS)
    })

    it(spec('Populate registry with test tag'), async () => {
      tagToDelete = fixtures.testTagName
      expectStatus(await session().client.putManifest(tagToDelete, manifest), SUCCESS)
    })

    it(spec('Check how many tags there are before anything gets deleted'), async () => {
      const { client } = session()
      const response = await client.send('GET', client.tags())
      expectStatus(response, 200)
      numTags = jsonOf<TagList>(response).tags.length
      expect(numTags).toBe(1)
    })

    // Manifest delete
    it(
      spec('DELETE request to manifest tag should return 202, unless tag deletion is disallowed (400/405)'),
      async () => {
        const { client } = session()
        const response = await client.send('DELETE', client.manifest(tagToDelete))
        expectDelete(response, capabilities, 400, 202, 405)
        if (response.status === 400) expect(expectSpecErrors(response)[0]!.code).toBe('UNSUPPORTED')
      },
    )

    it(spec('DELETE request to manifest (digest) should yield 202 response unless already deleted'), async () => {
      const { client } = session()
      // Deleting the tag may or may not have deleted the manifest too.
      expectStatus(await client.send('DELETE', client.manifest(manifest.digest)), 202, 404)
    })

    it(spec('GET request to deleted manifest URL should yield 404 response, unless delete is disallowed'), async () => {
      const { client } = session()
      const response = await client.send('GET', client.manifest(manifest.digest))
      expectStatus(response, 404, 200)
      if (capabilities.deletes) {
        expectStatus(response, 404)
        expect(expectSpecErrors(response)[0]!.code).toBe('MANIFEST_UNKNOWN')
      }
    })

    it(spec('GET request to tags list should reflect manifest deletion'), async () => {
      const { client } = session()
      const response = await client.send('GET', client.tags())
      expectStatus(response, 200)
      const tags = jsonOf<TagList>(response).tags
      expect(tags.length).toBeLessThan(numTags)
      expect(tags).not.toContain(tagToDelete)
    })

    // Blob delete
    it(spec('DELETE request to blob URL should yield 202 response'), async () => {
      const { client } = session()
      expectDelete(await client.send('DELETE', client.blob(config.digest)), capabilities, 202, 404, 405)
      const layer = await client.send('DELETE', client.blob(fixtures.layer.digest))
      expectDelete(layer, capabilities, 202, 404, 405)
      if (layer.status === 405) blobDeleteAllowed = false
    })

    it(spec('GET request to deleted blob URL should yield 404 response'), async (context) => {
      if (!blobDeleteAllowed) context.skip('the registry refused to delete blobs')
      const { client } = session()
      const response = await client.send('GET', client.blob(config.digest))
      expectStatus(response, 404)
      expect(expectSpecErrors(response)[0]!.code).toBe('BLOB_UNKNOWN')
    })
  })
}
