// Blob redirects (docs/profiles.md, "blob GET redirect"): 307 to a second origin that serves signed
// URLs like S3, on every transport, and what real clients do with them.
import { setupServer } from 'msw/node'
import { fetch as undiciFetch, type Dispatcher } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from '../../src/index.js'
import { registryHandlers } from '../../src/msw.js'
import { pushBlob } from '../support/push.js'

const CONTENT = 'bytes kept in object storage'
const TTL_MS = 60_000

async function withBlob(options: FakeRegistryOptions): Promise<{ registry: FakeRegistry; path: string }> {
  const registry = await createFakeRegistry({ blobRedirect: { ttlMs: TTL_MS }, ...options })
  const blob = await pushBlob(registry, 'team/app', CONTENT)
  return { registry, path: `/v2/team/app/blobs/${blob.digest}` }
}

describe('blob redirects over http', () => {
  let registry: FakeRegistry
  let path: string
  beforeAll(async () => {
    ;({ registry, path } = await withBlob({ transport: 'http' }))
  })
  afterAll(() => registry.close())

  it('answers GET and HEAD with 307 to a second loopback origin, each URL signed for its method', async () => {
    const get = await fetch(`${registry.url}${path}`, { redirect: 'manual' })
    const head = await fetch(`${registry.url}${path}`, { method: 'HEAD', redirect: 'manual' })
    expect([get.status, head.status]).toEqual([307, 307])
    const getUrl = new URL(get.headers.get('location')!)
    const headUrl = new URL(head.headers.get('location')!)
    expect(getUrl.hostname).toBe('127.0.0.1')
    expect(getUrl.origin).not.toBe(registry.url)
    expect(getUrl.searchParams.get('X-Amz-Signature')).not.toBe(headUrl.searchParams.get('X-Amz-Signature'))
    expect(get.headers.get('content-length')).toBe('0')

    const headed = await fetch(headUrl, { method: 'HEAD' })
    expect([headed.status, headed.headers.get('content-length')]).toEqual([200, String(CONTENT.length)])
    // A URL signed for GET does not serve HEAD, as S3 (containerd then falls back to GET).
    const wrongMethod = await fetch(getUrl, { method: 'HEAD' })
    expect(wrongMethod.status).toBe(403)
  })

  it('fetch drops Authorization on the cross-origin redirect, so the storage origin serves the bytes', async () => {
    const response = await fetch(`${registry.url}${path}`, { headers: { authorization: 'Bearer registry-token' } })
    expect([response.status, await response.text()]).toEqual([200, CONTENT])
    const storage = registry.requests.last()!
    expect(storage.path).toBe(new URL(response.url).pathname)
    expect(storage.headers.authorization).toBeUndefined()
  })

  it("answers a request that forwards Authorization with S3's 400 InvalidArgument XML", async () => {
    const redirected = await fetch(`${registry.url}${path}`, { redirect: 'manual' })
    const response = await fetch(redirected.headers.get('location')!, {
      headers: { authorization: 'Bearer registry-token' },
    })
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/xml')
    const body = await response.text()
    expect(body).toContain('<Code>InvalidArgument</Code>')
    expect(body).toContain(
      '<Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified</Message>',
    )
  })

  it('serves a URL while it lives and refuses it once the clock has passed its lifetime', async () => {
    const redirected = await fetch(`${registry.url}${path}`, { redirect: 'manual' })
    const location = redirected.headers.get('location')!
    expect((await fetch(location)).status).toBe(200)
    registry.clock.advance(TTL_MS + 1000)
    const expired = await fetch(location)
    expect(expired.status).toBe(403)
    expect(await expired.text()).toContain('<Code>AccessDenied</Code><Message>Request has expired</Message>')
    // A new redirect is signed on the moved clock and serves again.
    expect(await (await fetch(`${registry.url}${path}`)).text()).toBe(CONTENT)
  })

  it('refuses a URL whose signature was tampered with', async () => {
    const redirected = await fetch(`${registry.url}${path}`, { redirect: 'manual' })
    const url = new URL(redirected.headers.get('location')!)
    url.pathname = url.pathname.replace('team/app', 'team/other')
    expect((await fetch(url)).status).toBe(403)
  })
})

describe('blob redirects without a socket', () => {
  it("transport 'none': registry.fetch and the dispatcher reach the second origin in-process", async () => {
    const { registry, path } = await withBlob({ transport: 'none' })
    try {
      const redirected = await registry.fetch(path, { redirect: 'manual' })
      expect(redirected.status).toBe(307)
      const location = redirected.headers.get('location')!
      expect(new URL(location).origin).toBe('http://blobs.registry.fake-oci.invalid')
      expect(await (await registry.fetch(location)).text()).toBe(CONTENT)
      // undici follows the 307 through the same dispatcher, and drops Authorization on the way.
      const followed = await undiciFetch(`${registry.url}${path}`, {
        dispatcher: registry.dispatcher as unknown as Dispatcher,
        headers: { authorization: 'Bearer registry-token' },
      })
      expect([followed.status, await followed.text()]).toEqual([200, CONTENT])
    } finally {
      await registry.close()
    }
  })

  it("transport 'msw': the storage origin is intercepted too", async () => {
    const { registry, path } = await withBlob({ transport: 'msw', origin: 'https://registry.redirects.test' })
    try {
      const response = await fetch(`https://registry.redirects.test${path}`)
      expect([response.status, await response.text()]).toEqual([200, CONTENT])
      expect(new URL(response.url).origin).toBe('https://blobs.registry.redirects.test')
      expect(
        registry.requests.filter({ method: 'GET' }).map((entry) => [entry.response.status, new URL(entry.url).origin]),
      ).toEqual([
        [307, 'https://registry.redirects.test'],
        [200, 'https://blobs.registry.redirects.test'],
      ])
    } finally {
      await registry.close()
    }
  })

  it('registryHandlers serve the storage origin beside the registry', async () => {
    const { registry, path } = await withBlob({ transport: 'none' })
    const server = setupServer(...registryHandlers(registry))
    server.listen({ onUnhandledRequest: 'error' })
    try {
      const response = await fetch(`${registry.url}${path}`)
      expect([response.status, await response.text()]).toEqual([200, CONTENT])
    } finally {
      server.close()
      await registry.close()
    }
  })
})
