import type { AuthFacts } from '../auth/types.js'
import type { OciError } from '../errors/oci-error.js'
import { LightHeaders } from '../leaf/light-headers.js'
import { isLightRequest, type BodyObserver } from '../leaf/light-request.js'
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

/** Headers as the record will show them: light ones as their pairs, others read at once. */
type HeldHeaders = readonly string[] | Record<string, string>

const NO_PAIRS: readonly string[] = []

/** The parts of a record only some answers have. */
interface RareFacts {
  error?: OciError
  fault?: string
  auth?: AuthFacts
  manifestSummary?: RecordedRequest['manifestSummary']
}

/**
 * One request being answered: counts the bodies as they stream, never buffering them.
 *
 * @example
 * const recording = journal.start(request, 'fetch')
 * return recording.finish(await answer(recording.request))
 */
export class Recording implements BodyObserver {
  readonly facts: RequestFacts = {}
  /** The request to answer: the original, with its body counted as the handler reads it. */
  readonly request: Request
  #file: (entry: PendingRecord, size: number) => void
  #maxManifestBytes: number
  #pending: PendingRecord
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
    file: (entry: PendingRecord, size: number) => void,
    maxManifestBytes = Number.POSITIVE_INFINITY,
  ) {
    this.#file = file
    this.#maxManifestBytes = maxManifestBytes
    this.#pending = new PendingRecord(id, transport, request.method, request.url, heldHeaders(request.headers))
    if (isLightRequest(request)) {
      // The light request counts its own body as it is read: no second stream, no copy.
      if (request.hasBody) request.observe(this)
      this.request = request
      return
    }
    this.request = request.body
      ? new Request(request, {
          body: counted(
            request.body,
            (bytes) => this.onBytes(bytes),
            () => this.onEnd(),
          ),
          duplex: 'half',
        } as RequestInit)
      : request
  }

  /** The request body's bytes as the handler reads them. */
  onBytes(bytes: number): void {
    this.#requestRead += bytes
  }

  onEnd(): void {
    this.#requestDone = true
  }

  /** Records the answer and returns it, its body counted as the client reads it. */
  finish(response: Response): Response {
    const pending = this.#pending
    const { manifest, manifestBytes } = this.facts
    // The parsed body can be many times the size of its bytes: nothing here holds it once filed.
    this.facts.manifest = undefined
    this.facts.manifestBytes = undefined
    // A handler that answered early (an error) read only part of the body: what was sent is
    // the declared length, when there is one.
    const declared = this.#requestDone ? undefined : contentLength(this.request.headers.get('content-length'))
    const size = pending.answered(this.facts, response, declared ?? this.#requestRead, {
      document: manifest,
      bytes: manifestBytes,
      maxBytes: this.#maxManifestBytes,
    })
    this.#file(pending, size)
    const light = isLightResponse(response)
    if (light ? !response.hasBody : !response.body) {
      pending.bodyDone(0, false)
      return response
    }
    // A body in memory is counted when it is handed over, without a stream around it.
    if (light && response.inMemory) {
      response.observe(pending)
      return response
    }
    const body = counted(
      response.body as ReadableStream<Uint8Array>,
      (bytes) => pending.onBytes(bytes),
      () => pending.onEnd(),
    )
    const init = { status: response.status, statusText: response.statusText, headers: response.headers }
    return light ? createLightResponse(body, init) : new Response(body, init)
  }
}

/**
 * A finished request as the journal holds it until someone reads it: what the record is made
 * of, kept as it arrived, in as few objects as possible since the journal keeps thousands. Most
 * records are never read (a test reads a few, and the journal drops the oldest), so the record
 * itself, with its header records, date, URL parts and query, is built on the first read and
 * kept from then on.
 */
export class PendingRecord implements BodyObserver {
  readonly id: number
  readonly #transport: string
  // Times as whole milliseconds and microseconds from the module's start: small integers, which
  // a record holds without a heap number apiece (the journal keeps thousands of records).
  readonly #startedAt = Date.now() - WALL_CLOCK_START
  readonly #started = microsecondsNow()
  readonly #method: string
  readonly #href: string
  readonly #headers: HeldHeaders
  #bodySize = 0
  #params: RequestParams | undefined
  // What only some answers have, in one object made for those alone.
  #rare: RareFacts | undefined
  #resource: ResourceKind | undefined
  #status = 0
  #statusText = ''
  #responseHeaders: HeldHeaders = NO_PAIRS
  #wait = 0
  #manifestBytes: Uint8Array | undefined
  #sent = 0
  // The answer's body size once it was handed over to its end (0 without a body); -1 until then.
  #answerBodySize = -1
  #receive = 0
  #record: Entry | undefined

  constructor(id: number, transport: string, method: string, href: string, headers: HeldHeaders) {
    this.id = id
    this.#transport = transport
    this.#method = method
    this.#href = href
    this.#headers = headers
  }

  /**
   * Takes what the answer is made of, a manifest kept as its bytes or summarised; returns the
   * bytes the record accounts for.
   */
  answered(
    facts: RequestFacts,
    response: Response,
    bodySize: number,
    manifest: { document: unknown; bytes: Uint8Array | undefined; maxBytes: number },
  ): number {
    this.#wait = microsecondsNow() - this.#started
    this.#bodySize = bodySize
    this.#params = facts.params
    this.#resource = facts.resource
    const { error, fault, auth } = facts
    if (error !== undefined) (this.#rare ??= {}).error = error
    if (fault !== undefined) (this.#rare ??= {}).fault = fault
    if (auth !== undefined) (this.#rare ??= {}).auth = { ...auth, asked: [...auth.asked], granted: [...auth.granted] }
    this.#status = response.status
    this.#statusText = response.statusText
    this.#responseHeaders = heldHeaders(response.headers)
    const { document, bytes, maxBytes } = manifest
    if (document !== undefined) {
      const size = bytes?.byteLength ?? 0
      if (bytes !== undefined && response.status < 400 && size <= maxBytes) this.#manifestBytes = bytes
      else (this.#rare ??= {}).manifestSummary = manifestSummary(document, size, response.status)
    }
    return this.#accountedSize()
  }

  /** The answer's body bytes as they are handed over. */
  onBytes(bytes: number): void {
    this.#sent += bytes
  }

  /** The answer's body was handed over to its end, or cancelled. */
  onEnd(): void {
    this.bodyDone(this.#sent, true)
  }

  /** The answer's body was handed over (`sent` bytes) or there was none. */
  bodyDone(sent: number, hadBody: boolean): void {
    this.#answerBodySize = hadBody ? sent : 0
    if (hadBody) {
      this.#receive = Math.max(0, microsecondsNow() - this.#started - this.#wait)
    }
    const record = this.#record
    if (record) {
      record.response.complete = true
      if (hadBody) {
        record.response.bodySize = sent
        record.timings.receive = this.#receive / 1000
      }
    }
  }

  /** The record, built on the first call. */
  materialize(): RecordedRequest {
    this.#record ??= this.#build()
    return this.#record
  }

  #build(): Entry {
    const url = new URL(this.#href)
    const headers = recordOf(this.#headers)
    const responseHeaders = recordOf(this.#responseHeaders)
    const params = this.#params
    const path = url.pathname
    const entry: Entry = {
      id: this.id,
      transport: this.#transport,
      startedAt: new Date(WALL_CLOCK_START + this.#startedAt),
      method: this.#method,
      url: this.#href,
      path,
      // `searchParams` builds an object; most registry requests have no query.
      query: url.search === '' ? NO_QUERY : queryOf(url.searchParams),
      resource: params ? (this.#resource ?? resourceOf(path, params)) : this.#resource,
      repository: params?.name,
      reference: params ? (params.reference ?? params.digest) : undefined,
      digest: undefined,
      headers,
      bodySize: this.#bodySize,
      response: {
        status: this.#status,
        statusText: this.#statusText,
        headers: responseHeaders,
        bodySize:
          this.#answerBodySize >= 0 ? this.#answerBodySize : (contentLength(responseHeaders['content-length']) ?? 0),
        complete: this.#answerBodySize >= 0,
      },
      timings: { wait: this.#wait / 1000, receive: this.#receive / 1000 },
    }
    const { error, fault, auth, manifestSummary } = this.#rare ?? {}
    if (fault !== undefined) entry.fault = fault
    if (auth !== undefined) entry.auth = auth
    if (error) {
      entry.response.errors = error.entries.map((e) =>
        e.detail === undefined
          ? { code: e.code, message: e.message }
          : { code: e.code, message: e.message, detail: e.detail },
      )
      entry.response.errorCode = error.entries[0]?.code
    }
    entry.digest = digestOf(entry, params)
    const bytes = this.#manifestBytes
    if (bytes) Object.defineProperty(entry, 'manifest', { enumerable: true, get: () => parseKept(bytes) })
    else if (manifestSummary) entry.manifestSummary = manifestSummary
    return entry
  }

  // A fixed share for the record's fields, plus its texts (URL, headers, error details, the
  // manifest kept). An estimate, but one that grows with everything a request can make large.
  #accountedSize(): number {
    let size = RECORD_OVERHEAD + this.#href.length * 2
    size += textLength(this.#headers) + textLength(this.#responseHeaders)
    const rare = this.#rare
    if (rare?.error) size += JSON.stringify(rare.error.entries).length
    if (this.#manifestBytes) size += this.#manifestBytes.byteLength
    else if (rare?.manifestSummary) size += SUMMARY_TEXT
    return size
  }
}

// What the journal keeps of a manifest PUT's body: an accepted body up to the limit as its bytes,
// parsed again on each read of `manifest` (the parsed form of a body of many small values takes
// tens of times its size); a refused body, or a larger one, only as this summary, so a stream of
// refused pushes does not grow the journal by their bodies.
function manifestSummary(
  document: unknown,
  size: number,
  status: number,
): NonNullable<RecordedRequest['manifestSummary']> {
  const mediaType =
    typeof document === 'object' && document !== null && 'mediaType' in document ? document.mediaType : undefined
  return {
    size,
    ...(typeof mediaType === 'string' ? { mediaType: mediaType.slice(0, SUMMARY_TEXT) } : {}),
    reason: status >= 400 ? 'refused' : 'too large',
  }
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

const RECORD_OVERHEAD = 512

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

function heldHeaders(headers: Headers): HeldHeaders {
  return headers instanceof LightHeaders ? headers.pairs() : Object.fromEntries(headers)
}

function isPairs(headers: HeldHeaders): headers is readonly string[] {
  return Array.isArray(headers)
}

function recordOf(headers: HeldHeaders): Record<string, string> {
  return isPairs(headers) ? LightHeaders.fromRaw(headers).toObject() : headers
}

function textLength(headers: HeldHeaders): number {
  let length = 0
  if (isPairs(headers)) {
    for (const text of headers) length += text.length
    return length
  }
  for (const name in headers) length += name.length + (headers[name] as string).length
  return length
}

const WALL_CLOCK_START = Date.now()
const CLOCK_START = performance.now()

/** Microseconds since the module loaded, as a whole number. */
function microsecondsNow(): number {
  return Math.round((performance.now() - CLOCK_START) * 1000)
}

function contentLength(value: string | null | undefined): number | undefined {
  const length = Number(value ?? Number.NaN)
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
function resourceOf(path: string, params: RequestParams): ResourceKind {
  if (params.uuid !== undefined || /\/blobs\/uploads\/?$/.test(path)) return 'upload'
  if (params.reference !== undefined) return 'manifest'
  if (params.digest !== undefined) return /\/referrers\/[^/]+$/.test(path) ? 'referrers' : 'blob'
  if (params.name !== undefined) return 'tags'
  return path.endsWith('/_catalog') ? 'catalog' : 'base'
}
