// What the three media-type tables (strict, lenient, gitlab-legacy) share: the Content-Type
// columns, the error details E0..E9 spelled out byte for byte, and the envelope they come in.
import { MediaTypes } from '../support/push.js'
import { UNKNOWN_TYPE, type PayloadRow } from '../support/payloads.js'

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
export function cellsOf<Cell>(table: Record<PayloadRow, Record<Column, Cell>>): Array<{ row: PayloadRow; column: Column; cell: Cell }> {
  return ROWS.flatMap((row) => COLUMNS.map((column) => ({ row, column, cell: table[row][column] })))
}

export const ACCEPT_ALL = [S2, OM, DL, OI].join(', ')
