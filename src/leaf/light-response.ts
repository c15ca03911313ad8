// The answer the core gives: status, headers and a body that is bytes in memory (a manifest, an
// error envelope) or a stream (a blob). Fetch's `Response` turns even a small buffer into a web
// stream and copies it; transports write bytes straight to their socket or handler, and the
// stream and the real `Response` are built only when something asks for them.
import { LightHeaders } from './light-headers.js'
import type { BodyObserver } from './light-request.js'

/** What a light answer is made of. */
export interface LightResponseInit {
  status?: number
  statusText?: string
  headers?: Readonly<Record<string, string>> | Headers
}

const REAL = Symbol('real response')

/**
 * A Fetch `Response` (`instanceof Response`) with its status, headers and body as plain fields.
 * `arrayBuffer()`, `text()` and `json()` read bytes directly; `body` builds a byte stream over
 * a copy (as Fetch does, the stored bytes stay the registry's); any other member of `Response`
 * builds the real one once and answers from it.
 *
 * @example
 * const response = new LightResponse(new TextEncoder().encode('{}'), { status: 200, headers: { 'content-type': 'application/json' } })
 * await response.json() // {}
 */
export class LightResponse {
  readonly status: number
  readonly statusText: string
  #headers: Headers
  #bytes: Uint8Array | null
  #stream: ReadableStream<Uint8Array> | null | undefined
  #used = false
  #observer: BodyObserver | undefined
  #ended = false
  #real: Response | undefined

  constructor(body: Uint8Array | ReadableStream<Uint8Array> | null, init: LightResponseInit = {}) {
    this.status = init.status ?? 200
    this.statusText = init.statusText ?? ''
    const headers = init.headers ?? {}
    this.#headers = headers instanceof Headers ? headers : LightHeaders.fromRecord(headers)
    if (body instanceof ReadableStream) {
      this.#bytes = null
      this.#stream = body
    } else {
      this.#bytes = body
    }
  }

  get headers(): Headers {
    return this.#headers
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299
  }

  get type(): ResponseType {
    return 'default'
  }

  get url(): string {
    return ''
  }

  get redirected(): boolean {
    return false
  }

  get bodyUsed(): boolean {
    return this.#real ? this.#real.bodyUsed : this.#used
  }

  /** Counts an in-memory body as it is handed over; the journal's hook. */
  observe(observer: BodyObserver): void {
    this.#observer = observer
  }

  #deliver(bytes: number): void {
    if (this.#ended) return
    this.#ended = true
    if (bytes > 0) this.#observer?.onBytes(bytes)
    this.#observer?.onEnd()
  }

  /** Whether there is a body, without building its stream. */
  get hasBody(): boolean {
    return this.#real
      ? this.#real.body !== null
      : this.#bytes !== null || (this.#stream !== undefined && this.#stream !== null)
  }

  /** Whether the body is bytes in memory not yet handed over. */
  get inMemory(): boolean {
    return this.#bytes !== null && this.#stream === undefined && !this.#used && !this.#real
  }

  /** Drops the body unread (HEAD). */
  async cancelBody(): Promise<void> {
    this.#used = true
    if (this.#real) await this.#real.body?.cancel()
    else if (this.#stream) await this.#stream.cancel()
  }

  /** The in-memory body, taken once by a transport that writes it itself; undefined for a stream or no body. */
  takeBytes(): Uint8Array | undefined {
    if (this.#bytes === null || this.#stream !== undefined || this.#used || this.#real) return undefined
    this.#used = true
    this.#deliver(this.#bytes.byteLength)
    return this.#bytes
  }

  get body(): ReadableStream<Uint8Array> | null {
    // Once the real one exists (a clone), it owns the body.
    if (this.#real) return this.#real.body
    if (this.#stream !== undefined) return this.#stream
    const bytes = this.#bytes
    if (bytes === null) return (this.#stream = null)
    let sent = false
    this.#stream = new ReadableStream({
      type: 'bytes',
      pull: (controller) => {
        this.#used = true
        if (!sent && bytes.byteLength > 0) {
          sent = true
          // A copy: a byte stream hands its chunks' buffers to the reader.
          controller.enqueue(Uint8Array.prototype.slice.call(bytes))
          return
        }
        controller.close()
        this.#deliver(bytes.byteLength)
        // A byte stream whose reader waits in a BYOB read needs its request answered.
        controller.byobRequest?.respond(0)
      },
      cancel: () => this.#deliver(sent ? bytes.byteLength : 0),
    })
    return this.#stream
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#all()
    return Uint8Array.prototype.slice.call(bytes).buffer
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.#all())
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text())
  }

  async #all(): Promise<Uint8Array> {
    if (this.#real) return new Uint8Array(await this.#real.arrayBuffer())
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read')
    if (this.#stream === undefined && this.#bytes !== null) return this.takeBytes() as Uint8Array
    if (this.#stream === undefined || this.#stream === null) {
      this.#used = true
      return new Uint8Array(0)
    }
    if (this.#stream.locked) throw new TypeError('Body is unusable: Body has already been read')
    this.#used = true
    return new Uint8Array(await new Response(this.#stream).arrayBuffer())
  }

  /** The Fetch `Response` this one stands for, built once, for the members read rarely. */
  [REAL](): Response {
    if (!this.#real) {
      const nullBody = this.status === 101 || this.status === 204 || this.status === 205 || this.status === 304
      this.#real = new Response(nullBody ? null : this.body, {
        status: this.status,
        statusText: this.statusText,
        headers: new Headers([...this.#headers]),
      })
    }
    return this.#real
  }

  get [Symbol.toStringTag](): string {
    return 'Response'
  }
}
Object.setPrototypeOf(LightResponse.prototype, Response.prototype)

for (const name of ['clone', 'blob', 'formData', 'bytes']) {
  Object.defineProperty(LightResponse.prototype, name, {
    value(this: LightResponse, ...args: unknown[]) {
      const real = this[REAL]() as unknown as Record<string, (...args: unknown[]) => unknown>
      return (real[name] as (...args: unknown[]) => unknown).apply(real, args)
    },
    writable: true,
    configurable: true,
  })
}

/** True for an answer built here. */
export function isLightResponse(value: unknown): value is LightResponse {
  return value instanceof LightResponse
}

/** A real Fetch `Response` for code outside the registry that may rely on Fetch's internals (MSW). */
export function toFetchResponse(response: Response): Response {
  return isLightResponse(response) ? response[REAL]() : response
}

/**
 * An answer as a `Response` typed value, built light: what handlers return for bodies in memory.
 *
 * @example
 * return createLightResponse(null, { status: 201, headers: { location } })
 */
export function createLightResponse(
  body: Uint8Array | ReadableStream<Uint8Array> | null,
  init: LightResponseInit = {},
): Response {
  return new LightResponse(body, init) as unknown as Response
}
