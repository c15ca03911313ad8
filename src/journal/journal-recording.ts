import type { AuthFacts } from '../auth/types.js'
import type { OciError } from '../errors/oci-error.js'
import type { RecordedRequest, RecordedResponse, RequestParams, ResourceKind } from './journal-types.js'

/** What handlers add to a request's record while they answer it (see RouteInput.facts). */
export interface RequestFacts {
  /** The route's parameters, once a route matched. */
  params?: RequestParams
  /** The decoded body of a manifest PUT. */
  manifest?: unknown
  /** The error the answer carries. */
  error?: OciError
  /** What the auth layer found of the request's credential, when the registry asks for one. */
  auth?: AuthFacts
  /** The resource when no API route names it: the token endpoint. */
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
  #file: (entry: RecordedRequest) => void
  #entry: Entry
  #started = performance.now()
  #requestRead = 0
  #requestDone = false

  /** `file` puts the finished record in the journal. */
  constructor(id: number, request: Request, transport: string, file: (entry: RecordedRequest) => void) {
    this.#file = file
    const url = new URL(request.url)
    this.#entry = {
      id,
      transport,
      startedAt: new Date(),
      method: request.method,
      url: request.url,
      path: url.pathname,
      query: queryOf(url.searchParams),
      resource: undefined,
      repository: undefined,
      reference: undefined,
      digest: undefined,
      headers: Object.fromEntries(request.headers),
      bodySize: 0,
      response: { status: 0, statusText: '', headers: {}, bodySize: 0, complete: false },
      timings: { wait: 0, receive: 0 },
    }
    this.request = request.body
      ? new Request(request, {
          body: counted(request.body, (bytes) => (this.#requestRead += bytes), () => (this.#requestDone = true)),
          duplex: 'half',
        } as RequestInit)
      : request
  }

  /** Records the answer and returns it, its body counted as the client reads it. */
  finish(response: Response): Response {
    const entry = this.#entry
    const { params, manifest, error, auth, resource } = this.facts
    entry.timings.wait = elapsed(this.#started)
    // A handler that answered early (an error) read only part of the body: what was sent is
    // the declared length, when there is one.
    entry.bodySize = this.#requestDone ? this.#requestRead : (contentLength(entry.headers) ?? this.#requestRead)
    if (params) {
      entry.resource = resourceOf(entry.path, params)
      entry.repository = params.name
      entry.reference = params.reference ?? params.digest
    }
    if (resource !== undefined) entry.resource = resource
    if (manifest !== undefined) entry.manifest = manifest
    if (auth !== undefined) entry.auth = { ...auth, asked: [...auth.asked], granted: [...auth.granted] }
    const answer = entry.response
    answer.status = response.status
    answer.statusText = response.statusText
    answer.headers = Object.fromEntries(response.headers)
    if (error) {
      answer.errors = error.entries.map((e) => (e.detail === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, detail: e.detail }))
      answer.errorCode = error.entries[0]?.code
    }
    entry.digest = digestOf(entry, params)
    this.#file(entry)
    if (!response.body) {
      answer.complete = true
      return response
    }
    answer.bodySize = contentLength(answer.headers) ?? 0
    let sent = 0
    const body = counted(
      response.body,
      (bytes) => (sent += bytes),
      () => {
        answer.bodySize = sent
        answer.complete = true
        entry.timings.receive = Math.max(0, elapsed(this.#started) - entry.timings.wait)
      },
    )
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
  }
}

// A pull-driven wrapper rather than a TransformStream: it reads only as the consumer asks, so an
// unread body stays unread, and it sees a cancel (a client that stops reading).
function counted(source: ReadableStream<Uint8Array>, onBytes: (bytes: number) => void, onEnd: () => void): ReadableStream<Uint8Array> {
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

function resourceOf(path: string, params: RequestParams): ResourceKind {
  if (params.uuid !== undefined || /\/blobs\/uploads\/?$/.test(path)) return 'upload'
  if (params.reference !== undefined) return 'manifest'
  if (params.digest !== undefined) return /\/referrers\/[^/]+$/.test(path) ? 'referrers' : 'blob'
  if (params.name !== undefined) return 'tags'
  return path.endsWith('/_catalog') ? 'catalog' : 'base'
}
