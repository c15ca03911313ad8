/**
 * Joins chunks into one plain `Uint8Array` (not a `Buffer`: stored manifests and the bytes the
 * read helpers hand out compare equal to the `Uint8Array` a test builds, and never share Node's
 * buffer pool).
 */
export function concatBytes(
  chunks: readonly Uint8Array[],
  size = chunks.reduce((total, chunk) => total + chunk.byteLength, 0),
): Uint8Array {
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}
