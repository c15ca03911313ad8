import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { BlobUrlSigner, RegistryContext } from '../api/route-types.js'
import { formatContentRange, selectRange } from '../api/byte-ranges.js'
import { parseSupportedDigest } from '../leaf/digest.js'
import { isRepositoryName } from '../leaf/names.js'
import { createLightResponse } from '../leaf/light-response.js'
import type { ResolvedBlobRedirect } from '../profiles/quirks.js'

// Node ≥ 20.6 has ReadableStream.from; TypeScript's DOM lib does not declare it yet.
const WebStream = ReadableStream as unknown as { from(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> }

/**
 * The second origin of blob redirects (docs/profiles.md, "blob GET redirect"): a storage host in
 * the manner of S3 that serves a blob to a URL the registry signed for one method, while the
 * signature lives. Like S3 it refuses a request that also carries `Authorization` (400
 * InvalidArgument), an expired URL (403 AccessDenied) and a URL signed for another method
 * (403 SignatureDoesNotMatch), each with S3's XML body.
 */
export interface BlobStorageOrigin extends BlobUrlSigner {
  /** The origin URLs point to; set once the http transport's second listener is up. */
  origin: string
  /** Answers a request for the storage origin. */
  serve(request: Request): Promise<Response>
}

/**
 * Builds the storage origin of a registry.
 *
 * @example
 * const storage = createBlobStorageOrigin(context, redirect)
 * storage.sign('team/app', digest, 'GET') // 'http://blobs…/team/app/blobs/sha256:…?X-Amz-…'
 */
export function createBlobStorageOrigin(context: RegistryContext, redirect: ResolvedBlobRedirect): BlobStorageOrigin {
  const secret = randomBytes(32)
  const expiresSeconds = Math.max(1, Math.ceil(redirect.ttlMs / 1000))
  const signature = (method: string, path: string, date: string, expires: string): string =>
    createHmac('sha256', secret).update(`${method}\n${path}\n${date}\n${expires}`).digest('hex')

  const storage: BlobStorageOrigin = {
    origin: redirect.origin,
    sign(name, digest, method) {
      const path = `/${name}/blobs/${digest}`
      const date = amzDate(context.clock.now())
      const expires = String(expiresSeconds)
      const query = new URLSearchParams({
        'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
        'X-Amz-Credential': 'FAKEOCIREGISTRY/fake/s3/aws4_request',
        'X-Amz-Date': date,
        'X-Amz-Expires': expires,
        'X-Amz-SignedHeaders': 'host',
        'X-Amz-Signature': signature(method, path, date, expires),
      })
      return `${storage.origin}${path}?${query}`
    },
    async serve(request) {
      const url = new URL(request.url)
      if (request.headers.has('authorization')) {
        return s3Error(400, 'InvalidArgument', ONE_AUTH_MECHANISM, {
          ArgumentName: 'Authorization',
          ArgumentValue: 'Bearer',
        })
      }
      const date = url.searchParams.get('X-Amz-Date') ?? ''
      const expires = url.searchParams.get('X-Amz-Expires') ?? ''
      const given = url.searchParams.get('X-Amz-Signature') ?? ''
      const method = request.method === 'HEAD' ? 'HEAD' : 'GET'
      if (
        (request.method !== 'GET' && request.method !== 'HEAD') ||
        !sameSignature(given, signature(method, url.pathname, date, expires))
      ) {
        return s3Error(
          403,
          'SignatureDoesNotMatch',
          'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
        )
      }
      if (context.clock.now() > parseAmzDate(date) + Number(expires) * 1000)
        return s3Error(403, 'AccessDenied', 'Request has expired')
      return serveBlob(context, request, url.pathname)
    },
  }
  return storage
}

const ONE_AUTH_MECHANISM =
  'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified'

async function serveBlob(context: RegistryContext, request: Request, path: string): Promise<Response> {
  const match = /^\/(.+)\/blobs\/([^/]+)$/.exec(path)
  const name = match?.[1]
  const digest = match?.[2]
  const blob =
    name &&
    digest &&
    isRepositoryName(name) &&
    parseSupportedDigest(digest) &&
    (await context.storage.isBlobLinked(name, digest))
      ? await context.storage.statBlob(digest)
      : undefined
  if (!blob || !digest) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.')
  const selection = selectRange(request.headers.get('range'), blob.size)
  if (selection.kind === 'unsatisfiable') return s3Error(416, 'InvalidRange', 'The requested range is not satisfiable')
  const range = selection.kind === 'partial' ? selection.range : undefined
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    'content-length': String(range ? range.end - range.start + 1 : blob.size),
    'accept-ranges': 'bytes',
    etag: `"${digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 33)}"`,
  }
  if (range) headers['content-range'] = formatContentRange(range, blob.size)
  const status = range ? 206 : 200
  if (request.method === 'HEAD') return createLightResponse(null, { status, headers })
  const chunks = await context.storage.readBlob(digest, range)
  if (!chunks) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.')
  return createLightResponse(WebStream.from(chunks), { status, headers })
}

function s3Error(status: number, code: string, message: string, extra: Record<string, string> = {}): Response {
  const fields = Object.entries(extra)
    .map(([key, value]) => `<${key}>${value}</${key}>`)
    .join('')
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${fields}<RequestId>FAKEOCIREGISTRY</RequestId></Error>`
  return new Response(body, {
    status,
    headers: { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) },
  })
}

function sameSignature(given: string, expected: string): boolean {
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected))
}

// ISO 8601 basic format, as SigV4's X-Amz-Date: 20260101T000000Z.
function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

function parseAmzDate(value: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (!match) return Number.NaN
  const [, year, month, day, hour, minute, second] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  return Date.UTC(year, month - 1, day, hour, minute, second)
}
