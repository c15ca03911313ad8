// The GITLAB-LEGACY PUT table of the media-type spec (§4): GitLab container registry ≤ v3.6.x,
// eight payload rows by six Content-Type columns, all 48 cells. What makes it differ from strict:
//   - the default parser is schema 1, so an unknown or absent Content-Type answers
//     "missing signature key" (E8) for any body without `signatures`, and "manifest type
//     unsupported" (E9) for a signed schema 1 body (R8, pushed by tag);
//   - the S2 parser words an absent mediaType as E1('') (E0 came with v3.7);
//   - there is no shape check, so R6 under OI is accepted, and R7 under OM reaches the reference
//     check with the empty config digest "";
//   - GET works the kind out again from the stored bytes: R6 pushed as OI comes back as OM, and
//     R7 pushed as OI (seed A) cannot be read back at all.
import { expect, it } from 'vitest'
import { errorsOf, MediaTypes, sha256 } from '../support/push.js'
import { putManifestBytes, UNKNOWN_TYPE, type PayloadRow } from '../support/payloads.js'
import {
  ACCEPT_ALL,
  CONTENT_TYPES,
  describePutTable,
  E1,
  E2,
  E3,
  E4,
  E7,
  E8,
  E9,
  expectCellCreated,
  expectCellRefused,
  expectCellServed,
  fetchCell,
  manifestInvalidBody,
  type Column,
} from './table-support.js'

const { S2, OM, DL, OI } = MediaTypes
const U = UNKNOWN_TYPE

type Cell =
  /** 201; a GET then answers with this Content-Type (the kind read again from the bytes). */
  | { served: string }
  /** 400 MANIFEST_INVALID with this detail. */
  | { detail: string }
  /** 400 MANIFEST_BLOB_UNKNOWN for the config digest "" of a document that has no config. */
  | { blobUnknown: '' }
  /** 201, then every GET answers seed A's 400. */
  | { seedA: true }
const ok = (served: string): Cell => ({ served })
const err = (detail: string): Cell => ({ detail })

const TABLE: Record<PayloadRow, Record<Column, Cell>> = {
  R1: { S2: ok(S2), OM: err(E2(S2)), DL: err(E3(S2)), OI: err(E4(S2)), U: err(E8), none: err(E8) },
  R2: { S2: err(E1(OM)), OM: ok(OM), DL: err(E3(OM)), OI: err(E4(OM)), U: err(E8), none: err(E8) },
  R3: { S2: err(E1(DL)), OM: err(E2(DL)), DL: ok(DL), OI: err(E4(DL)), U: err(E8), none: err(E8) },
  R4: { S2: err(E1(OI)), OM: err(E2(OI)), DL: err(E3(OI)), OI: ok(OI), U: err(E8), none: err(E8) },
  R5: { S2: err(E1(U)), OM: err(E2(U)), DL: err(E3(U)), OI: err(E4(U)), U: err(E8), none: err(E8) },
  R6: { S2: err(E1('')), OM: ok(OM), DL: err(E3('')), OI: ok(OM), U: err(E8), none: err(E8) },
  R7: { S2: err(E1('')), OM: { blobUnknown: '' }, DL: err(E3('')), OI: { seedA: true }, U: err(E8), none: err(E8) },
  R8: { S2: err(E1('')), OM: err(E7(1)), DL: err(E3('')), OI: err(E7(1)), U: err(E9), none: err(E9) },
}
/** Seed A's answer, byte for byte as gitlab-org/container-registry#559 shows it (Content-Length: 85). */
const SEED_A_BODY = '{"errors":[{"code":"MANIFEST_INVALID","message":"Schema 1 manifest not supported"}]}\n'

describePutTable(
  'gitlab-legacy PUT: the 8x6 media-type table',
  { mode: 'gitlab-legacy' },
  TABLE,
  async ({ row, column, cell }, { registry, payloads }) => {
    const body = payloads.bodies[row]
    const response = await putManifestBytes(registry, 'team/app', 'cell', body, CONTENT_TYPES[column])
    expect(response.headers.get('warning')).toBeNull()
    if ('detail' in cell || 'blobUnknown' in cell) {
      const expected =
        'detail' in cell
          ? manifestInvalidBody(cell.detail)
          : `${JSON.stringify({ errors: [{ code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry', detail: '' }] })}\n`
      await expectCellRefused(registry, response, expected, ACCEPT_ALL)
      return
    }
    expectCellCreated(response, body)
    const fetched = await fetchCell(registry, ACCEPT_ALL)
    if ('seedA' in cell) {
      expect(fetched.status).toBe(400)
      expect(fetched.headers.get('content-length')).toBe('85')
      expect(await fetched.text()).toBe(SEED_A_BODY)
      return
    }
    await expectCellServed(fetched, body, cell.served)
  },
  (context) => {
    it('answers a signed schema 1 body pushed by the digest of its bytes with DIGEST_INVALID (GitLab hashed the JWS payload)', async () => {
      const { registry, payloads } = context()
      for (const column of ['U', 'none'] as const) {
        const response = await putManifestBytes(
          registry,
          'team/app',
          sha256(payloads.bodies.R8),
          payloads.bodies.R8,
          CONTENT_TYPES[column],
        )
        expect(response.status).toBe(400)
        expect(await errorsOf(response)).toEqual([
          { code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' },
        ])
      }
    })
  },
)
