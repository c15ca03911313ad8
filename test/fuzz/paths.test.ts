// Random paths under /v2/ with random methods: whatever the path, the answer is a spec answer.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { pushBlob } from '../support/push.js'
import { anyDigest, anyMethod, bytes, expectError, expectSpecAnswer, printable, RUNS } from './support.js'

// An independent copy of the spec's repository-name rule (distribution-spec §Pulling manifests).
const NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/
const isName = (name: string): boolean => name.length <= 255 && NAME.test(name)

const validComponent = fc.oneof(
  fc.constantFrom('a', 'team', 'app', 'app-1', 'x.y', 'a__b', 'a_b', 'a--b', '0'),
  fc.stringMatching(/^[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8}){0,2}$/),
)
const invalidComponent = fc.constantFrom(
  'UPPER',
  '-lead',
  'trail-',
  '_x',
  'a...b',
  'a___b',
  '',
  '.',
  '..',
  '%2e',
  '%2E%2e',
  '%2F',
  '%00',
  'é',
  '😀',
  'a b',
  'a%20b',
  'a;b',
  'a:b',
  'a@b',
)
const keyword = fc.constantFrom(
  'blobs',
  'uploads',
  'manifests',
  'tags',
  'list',
  'referrers',
  '_catalog',
  'v2',
  'latest',
)
const segment = fc.oneof(
  { weight: 4, arbitrary: validComponent },
  { weight: 2, arbitrary: invalidComponent },
  { weight: 3, arbitrary: keyword },
  { weight: 1, arbitrary: anyDigest },
  { weight: 1, arbitrary: fc.integer({ min: 60, max: 400 }).map((n) => 'a'.repeat(n)) },
  { weight: 1, arbitrary: printable.map((s) => s.replaceAll('/', '')) },
)
const path = fc.array(segment, { maxLength: 8 }).map((segments) => `/v2/${segments.join('/')}`)

describe('fuzz: paths and methods', () => {
  let registry: FakeRegistry
  beforeAll(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    await pushBlob(registry, 'team/app', 'some layer')
  })
  afterAll(() => registry.close())

  it('answers any path under /v2/ with any method with a spec answer, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        path,
        anyMethod,
        fc.option(bytes(32), { nil: undefined }),
        fc.boolean(),
        async (target, method, body, trailingSlash) => {
          const url = `${target}${trailingSlash ? '/' : ''}`
          const init: RequestInit = { method }
          if (body !== undefined && !/^(get|head)$/i.test(method)) init.body = body
          await expectSpecAnswer(await registry.fetch(url, init), { url, method })
        },
      ),
      { numRuns: RUNS.cheap * 2 },
    )
  })

  it('answers a tag list for any name with NAME_INVALID exactly when the name breaks the grammar', async () => {
    const nameChars = fc.constantFrom(...'abz09._-/A_'.split(''))
    const name = fc.oneof(
      fc.string({ unit: nameChars, minLength: 1, maxLength: 20 }),
      fc.array(validComponent, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/')),
      fc.integer({ min: 250, max: 260 }).map((n) => `${'a'.repeat(n - 2)}/b`),
    )
    await fc.assert(
      fc.asyncProperty(name, async (candidate) => {
        // Dot segments are resolved by the URL parser before the registry sees the path.
        fc.pre(!candidate.split('/').some((part) => part === '.' || part === '..'))
        const response = await registry.fetch(`/v2/${candidate}/tags/list`)
        const answer = await expectSpecAnswer(response, { candidate })
        // A name that starts with '/' or ends with '/' makes an empty component: invalid.
        if (!isName(candidate)) expectError(answer, 'NAME_INVALID', 400, { candidate })
        else if (candidate === 'team/app') expect(answer.status).toBe(200)
        else expectError(answer, 'NAME_UNKNOWN', 404, { candidate })
      }),
      { numRuns: RUNS.cheap },
    )
  })
})
