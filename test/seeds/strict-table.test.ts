// The STRICT mode PUT table of the media-type spec (§2): eight payload rows by six Content-Type
// columns, all 48 cells. An error cell is 400 MANIFEST_INVALID with the detail byte for byte; a
// 201 cell is then fetched and must come back with the stored kind and the exact bytes pushed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { bytesOf, errorsOf, MediaTypes, sha256 } from '../support/push.js'
import { pushPayloadContent, putManifestBytes, UNKNOWN_TYPE, type PayloadRow, type Payloads } from '../support/payloads.js'

const { S2, OM, DL, OI } = MediaTypes
type Column = 'S2' | 'OM' | 'DL' | 'OI' | 'U' | 'none'
const CONTENT_TYPES: Record<Column, string | null> = { S2, OM, DL, OI, U: UNKNOWN_TYPE, none: null }

// The spec's error details, E0..E7, as literal templates.
const E0 = 'no mediaType in manifest'
const E1 = (x: string) => `mediaType in manifest should be '${S2}' not '${x}'`
const E2 = (x: string) => `if present, mediaType in manifest should be '${OM}' not '${x}'`
const E3 = (x: string) => `mediaType in manifest list should be '${DL}' not '${x}'`
const E4 = (x: string) => `if present, mediaType in image index should be '${OI}' not '${x}'`
const E5 = 'ocimanifest: expected manifest but found index'
const E6 = 'index: expected index but found manifest'
const E7 = (n: number) => `unrecognized manifest schema version ${n}`
const U = UNKNOWN_TYPE

type Cell = { stored: string } | { detail: string }
const ok = (stored: string): Cell => ({ stored })
const err = (detail: string): Cell => ({ detail })

const TABLE: Record<PayloadRow, Record<Column, Cell>> = {
  R1: { S2: ok(S2), OM: err(E2(S2)), DL: err(E3(S2)), OI: err(E4(S2)), U: ok(S2), none: ok(S2) },
  R2: { S2: err(E1(OM)), OM: ok(OM), DL: err(E3(OM)), OI: err(E4(OM)), U: err(E1(OM)), none: err(E1(OM)) },
  R3: { S2: err(E1(DL)), OM: err(E2(DL)), DL: ok(DL), OI: err(E4(DL)), U: err(E1(DL)), none: err(E1(DL)) },
  R4: { S2: err(E1(OI)), OM: err(E2(OI)), DL: err(E3(OI)), OI: ok(OI), U: err(E1(OI)), none: err(E1(OI)) },
  R5: { S2: err(E1(U)), OM: err(E2(U)), DL: err(E3(U)), OI: err(E4(U)), U: err(E1(U)), none: err(E1(U)) },
  R6: { S2: err(E0), OM: ok(OM), DL: err(E3('')), OI: err(E6), U: err(E0), none: err(E0) },
  R7: { S2: err(E0), OM: err(E5), DL: err(E3('')), OI: ok(OI), U: err(E0), none: err(E0) },
  R8: { S2: err(E0), OM: err(E7(1)), DL: err(E3('')), OI: err(E7(1)), U: err(E0), none: err(E0) },
}

const CELLS = Object.entries(TABLE).flatMap(([row, columns]) =>
  Object.entries(columns).map(([column, cell]) => ({ row: row as PayloadRow, column: column as Column, cell })),
)
const ACCEPT_ALL = [S2, OM, DL, OI].join(', ')

describe('strict mode PUT: the 8x6 media-type table', () => {
  let registry: FakeRegistry
  let payloads: Payloads
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    payloads = await pushPayloadContent(registry, 'team/app')
  })
  afterEach(() => registry.close())

  it('has all 48 cells', () => {
    expect(CELLS).toHaveLength(48)
  })

  it.each(CELLS)('$row body with Content-Type $column', async ({ row, column, cell }) => {
    const body = payloads.bodies[row]
    const response = await putManifestBytes(registry, 'team/app', 'cell', body, CONTENT_TYPES[column])
    // Only lenient mode warns; strict mode refuses a mismatch instead.
    expect(response.headers.get('warning')).toBeNull()
    if ('detail' in cell) {
      expect(response.status).toBe(400)
      expect(response.headers.get('content-type')).toBe('application/json')
      expect(await response.text()).toBe(`${JSON.stringify({ errors: [{ code: 'MANIFEST_INVALID', message: 'manifest invalid', detail: cell.detail }] })}\n`)
      expect((await registry.fetch('/v2/team/app/manifests/cell')).status).toBe(404)
      return
    }
    const digest = sha256(body)
    expect(response.status).toBe(201)
    expect(response.headers.get('location')).toBe(`/v2/team/app/manifests/${digest}`)
    expect(response.headers.get('docker-content-digest')).toBe(digest)
    const fetched = await registry.fetch('/v2/team/app/manifests/cell', { headers: { accept: ACCEPT_ALL } })
    expect(fetched.status).toBe(200)
    expect(fetched.headers.get('content-type')).toBe(cell.stored)
    expect(fetched.headers.get('docker-content-digest')).toBe(digest)
    expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(bytesOf(body))
  })
})

describe('strict mode PUT with rejectUnknownContentType: every U cell', () => {
  let registry: FakeRegistry
  let payloads: Payloads
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none', rejectUnknownContentType: true })
    payloads = await pushPayloadContent(registry, 'team/app')
  })
  afterEach(() => registry.close())

  const rows: PayloadRow[] = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8']
  it.each(rows.flatMap((row) => [U, 'application/json'].map((contentType) => ({ row, contentType }))))(
    '$row body with Content-Type $contentType',
    async ({ row, contentType }) => {
      const response = await putManifestBytes(registry, 'team/app', 'cell', payloads.bodies[row], `${contentType}; charset=utf-8`)
      expect(response.status).toBe(400)
      expect(await errorsOf(response)).toEqual([
        { code: 'MANIFEST_INVALID', message: 'manifest invalid', detail: `unsupported manifest media type and no default available: ${contentType}` },
      ])
    },
  )

  it('still takes the default parser when Content-Type is absent (the ∅ column does not change)', async () => {
    expect((await putManifestBytes(registry, 'team/app', 'cell', payloads.bodies.R1, null)).status).toBe(201)
  })
})
