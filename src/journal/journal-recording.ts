import type { AuthFacts } from '../auth/types.js'
import type { OciError } from '../errors/oci-error.js'
import { LightHeaders } from '../leaf/light-headers.js'
import { isLightRequest } from '../leaf/light-request.js'
import { createLightResponse, isLightResponse } from '../leaf/light-response.js'
import type { RecordedRequest, RecordedResponse, RequestParams, ResourceKind } from './journal-types.js'

/** What handlers add to a request's record while they answer it (see RouteInput.facts). */
export interface RequestFacts {
  /** The route's parameters, once a route matched. */
  params?: RequestParams
  /** The decoded body of a manifest PUT. */
  manifest?: unknown
  /** The bytes of that body: what the journal keeps, or summarises, once the answer is known. */
  manifestBytes?: Uint8Array
  /** The error the answer carries. */
  error?: OciError
  /** The name of the fault rule that shaped the answer. */
  fault?: string
  /** What the auth layer found of the request's credential, when the registry asks for one. */
  auth?: AuthFacts
  /** The resource the route (or the token endpoint) addresses; else read from `params`. */
  resource?: ResourceKind
}

// A record stays writable here after it is filed: its answer's body is counted as the client reads it.
type Mutable<T> = { -readonly [K in keyof T]: T[K] }
type Entry = Mutable<Omit<RecordedRequest, 'response' | 'timings'>> & {
  response: Mutable<RecordedResponse>
  timings: Mutable<RecordedRequest['timings']>
}

/**
 * One request being answered: counts the bodies as they stream, never buffering them.
 *
 * @example
 * const recording = journal.start(request, 'fetch')
 * return recording.finish(await answer(recording.request))
 */
export class Recording {
  readonly facts: RequestFacts = {}
  /** The request to answer: the original, with its body counted as the handler reads it. */
  readonly request: Request
  #file: (entry: RecordedRequest, size: number) => void
  #maxManifestBytes: number
  #entry: Entry
  #started = performance.now()
  #requestRead = 0
  #requestDone = false

  /**
   * `file` puts the finished record in the journal, with the bytes it accounts for; a manifest
   * body larger than `maxManifestBytes` is summarised rather than kept.
   */
  constructor(
    id: number,
    request: Request,
    transport: string,
    file: (entry: RecordedRequest, size: number) => void,
    maxManifestBytes = Number.POSITIVE_INFINITY,
  ) {
    this.#file = file
    this.#maxManifestBytes = maxManifestBytes
    const url = isLightRequest(request) ? request.parsedUrl : new URL(request.url)
    this.#entry = {
      id,
      transport,
      startedAt: new Date(),
      method: request.method,
      url: request.url,
      path: url.pathname,
      // `searchParams` builds an object; most registry requests have no query.
      query: url.search === '' ? NO_QUERY : queryOf(url.searchParams),
      resource: undefined,
      repository: undefined,
      reference: undefined,
      digest: undefined,
      headers: recordOf(request.headers),
      bodySize: 0,
      response: { status: 0, statusText: '', headers: {}, bodySize: 0, complete: false },
      timings: { wait: 0, receive: 0 },
    }
    if (isLightRequest(request)) {
      // The light request counts its own body as it is read: no second stream, no copy.
      if (request.hasBody)
        request.observe({ onBytes: (bytes) => (this.#requestRead += bytes), onEnd: () => (this.#requestDone = true) })
      this.request = request
      return
    }
    this.request = request.body
      ? new Request(request, {
          body: counted(
            request.body,
            (bytes) => (this.#requestRead += bytes),
            () => (this.#requestDone = true),
          ),
          duplex: 'half',
        } as RequestInit)
      : request
  }

  /** Records the answer and returns it, its body counted as the client reads it. */
  finish(response: Response): Response {
    const entry = this.#entry
    const { params, manifest, manifestBytes, error, fault, auth, resource } = this.facts
    // The parsed body can be many times the size of its bytes: nothing here holds it once filed.
    this.facts.manifest = undefined
    this.facts.manifestBytes = undefined
    entry.timings.wait = elapsed(this.#started)
    // A handler that answered early (an error) read only part of the body: what was sent is
    // the declared length, when there is one.
    entry.bodySize = this.#requestDone ? this.#requestRead : (contentLength(entry.headers) ?? this.#requestRead)
    if (params) {
      entry.resource = resource ?? resourceOf(entry.path, params)
      entry.repository = params.name
      entry.reference = params.reference ?? params.digest
    } else if (resource !== undefined) entry.resource = resource
    if (fault !== undefined) entry.fault = fault
    if (auth !== undefined) entry.auth = { ...auth, asked: [...auth.asked], granted: [...auth.granted] }
    const answer = entry.response
    answer.status = response.status
    answer.statusText = response.statusText
    answer.headers = recordOf(response.headers)
    if (error) {
      answer.errors = error.entries.map((e) =>
        e.detail === undefined
          ? { code: e.code, message: e.message }
          : { code: e.code, message: e.message, detail: e.detail },
      )
      answer.errorCode = error.entries[0]?.code
    }
    entry.digest = digestOf(entry, params)
    const kept = keepManifest(entry, manifest, manifestBytes, response.status, this.#maxManifestBytes)
    this.#file(entry, sizeOf(entry) + kept)
    const light = isLightResponse(response)
    if (light ? !response.hasBody : !response.body) {
      answer.complete = true
      return response
    }
    answer.bodySize = contentLength(answer.headers) ?? 0
    let sent = 0
    const onBytes = (bytes: number): void => {
      sent += bytes
    }
    const onEnd = (): void => {
      answer.bodySize = sent
      answer.complete = true
      entry.timings.receive = Math.max(0, elapsed(this.#started) - entry.timings.wait)
    }
    // A body in memory is counted when it is handed over, without a stream around it.
    if (light && response.inMemory) {
      response.observe({ onBytes, onEnd })
      return response
    }
    const body = counted(response.body as ReadableStream<Uint8Array>, onBytes, onEnd)
    const init = { status: response.status, statusText: response.statusText, headers: response.headers }
    return light ? createLightResponse(body, init) : new Response(body, init)
  }
}

// What the journal keeps of a manifest PUT's body, and the bytes that costs. An accepted body up
// to the limit is kept as its bytes and parsed again on each read of `manifest`: the parsed form
// of a body of many small values takes tens of times its size. A refused body, or a larger one,
// is only summarised: a stream of refused pushes must not grow the journal by their bodies.
function keepManifest(
  entry: Entry,
  document: unknown,
  bytes: Uint8Array | undefined,
  status: number,
  maxBytes: number,
): number {
  if (document === undefined) return 0
  const size = bytes?.byteLength ?? 0
  if (bytes !== undefined && status < 400 && size <= maxBytes) {
    Object.defineProperty(entry, 'manifest', { enumerable: true, get: () => parseKept(bytes) })
    return size
  }
  const mediaType =
    typeof document === 'object' && document !== null && 'mediaType' in document ? document.mediaType : undefined
  entry.manifestSummary = {
    size,
    ...(typeof mediaType === 'string' ? { mediaType: mediaType.slice(0, SUMMARY_TEXT) } : {}),
    reason: status >= 400 ? 'refused' : 'too large',
  }
  return SUMMARY_TEXT
}

const SUMMARY_TEXT = 256

// Most registry requests have no query: one frozen record serves them all.
const NO_QUERY: Readonly<Record<string, string | string[]>> = Object.freeze({})

// The body was decoded once already, so this cannot fail on it; a loose decoder as the lenient
// profiles use, so what they accepted reads back the same.
function parseKept(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    return undefined
  }
}

// Bytes a record accounts for: a fixed share for its fields, plus its texts (URL, headers, error
// details). An estimate, but one that grows with everything a request can make large.
const RECORD_OVERHEAD = 512

function sizeOf(entry: Entry): number {
  let size = RECORD_OVERHEAD + entry.url.length * 2
  for (const headers of [entry.headers, entry.response.headers]) {
    for (const name in headers) size += name.length + (headers[name] as string).length
  }
  if (entry.response.errors) size += JSON.stringify(entry.response.errors).length
  return size
}

// A pull-driven wrapper rather than a TransformStream: it reads only as the consumer asks, so an
// unread body stays unread, and it sees a cancel (a client that stops reading).
function counted(
  source: ReadableStream<Uint8Array>,
  onBytes: (bytes: number) => void,
  onEnd: () => void,
): ReadableStream<Uint8Array> {
  const reader = source.getReader()
  let ended = false
  const end = (): void => {
    if (ended) return
    ended = true
    onEnd()
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>
        try {
          result = await reader.read()
        } catch (error) {
          end()
          throw error
        }
        if (result.done) {
          end()
          controller.close()
          return
        }
        onBytes(result.value.byteLength)
        controller.enqueue(result.value)
      },
      cancel(reason) {
        end()
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

function recordOf(headers: Headers): Record<string, string> {
  return headers instanceof LightHeaders ? headers.toObject() : Object.fromEntries(headers)
}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 1000) / 1000
}

function contentLength(headers: Readonly<Record<string, string>>): number | undefined {
  const length = Number(headers['content-length'] ?? Number.NaN)
  return Number.isSafeInteger(length) ? length : undefined
}

function queryOf(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {}
  for (const [name, value] of params) {
    const previous = query[name]
    query[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value]
  }
  return query
}

// The answer's digest is the stored content's; without one, a `?digest=` (upload close) or a
// digest in the path. A manifest reference is a digest only when it has an algorithm prefix.
function digestOf(entry: Entry, params: RequestParams | undefined): string | undefined {
  const fromQuery = entry.query.digest
  return (
    entry.response.headers['docker-content-digest'] ??
    (Array.isArray(fromQuery) ? fromQuery[0] : fromQuery) ??
    (params?.digest !== undefined || entry.reference?.includes(':') ? entry.reference : undefined)
  )
}

/**
 * The part of the API a routed path addresses, from the route's parameters.
 *
 * @example
 * resourceOf('/v2/team/app/blobs/uploads/', { name: 'team/app' }) // 'upload'
 */
export function resourceOf(path: string, params: RequestParams): ResourceKind {
  if (params.uuid !== undefined || /\/blobs\/uploads\/?$/.test(path)) return 'upload'
  if (params.reference !== undefined) return 'manifest'
  if (params.digest !== undefined) return /\/referrers\/[^/]+$/.test(path) ? 'referrers' : 'blob'
  if (params.name !== undefined) return 'tags'
  return path.endsWith('/_catalog') ? 'catalog' : 'base'
}
