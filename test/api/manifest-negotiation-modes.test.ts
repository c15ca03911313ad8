// GET/HEAD content negotiation in lenient and gitlab-legacy modes (media-type spec §5; strict
// mode has its own file). Lenient mode ignores Accept: it always serves the stored kind and never
// rewrites a manifest list. gitlab-legacy negotiates as strict mode does, but on the kind it
// works out again from the stored bytes on every read, which is where seed A comes from.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry, type Mode } from '../../src/index.js'
import { bytesOf, errorsOf, MediaTypes, pushBlob, sha256 } from '../support/push.js'
import { putManifestBytes } from '../support/payloads.js'

const { S2, OM, DL, OI } = MediaTypes
const REPO = 'team/app'

type Stored = 'S2' | 'OM' | 'DL' | 'OI' | 'R6' | 'R7' | 'amd64' | 'arm64'
const PUSHED_AS: Record<Stored, string> = { arm64: S2, amd64: S2, S2, OM, DL, OI, R6: OI, R7: OI }

/** One manifest of each kind, pushed by tag (the key in lower case); the list and indexes point to arm64 then amd64. */
async function pushContent(registry: FakeRegistry): Promise<Record<Stored, string>> {
  const config = await pushBlob(registry, REPO, '{"architecture":"amd64","os":"linux"}', MediaTypes.DOCKER_CONFIG)
  const layer = await pushBlob(registry, REPO, 'layer', MediaTypes.DOCKER_LAYER)
  const ociConfig = { ...config, mediaType: MediaTypes.OCI_CONFIG }
  const image = (which: string) => JSON.stringify({ schemaVersion: 2, mediaType: S2, config, layers: [layer], annotations: { which } })
  const arm64 = image('arm64')
  const amd64 = image('amd64')
  const entry = (body: string, architecture: string) => ({ mediaType: S2, digest: sha256(body), size: Buffer.byteLength(body), platform: { architecture, os: 'linux' } })
  const entries = [entry(arm64, 'arm64'), entry(amd64, 'amd64')]
  const bodies: Record<Stored, string> = {
    arm64,
    amd64,
    S2: image('plain'),
    OM: JSON.stringify({ schemaVersion: 2, mediaType: OM, config: ociConfig, layers: [] }),
    DL: JSON.stringify({ schemaVersion: 2, mediaType: DL, manifests: entries }),
    OI: JSON.stringify({ schemaVersion: 2, mediaType: OI, manifests: entries }),
    // No mediaType: an image pushed as an index (gitlab-legacy has no shape check), and seed A's index.
    R6: JSON.stringify({ schemaVersion: 2, config: ociConfig, layers: [] }),
    R7: JSON.stringify({ schemaVersion: 2, manifests: entries }),
  }
  for (const key of Object.keys(PUSHED_AS) as Stored[]) {
    const response = await putManifestBytes(registry, REPO, key.toLowerCase(), bodies[key], PUSHED_AS[key])
    if (response.status !== 201) throw new Error(`push ${key}: ${response.status} ${await response.text()}`)
  }
  return bodies
}

function acceptHeaders(accept: readonly string[]): Headers {
  const headers = new Headers()
  for (const item of accept) headers.append('accept', item)
  return headers
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
    { name: 'R7 (stored as OI) with no Accept', stored: 'R7', by: 'tag', accept: [], expected: { serve: 'R7', as: OI } },
    { name: 'R6 pushed as OI is stored as OM, served as OM with Accept OI', stored: 'R6', by: 'tag', accept: [OI], expected: { serve: 'R6', as: OM } },
    { name: 'DL by tag with no Accept: the list itself, never rewritten', stored: 'DL', by: 'tag', accept: [], expected: { serve: 'DL', as: DL } },
    { name: 'DL by tag with Accept S2: the list itself', stored: 'DL', by: 'tag', accept: [S2], expected: { serve: 'DL', as: DL } },
  ],
  'gitlab-legacy': [
    { name: 'S2 with no Accept', stored: 'S2', by: 'tag', accept: [], expected: { serve: 'S2', as: S2 } },
    { name: 'OM with Accept OM', stored: 'OM', by: 'tag', accept: [OM], expected: { serve: 'OM', as: OM } },
    { name: 'OM with no Accept', stored: 'OM', by: 'tag', accept: [], expected: REFUSE_OM },
    { name: 'OM by digest with Accept */*', stored: 'OM', by: 'digest', accept: ['*/*'], expected: REFUSE_OM },
    { name: 'OI with Accept OI', stored: 'OI', by: 'tag', accept: [OI], expected: { serve: 'OI', as: OI } },
    { name: 'OI with Accept S2 (no rewrite for OCI indexes)', stored: 'OI', by: 'tag', accept: [S2], expected: REFUSE_OI },
    { name: 'DL with Accept DL', stored: 'DL', by: 'tag', accept: [DL], expected: { serve: 'DL', as: DL } },
    { name: 'DL by digest with no Accept', stored: 'DL', by: 'digest', accept: [], expected: { serve: 'DL', as: DL } },
    { name: 'DL by tag with no Accept: rewritten to linux/amd64', stored: 'DL', by: 'tag', accept: [], expected: { serve: 'amd64', as: S2 } },
    { name: 'DL by tag with Accept OI and OM: rewritten', stored: 'DL', by: 'tag', accept: [OI, OM], expected: { serve: 'amd64', as: S2 } },
    // Re-detection: R6 was pushed as OI but its bytes read as OM, so OM is what Accept must name.
    { name: 'R6 pushed as OI, read back as OM, with Accept OM', stored: 'R6', by: 'tag', accept: [OM], expected: { serve: 'R6', as: OM } },
    { name: 'R6 pushed as OI, read back as OM, with Accept OI only', stored: 'R6', by: 'tag', accept: [OI], expected: REFUSE_OM },
    // Seed A: whatever the Accept, by tag or by digest.
    { name: 'R7 with Accept OI', stored: 'R7', by: 'tag', accept: [OI], expected: 'seed A' },
    { name: 'R7 by digest with all four types (GitLab test)', stored: 'R7', by: 'digest', accept: [S2, OM, DL, OI], expected: 'seed A' },
    { name: 'R7 with no Accept', stored: 'R7', by: 'tag', accept: [], expected: 'seed A' },
  ],
}

for (const [mode, rows] of Object.entries(TABLES) as Array<[Exclude<Mode, 'strict'>, Row[]]>) {
  describe(`${mode} GET/HEAD: Accept negotiation`, () => {
    let registry: FakeRegistry
    let bodies: Record<Stored, string>
    beforeEach(async () => {
      registry = await createFakeRegistry({ transport: 'none', mode })
      bodies = await pushContent(registry)
    })
    afterEach(() => registry.close())

    for (const method of ['GET', 'HEAD'] as const) {
      it.each(rows)(`${method} $name`, async ({ stored, by, accept, expected }) => {
        const reference = by === 'tag' ? stored.toLowerCase() : sha256(bodies[stored])
        const response = await registry.fetch(`/v2/${REPO}/manifests/${reference}`, { method, headers: acceptHeaders(accept) })
        if (expected === 'seed A' || 'refuse' in expected) {
          const error = expected === 'seed A' ? { code: 'MANIFEST_INVALID', message: 'Schema 1 manifest not supported' } : { code: 'MANIFEST_UNKNOWN', message: expected.refuse }
          const body = `${JSON.stringify({ errors: [error] })}\n`
          expect(response.status).toBe(expected === 'seed A' ? 400 : 404)
          expect(response.headers.get('content-type')).toBe('application/json')
          expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)))
          expect(await response.text()).toBe(method === 'GET' ? body : '')
          return
        }
        const body = bodies[expected.serve]
        expect(response.status).toBe(200)
        expect(response.headers.get('content-type')).toBe(expected.as)
        expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)))
        expect(response.headers.get('docker-content-digest')).toBe(sha256(body))
        expect(response.headers.get('etag')).toBe(`"${sha256(body)}"`)
        expect(new Uint8Array(await response.arrayBuffer())).toEqual(method === 'GET' ? bytesOf(body) : new Uint8Array(0))
      })
    }
  })
}

describe('gitlab-legacy GET: the linux/amd64 rewrite when it finds nothing', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none', mode: 'gitlab-legacy', verifyReferences: 'none' })
  })
  afterEach(() => registry.close())

  it('answers 404 MANIFEST_UNKNOWN naming the list when no entry is linux/amd64', async () => {
    const child = `sha256:${'c'.repeat(64)}`
    const body = JSON.stringify({ schemaVersion: 2, mediaType: DL, manifests: [{ mediaType: S2, digest: child, size: 10, platform: { os: 'linux', architecture: 'arm64' } }] })
    expect((await putManifestBytes(registry, REPO, 'list', body, DL)).status).toBe(201)
    const response = await registry.fetch(`/v2/${REPO}/manifests/list`, { headers: { accept: S2 } })
    expect(response.status).toBe(404)
    expect(await errorsOf(response)).toEqual([
      { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: `manifest list ${sha256(body)} does not contain a manifest image for the platform linux/amd64` },
    ])
  })

  it('answers 404 MANIFEST_UNKNOWN when the linux/amd64 child is not in the repository', async () => {
    const child = `sha256:${'c'.repeat(64)}`
    const body = JSON.stringify({ schemaVersion: 2, mediaType: DL, manifests: [{ mediaType: S2, digest: child, size: 10, platform: { os: 'linux', architecture: 'amd64' } }] })
    expect((await putManifestBytes(registry, REPO, 'list', body, DL)).status).toBe(201)
    const response = await registry.fetch(`/v2/${REPO}/manifests/list`)
    expect(response.status).toBe(404)
    expect(await errorsOf(response)).toEqual([{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { digest: child } }])
  })
})
