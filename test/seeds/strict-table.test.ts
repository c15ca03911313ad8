// The STRICT mode PUT table of the media-type spec (§2): eight payload rows by six Content-Type
// columns, all 48 cells. An error cell is 400 MANIFEST_INVALID with the detail byte for byte; a
// 201 cell is then fetched and must come back with the stored kind and the exact bytes pushed.
import { describe, expect, it } from 'vitest'
import { errorsOf, MediaTypes } from '../support/push.js'
import { putManifestBytes, UNKNOWN_TYPE, type PayloadRow } from '../support/payloads.js'
import {
  ACCEPT_ALL,
  CONTENT_TYPES,
  describePutTable,
  E0,
  E1,
  E2,
  E3,
  E4,
  E5,
  E6,
  E7,
  expectCellCreated,
  expectCellRefused,
  expectCellServed,
  fetchCell,
  manifestInvalidBody,
  ROWS,
  usePayloadRegistry,
  type Column,
} from './table-support.js'

const { S2, OM, DL, OI } = MediaTypes
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

describePutTable(
  'strict mode PUT: the 8x6 media-type table',
  {},
  TABLE,
  async ({ row, column, cell }, { registry, payloads }) => {
    const body = payloads.bodies[row]
    const response = await putManifestBytes(registry, 'team/app', 'cell', body, CONTENT_TYPES[column])
    // Only lenient mode warns; strict mode refuses a mismatch instead.
    expect(response.headers.get('warning')).toBeNull()
    if ('detail' in cell) {
      await expectCellRefused(registry, response, manifestInvalidBody(cell.detail))
      return
    }
    expectCellCreated(response, body)
    await expectCellServed(await fetchCell(registry, ACCEPT_ALL), body, cell.stored)
  },
)

describe('strict mode PUT with unknownContentTypes: false: every U cell', () => {
  const context = usePayloadRegistry({ unknownContentTypes: false })

  it.each(ROWS.flatMap((row) => [U, 'application/json'].map((contentType) => ({ row, contentType }))))(
    '$row body with Content-Type $contentType',
    async ({ row, contentType }) => {
      const { registry, payloads } = context()
      const response = await putManifestBytes(
        registry,
        'team/app',
        'cell',
        payloads.bodies[row],
        `${contentType}; charset=utf-8`,
      )
      expect(response.status).toBe(400)
      expect(await errorsOf(response)).toEqual([
        {
          code: 'MANIFEST_INVALID',
          message: 'manifest invalid',
          detail: `unsupported manifest media type and no default available: ${contentType}`,
        },
      ])
    },
  )

  it('still takes the default parser when Content-Type is absent (the ∅ column does not change)', async () => {
    const { registry, payloads } = context()
    expect((await putManifestBytes(registry, 'team/app', 'cell', payloads.bodies.R1, null)).status).toBe(201)
  })
})
