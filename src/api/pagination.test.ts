import { describe, expect, it } from 'vitest'
import { isOciError } from '../errors/oci-error.js'
import { listResponse, nextPageLink, parsePageQuery, selectPage, type PageRequest } from './pagination.js'

describe('parsePageQuery', () => {
  it.each([
    { query: '', request: {} },
    { query: 'n=', request: {} },
    { query: 'last=', request: {} },
    { query: 'n=0', request: { limit: 0 } },
    { query: 'n=2', request: { limit: 2 } },
    { query: 'n=007', request: { limit: 7 } },
    { query: `n=${Number.MAX_SAFE_INTEGER}`, request: { limit: Number.MAX_SAFE_INTEGER } },
    { query: 'last=v1', request: { last: 'v1' } },
    { query: 'n=3&last=team%2Fapp', request: { limit: 3, last: 'team/app' } },
    { query: 'n=1&n=5', request: { limit: 1 } },
  ])('$query → $request', ({ query, request }) => {
    expect(parsePageQuery(new URLSearchParams(query))).toEqual(request)
  })

  it.each([
    '-1',
    'abc',
    '1.5',
    '1e3',
    '0x10',
    '+3',
    ' 3',
    '3 ',
    `${Number.MAX_SAFE_INTEGER + 1}`,
    '99999999999999999999999',
  ])('refuses n=%j with 400 UNSUPPORTED and the value as detail', (n) => {
    let thrown: unknown
    try {
      parsePageQuery(new URLSearchParams({ n }))
    } catch (error) {
      thrown = error
    }
    expect(isOciError(thrown)).toBe(true)
    expect(thrown).toMatchObject({
      status: 400,
      entries: [{ code: 'UNSUPPORTED', message: 'invalid number of results requested', detail: { n } }],
    })
  })
})

describe('parsePageQuery as distribution 2.8 reads n (default-page)', () => {
  // Go's strconv.Atoi: a sign and leading zeros are read; what it cannot read, a negative number
  // and one past int64 leave the default page, so no limit.
  it.each([
    { n: '2', request: { limit: 2 } },
    { n: '+2', request: { limit: 2 } },
    { n: '007', request: { limit: 7 } },
    { n: '-0', request: { limit: 0 } },
    // Past 2^53 the number is read as near as a double holds it.
    { n: '9223372036854775807', request: { limit: 2 ** 63 } },
    { n: '-1', request: {} },
    { n: 'abc', request: {} },
    { n: '1.5', request: {} },
    { n: '1e3', request: {} },
    { n: ' 3', request: {} },
    { n: '9223372036854775808', request: {} },
  ])('n=$n → $request', ({ n, request }) => {
    expect(parsePageQuery(new URLSearchParams({ n, last: 'v1' }), 'default-page')).toEqual({ ...request, last: 'v1' })
  })
})

describe('selectPage', () => {
  const sorted = ['a', 'b', 'c', 'd', 'e']
  it.each<{ request: PageRequest; entries: string[]; next?: Required<PageRequest> }>([
    { request: {}, entries: sorted },
    { request: { limit: 0 }, entries: [] },
    { request: { limit: 0, last: 'b' }, entries: [] },
    { request: { limit: 2 }, entries: ['a', 'b'], next: { limit: 2, last: 'b' } },
    { request: { limit: 2, last: 'b' }, entries: ['c', 'd'], next: { limit: 2, last: 'd' } },
    { request: { limit: 2, last: 'd' }, entries: ['e'] },
    { request: { limit: 3, last: 'b' }, entries: ['c', 'd', 'e'] },
    { request: { limit: 5 }, entries: sorted },
    { request: { limit: 6 }, entries: sorted },
    { request: { last: 'b' }, entries: ['c', 'd', 'e'] },
    { request: { last: 'e' }, entries: [] },
    { request: { last: 'z' }, entries: [] },
    // `last` need not be an entry: the page starts after where it would sort.
    { request: { last: 'bb', limit: 1 }, entries: ['c'], next: { limit: 1, last: 'c' } },
    { request: { last: '0' }, entries: sorted },
    { request: { last: 'A', limit: 1 }, entries: ['a'], next: { limit: 1, last: 'a' } },
  ])('$request → $entries, next $next', ({ request, entries, next }) => {
    expect(selectPage(sorted, request)).toEqual(next ? { entries, next } : { entries })
  })

  it('pages through a list in code-point order, every entry once', () => {
    const tags = ['1.0', 'A-1', 'V2', '_tmp', 'latest', 'v10', 'v9']
    const seen: string[] = []
    let request: PageRequest = { limit: 3 }
    for (;;) {
      const page = selectPage(tags, request)
      seen.push(...page.entries)
      if (!page.next) break
      request = page.next
    }
    expect(seen).toEqual(tags)
  })

  it('answers an empty list with an empty page and no next', () => {
    expect(selectPage([], { limit: 3 })).toEqual({ entries: [] })
  })
})

describe('nextPageLink', () => {
  it('builds a relative RFC 8288 next link, n first, last escaped', () => {
    expect(nextPageLink('/v2/team/app/tags/list', { limit: 2, last: 'v2' })).toBe(
      '</v2/team/app/tags/list?n=2&last=v2>; rel="next"',
    )
    expect(nextPageLink('/v2/_catalog', { limit: 1, last: 'team/app' })).toBe(
      '</v2/_catalog?n=1&last=team%2Fapp>; rel="next"',
    )
  })

  it('puts last first with the keys sorted, as Go writes url.Values', () => {
    expect(nextPageLink('/v2/_catalog', { limit: 1, last: 'team/app' }, 'sorted')).toBe(
      '</v2/_catalog?last=team%2Fapp&n=1>; rel="next"',
    )
  })

  it('is undefined when there is no next page', () => {
    expect(nextPageLink('/v2/_catalog', undefined)).toBeUndefined()
    expect(nextPageLink('/v2/_catalog', undefined, 'sorted')).toBeUndefined()
  })
})

describe('listResponse', () => {
  it('writes 200 JSON with a trailing newline, its length and the link', async () => {
    const response = listResponse({ repositories: ['a'] }, '</v2/_catalog?n=1&last=a>; rel="next"')
    expect(response.status).toBe(200)
    expect(Object.fromEntries(response.headers)).toEqual({
      'content-type': 'application/json',
      'content-length': '23',
      link: '</v2/_catalog?n=1&last=a>; rel="next"',
    })
    expect(await response.text()).toBe('{"repositories":["a"]}\n')
  })

  it('sends no Link header without a next page', () => {
    expect(listResponse({ repositories: [] }, undefined).headers.has('link')).toBe(false)
  })
})
