import { describe, expect, it } from 'vitest'
import {
  formatContentRange,
  formatUploadRange,
  parseContentRange,
  selectRange,
  type RangeSelection,
} from './byte-ranges.js'

const full: RangeSelection = { kind: 'full' }
const unsatisfiable: RangeSelection = { kind: 'unsatisfiable' }
const partial = (start: number, end: number): RangeSelection => ({ kind: 'partial', range: { start, end } })

describe('selectRange', () => {
  it.each<[string | null, number, RangeSelection]>([
    // absent
    [null, 10, full],
    // int-range
    ['bytes=0-0', 10, partial(0, 0)],
    ['bytes=0-9', 10, partial(0, 9)],
    ['bytes=2-5', 10, partial(2, 5)],
    ['bytes=5-100', 10, partial(5, 9)],
    ['bytes=9-9', 10, partial(9, 9)],
    ['bytes=7-', 10, partial(7, 9)],
    ['bytes=0-', 10, partial(0, 9)],
    ['BYTES=1-1', 10, partial(1, 1)],
    [' bytes=1-2 ', 10, partial(1, 2)],
    ['bytes=3-99999999999999999999999', 10, partial(3, 9)],
    // suffix-range
    ['bytes=-4', 10, partial(6, 9)],
    ['bytes=-10', 10, partial(0, 9)],
    ['bytes=-100', 10, partial(0, 9)],
    ['bytes=-99999999999999999999999', 10, partial(0, 9)],
    // unsatisfiable: first byte beyond the end, or an empty suffix
    ['bytes=10-', 10, unsatisfiable],
    ['bytes=10-20', 10, unsatisfiable],
    ['bytes=99999999999999999999999-', 10, unsatisfiable],
    ['bytes=-0', 10, unsatisfiable],
    ['bytes=0-', 0, unsatisfiable],
    ['bytes=0-0', 0, unsatisfiable],
    ['bytes=-0', 0, unsatisfiable],
    // no Content-Range can describe part of an empty blob: served whole
    ['bytes=-5', 0, full],
    // malformed: ignored (RFC 9110 §14.2 lets a server ignore Range)
    ['', 10, full],
    ['bytes=', 10, full],
    ['bytes=-', 10, full],
    ['bytes=5-2', 10, full],
    ['bytes=a-b', 10, full],
    ['bytes=1.5-2', 10, full],
    ['bytes=+1-2', 10, full],
    ['bytes 0-1', 10, full],
    ['bytes = 0-1', 10, full],
    ['items=0-1', 10, full],
    ['0-1', 10, full],
    // multi-range: served whole rather than as multipart/byteranges
    ['bytes=0-1,3-4', 10, full],
    ['bytes=0-1, 20-30', 10, full],
    ['bytes=0-1,', 10, full],
  ])('%j of %i bytes selects %j', (header, size, expected) => {
    expect(selectRange(header, size)).toEqual(expected)
  })
})

describe('parseContentRange', () => {
  it.each<[string, { start: number; end: number } | undefined]>([
    ['0-0', { start: 0, end: 0 }],
    ['0-1023', { start: 0, end: 1023 }],
    ['1024-2047', { start: 1024, end: 2047 }],
    ['007-9', { start: 7, end: 9 }],
    ['5-4', undefined],
    ['', undefined],
    ['-', undefined],
    ['0-', undefined],
    ['-5', undefined],
    ['bytes=0-9', undefined],
    ['bytes 0-9/10', undefined],
    ['0-9/10', undefined],
    [' 0-9', undefined],
    ['0 - 9', undefined],
    ['a-b', undefined],
    ['0x1-0x2', undefined],
    ['0-99999999999999999999', undefined],
  ])('%j → %j', (value, expected) => {
    expect(parseContentRange(value)).toEqual(expected)
  })
})

describe('formatContentRange and formatUploadRange', () => {
  it('writes a 206 Content-Range as bytes first-last/size', () => {
    expect(formatContentRange({ start: 2, end: 5 }, 10)).toBe('bytes 2-5/10')
  })

  it.each([
    [0, '0-0'],
    [1, '0-0'],
    [2, '0-1'],
    [1024, '0-1023'],
  ])('writes the upload Range for %i bytes received as %j', (size, expected) => {
    expect(formatUploadRange(size)).toBe(expected)
  })
})
