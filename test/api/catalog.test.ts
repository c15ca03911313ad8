import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { errorsOf, pushBlob, pushImageContent, putManifest } from '../support/push.js'

// Code-point order, where '-' (45) < '/' (47) < letters: not the order a locale-aware sort gives.
const LISTED = ['a', 'a-b', 'a/b', 'ab']

function catalog(repositories: string[]): string {
  return `${JSON.stringify({ repositories })}\n`
}

describe('GET /v2/_catalog', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
  })
  afterEach(() => registry.close())

  it('answers an empty registry with an empty list, not null', async () => {
    const response = await registry.fetch('/v2/_catalog')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.has('link')).toBe(false)
    expect(await response.text()).toBe(catalog([]))
  })

  describe('pagination', () => {
    beforeEach(async () => {
      for (const name of ['ab', 'a/b', 'a', 'a-b']) await pushBlob(registry, name, `layer of ${name}`)
    })

    it.each([
      { query: '', repositories: LISTED, link: null },
      { query: '?n=0', repositories: [], link: null },
      { query: '?n=2', repositories: ['a', 'a-b'], link: '</v2/_catalog?n=2&last=a-b>; rel="next"' },
      { query: '?n=2&last=a-b', repositories: ['a/b', 'ab'], link: null },
      { query: '?n=1&last=a-b', repositories: ['a/b'], link: '</v2/_catalog?n=1&last=a%2Fb>; rel="next"' },
      { query: '?n=1&last=a%2Fb', repositories: ['ab'], link: null },
      { query: '?n=1&last=a/b', repositories: ['ab'], link: null },
      { query: '?last=a', repositories: ['a-b', 'a/b', 'ab'], link: null },
      { query: '?n=4', repositories: LISTED, link: null },
      { query: '?n=3', repositories: ['a', 'a-b', 'a/b'], link: '</v2/_catalog?n=3&last=a%2Fb>; rel="next"' },
      { query: '?last=zz', repositories: [], link: null },
    ])('$query → $repositories, Link $link', async ({ query, repositories, link }) => {
      const response = await registry.fetch(`/v2/_catalog${query}`)
      const body = catalog(repositories)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('application/json')
      expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)))
      expect(response.headers.get('link')).toBe(link)
      expect(await response.text()).toBe(body)
    })

    it('lists every repository exactly once when a client follows the Link headers', async () => {
      const seen: string[] = []
      let next: string | undefined = '/v2/_catalog?n=1'
      let requests = 0
      while (next !== undefined) {
        const response = await registry.fetch(next)
        requests += 1
        seen.push(...((await response.json()) as { repositories: string[] }).repositories)
        next = /^<([^>]+)>; rel="next"$/.exec(response.headers.get('link') ?? '')?.[1]
      }
      expect(seen).toEqual(LISTED)
      expect(requests).toBe(LISTED.length)
    })

    it.each(['-1', 'x', '2.0', '99999999999999999999'])('refuses n=%j with 400 UNSUPPORTED', async (n) => {
      const response = await registry.fetch(`/v2/_catalog?n=${n}`)
      expect(response.status).toBe(400)
      expect(await errorsOf(response)).toEqual([
        { code: 'UNSUPPORTED', message: 'invalid number of results requested', detail: { n } },
      ])
    })
  })

  it('lists a repository once it holds a manifest, and forgets one that holds nothing any more', async () => {
    const manifest = await pushImageContent(registry, 'team/app')
    expect((await putManifest(registry, 'team/app', 'v1', manifest)).status).toBe(201)
    const layer = await pushBlob(registry, 'team/tmp', 'temporary')
    expect(await (await registry.fetch('/v2/_catalog')).text()).toBe(catalog(['team/app', 'team/tmp']))

    expect((await registry.fetch(`/v2/team/tmp/blobs/${layer.digest}`, { method: 'DELETE' })).status).toBe(202)
    expect(await (await registry.fetch('/v2/_catalog')).text()).toBe(catalog(['team/app']))
  })

  it('does not list a repository whose only content is an unfinished or cancelled upload', async () => {
    const started = await registry.fetch('/v2/team/pending/blobs/uploads/', { method: 'POST' })
    expect(started.status).toBe(202)
    const patched = await registry.fetch(started.headers.get('location')!, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-range': '0-2' },
      body: new TextEncoder().encode('abc'),
    })
    expect(patched.status).toBe(202)
    const cancelled = await registry.fetch('/v2/team/cancelled/blobs/uploads/', { method: 'POST' })
    expect((await registry.fetch(cancelled.headers.get('location')!, { method: 'DELETE' })).status).toBe(204)
    expect(await (await registry.fetch('/v2/_catalog')).text()).toBe(catalog([]))
  })

  it('lists a repository that received a blob by mount', async () => {
    const layer = await pushBlob(registry, 'team/source', 'shared layer')
    const mounted = await registry.fetch(`/v2/team/target/blobs/uploads/?mount=${layer.digest}&from=team/source`, {
      method: 'POST',
    })
    expect(mounted.status).toBe(201)
    expect(await (await registry.fetch('/v2/_catalog')).text()).toBe(catalog(['team/source', 'team/target']))
  })

  it('is emptied by reset()', async () => {
    await pushBlob(registry, 'team/app', 'layer')
    await registry.reset()
    expect(await (await registry.fetch('/v2/_catalog')).text()).toBe(catalog([]))
  })
})
