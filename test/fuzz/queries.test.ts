// Random query strings (n, last, digest, mount, from, artifactType, tag, and strangers) on every
// route that reads one, and on those that do not.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry, type StorageSnapshot } from '../../src/index.js'
import { MediaTypes, pushImageContent, putManifest, sha256 } from '../support/push.js'
import { anyDigest, expectError, expectSpecAnswer, printable, RUNS } from './support.js'

const TAGS = ['1.0', '1.1', '2.0', 'latest', 'v1', 'v2']

const value = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '1',
    '2',
    '3',
    '10',
    '-1',
    '+1',
    '1.5',
    '1e2',
    '0x10',
    ' 1',
    '007',
    '9007199254740991',
    '9007199254740992',
    '99999999999999999999',
  ),
  fc.constantFrom(...TAGS, 'team/app', 'a', 'zzz', '\u0000', 'é', '😀', '%', '&', '=', '../x'),
  anyDigest,
  printable,
  fc.string({ maxLength: 20 }),
)
const query = fc.array(
  fc.tuple(fc.constantFrom('n', 'last', 'digest', 'mount', 'from', 'artifactType', 'tag', 'N', 'x', ''), value),
  { maxLength: 5 },
)

const routes = [
  { method: 'GET', path: '/v2/team/app/tags/list' },
  { method: 'GET', path: '/v2/_catalog' },
  { method: 'GET', path: '/v2/team/app/referrers/<digest>' },
  { method: 'GET', path: '/v2/team/app/manifests/latest' },
  { method: 'HEAD', path: '/v2/team/app/manifests/<digest>' },
  { method: 'PUT', path: '/v2/team/app/manifests/<digest>' },
  { method: 'PUT', path: '/v2/team/app/manifests/new' },
  { method: 'POST', path: '/v2/team/app/blobs/uploads/' },
  { method: 'GET', path: '/v2/team/app/blobs/<config>' },
  { method: 'GET', path: '/v2/' },
] as const

describe('fuzz: query strings', () => {
  let registry: FakeRegistry
  let manifest: string
  let seeded: StorageSnapshot
  let config: string
  beforeAll(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    const body = await pushImageContent(registry, 'team/app')
    config = (body.config as { digest: string }).digest
    manifest = JSON.stringify(body)
    for (const tag of TAGS) expect((await putManifest(registry, 'team/app', tag, manifest)).status).toBe(201)
    seeded = await registry.snapshot()
  })
  afterAll(() => registry.close())

  it('answers any query on any route with a spec answer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), query, async (route, pairs) => {
        await registry.restore(seeded)
        const path = route.path.replace('<digest>', sha256(manifest)).replace('<config>', config)
        const search = new URLSearchParams(pairs)
        const init: RequestInit = { method: route.method }
        if (route.method === 'PUT') init.headers = { 'content-type': MediaTypes.OM }
        if (route.method === 'PUT' || route.method === 'POST') init.body = new TextEncoder().encode(manifest)
        await expectSpecAnswer(await registry.fetch(`${path}?${search}`, init), { route, pairs })
      }),
      { numRuns: RUNS.cheap * 2 },
    )
  })

  it('pages tags and the catalog for any n and last, or refuses a malformed n with 400 UNSUPPORTED', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/v2/team/app/tags/list', '/v2/_catalog'),
        fc.option(value, { nil: undefined }),
        fc.option(value, { nil: undefined }),
        async (path, n, last) => {
          // The property above may have pushed a tag; each run starts from the seeded content.
          await registry.restore(seeded)
          const search = new URLSearchParams()
          if (n !== undefined) search.set('n', n)
          if (last !== undefined) search.set('last', last)
          const context = { path, n, last }
          const response = await registry.fetch(`${path}?${search}`)
          const link = response.headers.get('link')
          const answer = await expectSpecAnswer(response, context)
          const all = path === '/v2/_catalog' ? ['team/app'] : TAGS
          const limit =
            n === undefined || n === ''
              ? undefined
              : /^\d+$/.test(n) && Number.isSafeInteger(Number(n))
                ? Number(n)
                : Number.NaN
          if (Number.isNaN(limit)) {
            expectError(answer, 'UNSUPPORTED', 400, context)
            return
          }
          expect(answer.status, JSON.stringify(context)).toBe(200)
          const listed = JSON.parse(new TextDecoder().decode(answer.body)) as {
            tags?: string[]
            repositories?: string[]
          }
          const entries = listed.tags ?? listed.repositories ?? []
          const after = last === undefined || last === '' ? all : all.filter((entry) => entry > last)
          const expected = limit === undefined ? after : after.slice(0, limit)
          expect(entries, JSON.stringify(context)).toEqual(expected)
          expect(link !== null, JSON.stringify({ ...context, link })).toBe(
            limit !== undefined && expected.length > 0 && expected.length < after.length,
          )
        },
      ),
      { numRuns: RUNS.cheap },
    )
  })
})
