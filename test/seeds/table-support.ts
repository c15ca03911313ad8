// What the three media-type tables (strict, lenient, gitlab-legacy) share: the Content-Type
// columns, the error details E0..E9 spelled out byte for byte, the envelope they come in, and the
// runner that turns a table into a suite of one test per cell.
import { describe, expect, it } from 'vitest'
import type { FakeRegistry, FakeRegistryOptions } from '../../src/index.js'
import { bytesOf, MediaTypes, sha256 } from '../support/push.js'
import { pushPayloadContent, UNKNOWN_TYPE, type PayloadRow, type Payloads } from '../support/payloads.js'
import { useRegistry } from '../support/registry.js'

const { S2, OM, DL, OI } = MediaTypes

/** The six Content-Type columns; `none` sends no header at all. */
export type Column = 'S2' | 'OM' | 'DL' | 'OI' | 'U' | 'none'
export const COLUMNS: readonly Column[] = ['S2', 'OM', 'DL', 'OI', 'U', 'none']
export const CONTENT_TYPES: Record<Column, string | null> = { S2, OM, DL, OI, U: UNKNOWN_TYPE, none: null }
export const ROWS: readonly PayloadRow[] = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8']

export const E0 = 'no mediaType in manifest'
export const E1 = (x: string) => `mediaType in manifest should be '${S2}' not '${x}'`
export const E2 = (x: string) => `if present, mediaType in manifest should be '${OM}' not '${x}'`
export const E3 = (x: string) => `mediaType in manifest list should be '${DL}' not '${x}'`
export const E4 = (x: string) => `if present, mediaType in image index should be '${OI}' not '${x}'`
export const E5 = 'ocimanifest: expected manifest but found index'
export const E6 = 'index: expected index but found manifest'
export const E7 = (n: number) => `unrecognized manifest schema version ${n}`
export const E8 = 'missing signature key'
export const E9 = 'manifest type unsupported'

/** The exact body of a `400 MANIFEST_INVALID` with this detail, trailing newline included. */
export function manifestInvalidBody(detail: string): string {
  return `${JSON.stringify({ errors: [{ code: 'MANIFEST_INVALID', message: 'manifest invalid', detail }] })}\n`
}

/** Every cell of a row-by-column table, in reading order. */
export function cellsOf<Cell>(
  table: Record<PayloadRow, Record<Column, Cell>>,
): Array<{ row: PayloadRow; column: Column; cell: Cell }> {
  return ROWS.flatMap((row) => COLUMNS.map((column) => ({ row, column, cell: table[row][column] })))
}

export const ACCEPT_ALL = [S2, OM, DL, OI].join(', ')

/** What a cell's test works with: its own registry, with what the payload rows reference pushed. */
export interface TableContext {
  registry: FakeRegistry
  payloads: Payloads
}

/** Before each test: a registry with `options` and the payload rows' content in team/app. */
export function usePayloadRegistry(options: FakeRegistryOptions): () => TableContext {
  const { registry, content } = useRegistry(options, (created) => pushPayloadContent(created, 'team/app'))
  return () => ({ registry: registry(), payloads: content() })
}

/**
 * One mode's PUT table as a suite named `title`: a test that it has all 48 cells, then one test
 * per cell, each against a fresh registry with `options`. `more` adds tests to the same suite.
 */
export function describePutTable<Cell>(
  title: string,
  options: FakeRegistryOptions,
  table: Record<PayloadRow, Record<Column, Cell>>,
  check: (cell: { row: PayloadRow; column: Column; cell: Cell }, context: TableContext) => Promise<void>,
  more?: (context: () => TableContext) => void,
): void {
  const cells = cellsOf(table)
  describe(title, () => {
    const context = usePayloadRegistry(options)

    it('has all 48 cells', () => {
      expect(cells).toHaveLength(48)
    })

    it.each(cells)('$row body with Content-Type $column', (cell) => check(cell, context()))

    more?.(context)
  })
}

/** GET of the tag every cell pushes to, with this Accept or none. */
export function fetchCell(registry: FakeRegistry, accept?: string): Promise<Response> {
  return registry.fetch('/v2/team/app/manifests/cell', accept === undefined ? undefined : { headers: { accept } })
}

/** A 201 whose Location and Docker-Content-Digest name the digest of `body`. */
export function expectCellCreated(response: Response, body: string): void {
  const digest = sha256(body)
  expect(response.status).toBe(201)
  expect(response.headers.get('location')).toBe(`/v2/team/app/manifests/${digest}`)
  expect(response.headers.get('docker-content-digest')).toBe(digest)
}

/** A 400 with exactly `errorBody`, after which the cell's tag does not exist. */
export async function expectCellRefused(
  registry: FakeRegistry,
  response: Response,
  errorBody: string,
  accept?: string,
): Promise<void> {
  expect(response.status).toBe(400)
  expect(response.headers.get('content-type')).toBe('application/json')
  expect(await response.text()).toBe(errorBody)
  expect((await fetchCell(registry, accept)).status).toBe(404)
}

/** A GET that serves the exact bytes of `body` as `contentType`. */
export async function expectCellServed(fetched: Response, body: string, contentType: string): Promise<void> {
  expect(fetched.status).toBe(200)
  expect(fetched.headers.get('content-type')).toBe(contentType)
  expect(fetched.headers.get('docker-content-digest')).toBe(sha256(body))
  expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(bytesOf(body))
}
