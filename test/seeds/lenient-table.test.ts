// The LENIENT mode PUT table of the media-type spec (§3): eight payload rows by six
// Content-Type columns, all 48 cells. Lenient mode takes the kind from the body, so every cell
// is a 201; where a Content-Type was sent and differs from the kind ("W"), the 201 carries
//   Warning: 299 - "Content-Type <ct> does not match manifest type <kind>; stored as <kind>"
// A document without mediaType is stored as an OCI type (R6 as OM, R7 as OI) whatever the
// header says; a signed schema 1 body (R8) is stored as V1S. GET then serves the stored kind
// and the exact bytes, with no Accept at all: lenient mode ignores Accept.
import { expect } from 'vitest'
import { MediaTypes } from '../support/push.js'
import { putManifestBytes, UNKNOWN_TYPE, type PayloadRow } from '../support/payloads.js'
import {
  CONTENT_TYPES,
  describePutTable,
  expectCellCreated,
  expectCellServed,
  fetchCell,
  type Column,
} from './table-support.js'

const { S2, OM, DL, OI } = MediaTypes
const U = UNKNOWN_TYPE
const V1S = 'application/vnd.docker.distribution.manifest.v1+prettyjws'

/** 201, stored as `stored`; `warned`: with the Warning header. */
type Cell = { stored: string; warned: boolean }
const ok = (stored: string): Cell => ({ stored, warned: false })
const W = (stored: string): Cell => ({ stored, warned: true })

const TABLE: Record<PayloadRow, Record<Column, Cell>> = {
  R1: { S2: ok(S2), OM: W(S2), DL: W(S2), OI: W(S2), U: W(S2), none: ok(S2) },
  R2: { S2: W(OM), OM: ok(OM), DL: W(OM), OI: W(OM), U: W(OM), none: ok(OM) },
  R3: { S2: W(DL), OM: W(DL), DL: ok(DL), OI: W(DL), U: W(DL), none: ok(DL) },
  R4: { S2: W(OI), OM: W(OI), DL: W(OI), OI: ok(OI), U: W(OI), none: ok(OI) },
  R5: { S2: W(U), OM: W(U), DL: W(U), OI: W(U), U: ok(U), none: ok(U) },
  R6: { S2: W(OM), OM: ok(OM), DL: W(OM), OI: W(OM), U: W(OM), none: ok(OM) },
  R7: { S2: W(OI), OM: W(OI), DL: W(OI), OI: ok(OI), U: W(OI), none: ok(OI) },
  R8: { S2: W(V1S), OM: W(V1S), DL: W(V1S), OI: W(V1S), U: W(V1S), none: ok(V1S) },
}

describePutTable(
  'lenient mode PUT: the 8x6 media-type table',
  { mode: 'lenient' },
  TABLE,
  async ({ row, column, cell }, { registry, payloads }) => {
    const body = payloads.bodies[row]
    const contentType = CONTENT_TYPES[column]
    const response = await putManifestBytes(registry, 'team/app', 'cell', body, contentType)
    expectCellCreated(response, body)
    expect(response.headers.get('warning')).toBe(
      cell.warned
        ? `299 - "Content-Type ${contentType} does not match manifest type ${cell.stored}; stored as ${cell.stored}"`
        : null,
    )

    await expectCellServed(await fetchCell(registry), body, cell.stored)
  },
)
