import { routeParams, type RegistryContext, type RouteHandler, type RouteParams } from './route-types.js'
import { parseSupportedDigest } from '../leaf/digest.js'
import { OciError } from '../errors/oci-error.js'
import type { BlobInfo } from '../storage/storage.js'
import { requireDeletes } from './require-deletes.js'
import { formatContentRange, selectRange } from './byte-ranges.js'
import { etagOf, matchesIfNoneMatch } from './conditional.js'
import { createLightResponse } from '../leaf/light-response.js'

// Node ≥ 20.6 has ReadableStream.from; TypeScript's DOM lib does not declare it yet.
const WebStream = ReadableStream as unknown as { from(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> }

/**
 * `GET` and `HEAD /v2/<name>/blobs/<digest>`: the blob's bytes, streamed from storage, with
 * single `Range` requests (206/416) and `If-None-Match` (304).
 *
 * Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pulling-blobs
 */
export const getBlob: RouteHandler = async ({ request, params, context }) => {
  const { name, digest } = blobParams(params)
  const blob = await linkedBlob(context, name, digest)
  // A registry whose blobs live in object storage sends the client there, with a URL signed for this method.
  if (context.blobUrls) {
    const location = context.blobUrls.sign(name, digest, request.method === 'HEAD' ? 'HEAD' : 'GET')
    return createLightResponse(null, {
      status: 307,
      headers: { location, 'content-type': 'application/octet-stream', 'content-length': '0' },
    })
  }
  const headers: Record<string, string> = {
    'docker-content-digest': digest,
    etag: etagOf(digest),
    'accept-ranges': 'bytes',
    // Content-addressed: the bytes behind a digest never change, so caches may keep them.
    'cache-control': 'max-age=31536000',
  }
  // RFC 9110 §13.2.2: If-None-Match is evaluated before Range.
  if (matchesIfNoneMatch(request.headers.get('if-none-match'), digest))
    return createLightResponse(null, { status: 304, headers })

  const rangeHeader = request.headers.get('range')
  const selection = selectRange(rangeHeader, blob.size)
  if (selection.kind === 'unsatisfiable') {
    // The spec has no code for a read range; SIZE_INVALID ("provided length did not match
    // content length") is the one about positions that disagree with a blob's length.
    // distribution (Go's ServeContent) answers 416 with a plain-text body; the fake keeps its
    // rule that every error is the spec's envelope, so clients can parse it like any other.
    throw new OciError(
      'SIZE_INVALID',
      { range: rangeHeader, size: blob.size },
      {
        status: 416,
        message: 'requested range not satisfiable',
        headers: { 'content-range': `bytes */${blob.size}`, 'accept-ranges': 'bytes' },
      },
    )
  }
  const range = selection.kind === 'partial' ? selection.range : undefined
  headers['content-type'] = 'application/octet-stream'
  headers['content-length'] = String(range ? range.end - range.start + 1 : blob.size)
  if (range) headers['content-range'] = formatContentRange(range, blob.size)
  const status = range ? 206 : 200
  // HEAD answers the same headers without opening the bytes at all.
  if (request.method === 'HEAD') return createLightResponse(null, { status, headers })

  const chunks = await context.storage.readBlob(digest, range)
  if (!chunks) throw blobUnknown(digest)
  return createLightResponse(WebStream.from(chunks), { status, headers })
}

/**
 * `DELETE /v2/<name>/blobs/<digest>`: removes this repository's link to the blob. The bytes and
 * every other repository's link stay, as content is shared by digest.
 *
 * Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#deleting-blobs
 */
export const deleteBlob: RouteHandler = async ({ params, context }) => {
  // Before the digest is looked at, as for manifests: the method itself is what is refused.
  requireDeletes(context.options, 'GET, HEAD')
  const { name, digest } = blobParams(params)
  if (!(await context.storage.unlinkBlob(name, digest))) throw blobUnknown(digest)
  return createLightResponse(null, { status: 202, headers: { 'docker-content-digest': digest, 'content-length': '0' } })
}

function blobParams(params: RouteParams): { name: string; digest: string } {
  const { name, digest } = routeParams(params, 'name', 'digest')
  // Only digests the registry can compute address blobs: an unknown algorithm could never
  // have been verified on upload.
  if (!parseSupportedDigest(digest)) throw new OciError('DIGEST_INVALID', { digest })
  return { name, digest }
}

async function linkedBlob(context: RegistryContext, name: string, digest: string): Promise<BlobInfo> {
  const blob = (await context.storage.isBlobLinked(name, digest)) ? await context.storage.statBlob(digest) : undefined
  if (!blob) throw blobUnknown(digest)
  return blob
}

function blobUnknown(digest: string): OciError {
  return new OciError('BLOB_UNKNOWN', { digest })
}
