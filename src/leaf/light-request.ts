// The request the core answers when a transport can describe it without Fetch: method, URL,
// headers and a body read chunk by chunk. Fetch's `Request` builds headers, an AbortSignal and a
// web stream for every request; most registry requests read two headers and a small body, so
// this one builds those only when something asks (the real `Request` too, for anything else).
import { concatBytes } from './bytes.js'
import { LightHeaders } from './light-headers.js'

/** A request body that the core pulls one chunk at a time; the transport reads its source on demand. */
export interface BodySource {
  /** The next chunk, or null at the end. Rejects when the body fails (a client gone mid-upload). */
  next(): Promise<Uint8Array | null>
  /** The core is done with the body: drop whatever is left. */
  cancel(reason?: unknown): void
  /** True when the chunks are the registry's to keep: no one else holds or reuses their memory. */
  readonly owned?: boolean
}

/** A body that is already in memory, as one chunk the registry may keep (a copy made for it). */
export function bytesSource(bytes: Uint8Array): BodySource {
  let sent = false
  return {
    owned: true,
    next: () => {
      if (sent) return Promise.resolve(null)
      sent = true
      return Promise.resolve(bytes)
    },
    cancel: () => {
      sent = true
    },
  }
}

/** The part of a stream reader the core uses to read a request body chunk by chunk. */
export interface BodyReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>
  cancel(reason?: unknown): Promise<void>
  releaseLock(): void
}

/**
 * A reader of `request`'s body: straight over the source for a light request, the body stream's
 * own reader otherwise; undefined when there is no body.
 *
 * @example
 * const reader = bodyReaderOf(request)
 * const { done, value } = (await reader?.read()) ?? { done: true }
 */
export function bodyReaderOf(request: Request): BodyReader | undefined {
  if (request instanceof LightRequest) return request.getBodyReader()
  return request.body?.getReader()
}

/** Who counts a body's bytes as the core reads them (the journal). */
export interface BodyObserver {
  onBytes(bytes: number): void
  /** The body was read to its end or cancelled. Called once. */
  onEnd(): void
}

const REAL = Symbol('real request')

/**
 * A Fetch `Request` (`instanceof Request`) whose method, URL, headers and body are plain fields.
 * Reading `headers` gives a `LightHeaders`; reading `body` builds the web stream; any other
 * member of `Request` builds the real one once and answers from it.
 *
 * @example
 * const request = new LightRequest('GET', new URL('http://registry.test/v2/'), LightHeaders.fromRecord({}), null)
 * request.headers.get('accept') // null
 */
export class LightRequest {
  readonly method: string
  /** The parsed URL, so the core need not parse `url` again. */
  readonly parsedUrl: URL
  #url: string | undefined
  #headers: LightHeaders
  #source: BodySource | null
  #stream: ReadableStream<Uint8Array> | null | undefined
  #used = false
  #observer: BodyObserver | undefined
  #ended = false
  #real: Request | undefined

  constructor(method: string, url: URL, headers: LightHeaders, body: BodySource | null) {
    this.method = method
    this.parsedUrl = url
    this.#headers = headers
    this.#source = body
  }

  get url(): string {
    this.#url ??= this.parsedUrl.href
    return this.#url
  }

  get headers(): Headers {
    return this.#headers
  }

  get bodyUsed(): boolean {
    return this.#used
  }

  /** Whether there is a body to read, without building the stream `body` would. */
  get hasBody(): boolean {
    return this.#source !== null
  }

  /** Counts the body as it is read; the journal's hook. */
  observe(observer: BodyObserver): void {
    this.#observer = observer
  }

  #end(): void {
    if (this.#ended) return
    this.#ended = true
    this.#observer?.onEnd()
  }

  async #next(): Promise<Uint8Array | null> {
    let chunk: Uint8Array | null
    try {
      chunk = await (this.#source as BodySource).next()
    } catch (error) {
      this.#end()
      throw error
    }
    if (chunk === null) this.#end()
    else this.#observer?.onBytes(chunk.byteLength)
    return chunk
  }

  #cancel(reason?: unknown): void {
    this.#source?.cancel(reason)
    this.#end()
  }

  /**
   * The whole body in one buffer without a web stream, or undefined as soon as it grows past
   * `maxBytes` (the rest is dropped). A body that fails rejects with the source's error.
   * The bytes are the one copy the registry keeps.
   */
  async readCapped(maxBytes: number): Promise<Uint8Array | undefined> {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read')
    this.#used = true
    if (!this.#source) return new Uint8Array(0)
    const chunks: Uint8Array[] = []
    let size = 0
    for (;;) {
      const chunk = await this.#next()
      if (chunk === null) break
      size += chunk.byteLength
      if (size > maxBytes) {
        this.#cancel()
        return undefined
      }
      chunks.push(chunk)
    }
    // A plain Uint8Array of its own: a caller may reuse its buffer, and a socket's chunks share
    // Node's pool, so those are copied; a single chunk made for the registry is kept as it is.
    if (this.#source.owned && chunks.length === 1 && (chunks[0] as Uint8Array).constructor === Uint8Array)
      return chunks[0]
    return concatBytes(chunks, size)
  }

  /**
   * A reader straight over the body's source, with no web stream in between; undefined when
   * there is no body.
   */
  getBodyReader(): BodyReader | undefined {
    if (this.#stream) return this.#stream.getReader()
    if (!this.#source) return undefined
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read')
    this.#used = true
    let released = false
    return {
      read: async () => {
        if (released) throw new TypeError('the reader was released')
        const chunk = await this.#next()
        return chunk === null ? { done: true, value: undefined } : { done: false, value: chunk }
      },
      cancel: async (reason?: unknown) => this.#cancel(reason),
      releaseLock: () => {
        released = true
      },
    }
  }

  /** Drops the body unread. */
  cancelBody(reason?: unknown): void {
    if (this.#stream) void this.#stream.cancel(reason).catch(() => {})
    else this.#cancel(reason)
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream !== undefined) return this.#stream
    if (!this.#source) return (this.#stream = null)
    // Pull-driven and unbuffered, like the transports' own streams: a chunk is read from the
    // source only when the reader asks for one.
    this.#stream = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          this.#used = true
          const chunk = await this.#next()
          if (chunk === null) controller.close()
          else controller.enqueue(chunk)
        },
        cancel: (reason) => this.#cancel(reason),
      },
      { highWaterMark: 0 },
    )
    return this.#stream
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#all()
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.#all())
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text())
  }

  async #all(): Promise<Uint8Array> {
    if (this.#stream) return new Uint8Array(await new Response(this.#stream).arrayBuffer())
    return (await this.readCapped(Number.POSITIVE_INFINITY)) as Uint8Array
  }

  /** The Fetch `Request` this one stands for, built once, for the members read rarely. */
  [REAL](): Request {
    this.#real ??= new Request(this.url, {
      method: this.method,
      headers: new Headers([...this.#headers]),
      body: this.body,
      duplex: 'half',
    } as RequestInit)
    return this.#real
  }

  get [Symbol.toStringTag](): string {
    return 'Request'
  }
}
Object.setPrototypeOf(LightRequest.prototype, Request.prototype)

// Everything else a Request has is answered by the real one.
for (const name of [
  'cache',
  'credentials',
  'destination',
  'integrity',
  'keepalive',
  'mode',
  'redirect',
  'referrer',
  'referrerPolicy',
  'signal',
  'duplex',
]) {
  Object.defineProperty(LightRequest.prototype, name, {
    get(this: LightRequest) {
      return (this[REAL]() as unknown as Record<string, unknown>)[name]
    },
  })
}
for (const name of ['clone', 'blob', 'formData', 'bytes']) {
  Object.defineProperty(LightRequest.prototype, name, {
    value(this: LightRequest, ...args: unknown[]) {
      const real = this[REAL]() as unknown as Record<string, (...args: unknown[]) => unknown>
      return (real[name] as (...args: unknown[]) => unknown).apply(real, args)
    },
    writable: true,
    configurable: true,
  })
}

/** True for a request built here. */
export function isLightRequest(value: unknown): value is LightRequest {
  return value instanceof LightRequest
}

// Fetch upper-cases these methods whatever their case; any other method keeps its case.
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'])
const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])
const INIT_KEYS = new Set(['method', 'headers', 'body', 'duplex'])
const encoder = new TextEncoder()

/**
 * The light request for `fetch(url, init)`, when `init` is one the light request represents
 * exactly as Fetch's `Request` would (method, a record of headers, a string or byte body);
 * undefined otherwise, for the caller to build Fetch's own.
 *
 * @example
 * const request = lightRequestFor(new URL('http://registry.test/v2/'), { method: 'GET' }) ?? new Request(url, init)
 */
export function lightRequestFor(url: URL, init: RequestInit | undefined): Request | undefined {
  if (url.username !== '' || url.password !== '') return undefined
  if (init === undefined || init === null)
    return new LightRequest('GET', url, LightHeaders.fromRecord({}), null) as unknown as Request
  if (typeof init !== 'object') return undefined
  for (const key in init) if (!INIT_KEYS.has(key)) return undefined
  const { method: given, headers: record, body } = init
  let method = 'GET'
  if (given !== undefined) {
    if (typeof given !== 'string' || !METHOD_TOKEN.test(given)) return undefined
    const upper = given.toUpperCase()
    if (FORBIDDEN_METHODS.has(upper)) return undefined
    method = NORMALIZED_METHODS.has(upper) ? upper : given
  }
  if (record !== undefined && !isPlainRecord(record)) return undefined
  let bytes: Uint8Array | undefined
  if (typeof body === 'string') bytes = encoder.encode(body)
  // A copy, as Fetch takes one: the caller may reuse its buffer once the call returns.
  else if (body instanceof Uint8Array) bytes = Uint8Array.prototype.slice.call(body)
  else if (body instanceof ArrayBuffer) bytes = new Uint8Array(body.slice(0))
  else if (body !== undefined && body !== null) return undefined
  if (bytes && (method === 'GET' || method === 'HEAD')) return undefined
  const headers = LightHeaders.fromRecord(record ?? {})
  // Fetch's Content-Type for a string body the caller did not type.
  if (typeof body === 'string' && !headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8')
  return new LightRequest(method, url, headers, bytes ? bytesSource(bytes) : null) as unknown as Request
}

function isPlainRecord(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const prototype: unknown = Object.getPrototypeOf(value)
  if (prototype !== Object.prototype && prototype !== null) return false
  for (const key in value) if (typeof (value as Record<string, unknown>)[key] !== 'string') return false
  return true
}
