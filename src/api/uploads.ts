import { routeParams, type RegistryContext, type RouteHandler, type RouteInput } from './route-types.js'
import { isRepositoryName } from '../leaf/names.js'
import {
  createDigester,
  digestStream,
  parseSupportedDigest,
  type Digester,
  type DigestAlgorithm,
  type ParsedDigest,
} from '../leaf/digest.js'
import { isOciError, OciError } from '../errors/oci-error.js'
import type { UploadInfo } from '../storage/storage.js'
import { isStorageUploadId } from '../storage/upload-ids.js'
import { formatUploadRange, parseContentRange } from './byte-ranges.js'
import { readChunk } from './request-body.js'
import { bodyReaderOf } from '../leaf/light-request.js'
import { createLightResponse } from '../leaf/light-response.js'

type Digests = Array<ParsedDigest & { algorithm: DigestAlgorithm }>

/**
 * `POST /v2/<name>/blobs/uploads/`: a cross-repository mount (`?mount=&from=`, or `?mount=`
 * alone for an automatic mount), a monolithic upload (`?digest=` with the body), or a new session.
 *
 * Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-blobs
 */
export const startUpload: RouteHandler = async (input) => {
  const { url, context } = input
  const { name } = routeParams(input.params, 'name')
  const { quirks } = context.options
  const mount = url.searchParams.get('mount')
  // Without cross-repository mounts every mount is answered with a session, as the spec allows.
  if (mount !== null && quirks.crossMount) {
    const mounted = await mountBlob(context, name, mount, url.searchParams.get('from') ?? undefined)
    if (mounted) return blobCreated(name, mounted)
  }
  if (url.searchParams.has('digest') && quirks.singlePostUpload) return monolithicUpload(input, name)
  // A body without `?digest=` has nowhere to go: distribution ignores it too.
  return uploadResponse(202, name, await openUpload(context, name), context)
}

/**
 * `GET /v2/<name>/blobs/uploads/<uuid>`: where the session stands, to resume after a 416.
 *
 * Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-a-blob-in-chunks
 */
export const getUploadStatus: RouteHandler = async ({ url, params, context }) => {
  const { name, uuid } = routeParams(params, 'name', 'uuid')
  return uploadResponse(204, name, await findUpload(context, name, uuid, url), context)
}

/**
 * `PATCH /v2/<name>/blobs/uploads/<uuid>`: appends one chunk, in order.
 *
 * Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-a-blob-in-chunks
 */
export const patchUpload: RouteHandler = async ({ request, url, params, context }) => {
  const { name, uuid } = routeParams(params, 'name', 'uuid')
  const upload = await findUpload(context, name, uuid, url)
  const appended = await appendBody(context, name, upload, request)
  const { quirks } = context.options
  // ECR: the Range stops at the first chunk's end though later chunks are stored (docs/profiles.md, "chunked upload").
  let reported = appended
  if (quirks.frozenUploadRange) {
    const frozen = frozenRanges(context)
    if (!frozen.has(upload.id)) frozen.set(upload.id, appended.size)
    reported = { ...appended, size: frozen.get(upload.id)! }
  }
  const response = uploadResponse(202, name, reported, context)
  if (quirks.patchStatus === 202) return response
  return createLightResponse(null, { status: quirks.patchStatus, headers: response.headers })
}

/**
 * `PUT /v2/<name>/blobs/uploads/<uuid>?digest=`: appends the optional last chunk, verifies, commits.
 *
 * Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-a-blob-in-chunks
 */
export const putUpload: RouteHandler = async ({ request, url, params, context }) => {
  const { name, uuid } = routeParams(params, 'name', 'uuid')
  const upload = await findUpload(context, name, uuid, url)
  // Checked before the body is read: a bad or missing digest leaves the session for a retry.
  const digests = requiredDigests(url)
  const received = await appendBody(context, name, upload, request)
  return commit(context, name, received, digests)
}

/**
 * `DELETE /v2/<name>/blobs/uploads/<uuid>`: cancels the session and drops its bytes.
 *
 * Spec: end-14, https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#endpoints
 */
export const cancelUpload: RouteHandler = async ({ url, params, context }) => {
  const { name, uuid } = routeParams(params, 'name', 'uuid')
  const upload = await findUpload(context, name, uuid, url)
  await endUpload(context, upload.id)
  return createLightResponse(null, { status: 204, headers: { 'docker-upload-uuid': upload.id } })
}

async function monolithicUpload({ request, url, context }: RouteInput, name: string): Promise<Response> {
  const digests = requiredDigests(url)
  const upload = await openUpload(context, name)
  try {
    return await commit(context, name, await appendBody(context, name, upload, request), digests)
  } finally {
    // The session was never handed out: whatever happened, it must not outlive this request.
    await endUpload(context, upload.id)
  }
}

/**
 * Links a blob into `name` when the mount can be honoured: a supported digest, and either a
 * valid `from` repository that links it, or (no `from`) the blob stored anywhere. Anything else
 * returns undefined and the caller falls back to an upload session, as the spec requires for
 * invalid repository or digest arguments.
 */
async function mountBlob(
  context: RegistryContext,
  name: string,
  mount: string,
  from: string | undefined,
): Promise<string | undefined> {
  const digest = parseSupportedDigest(mount)?.digest
  if (digest === undefined) return undefined
  if (from === undefined && !context.options.automaticMount) return undefined
  if (from !== undefined && (!isRepositoryName(from) || !(await context.storage.isBlobLinked(from, digest))))
    return undefined
  if (!(await context.storage.statBlob(digest))) return undefined
  // Collected since the stat: the mount cannot be honoured after all.
  if ((await context.storage.linkBlob(name, digest)) === false) return undefined
  return digest
}

/** A new session, hashed from its first byte. */
/**
 * A new session, hashed from its first byte. Sessions unused for longer than `uploadTimeoutMs`
 * end first; beyond `maxUploadSessions` open at once, the answer is 429 until some end.
 */
async function openUpload(context: RegistryContext, name: string): Promise<UploadInfo> {
  const { openUploads, options } = context
  for (const id of openUploads.expired()) await endUpload(context, id)
  if (openUploads.full) {
    throw new OciError(
      'TOOMANYREQUESTS',
      { openSessions: openUploads.size, maxUploadSessions: options.maxUploadSessions },
      {
        message: 'too many upload sessions are open: finish or cancel some first',
        headers: { 'retry-after': String(Math.ceil(options.uploadTimeoutMs / 1000)) },
      },
    )
  }
  const upload = await context.storage.createUpload(name)
  context.uploadDigesters.start(upload.id)
  openUploads.add(upload.id)
  return upload
}

async function findUpload(context: RegistryContext, name: string, uuid: string, url?: URL): Promise<UploadInfo> {
  const upload = isStorageUploadId(uuid) ? await context.storage.getUpload(uuid) : undefined
  // A session belongs to the repository it was opened for; under another name it does not exist.
  if (!upload || upload.repository !== name) throw uploadUnknown(uuid)
  if (context.openUploads.isExpired(upload.id)) {
    await endUpload(context, upload.id)
    throw uploadUnknown(uuid)
  }
  // Used now; one kept by storage from an earlier process joins the count here.
  context.openUploads.add(upload.id)
  // distribution 2.8 carries the offset in the Location's `_state`, and a URL from before the last
  // chunk no longer finds the session (docs/profiles.md, "chunked upload").
  const state = context.options.quirks.uploadState ? url?.searchParams.get('_state') : null
  if (state != null && readState(state) !== upload.size) throw uploadUnknown(uuid)
  return upload
}

// Frozen `Range`s per registry: the size each session had after its first PATCH.
const FROZEN = new WeakMap<RegistryContext, Map<string, number>>()

function frozenRanges(context: RegistryContext): Map<string, number> {
  let frozen = FROZEN.get(context)
  if (!frozen) FROZEN.set(context, (frozen = new Map<string, number>()))
  return frozen
}

function writeState(upload: UploadInfo): string {
  return Buffer.from(
    JSON.stringify({ Name: upload.repository, UUID: upload.id, Offset: upload.size }),
    'utf8',
  ).toString('base64url')
}

function readState(state: string): number | undefined {
  try {
    const { Offset } = JSON.parse(Buffer.from(state, 'base64url').toString('utf8')) as { Offset?: unknown }
    return typeof Offset === 'number' ? Offset : undefined
  } catch {
    return undefined
  }
}

/** Every `?digest=` of the request (the spec allows several), each one the registry can compute. */
function requiredDigests(url: URL): Digests {
  const values = url.searchParams.getAll('digest')
  if (values.length === 0) throw new OciError('DIGEST_INVALID', 'digest missing')
  return values.map((value) => {
    const parsed = parseSupportedDigest(value)
    if (!parsed) throw new OciError('DIGEST_INVALID', { digest: value })
    return parsed
  })
}

/**
 * Streams the request body into the session through a fork of its digester, checking it against
 * `Content-Range` and `Content-Length`. All or nothing: on any failure the session and its
 * digester keep their previous state.
 */
async function appendBody(
  context: RegistryContext,
  name: string,
  upload: UploadInfo,
  request: Request,
): Promise<UploadInfo> {
  const contentLength = declaredLength(request)
  // distribution 2.8 ignores Content-Range and appends whatever comes.
  const contentRange = context.options.quirks.outOfOrderChunk === 'append' ? null : request.headers.get('content-range')
  const expected = contentRange === null ? contentLength : chunkLength(name, upload, contentRange, contentLength)
  const lengthMismatch = (received: number): OciError =>
    contentRange === null
      ? new OciError('SIZE_INVALID', { contentLength, received })
      : rangeInvalid(
          name,
          upload,
          contentRange,
          `Content-Range covers ${byteCount(expected ?? 0)} but the body has ${received}`,
        )

  // Straight from the transport for a light request: no web stream per chunk.
  const body = bodyReaderOf(request)
  if (!body) {
    if ((expected ?? 0) !== 0) throw lengthMismatch(0)
    return upload
  }
  const base = await digesterFor(context, upload)
  const digester = base.digester.fork()
  let received = 0
  const reader = body
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const { done, value } = await readChunk(reader, bodyFailed)
        if (done) break
        received += value.byteLength
        // Stop at the first byte too many instead of storing an oversized chunk.
        if (expected !== undefined && received > expected) throw lengthMismatch(received)
        digester.update(value)
        yield value
      }
      if (expected !== undefined && received !== expected) throw lengthMismatch(received)
    } finally {
      reader.releaseLock()
    }
  }

  let appended: UploadInfo | undefined
  try {
    appended = await context.storage.appendUpload(upload.id, chunks())
  } catch (error) {
    throw answerOf(error) ?? error
  }
  if (!appended) throw uploadUnknown(upload.id)
  // A chunk that streamed for long counts as use until its end.
  context.openUploads.add(upload.id)
  // Two PATCHes racing on one session would leave the fork short of the stored bytes: drop it
  // then, and the next use rehashes the session from storage.
  if (base.size === upload.size && appended.size === upload.size + received)
    context.uploadDigesters.keep(upload.id, digester, appended.size)
  else context.uploadDigesters.forget(upload.id)
  return appended
}

/** The length a chunk's `Content-Range` announces, once it is known to continue the session. */
function chunkLength(
  name: string,
  upload: UploadInfo,
  contentRange: string,
  contentLength: number | undefined,
): number {
  const range = parseContentRange(contentRange)
  if (!range) throw rangeInvalid(name, upload, contentRange, 'Content-Range must be <start>-<end>, both inclusive')
  if (range.start !== upload.size)
    throw rangeInvalid(name, upload, contentRange, `the next chunk must start at byte ${upload.size}`)
  const length = range.end - range.start + 1
  if (contentLength !== undefined && contentLength !== length) {
    throw rangeInvalid(
      name,
      upload,
      contentRange,
      `Content-Range covers ${byteCount(length)} but Content-Length is ${contentLength}`,
    )
  }
  return length
}

// A chunk that keeps arriving while a session is closed: each round sees a larger session. The
// rounds are few in practice (one more per racing PATCH); the bound keeps a stream of them finite.
const COMMIT_ROUNDS = 8

/**
 * Verifies every requested digest and moves the bytes into the blob store. The bytes verified
 * are counted, and storage commits only a session of exactly that size: a chunk that lands in
 * between (a PATCH still streaming when a body-less PUT closes the session) sends the check
 * round again, on the session as it now is, instead of storing bytes under a digest they were
 * never checked against.
 */
async function commit(
  context: RegistryContext,
  name: string,
  received: UploadInfo,
  digests: Digests,
): Promise<Response> {
  const [first] = digests as [Digests[number], ...Digests]
  let upload = received
  for (let round = 1; ; round++) {
    const size = await verify(context, upload, digests)
    const blob = size === undefined ? undefined : await context.storage.commitUpload(upload.id, first.digest, size)
    if (blob) {
      context.uploadDigesters.forget(upload.id)
      context.openUploads.delete(upload.id)
      FROZEN.get(context)?.delete(upload.id)
      return blobCreated(name, blob.digest)
    }
    const current = await context.storage.getUpload(upload.id)
    if (!current) throw uploadUnknown(upload.id)
    if (round === COMMIT_ROUNDS)
      throw new OciError('BLOB_UPLOAD_INVALID', {
        uuid: upload.id,
        reason: 'chunks kept arriving while the upload was being closed',
      })
    upload = current
  }
}

/**
 * Checks each digest against the session's bytes; returns how many bytes were checked, or
 * undefined when the algorithms saw different sizes (the session grew between two reads).
 */
async function verify(context: RegistryContext, upload: UploadInfo, digests: Digests): Promise<number | undefined> {
  const computed = new Map<DigestAlgorithm, { digest: string; size: number }>()
  for (const { algorithm, digest } of digests) {
    let actual = computed.get(algorithm)
    if (actual === undefined) {
      actual =
        algorithm === 'sha256'
          ? await sha256Of(context, upload)
          : await digestStream(await uploadBytes(context, upload.id), algorithm)
      computed.set(algorithm, actual)
    }
    if (actual.digest !== digest) {
      // As distribution: content that fails verification ends the session, nothing is stored.
      await endUpload(context, upload.id)
      throw new OciError('DIGEST_INVALID', { expected: digest, actual: actual.digest })
    }
  }
  const [size, ...others] = new Set([...computed.values()].map((computedDigest) => computedDigest.size))
  return others.length === 0 ? size : undefined
}

async function sha256Of(context: RegistryContext, upload: UploadInfo): Promise<{ digest: string; size: number }> {
  const { digester, size } = await digesterFor(context, upload)
  return { digest: digester.digest(), size }
}

/**
 * The session's sha256 state and the bytes it covers; rebuilt from its bytes when this process
 * never saw them, or when they no longer match the session's size.
 */
async function digesterFor(
  context: RegistryContext,
  upload: UploadInfo,
): Promise<{ digester: Digester; size: number }> {
  const known = context.uploadDigesters.get(upload.id)
  if (known && known.size === upload.size) return known
  const digester = createDigester()
  let size = 0
  for await (const chunk of await uploadBytes(context, upload.id)) {
    digester.update(chunk)
    size += chunk.byteLength
  }
  context.uploadDigesters.keep(upload.id, digester, size)
  return { digester, size }
}

async function uploadBytes(context: RegistryContext, id: string): Promise<AsyncIterable<Uint8Array>> {
  const bytes = await context.storage.readUpload(id)
  if (!bytes) throw uploadUnknown(id)
  return bytes
}

async function endUpload(context: RegistryContext, id: string): Promise<void> {
  context.uploadDigesters.forget(id)
  context.openUploads.delete(id)
  FROZEN.get(context)?.delete(id)
  await context.storage.deleteUpload(id)
}

function declaredLength(request: Request): number | undefined {
  const header = request.headers.get('content-length')
  if (header === null) return undefined
  const length = /^\d+$/.test(header) ? Number(header) : Number.NaN
  if (!Number.isSafeInteger(length)) throw new OciError('SIZE_INVALID', { contentLength: header })
  return length
}

/** The answer a failed chunk stream carries, when storage wrapped it in its own error. */
function answerOf(error: unknown): OciError | undefined {
  for (let cause = error, depth = 0; cause !== undefined && depth < 8; depth++) {
    if (isOciError(cause)) return cause
    cause = cause instanceof Error ? cause.cause : undefined
  }
  return undefined
}

function bodyFailed(reason: string): OciError {
  return new OciError('BLOB_UPLOAD_INVALID', `the request body failed: ${reason}`)
}

function byteCount(count: number): string {
  return count === 1 ? '1 byte' : `${count} bytes`
}

function uploadHeaders(name: string, upload: UploadInfo, context?: RegistryContext): Record<string, string> {
  const state = context?.options.quirks.uploadState ? `?_state=${writeState(upload)}` : ''
  return {
    location: `/v2/${name}/blobs/uploads/${upload.id}${state}`,
    range: formatUploadRange(upload.size),
    'docker-upload-uuid': upload.id,
  }
}

function uploadResponse(status: 202 | 204, name: string, upload: UploadInfo, context: RegistryContext): Response {
  const headers = uploadHeaders(name, upload, context)
  // RFC 9110 §8.6: no Content-Length on a 204.
  return createLightResponse(null, {
    status,
    headers: status === 202 ? { ...headers, 'content-length': '0' } : headers,
  })
}

function blobCreated(name: string, digest: string): Response {
  return createLightResponse(null, {
    status: 201,
    headers: { location: `/v2/${name}/blobs/${digest}`, 'docker-content-digest': digest, 'content-length': '0' },
  })
}

function uploadUnknown(uuid: string): OciError {
  return new OciError('BLOB_UPLOAD_UNKNOWN', { uuid })
}

/**
 * The spec's 416 for a chunk the session cannot take (malformed or out-of-order range), with
 * the `Range` and `Location` to resume from. distribution sends its own RANGE_INVALID code,
 * which is not in the spec's table; BLOB_UPLOAD_INVALID is the spec's code for a bad chunk.
 */
function rangeInvalid(name: string, upload: UploadInfo, contentRange: string, reason: string): OciError {
  return new OciError(
    'BLOB_UPLOAD_INVALID',
    { contentRange, reason },
    { status: 416, headers: uploadHeaders(name, upload) },
  )
}
