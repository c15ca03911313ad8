// A client that pages a list as the spec tells clients to: request the list, keep what it holds,
// and while the answer has a `Link: <url>; rel="next"`, request that URL, resolved against the
// one just fetched and never rebuilt. Against each profile it shows what the client ends up with
// (docs/profiles.md, "tags pagination" and "_catalog"): every entry exactly once, whatever the
// registry puts in its URLs, ACR's `orderby=`, ECR's and Quay's sealed tokens, or no Link at all.
import { afterEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from '../../src/index.js'
import { tagMany } from '../support/tags.js'

// A loop on a registry that never stops linking ends here, as a client's page limit would end it.
const MAX_PAGES = 10

interface Paged {
  /** Every entry, in the order the pages gave them. */
  entries: string[]
  /** Path and query of each request, the first one included. */
  requests: string[]
}

/** Follows `Link` from `first` over the loopback transport with Node's fetch. */
async function followLinks(first: URL, field: 'tags' | 'repositories'): Promise<Paged> {
  const paged: Paged = { entries: [], requests: [] }
  let next: URL | undefined = first
  while (next) {
    if (paged.requests.length === MAX_PAGES) throw new Error(`still linking after ${MAX_PAGES} pages`)
    paged.requests.push(next.pathname + next.search)
    const response: Response = await fetch(next)
    expect(response.status, next.href).toBe(200)
    const body = (await response.json()) as Record<string, string[] | undefined>
    paged.entries.push(...(body[field] ?? []))
    const link: string | null = response.headers.get('link')
    const target: string | undefined = link === null ? undefined : /^<([^>]+)>;\s*rel="next"$/.exec(link)?.[1]
    if (link !== null && target === undefined) throw new Error(`a Link this client cannot read: ${link}`)
    next = target === undefined ? undefined : new URL(target, next)
  }
  return paged
}

let open: FakeRegistry[] = []
afterEach(async () => {
  await Promise.all(open.map((registry) => registry.close()))
  open = []
})

async function start(options: FakeRegistryOptions): Promise<FakeRegistry> {
  const registry = await createFakeRegistry({ transport: 'http', host: '127.0.0.1', ...options })
  open.push(registry)
  return registry
}

function tagsUrl(registry: FakeRegistry, query = ''): URL {
  return new URL(`/v2/team/app/tags/list${query}`, registry.url)
}

describe('a client that follows Link collects every tag exactly once', () => {
  it('acr: n is ignored, 1000 a page, Links with an empty orderby', async () => {
    const registry = await start({ profile: 'acr' })
    const tags = await tagMany(registry, 2001)
    const paged = await followLinks(tagsUrl(registry, '?n=50'), 'tags')
    expect(paged.entries).toEqual(tags)
    expect(paged.requests).toEqual([
      '/v2/team/app/tags/list?n=50',
      '/v2/team/app/tags/list?last=t0999&n=1000&orderby=',
      '/v2/team/app/tags/list?last=t1999&n=1000&orderby=',
    ])
  })

  it('quay: n and last by tag name, as since May 2024', async () => {
    const registry = await start({ profile: 'quay' })
    const tags = await tagMany(registry, 120)
    const paged = await followLinks(tagsUrl(registry, '?n=50'), 'tags')
    expect(paged.entries).toEqual(tags)
    expect(paged.requests).toEqual([
      '/v2/team/app/tags/list?n=50',
      '/v2/team/app/tags/list?n=50&last=t0049',
      '/v2/team/app/tags/list?n=50&last=t0099',
    ])
  })

  it('quay before May 2024: 50 a page behind encrypted next_page tokens', async () => {
    const registry = await start({
      profile: 'quay',
      quirks: { tagsPageToken: true, tagsPageSize: 50, pageSizeAboveMax: 'clamp' },
    })
    const tags = await tagMany(registry, 120)
    const paged = await followLinks(tagsUrl(registry), 'tags')
    expect(paged.entries).toEqual(tags)
    expect(paged.requests).toHaveLength(3)
    // Each token stands for the last tag of the page before, and shows it neither as text nor in its bytes.
    for (const [index, request] of paged.requests.slice(1).entries()) {
      const token = /^\/v2\/team\/app\/tags\/list\?next_page=([A-Za-z0-9_-]+)&n=50$/.exec(request)?.[1]
      expect(token, request).toBeDefined()
      const hidden = tags[50 * (index + 1) - 1]!
      expect([token!.includes(hidden), Buffer.from(token!, 'base64url').includes(hidden)]).toEqual([false, false])
    }
  })

  it('distribution-2.8: n is ignored and there is no Link, so the first page is the whole list', async () => {
    const registry = await start({ profile: 'distribution-2.8' })
    const tags = await tagMany(registry, 120)
    const paged = await followLinks(tagsUrl(registry, '?n=50'), 'tags')
    expect(paged).toEqual({ entries: tags, requests: ['/v2/team/app/tags/list?n=50'] })
  })

  it('distribution-3, harbor, gitlab: the Link query keys sorted as Go writes them', async () => {
    for (const profile of ['distribution-3', 'harbor', 'gitlab'] as const) {
      const registry = await start({ profile })
      const tags = await tagMany(registry, 120)
      const paged = await followLinks(tagsUrl(registry, '?n=50'), 'tags')
      expect(paged.entries, profile).toEqual(tags)
      expect(paged.requests, profile).toEqual([
        '/v2/team/app/tags/list?n=50',
        '/v2/team/app/tags/list?last=t0049&n=50',
        '/v2/team/app/tags/list?last=t0099&n=50',
      ])
    }
  })

  it('ecr: 100 a page without n, last an opaque NextToken', async () => {
    const registry = await start({ profile: 'ecr' })
    const tags = await tagMany(registry, 250)
    const paged = await followLinks(tagsUrl(registry), 'tags')
    expect(paged.entries).toEqual(tags)
    expect(paged.requests.map((request) => request.replace(/last=[A-Za-z0-9_-]+/, 'last=…'))).toEqual([
      '/v2/team/app/tags/list',
      '/v2/team/app/tags/list?n=100&last=…',
      '/v2/team/app/tags/list?n=100&last=…',
    ])
  })

  it("quay's catalog: 100 a page behind encrypted next_page tokens", async () => {
    const registry = await start({ profile: 'quay' })
    const names = Array.from({ length: 230 }, (_, index) => `team/r${String(index).padStart(3, '0')}`)
    for (const name of names) await registry.seed.blob(name, 'x')
    const paged = await followLinks(new URL('/v2/_catalog', registry.url), 'repositories')
    expect(paged.entries).toEqual(names)
    expect(paged.requests).toHaveLength(3)
    for (const request of paged.requests.slice(1)) expect(request).toMatch(/^\/v2\/_catalog\?next_page=[\w-]+&n=100$/)
  })
})

describe('a client that builds last from the tags it got instead of following Link', () => {
  // regclient/regclient#272: `regctl tag ls --last <tag>` against quay.io gave the first page again.
  it('sees the first page again from the Quay before May 2024, and never gets further', async () => {
    const registry = await start({ profile: 'quay', quirks: { tagsPageToken: true, tagsPageSize: 50 } })
    const tags = await tagMany(registry, 120)
    const first = (await (await fetch(tagsUrl(registry))).json()) as { tags: string[] }
    const rebuilt = (await (await fetch(tagsUrl(registry, `?last=${first.tags.at(-1)}`))).json()) as {
      tags: string[]
    }
    expect([first.tags, rebuilt.tags]).toEqual([tags.slice(0, 50), tags.slice(0, 50)])
  })

  it('is refused by ECR, whose last must be a NextToken', async () => {
    const registry = await start({ profile: 'ecr' })
    await tagMany(registry, 150)
    const response = await fetch(tagsUrl(registry, '?last=t0099'))
    expect(response.status).toBe(405)
    expect(((await response.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('UNSUPPORTED')
  })
})
