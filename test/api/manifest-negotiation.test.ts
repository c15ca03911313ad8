// GET/HEAD content negotiation in strict mode (media-type spec §5): resolution errors,
// If-None-Match, the headers of a success, the Accept set, and the linux/amd64 rewrite of a
// Docker manifest list fetched by tag.
import { describe, expect, it } from 'vitest'
import type { FakeRegistry } from '../../src/index.js'
import {
  acceptHeaders,
  expectRefused,
  expectServed,
  pushNegotiationContent,
  type Stored as AnyStored,
} from '../support/negotiation.js'
import { errorsOf, MediaTypes, sha256 } from '../support/push.js'
import { putManifestBytes } from '../support/payloads.js'
import { useRegistry } from '../support/registry.js'

const { S2, OM, DL, OI } = MediaTypes
const REPO = 'team/app'

type Stored = Exclude<AnyStored, 'R6'>
interface Content {
  bodies: Record<Stored, string>
  digests: Record<Stored, string>
}

/** Pushes one manifest of each kind; the list and the indexes point to an arm64 and an amd64 image. */
async function pushContent(registry: FakeRegistry): Promise<Content> {
  // arm64 first and an amd64 variant entry: the rewrite takes the first linux/amd64 entry, whatever its variant.
  const entries = [
    { child: 'arm64', platform: { architecture: 'arm64', os: 'linux' } },
    { child: 'amd64', platform: { architecture: 'amd64', os: 'linux', variant: 'v3' } },
    { child: 'arm64', platform: { architecture: 'amd64', os: 'linux' } },
  ] as const
  const kinds: Record<Stored, string> = { arm64: S2, amd64: S2, S2, OM, DL, OI, R7: OI }
  const bodies = await pushNegotiationContent(registry, REPO, entries, kinds)
  const digests = {} as Record<Stored, string>
  for (const key of Object.keys(kinds) as Stored[]) digests[key] = sha256(bodies[key])
  return { bodies, digests }
}

interface NegotiationRow {
  name: string
  stored: Exclude<Stored, 'amd64' | 'arm64'>
  by: 'tag' | 'digest'
  accept: string[]
  /** 'self': the stored manifest; 'amd64': the list's linux/amd64 child; else a refusal's message. */
  expected: 'self' | 'amd64' | { message: string }
}

const REFUSE_OM = { message: 'OCI manifest found, but accept header does not support OCI manifests' }
const REFUSE_OI = { message: 'OCI index found, but accept header does not support OCI indexes' }

const ROWS: NegotiationRow[] = [
  // S2: always served.
  { name: 'S2 with no Accept', stored: 'S2', by: 'tag', accept: [], expected: 'self' },
  { name: 'S2 with Accept OM only', stored: 'S2', by: 'tag', accept: [OM], expected: 'self' },
  { name: 'S2 by digest with Accept OI only', stored: 'S2', by: 'digest', accept: [OI], expected: 'self' },
  // OM: only when accepted.
  { name: 'OM with Accept OM', stored: 'OM', by: 'tag', accept: [OM], expected: 'self' },
  { name: 'OM by digest with Accept OM', stored: 'OM', by: 'digest', accept: [OM], expected: 'self' },
  { name: 'OM with OI and OM on two lines (conformance)', stored: 'OM', by: 'tag', accept: [OI, OM], expected: 'self' },
  { name: 'OM with parameters and q=0 (ignored)', stored: 'OM', by: 'tag', accept: [`${OM}; q=0`], expected: 'self' },
  { name: 'OM with an upper-case Accept item', stored: 'OM', by: 'tag', accept: [OM.toUpperCase()], expected: 'self' },
  {
    name: 'OM with an unparseable item before it',
    stored: 'OM',
    by: 'tag',
    accept: [`not a type, ${OM}`],
    expected: 'self',
  },
  { name: 'OM with no Accept', stored: 'OM', by: 'tag', accept: [], expected: REFUSE_OM },
  { name: 'OM by digest with no Accept', stored: 'OM', by: 'digest', accept: [], expected: REFUSE_OM },
  { name: 'OM with Accept S2', stored: 'OM', by: 'tag', accept: [S2], expected: REFUSE_OM },
  {
    name: 'OM with Accept */* (wildcards are not expanded)',
    stored: 'OM',
    by: 'tag',
    accept: ['*/*'],
    expected: REFUSE_OM,
  },
  { name: 'OM with Accept application/*', stored: 'OM', by: 'tag', accept: ['application/*'], expected: REFUSE_OM },
  { name: 'OM with Accept OI', stored: 'OM', by: 'tag', accept: [OI], expected: REFUSE_OM },
  // OI, and seed A's R7 stored as OI: only when accepted, never rewritten.
  { name: 'OI with Accept OI', stored: 'OI', by: 'tag', accept: [OI], expected: 'self' },
  { name: 'OI by digest with Accept OI', stored: 'OI', by: 'digest', accept: [OI], expected: 'self' },
  { name: 'OI with Accept OM', stored: 'OI', by: 'tag', accept: [OM], expected: REFUSE_OI },
  {
    name: 'OI with Accept S2 (no rewrite for OCI indexes)',
    stored: 'OI',
    by: 'tag',
    accept: [S2],
    expected: REFUSE_OI,
  },
  { name: 'OI with Accept DL', stored: 'OI', by: 'tag', accept: [DL], expected: REFUSE_OI },
  { name: 'OI with no Accept', stored: 'OI', by: 'tag', accept: [], expected: REFUSE_OI },
  { name: 'R7 with Accept OI (seed A fixed)', stored: 'R7', by: 'tag', accept: [OI], expected: 'self' },
  {
    name: 'R7 by digest with all four types (seed A, GitLab test)',
    stored: 'R7',
    by: 'digest',
    accept: [S2, OM, DL, OI],
    expected: 'self',
  },
  { name: 'R7 with Accept S2', stored: 'R7', by: 'tag', accept: [S2], expected: REFUSE_OI },
  // DL: served when accepted or by digest; by tag otherwise rewritten to the linux/amd64 child.
  { name: 'DL with Accept DL', stored: 'DL', by: 'tag', accept: [DL], expected: 'self' },
  { name: 'DL by digest with no Accept', stored: 'DL', by: 'digest', accept: [], expected: 'self' },
  { name: 'DL by digest with Accept S2', stored: 'DL', by: 'digest', accept: [S2], expected: 'self' },
  { name: 'DL with no Accept: rewritten', stored: 'DL', by: 'tag', accept: [], expected: 'amd64' },
  { name: 'DL with Accept S2: rewritten', stored: 'DL', by: 'tag', accept: [S2], expected: 'amd64' },
  { name: 'DL with Accept OI and OM: rewritten', stored: 'DL', by: 'tag', accept: [OI, OM], expected: 'amd64' },
]

describe('strict mode GET/HEAD: Accept negotiation', () => {
  const { registry, content } = useRegistry({}, pushContent)

  for (const method of ['GET', 'HEAD'] as const) {
    it.each(ROWS)(`${method} $name`, async ({ stored, by, accept, expected }) => {
      const reference = by === 'tag' ? stored.toLowerCase() : content().digests[stored]
      const response = await registry().fetch(`/v2/${REPO}/manifests/${reference}`, {
        method,
        headers: acceptHeaders(accept),
      })
      if (typeof expected === 'object') {
        await expectRefused(response, method, 404, { code: 'MANIFEST_UNKNOWN', message: expected.message })
        return
      }
      const served: Stored = expected === 'amd64' ? 'amd64' : stored
      const kind = served === 'amd64' ? S2 : served === 'R7' ? OI : { S2, OM, DL, OI }[served]
      await expectServed(response, method, content().bodies[served], kind)
    })
  }

  it('has a row for every stored kind', () => {
    expect(new Set(ROWS.map((row) => row.stored))).toEqual(new Set(['S2', 'OM', 'OI', 'R7', 'DL']))
  })
})

describe('strict mode GET: the linux/amd64 rewrite when it finds nothing', () => {
  const { registry } = useRegistry({ verifyReferences: 'none' })

  const child = `sha256:${'c'.repeat(64)}`
  const list = (platforms: Array<Record<string, string> | undefined>) =>
    JSON.stringify({
      schemaVersion: 2,
      mediaType: DL,
      manifests: platforms.map((platform) => ({
        mediaType: S2,
        digest: child,
        size: 10,
        ...(platform && { platform }),
      })),
    })

  it.each([
    { name: 'an empty list', body: JSON.stringify({ schemaVersion: 2, mediaType: DL, manifests: [] }) },
    {
      name: 'only linux/arm64 and windows/amd64',
      body: list([
        { os: 'linux', architecture: 'arm64' },
        { os: 'windows', architecture: 'amd64' },
      ]),
    },
    { name: 'entries without platform', body: list([undefined]) },
  ])('answers 404 MANIFEST_UNKNOWN for $name', async ({ body }) => {
    expect((await putManifestBytes(registry(), REPO, 'list', body, DL)).status).toBe(201)
    const response = await registry().fetch(`/v2/${REPO}/manifests/list`)
    expect(response.status).toBe(404)
    expect(await errorsOf(response)).toEqual([
      {
        code: 'MANIFEST_UNKNOWN',
        message: 'manifest unknown',
        detail: `manifest list ${sha256(body)} does not contain a manifest image for the platform linux/amd64`,
      },
    ])
  })

  it('answers 404 MANIFEST_UNKNOWN when the linux/amd64 child is not in the repository', async () => {
    const body = list([{ os: 'linux', architecture: 'amd64' }])
    expect((await putManifestBytes(registry(), REPO, 'list', body, DL)).status).toBe(201)
    const response = await registry().fetch(`/v2/${REPO}/manifests/list`, { headers: { accept: S2 } })
    expect(response.status).toBe(404)
    expect(await errorsOf(response)).toEqual([
      { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { digest: child } },
    ])
  })
})

describe('strict mode GET/HEAD: resolution and conditional requests', () => {
  const { registry, content } = useRegistry({}, pushContent)

  const sha256Of = (char: string) => `sha256:${char.repeat(64)}`
  it.each([
    {
      name: 'an unknown repository',
      path: `/v2/other/app/manifests/s2`,
      status: 404,
      error: { code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name: 'other/app' } },
    },
    {
      name: 'an unknown tag',
      path: `/v2/${REPO}/manifests/nope`,
      status: 404,
      error: { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { tag: 'nope' } },
    },
    {
      name: 'an unknown digest',
      path: `/v2/${REPO}/manifests/${sha256Of('0')}`,
      status: 404,
      error: { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { digest: sha256Of('0') } },
    },
    {
      name: 'a malformed tag',
      path: `/v2/${REPO}/manifests/-dash`,
      status: 404,
      error: { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { tag: '-dash' } },
    },
    {
      name: 'a tag of 129 characters',
      path: `/v2/${REPO}/manifests/${'t'.repeat(129)}`,
      status: 404,
      error: { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { tag: 't'.repeat(129) } },
    },
    {
      name: 'upper-case hex',
      path: `/v2/${REPO}/manifests/${sha256Of('A')}`,
      status: 400,
      error: {
        code: 'DIGEST_INVALID',
        message: 'provided digest did not match uploaded content',
        detail: { digest: sha256Of('A') },
      },
    },
    {
      name: 'a short sha256',
      path: `/v2/${REPO}/manifests/sha256:abc`,
      status: 400,
      error: {
        code: 'DIGEST_INVALID',
        message: 'provided digest did not match uploaded content',
        detail: { digest: 'sha256:abc' },
      },
    },
    {
      name: 'an unsupported algorithm',
      path: `/v2/${REPO}/manifests/blake3:${'a'.repeat(64)}`,
      status: 400,
      error: {
        code: 'DIGEST_INVALID',
        message: 'provided digest did not match uploaded content',
        detail: { digest: `blake3:${'a'.repeat(64)}` },
      },
    },
    {
      name: 'a digest that breaks the grammar',
      path: `/v2/${REPO}/manifests/sha256:`,
      status: 400,
      error: {
        code: 'DIGEST_INVALID',
        message: 'provided digest did not match uploaded content',
        detail: { digest: 'sha256:' },
      },
    },
    {
      name: 'a malformed digest in an unknown repository',
      path: `/v2/other/app/manifests/sha256:abc`,
      status: 400,
      error: {
        code: 'DIGEST_INVALID',
        message: 'provided digest did not match uploaded content',
        detail: { digest: 'sha256:abc' },
      },
    },
  ])('GET $name → $status $error.code; HEAD the same without a body', async ({ path, status, error }) => {
    const get = await registry().fetch(path)
    expect(get.status).toBe(status)
    expect(await errorsOf(get)).toEqual([error])
    const head = await registry().fetch(path, { method: 'HEAD' })
    expect(head.status).toBe(status)
    expect(head.headers.get('content-length')).toBe(get.headers.get('content-length'))
    expect(await head.text()).toBe('')
  })

  it('serves a sha512 reference to a manifest pushed by its sha512 digest', async () => {
    const body = content().bodies.S2
    const { createHash } = await import('node:crypto')
    const digest = `sha512:${createHash('sha512').update(body).digest('hex')}`
    expect((await putManifestBytes(registry(), REPO, digest, body, S2)).status).toBe(201)
    const response = await registry().fetch(`/v2/${REPO}/manifests/${digest}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('docker-content-digest')).toBe(digest)
    expect(await response.text()).toBe(body)
  })

  it.each([
    { name: 'the quoted ETag', value: (digest: string) => `"${digest}"`, status: 304 },
    { name: 'the bare digest', value: (digest: string) => digest, status: 304 },
    {
      name: 'a list holding the ETag',
      value: (digest: string) => `"sha256:${'0'.repeat(64)}", "${digest}"`,
      status: 304,
    },
    { name: 'another digest', value: () => `"sha256:${'0'.repeat(64)}"`, status: 200 },
  ])('If-None-Match with $name → $status', async ({ value, status }) => {
    const digest = content().digests.S2
    for (const method of ['GET', 'HEAD']) {
      const response = await registry().fetch(`/v2/${REPO}/manifests/s2`, {
        method,
        headers: { 'if-none-match': value(digest) },
      })
      expect(response.status).toBe(status)
      expect(response.headers.get('etag')).toBe(`"${digest}"`)
      expect(response.headers.get('docker-content-digest')).toBe(digest)
      if (status === 304) expect(await response.text()).toBe('')
    }
  })

  it('compares If-None-Match with the child a rewrite serves', async () => {
    const response = await registry().fetch(`/v2/${REPO}/manifests/dl`, {
      headers: { 'if-none-match': `"${content().digests.amd64}"` },
    })
    expect(response.status).toBe(304)
    expect(response.headers.get('etag')).toBe(`"${content().digests.amd64}"`)
  })

  it('answers a refused kind with 404 even when If-None-Match matches', async () => {
    const response = await registry().fetch(`/v2/${REPO}/manifests/om`, {
      headers: { 'if-none-match': `"${content().digests.OM}"` },
    })
    expect(response.status).toBe(404)
  })
})
