// If-None-Match on blob and manifest reads: one comparison for both (RFC 9110 §13.1.2 and
// §13.2.2), so a cache revalidates a manifest exactly as it revalidates a blob.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { MediaTypes, pushBlob } from '../support/push.js'

const REPO = 'team/app'
const OTHER = `sha256:${'0'.repeat(64)}`
// Strict mode serves an OCI manifest only to a client that accepts it; blobs ignore Accept.
const ACCEPT = MediaTypes.OM

interface Resource {
  name: string
  path: () => string
  digest: () => string
}

describe('If-None-Match on GET and HEAD', () => {
  let registry: FakeRegistry
  let blob: string
  let manifest: string
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    blob = (await pushBlob(registry, REPO, 'conditional')).digest
    manifest = (await registry.seed.image(`${REPO}:1`)).digest
  })
  afterEach(() => registry.close())

  const resources: Resource[] = [
    { name: 'a blob', path: () => `/v2/${REPO}/blobs/${blob}`, digest: () => blob },
    { name: 'a manifest by tag', path: () => `/v2/${REPO}/manifests/1`, digest: () => manifest },
    { name: 'a manifest by digest', path: () => `/v2/${REPO}/manifests/${manifest}`, digest: () => manifest },
  ]

  describe.each(resources)('of $name', (resource) => {
    it.each([
      { name: 'the quoted ETag', value: (digest: string) => `"${digest}"`, status: 304 },
      { name: '*', value: () => '*', status: 304 },
      { name: 'a weak ETag', value: (digest: string) => `W/"${digest}"`, status: 304 },
      { name: 'a list holding the ETag', value: (digest: string) => `"${OTHER}", "${digest}"`, status: 304 },
      { name: 'a list holding the weak ETag', value: (digest: string) => `W/"${OTHER}",W/"${digest}"`, status: 304 },
      { name: 'a list holding *', value: () => `"${OTHER}", *`, status: 304 },
      { name: 'another digest', value: () => `"${OTHER}"`, status: 200 },
      { name: 'another weak digest', value: () => `W/"${OTHER}"`, status: 200 },
      { name: 'an empty ETag', value: () => '""', status: 200 },
      { name: 'the digest inside a longer quoted ETag', value: (digest: string) => `"x, ${digest}, y"`, status: 200 },
    ])('answers $name with $status', async ({ value, status }) => {
      const digest = resource.digest()
      for (const method of ['GET', 'HEAD']) {
        const response = await registry.fetch(resource.path(), {
          method,
          headers: { accept: ACCEPT, 'if-none-match': value(digest) },
        })
        expect(response.status, method).toBe(status)
        expect(response.headers.get('etag')).toBe(`"${digest}"`)
        expect(response.headers.get('docker-content-digest')).toBe(digest)
        if (status === 304) {
          expect(response.headers.get('content-length')).toBeNull()
          expect(await response.text()).toBe('')
        }
      }
    })
  })

  // distribution compares a manifest's If-None-Match with the bare digest too; its blobs go
  // through Go's ServeContent, which parses entity tags and so never matches an unquoted one.
  it.each([
    { name: 'a manifest', path: () => `/v2/${REPO}/manifests/1`, digest: () => manifest, status: 304 },
    { name: 'a blob', path: () => `/v2/${REPO}/blobs/${blob}`, digest: () => blob, status: 200 },
  ])('answers the bare digest of $name with $status', async ({ path, digest, status }) => {
    const response = await registry.fetch(path(), { headers: { accept: ACCEPT, 'if-none-match': digest() } })
    expect(response.status).toBe(status)
  })
})
