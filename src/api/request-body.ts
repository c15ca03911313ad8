import { concatBytes } from '../leaf/bytes.js'
import { OciError } from '../errors/oci-error.js'
import { isLightRequest, type BodyReader } from '../leaf/light-request.js'

/**
 * Reads a request body into one buffer, stopping as soon as it exceeds `maxBytes` so an
 * oversized push never costs more than the cap in memory. Returns undefined when it does; a
 * body of exactly `maxBytes` is read whole. A body stream that fails is `MANIFEST_INVALID`.
 *
 * @example
 * const bytes = await readCappedBody(request, 4194304) // undefined → answer 413
 */
export async function readCappedBody(request: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  const failure = (reason: string): OciError =>
    new OciError('MANIFEST_INVALID', `failed to read manifest payload: ${reason}`)
  if (isLightRequest(request)) {
    // Chunks straight from the transport, with no web stream in between.
    if (declared > maxBytes) {
      request.cancelBody()
      return undefined
    }
    try {
      return await request.readCapped(maxBytes)
    } catch (error) {
      throw failure(error instanceof Error ? error.message : String(error))
    }
  }
  if (declared > maxBytes) {
    await request.body?.cancel()
    return undefined
  }
  if (!request.body) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = request.body.getReader()
  for (;;) {
    const { done, value } = await readChunk(reader, failure)
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      return undefined
    }
    chunks.push(value)
  }
  return concatBytes(chunks, size)
}

/**
 * One read of a request body. A stream that fails is the client going away or sending a broken
 * body: its fault, never a 500, so the failure becomes the error `failure` builds from its reason.
 *
 * @example
 * const { done, value } = await readChunk(reader, (reason) => new OciError('BLOB_UPLOAD_INVALID', reason))
 */
export async function readChunk(
  reader: BodyReader,
  failure: (reason: string) => OciError,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read()
  } catch (error) {
    throw failure(error instanceof Error ? error.message : String(error))
  }
}
