// GET/HEAD content negotiation in lenient and gitlab-legacy modes (media-type spec §5; strict
// mode has its own file). Lenient mode ignores Accept: it always serves the stored kind and never
// rewrites a manifest list. gitlab-legacy negotiates as strict mode does, but on the kind it
// works out again from the stored bytes on every read, which is where seed A comes from.
import { describe, expect, it } from 'vitest'
import type { FakeRegistry, Mode } from '../../src/index.js'
import {
  acceptHeaders,
  expectRefused,
  expectServed,
  pushNegotiationContent,
  type Stored,
} from '../support/negotiation.js'
import { errorsOf, MediaTypes, sha256 } from '../support/push.js'
import { putManifestBytes } from '../support/payloads.js'
import { useRegistry } from '../support/registry.js'

const { S2, OM, DL, OI } = MediaTypes
const REPO = 'team/app'

/** One manifest of each kind, pushed by tag (the key in lower case); the list and indexes point to arm64 then amd64. */
function pushContent(registry: FakeRegistry): Promise<Record<Stored, string>> {
  const entries = [
    { child: 'arm64', platform: { architecture: 'arm64', os: 'linux' } },
    { child: 'amd64', platform: { architecture: 'amd64', os: 'linux' } },
  ] as const
  // R6 and R7 have no mediaType: an image pushed as an index (gitlab-legacy has no shape check), and seed A's index.
  return pushNegotiationContent(registry, REPO, entries, { arm64: S2, amd64: S2, S2, OM, DL, OI, R6: OI, R7: OI })
}

type Expected = { serve: Stored; as: string } | { refuse: string } | 'seed A'
interface Row {
  name: string
  stored: Exclude<Stored, 'amd64' | 'arm64'>
  by: 'tag' | 'digest'
  accept: string[]
  expected: Expected
}

const REFUSE_OM = { refuse: 'OCI manifest found, but accept header does not support OCI manifests' }
const REFUSE_OI = { refuse: 'OCI index found, but accept header does not support OCI indexes' }

const TABLES: Record<Exclude<Mode, 'strict'>, Row[]> = {
  lenient: [
    { name: 'S2 with no Accept', stored: 'S2', by: 'tag', accept: [], expected: { serve: 'S2', as: S2 } },
    { name: 'OM with no Accept', stored: 'OM', by: 'tag', accept: [], expected: { serve: 'OM', as: OM } },
    { name: 'OM with Accept S2 only', stored: 'OM', by: 'digest', accept: [S2], expected: { serve: 'OM', as: OM } },
    { name: 'OI with Accept S2 only', stored: 'OI', by: 'tag', accept: [S2], expected: { serve: 'OI', as: OI } },
    {
      name: 'R7 (stored as OI) with no Accept',
      stored: 'R7',
      by: 'tag',
      accept: [],
      expected: { serve: 'R7', as: OI },
    },
    {
      name: 'R6 pushed as OI is stored as OM, served as OM with Accept OI',
      stored: 'R6',
      by: 'tag',
      accept: [OI],
      expected: { serve: 'R6', as: OM },
    },
    {
      name: 'DL by tag with no Accept: the list itself, never rewritten',
      stored: 'DL',
      by: 'tag',
      accept: [],
      expected: { serve: 'DL', as: DL },
    },
    {
      name: 'DL by tag with Accept S2: the list itself',
      stored: 'DL',
      by: 'tag',
      accept: [S2],
      expected: { serve: 'DL', as: DL },
    },
  ],
  'gitlab-legacy': [
    { name: 'S2 with no Accept', stored: 'S2', by: 'tag', accept: [], expected: { serve: 'S2', as: S2 } },
    { name: 'OM with Accept OM', stored: 'OM', by: 'tag', accept: [OM], expected: { serve: 'OM', as: OM } },
    { name: 'OM with no Accept', stored: 'OM', by: 'tag', accept: [], expected: REFUSE_OM },
    { name: 'OM by digest with Accept */*', stored: 'OM', by: 'digest', accept: ['*/*'], expected: REFUSE_OM },
    { name: 'OI with Accept OI', stored: 'OI', by: 'tag', accept: [OI], expected: { serve: 'OI', as: OI } },
    {
      name: 'OI with Accept S2 (no rewrite for OCI indexes)',
      stored: 'OI',
      by: 'tag',
      accept: [S2],
      expected: REFUSE_OI,
    },
    { name: 'DL with Accept DL', stored: 'DL', by: 'tag', accept: [DL], expected: { serve: 'DL', as: DL } },
    { name: 'DL by digest with no Accept', stored: 'DL', by: 'digest', accept: [], expected: { serve: 'DL', as: DL } },
    {
      name: 'DL by tag with no Accept: rewritten to linux/amd64',
      stored: 'DL',
      by: 'tag',
      accept: [],
      expected: { serve: 'amd64', as: S2 },
    },
    {
      name: 'DL by tag with Accept OI and OM: rewritten',
      stored: 'DL',
      by: 'tag',
      accept: [OI, OM],
      expected: { serve: 'amd64', as: S2 },
    },
    // Re-detection: R6 was pushed as OI but its bytes read as OM, so OM is what Accept must name.
    {
      name: 'R6 pushed as OI, read back as OM, with Accept OM',
      stored: 'R6',
      by: 'tag',
      accept: [OM],
      expected: { serve: 'R6', as: OM },
    },
    {
      name: 'R6 pushed as OI, read back as OM, with Accept OI only',
      stored: 'R6',
      by: 'tag',
      accept: [OI],
      expected: REFUSE_OM,
    },
    // Seed A: whatever the Accept, by tag or by digest.
    { name: 'R7 with Accept OI', stored: 'R7', by: 'tag', accept: [OI], expected: 'seed A' },
    {
      name: 'R7 by digest with all four types (GitLab test)',
      stored: 'R7',
      by: 'digest',
      accept: [S2, OM, DL, OI],
      expected: 'seed A',
    },
    { name: 'R7 with no Accept', stored: 'R7', by: 'tag', accept: [], expected: 'seed A' },
  ],
}

for (const [mode, rows] of Object.entries(TABLES) as Array<[Exclude<Mode, 'strict'>, Row[]]>) {
  describe(`${mode} GET/HEAD: Accept negotiation`, () => {
    const { registry, content: bodies } = useRegistry({ mode }, pushContent)

    for (const method of ['GET', 'HEAD'] as const) {
      it.each(rows)(`${method} $name`, async ({ stored, by, accept, expected }) => {
        const reference = by === 'tag' ? stored.toLowerCase() : sha256(bodies()[stored])
        const response = await registry().fetch(`/v2/${REPO}/manifests/${reference}`, {
          method,
          headers: acceptHeaders(accept),
        })
        if (expected === 'seed A') {
          await expectRefused(response, method, 400, {
            code: 'MANIFEST_INVALID',
            message: 'Schema 1 manifest not supported',
          })
          return
        }
        if ('refuse' in expected) {
          await expectRefused(response, method, 404, { code: 'MANIFEST_UNKNOWN', message: expected.refuse })
          return
        }
        await expectServed(response, method, bodies()[expected.serve], expected.as)
      })
    }
  })
}

describe('gitlab-legacy GET: the linux/amd64 rewrite when it finds nothing', () => {
  const { registry } = useRegistry({ mode: 'gitlab-legacy', verifyReferences: 'none' })

  it('answers 404 MANIFEST_UNKNOWN naming the list when no entry is linux/amd64', async () => {
    const child = `sha256:${'c'.repeat(64)}`
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: DL,
      manifests: [{ mediaType: S2, digest: child, size: 10, platform: { os: 'linux', architecture: 'arm64' } }],
    })
    expect((await putManifestBytes(registry(), REPO, 'list', body, DL)).status).toBe(201)
    const response = await registry().fetch(`/v2/${REPO}/manifests/list`, { headers: { accept: S2 } })
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
    const child = `sha256:${'c'.repeat(64)}`
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: DL,
      manifests: [{ mediaType: S2, digest: child, size: 10, platform: { os: 'linux', architecture: 'amd64' } }],
    })
    expect((await putManifestBytes(registry(), REPO, 'list', body, DL)).status).toBe(201)
    const response = await registry().fetch(`/v2/${REPO}/manifests/list`)
    expect(response.status).toBe(404)
    expect(await errorsOf(response)).toEqual([
      { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { digest: child } },
    ])
  })
})
