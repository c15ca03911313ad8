import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { errorsOf, pushBlob, pushImageContent, putManifest, sha256 } from '../support/push.js'

const REPO = 'team/app'
// Pushed out of order; listed in code-point order: digits, upper case, '_', lower case.
const PUSHED = ['v9', 'latest', 'v10', '1.0', 'V2', '_tmp', 'A-1']
const LISTED = ['1.0', 'A-1', 'V2', '_tmp', 'latest', 'v10', 'v9']

/** Pushes one image and tags it with every tag. */
async function pushTags(registry: FakeRegistry, repository: string, tags: string[]): Promise<string> {
  const manifest = await pushImageContent(registry, repository)
  for (const tag of tags) {
    const response = await putManifest(registry, repository, tag, manifest)
    expect(response.status).toBe(201)
  }
  return sha256(JSON.stringify(manifest))
}

function tagList(name: string, tags: string[]): string {
  return `${JSON.stringify({ name, tags })}\n`
}

describe('GET /v2/<name>/tags/list', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
  })
  afterEach(() => registry.close())

  describe('pagination', () => {
    beforeEach(async () => {
      await pushTags(registry, REPO, PUSHED)
    })

    it.each([
      { query: '', tags: LISTED, link: null },
      { query: '?n=', tags: LISTED, link: null },
      { query: '?n=0', tags: [], link: null },
      { query: '?n=0&last=V2', tags: [], link: null },
      { query: '?n=3', tags: ['1.0', 'A-1', 'V2'], link: '</v2/team/app/tags/list?n=3&last=V2>; rel="next"' },
      {
        query: '?n=3&last=V2',
        tags: ['_tmp', 'latest', 'v10'],
        link: '</v2/team/app/tags/list?n=3&last=v10>; rel="next"',
      },
      { query: '?n=3&last=v10', tags: ['v9'], link: null },
      { query: '?n=7', tags: LISTED, link: null },
      { query: '?n=6', tags: LISTED.slice(0, 6), link: '</v2/team/app/tags/list?n=6&last=v10>; rel="next"' },
      { query: '?n=1000', tags: LISTED, link: null },
      { query: '?last=latest', tags: ['v10', 'v9'], link: null },
      { query: '?last=v9', tags: [], link: null },
      // `last` need not be a tag: the list starts after where it would sort.
      { query: '?last=b', tags: ['latest', 'v10', 'v9'], link: null },
      { query: '?n=1&last=W', tags: ['_tmp'], link: '</v2/team/app/tags/list?n=1&last=_tmp>; rel="next"' },
      { query: '?n=2&last=', tags: ['1.0', 'A-1'], link: '</v2/team/app/tags/list?n=2&last=A-1>; rel="next"' },
    ])('$query → $tags, Link $link', async ({ query, tags, link }) => {
      const response = await registry.fetch(`/v2/${REPO}/tags/list${query}`)
      const body = tagList(REPO, tags)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('application/json')
      expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)))
      expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
      expect(response.headers.get('link')).toBe(link)
      expect(await response.text()).toBe(body)
    })

    it('lists every tag exactly once when a client follows the Link headers', async () => {
      const seen: string[] = []
      const requested: string[] = []
      let next: string | undefined = `/v2/${REPO}/tags/list?n=2`
      while (next !== undefined) {
        requested.push(next)
        const response = await registry.fetch(next)
        expect(response.status).toBe(200)
        seen.push(...((await response.json()) as { tags: string[] }).tags)
        next = /^<([^>]+)>; rel="next"$/.exec(response.headers.get('link') ?? '')?.[1]
      }
      expect(seen).toEqual(LISTED)
      expect(requested).toEqual([
        '/v2/team/app/tags/list?n=2',
        '/v2/team/app/tags/list?n=2&last=A-1',
        '/v2/team/app/tags/list?n=2&last=_tmp',
        '/v2/team/app/tags/list?n=2&last=v10',
      ])
    })

    it.each(['-1', 'abc', '1.5', '1e3', '0x10', '+3', '9007199254740992', '99999999999999999999'])(
      'refuses n=%j with 400 UNSUPPORTED, distribution’s message and the value as detail',
      async (n) => {
        const response = await registry.fetch(`/v2/${REPO}/tags/list?n=${encodeURIComponent(n)}`)
        expect(response.status).toBe(400)
        expect(response.headers.get('content-type')).toBe('application/json')
        expect(response.headers.has('link')).toBe(false)
        expect(await errorsOf(response)).toEqual([
          { code: 'UNSUPPORTED', message: 'invalid number of results requested', detail: { n } },
        ])
      },
    )
  })

  it('answers an unknown repository with 404 NAME_UNKNOWN', async () => {
    const response = await registry.fetch('/v2/no/such/repo/tags/list')
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await errorsOf(response)).toEqual([
      { code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name: 'no/such/repo' } },
    ])
  })

  it('checks n before looking the repository up', async () => {
    const response = await registry.fetch('/v2/no/such/repo/tags/list?n=-1')
    expect(response.status).toBe(400)
    expect((await errorsOf(response))[0]?.code).toBe('UNSUPPORTED')
  })

  it('keeps other repositories out: a tag of one is not listed for another', async () => {
    await pushTags(registry, 'team/app', ['one'])
    await pushTags(registry, 'team/app/sub', ['two'])
    expect(await (await registry.fetch('/v2/team/app/tags/list')).text()).toBe(tagList('team/app', ['one']))
    expect(await (await registry.fetch('/v2/team/app/sub/tags/list')).text()).toBe(tagList('team/app/sub', ['two']))
  })

  it('answers a repository that holds only blobs with an empty list, not null', async () => {
    await pushBlob(registry, REPO, 'just a layer')
    const response = await registry.fetch(`/v2/${REPO}/tags/list`)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe(tagList(REPO, []))
  })

  it('answers a repository whose manifests were pushed by digest with an empty list', async () => {
    const manifest = await pushImageContent(registry, REPO)
    expect((await putManifest(registry, REPO, sha256(JSON.stringify(manifest)), manifest)).status).toBe(201)
    expect(await (await registry.fetch(`/v2/${REPO}/tags/list`)).text()).toBe(tagList(REPO, []))
  })

  it('lists a moved tag once and drops the tags of a deleted manifest', async () => {
    const first = await pushTags(registry, REPO, ['a', 'b'])
    const other = await pushImageContent(registry, REPO, { layers: ['another layer'] })
    for (const tag of ['b', 'c']) expect((await putManifest(registry, REPO, tag, other)).status).toBe(201)
    expect(await (await registry.fetch(`/v2/${REPO}/tags/list`)).text()).toBe(tagList(REPO, ['a', 'b', 'c']))

    expect((await registry.fetch(`/v2/${REPO}/manifests/${first}`, { method: 'DELETE' })).status).toBe(202)
    expect(await (await registry.fetch(`/v2/${REPO}/tags/list`)).text()).toBe(tagList(REPO, ['b', 'c']))
  })

  it('answers 404 NAME_UNKNOWN once a repository holds nothing any more', async () => {
    const layer = await pushBlob(registry, REPO, 'only layer')
    expect((await registry.fetch(`/v2/${REPO}/blobs/${layer.digest}`, { method: 'DELETE' })).status).toBe(202)
    const response = await registry.fetch(`/v2/${REPO}/tags/list`)
    expect(response.status).toBe(404)
    expect((await errorsOf(response))[0]?.code).toBe('NAME_UNKNOWN')
  })

  it('serves the same list over loopback HTTP, with a Link a client resolves against the request URL', async () => {
    await using server = await createFakeRegistry({ transport: 'http' })
    await pushTags(server, REPO, ['x', 'y'])
    const response = await fetch(`${server.url}/v2/${REPO}/tags/list?n=1`)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe(tagList(REPO, ['x']))
    const link = /^<([^>]+)>; rel="next"$/.exec(response.headers.get('link') ?? '')?.[1]
    const next = await fetch(new URL(link!, response.url))
    expect(await next.text()).toBe(tagList(REPO, ['y']))
    expect(next.headers.has('link')).toBe(false)
  })
})
