import { crc32 } from 'node:zlib'

/**
 * A POSIX ustar archive with one regular file: a 512-byte header, the content padded to 512,
 * and the two zero blocks that end an archive. Owner, mode and mtime are fixed, so the same
 * name and content always give the same bytes.
 */
export function tarOneFile(name: string, content: Uint8Array): Uint8Array {
  const header = new Uint8Array(512)
  const put = (offset: number, text: string): void => header.set(new TextEncoder().encode(text), offset)
  const octal = (value: number, width: number): string => `${value.toString(8).padStart(width - 1, '0')}\0`
  put(0, name.slice(0, 100))
  put(100, octal(0o644, 8))
  put(108, octal(0, 8))
  put(116, octal(0, 8))
  put(124, octal(content.byteLength, 12))
  put(136, octal(0, 12))
  put(148, '        ') // the checksum is computed with its own field as spaces
  put(156, '0')
  put(257, 'ustar\0')
  put(263, '00')
  const checksum = header.reduce((sum, byte) => sum + byte, 0)
  put(148, `${checksum.toString(8).padStart(6, '0')}\0 `)
  const archive = new Uint8Array(512 + Math.ceil(content.byteLength / 512) * 512 + 1024)
  archive.set(header, 0)
  archive.set(content, 512)
  return archive
}

const STORED_BLOCK = 65_535

/**
 * gzip (RFC 1952) of `data` in stored (uncompressed) deflate blocks, written here rather than
 * by zlib so the bytes, and so the digests, are the same on every platform and zlib build.
 */
export function gzipStored(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.byteLength / STORED_BLOCK))
  const out = new Uint8Array(10 + blocks * 5 + data.byteLength + 8)
  // Magic, deflate, no flags, mtime 0, no extra flags, OS "unknown".
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff], 0)
  const view = new DataView(out.buffer)
  let offset = 10
  for (let block = 0; block < blocks; block++) {
    const start = block * STORED_BLOCK
    const length = Math.min(STORED_BLOCK, data.byteLength - start)
    out[offset] = block === blocks - 1 ? 1 : 0
    view.setUint16(offset + 1, length, true)
    view.setUint16(offset + 3, ~length & 0xffff, true)
    out.set(data.subarray(start, start + length), offset + 5)
    offset += 5 + length
  }
  view.setUint32(offset, crc32(data) >>> 0, true)
  view.setUint32(offset + 4, data.byteLength >>> 0, true)
  return out
}
