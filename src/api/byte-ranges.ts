import type { ByteRange } from '../storage/storage.js'

/** What a `Range` request header selects from a representation. */
export type RangeSelection =
  /** No `Range`, or one the server ignores: answer 200 with every byte. */
  | { kind: 'full' }
  /** One satisfiable range: answer 206 with these bytes (inclusive). */
  | { kind: 'partial'; range: ByteRange }
  /** A well-formed range that selects nothing: answer 416. */
  | { kind: 'unsatisfiable' }

// RFC 9110 §14.1.2: ranges-specifier = range-unit "=" range-set; the unit is case-insensitive.
const SINGLE_BYTE_RANGE = /^bytes=(\d*)-(\d*)$/i
// distribution-spec: the chunk range of an upload `Content-Range`, inclusive, no unit.
const UPLOAD_CONTENT_RANGE = /^(\d+)-(\d+)$/

/**
 * Resolves a `Range` request header against a representation of `size` bytes (RFC 9110
 * §14.1.2 and §14.2). A malformed header and a multi-range one select the full
 * representation: a server MAY ignore `Range`, and a blob served as `multipart/byteranges`
 * would break every registry client. A suffix range on an empty blob is ignored too, since
 * no `Content-Range` can describe zero bytes of zero.
 *
 * @example
 * selectRange('bytes=0-9', 100)  // { kind: 'partial', range: { start: 0, end: 9 } }
 * selectRange('bytes=-10', 100)  // { kind: 'partial', range: { start: 90, end: 99 } }
 * selectRange('bytes=100-', 100) // { kind: 'unsatisfiable' }
 * selectRange('lines=1-2', 100)  // { kind: 'full' }
 */
export function selectRange(header: string | null, size: number): RangeSelection {
  const match = header === null ? null : SINGLE_BYTE_RANGE.exec(header.trim())
  if (!match) return { kind: 'full' }
  const [, first = '', last = ''] = match
  if (first === '' && last === '') return { kind: 'full' }
  if (first === '') {
    const suffix = Number(last)
    if (suffix === 0) return { kind: 'unsatisfiable' }
    if (size === 0) return { kind: 'full' }
    return { kind: 'partial', range: { start: Math.max(size - suffix, 0), end: size - 1 } }
  }
  const start = Number(first)
  const end = last === '' ? Number.POSITIVE_INFINITY : Number(last)
  if (end < start) return { kind: 'full' }
  if (start >= size) return { kind: 'unsatisfiable' }
  return { kind: 'partial', range: { start, end: Math.min(end, size - 1) } }
}

/**
 * The `Content-Range` of a 206 answer.
 *
 * @example
 * formatContentRange({ start: 0, end: 9 }, 100) // 'bytes 0-9/100'
 */
export function formatContentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`
}

/**
 * Parses the `Content-Range` of an upload chunk: `<start>-<end>`, inclusive, exactly as
 * distribution-spec writes it (`^[0-9]+-[0-9]+$`). The HTTP form `bytes 0-9/100` is not
 * accepted, as distribution does not accept it either. Returns undefined when malformed,
 * reversed or beyond a safe integer.
 *
 * @example
 * parseContentRange('0-1023') // { start: 0, end: 1023 }
 * parseContentRange('5-4')    // undefined
 */
export function parseContentRange(value: string): ByteRange | undefined {
  const match = UPLOAD_CONTENT_RANGE.exec(value)
  if (!match) return undefined
  const start = Number(match[1])
  const end = Number(match[2])
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return undefined
  return { start, end }
}

/**
 * The `Range` header of an upload answer: `0-<last byte received>`. An empty session also
 * answers `0-0`, as distribution does; clients read it as "start at 0".
 *
 * @example
 * formatUploadRange(0)    // '0-0'
 * formatUploadRange(1024) // '0-1023'
 */
export function formatUploadRange(size: number): string {
  return `0-${Math.max(size - 1, 0)}`
}
