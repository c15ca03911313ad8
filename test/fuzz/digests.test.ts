// Random digests wherever the API takes one: the URL of blobs, manifests and referrers, an
// upload's ?digest=, a mount's ?mount=. Malformed ones are DIGEST_INVALID, never a 5xx.
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry, type StorageSnapshot } from '../../src/index.js'
import { pushBlob, sha256 } from '../support/push.js'
import { anyDigest, expectError, expectSpecAnswer, isSupportedDigest, RUNS, supportedDigest } from './support.js'

const ORIGIN = 'http://registry.fake-oci.invalid'
const CONTENT = 'stored layer'

describe('fuzz: digests', () => {
  let registry: FakeRegistry
  let stored: string
  let seeded: StorageSnapshot
  beforeAll(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    stored = (await pushBlob(registry, 'team/app', CONTENT)).digest
    seeded = await registry.snapshot()
  })
  afterAll(() => registry.close())

  // Sometimes the digest the registry holds, so the "found" branch is fuzzed too.
  const digest = (): fc.Arbitrary<string> =>
    fc.oneof({ weight: 8, arbitrary: anyDigest }, { weight: 1, arbitrary: fc.constant('') })
  const withStored = (): fc.Arbitrary<string> =>
    fc.oneof({ weight: 6, arbitrary: digest() }, { weight: 1, arbitrary: fc.constant('<stored>') })

  /**
   * The digest exactly as the route sees it after URL parsing and one percent-decoding (a
   * malformed escape stays as sent), or undefined when it left its segment.
   */
  function seenSegment(prefix: string, value: string): string | undefined {
    const seen = new URL(`${prefix}${value}`, ORIGIN).pathname
    if (!seen.startsWith(prefix)) return undefined
    const rest = seen.slice(prefix.length)
    if (rest.includes('/')) return undefined
    try {
      return decodeURIComponent(rest)
    } catch {
      return rest
    }
  }

  it('answers blob GET, HEAD and DELETE by any digest with DIGEST_INVALID, BLOB_UNKNOWN or the blob', async () => {
    await fc.assert(
      fc.asyncProperty(
        withStored(),
        fc.constantFrom('GET', 'HEAD', 'DELETE'),
        fc.constantFrom('team/app', 'other/repo'),
        async (raw, method, repo) => {
          const value = raw === '<stored>' ? stored : raw
          const prefix = `/v2/${repo}/blobs/`
          const context = { method, repo, value }
          const answer = await expectSpecAnswer(await registry.fetch(`${prefix}${value}`, { method }), context)
          const seen = seenSegment(prefix, value)
          // Past this point the digest either became another route ('uploads') or no segment at all.
          if (seen === undefined || seen === '' || seen === 'uploads') return
          if (!isSupportedDigest(seen)) {
            if (method !== 'HEAD') expectError(answer, 'DIGEST_INVALID', 400, context)
            else expect(answer.status).toBe(400)
          } else if (seen === stored && repo === 'team/app') {
            expect(answer.status, JSON.stringify(context)).toBe(method === 'DELETE' ? 202 : 200)
            if (method === 'GET') expect(new TextDecoder().decode(answer.body)).toBe(CONTENT)
            if (method === 'DELETE') await pushBlob(registry, 'team/app', CONTENT)
          } else if (method !== 'HEAD') expectError(answer, 'BLOB_UNKNOWN', 404, context)
          else expect(answer.status).toBe(404)
        },
      ),
      { numRuns: RUNS.cheap },
    )
  })

  it('answers manifest GET, HEAD, DELETE and PUT by any reference with a spec answer', async () => {
    await fc.assert(
      fc.asyncProperty(digest(), fc.constantFrom('GET', 'HEAD', 'DELETE', 'PUT'), async (value, method) => {
        const prefix = '/v2/team/app/manifests/'
        const context = { method, value }
        const init: RequestInit = { method }
        if (method === 'PUT') init.body = new TextEncoder().encode('{"schemaVersion":2}')
        const answer = await expectSpecAnswer(await registry.fetch(`${prefix}${value}`, init), context)
        const seen = seenSegment(prefix, value)
        if (seen === undefined || seen === '' || method === 'HEAD') return
        if (seen.includes(':') && !isSupportedDigest(seen)) expectError(answer, 'DIGEST_INVALID', 400, context)
        else if (method !== 'PUT') expectError(answer, 'MANIFEST_UNKNOWN', 404, context)
        else expect(answer.status, JSON.stringify(context)).toBe(400)
      }),
      { numRuns: RUNS.cheap },
    )
  })

  it('answers referrers of any subject with an empty index or DIGEST_INVALID', async () => {
    await fc.assert(
      fc.asyncProperty(digest(), async (value) => {
        const prefix = '/v2/team/app/referrers/'
        const answer = await expectSpecAnswer(await registry.fetch(`${prefix}${value}`), { value })
        const seen = seenSegment(prefix, value)
        if (seen === undefined || seen === '') return
        if (isSupportedDigest(seen)) {
          expect(answer.status).toBe(200)
          expect(JSON.parse(new TextDecoder().decode(answer.body)).manifests).toEqual([])
        } else if (answer.status !== 200) expectError(answer, 'DIGEST_INVALID', 400, { value })
      }),
      { numRuns: RUNS.cheap },
    )
  })

  it('commits a monolithic upload only under the digest of its bytes; any other ?digest= leaves nothing', async () => {
    const body = new TextEncoder().encode('monolithic body')
    const right = sha256(body)
    const right512 = `sha512:${createHash('sha512').update(body).digest('hex')}`
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(digest(), fc.constantFrom(right, right512)), { minLength: 1, maxLength: 3 }),
        async (digests) => {
          await registry.restore(seeded)
          const query = new URLSearchParams(digests.map((d) => ['digest', d]))
          const context = { digests }
          const answer = await expectSpecAnswer(
            await registry.fetch(`/v2/fresh/repo/blobs/uploads/?${query}`, { method: 'POST', body }),
            context,
          )
          // The spec allows several ?digest=; every one must describe the bytes.
          if (digests.every((d) => d === right || d === right512))
            expect(answer.status, JSON.stringify(context)).toBe(201)
          else expectError(answer, 'DIGEST_INVALID', 400, context)
          // Nothing half-written: the body is visible only after a 201, and under no other digest.
          const committed = answer.status === 201 ? (digests[0] as string) : undefined
          for (const d of new Set([right, right512, ...digests.filter(isSupportedDigest)])) {
            const head = await registry.fetch(`/v2/fresh/repo/blobs/${d}`, { method: 'HEAD' })
            expect(head.status, JSON.stringify({ ...context, d })).toBe(d === committed ? 200 : 404)
          }
          const catalog = await registry.fetch('/v2/_catalog')
          expect(await catalog.json()).toEqual({ repositories: committed ? ['fresh/repo', 'team/app'] : ['team/app'] })
        },
      ),
      { numRuns: RUNS.medium },
    )
  })

  it('answers a PUT closing a session with any ?digest= by committing the right one only', async () => {
    const body = new TextEncoder().encode('chunked body')
    const right = sha256(body)
    await fc.assert(
      fc.asyncProperty(fc.oneof(digest(), supportedDigest, fc.constant(right)), async (value) => {
        await registry.restore(seeded)
        const started = await registry.fetch('/v2/fresh/repo/blobs/uploads/', { method: 'POST' })
        expect(started.status).toBe(202)
        const location = started.headers.get('location')!
        const context = { value }
        const put = await registry.fetch(`${location}?${new URLSearchParams({ digest: value })}`, {
          method: 'PUT',
          body,
        })
        const answer = await expectSpecAnswer(put, context)
        if (value === right) expect(answer.status).toBe(201)
        else expectError(answer, 'DIGEST_INVALID', 400, context)
        const head = await registry.fetch(`/v2/fresh/repo/blobs/${right}`, { method: 'HEAD' })
        expect(head.status).toBe(value === right ? 200 : 404)
      }),
      { numRuns: RUNS.medium },
    )
  })

  it('mounts only a digest the source repository links; anything else opens a session', async () => {
    await fc.assert(
      fc.asyncProperty(
        withStored(),
        fc.option(fc.constantFrom('team/app', 'other/repo', 'BAD', '', '../team/app'), { nil: undefined }),
        async (raw, from) => {
          const mount = raw === '<stored>' ? stored : raw
          const query = new URLSearchParams({ mount })
          if (from !== undefined) query.set('from', from)
          const context = { mount, from }
          const answer = await expectSpecAnswer(
            await registry.fetch(`/v2/mounted/repo/blobs/uploads/?${query}`, { method: 'POST' }),
            context,
          )
          if (mount === stored && (from === undefined || from === 'team/app')) {
            expect(answer.status, JSON.stringify(context)).toBe(201)
            expect((await registry.fetch(`/v2/mounted/repo/blobs/${stored}`, { method: 'DELETE' })).status).toBe(202)
          } else {
            expect(answer.status, JSON.stringify(context)).toBe(202)
          }
        },
      ),
      { numRuns: RUNS.cheap },
    )
  })
})
