// Seed B: GitLab container registry issue #426, "Inconsistent media type handling during manifest
// pushes". Its PROPOSED table (the behaviour GitLab shipped in v3.7.0, commit 0c62ea47, MR !714)
// is copied below as data, row for row, B1..B13 in the issue's order; strict mode must reproduce
// every row. Its CURRENT table (GitLab ≤ v3.6, schema 1 as the default parser) follows it; the
// gitlab-legacy mode must reproduce every row of that one. The issue abbreviates media types (schema2, oci, unknown); the details here spell
// them out, as the registry does. "(none)" is an absent Content-Type or an absent mediaType; an
// image-like body (config + layers) stands for the payload.
//
// Row B13: the issue page, flattened to text, reads "(none) | unknown". GitLab's test that
// produced the table ("unknown in payload and no content type") shows it is "unknown | (none)",
// an empty cell having been lost; the row below follows the test. The other reading (no
// mediaType, Content-Type unknown) is also checked: it answers "no mediaType in manifest".
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { bytesOf, errorsOf, MediaTypes, sha256 } from '../support/push.js'
import { pushPayloadContent, putManifestBytes, UNKNOWN_TYPE, type Payloads } from '../support/payloads.js'

type IssueType = 'schema2' | 'oci' | 'unknown' | '(none)'
const FULL: Record<Exclude<IssueType, '(none)'>, string> = {
  schema2: MediaTypes.S2,
  oci: MediaTypes.OM,
  unknown: UNKNOWN_TYPE,
}

interface SeedRow {
  id: string
  payload: IssueType
  contentType: IssueType
  status: 201 | 400
  detail?: string
}

// Proposed table of gitlab-org/container-registry#426, with the abbreviations expanded.
const SEED_B: SeedRow[] = [
  { id: 'B1', payload: 'schema2', contentType: 'schema2', status: 201 },
  { id: 'B2', payload: 'schema2', contentType: '(none)', status: 201 },
  { id: 'B3', payload: '(none)', contentType: 'schema2', status: 400, detail: 'no mediaType in manifest' },
  { id: 'B4', payload: 'oci', contentType: 'oci', status: 201 },
  {
    id: 'B5',
    payload: 'oci',
    contentType: '(none)',
    status: 400,
    detail: `mediaType in manifest should be '${FULL.schema2}' not '${FULL.oci}'`,
  },
  { id: 'B6', payload: '(none)', contentType: 'oci', status: 201 },
  { id: 'B7', payload: '(none)', contentType: '(none)', status: 400, detail: 'no mediaType in manifest' },
  {
    id: 'B8',
    payload: 'schema2',
    contentType: 'oci',
    status: 400,
    detail: `if present, mediaType in manifest should be '${FULL.oci}' not '${FULL.schema2}'`,
  },
  {
    id: 'B9',
    payload: 'oci',
    contentType: 'schema2',
    status: 400,
    detail: `mediaType in manifest should be '${FULL.schema2}' not '${FULL.oci}'`,
  },
  {
    id: 'B10',
    payload: 'unknown',
    contentType: 'schema2',
    status: 400,
    detail: `mediaType in manifest should be '${FULL.schema2}' not '${FULL.unknown}'`,
  },
  {
    id: 'B11',
    payload: 'unknown',
    contentType: 'oci',
    status: 400,
    detail: `if present, mediaType in manifest should be '${FULL.oci}' not '${FULL.unknown}'`,
  },
  {
    id: 'B12',
    payload: 'unknown',
    contentType: 'unknown',
    status: 400,
    detail: `mediaType in manifest should be '${FULL.schema2}' not '${FULL.unknown}'`,
  },
  {
    id: 'B13',
    payload: 'unknown',
    contentType: '(none)',
    status: 400,
    detail: `mediaType in manifest should be '${FULL.schema2}' not '${FULL.unknown}'`,
  },
  // B13 as the flattened issue text reads it (see the comment at the top).
  {
    id: 'B13 as flattened',
    payload: '(none)',
    contentType: 'unknown',
    status: 400,
    detail: 'no mediaType in manifest',
  },
]

// Current table of gitlab-org/container-registry#426: what GitLab answered before the fix.
// "Defaults to schema 1 parser" in the issue's notes is every "missing signature key" row.
const SEED_B_CURRENT: SeedRow[] = [
  { id: 'B1', payload: 'schema2', contentType: 'schema2', status: 201 },
  { id: 'B2', payload: 'schema2', contentType: '(none)', status: 400, detail: 'missing signature key' },
  {
    id: 'B3',
    payload: '(none)',
    contentType: 'schema2',
    status: 400,
    detail: `mediaType in manifest should be '${FULL.schema2}' not ''`,
  },
  { id: 'B4', payload: 'oci', contentType: 'oci', status: 201 },
  { id: 'B5', payload: 'oci', contentType: '(none)', status: 400, detail: 'missing signature key' },
  { id: 'B6', payload: '(none)', contentType: 'oci', status: 201 },
  { id: 'B7', payload: '(none)', contentType: '(none)', status: 400, detail: 'missing signature key' },
  {
    id: 'B8',
    payload: 'schema2',
    contentType: 'oci',
    status: 400,
    detail: `if present, mediaType in manifest should be '${FULL.oci}' not '${FULL.schema2}'`,
  },
  {
    id: 'B9',
    payload: 'oci',
    contentType: 'schema2',
    status: 400,
    detail: `mediaType in manifest should be '${FULL.schema2}' not '${FULL.oci}'`,
  },
  {
    id: 'B10',
    payload: 'unknown',
    contentType: 'schema2',
    status: 400,
    detail: `mediaType in manifest should be '${FULL.schema2}' not '${FULL.unknown}'`,
  },
  {
    id: 'B11',
    payload: 'unknown',
    contentType: 'oci',
    status: 400,
    detail: `if present, mediaType in manifest should be '${FULL.oci}' not '${FULL.unknown}'`,
  },
  { id: 'B12', payload: 'unknown', contentType: 'unknown', status: 400, detail: 'missing signature key' },
  { id: 'B13', payload: 'unknown', contentType: '(none)', status: 400, detail: 'missing signature key' },
  // Read either way, the last row answers the same here (see the comment at the top).
  { id: 'B13 as flattened', payload: '(none)', contentType: 'unknown', status: 400, detail: 'missing signature key' },
]

// The image-like payload rows: R1 (schema2), R2 (oci), R5 (unknown), R6 (no mediaType).
const PAYLOAD_ROW = { schema2: 'R1', oci: 'R2', unknown: 'R5', '(none)': 'R6' } as const

for (const { mode, title, rows } of [
  { mode: 'strict', title: 'the proposed table in strict mode', rows: SEED_B },
  { mode: 'gitlab-legacy', title: 'the current table in gitlab-legacy mode', rows: SEED_B_CURRENT },
] as const) {
  describe(`seed B (gitlab #426): ${title}`, () => {
    let registry: FakeRegistry
    let payloads: Payloads
    beforeEach(async () => {
      registry = await createFakeRegistry({ transport: 'none', mode })
      payloads = await pushPayloadContent(registry, 'seed/b')
    })
    afterEach(() => registry.close())

    it.each(rows)('$id: payload $payload, Content-Type $contentType → $status', async (row) => {
      const body = payloads.bodies[PAYLOAD_ROW[row.payload]]
      const contentType = row.contentType === '(none)' ? null : FULL[row.contentType]
      const digest = sha256(body)
      // By digest, as GitLab's combination test pushes.
      const response = await putManifestBytes(registry, 'seed/b', digest, body, contentType)
      expect(response.status).toBe(row.status)
      if (row.status === 400) {
        expect(await errorsOf(response)).toEqual([
          { code: 'MANIFEST_INVALID', message: 'manifest invalid', detail: row.detail },
        ])
        return
      }
      expect(response.headers.get('docker-content-digest')).toBe(digest)
      const fetched = await registry.fetch(`/v2/seed/b/manifests/${digest}`, {
        headers: { accept: `${MediaTypes.S2}, ${MediaTypes.OM}` },
      })
      expect(fetched.headers.get('content-type')).toBe(contentType === null ? MediaTypes.S2 : contentType)
      expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(bytesOf(body))
    })
  })
}
