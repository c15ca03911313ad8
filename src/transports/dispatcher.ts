import { Buffer } from 'node:buffer'
import { EventEmitter } from 'node:events'
import { STATUS_CODES } from 'node:http'
import { FakeRegistryError } from '../errors/fake-registry-error.js'

// The shapes below mirror undici's `Dispatcher.dispatch` contract (undici 6, bundled by Node 20
// for the global fetch, and undici 7/8) so the main entry never imports undici: undici accepts
// any object with `dispatch(options, handler)`, `close()` and `destroy()`.

/** Headers as undici passes them: an object, a flat `[name, value, …]` array or `[name, value]` pairs. */
export type DispatchHeaders =
  | Record<string, string | string[] | undefined>
  | readonly string[]
  | Iterable<readonly [string, string | string[] | undefined]>
  | null

/** What `dispatch()` receives: `undici.request`, undici's fetch and Node's global fetch all send this. */
export interface DispatchOptions {
  origin?: string | URL
  path: string
  method: string
  /** string, Buffer, Uint8Array, a Readable, any async iterable of chunks, a Blob, or null. */
  body?: unknown
  headers?: DispatchHeaders
  /** Query parameters appended to `path`, as `undici.request(url, { query })` sends them. */
  query?: Record<string, unknown>
  [option: string]: unknown
}

/** The controller a handler of undici 7's API receives: abort, and pause/resume for backpressure. */
export interface DispatchController {
  readonly aborted: boolean
  readonly paused: boolean
  readonly reason: Error | null
  abort(reason: Error): void
  pause(): void
  resume(): void
}

/**
 * A response handler in either of undici's two styles: the callbacks Node 20's global fetch and
 * `undici.request` drive (`onConnect`/`onHeaders`/`onData`/`onComplete`/`onError`), or undici 7's
 * controller-based ones (`onRequestStart`/`onResponseStart`/`onResponseData`/`onResponseEnd`/
 * `onResponseError`) that interceptors use.
 */
export interface DispatchHandler {
  onConnect?(abort: (reason?: Error) => void, context?: object): void
  onResponseStarted?(): void
  onHeaders?(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean | void
  onData?(chunk: Buffer): boolean | void
  onComplete?(rawTrailers: Buffer[] | null): void
  onError?(error: Error): void
  onRequestStart?(controller: DispatchController, context: object): void
  onResponseStart?(controller: DispatchController, statusCode: number, headers: Record<string, string | string[]>, statusMessage?: string): void
  onResponseData?(controller: DispatchController, chunk: Buffer): void
  onResponseEnd?(controller: DispatchController, trailers: Record<string, string | string[]>): void
  onResponseError?(controller: DispatchController, error: Error): void
}

// The two types below take any undici major's dispatcher and interceptors: their option and
// handler types differ from version to version, and only the shape matters at run time.

/** Anything with undici's `dispatch` method: an `Agent`, `getGlobalDispatcher()`, another fake. */
export interface DispatcherLike {
  dispatch(options: never, handler: never): unknown
}

/** An undici interceptor, as `Dispatcher.compose` takes it (`interceptors.retry()`…). */
export type DispatchInterceptor = (dispatch: never) => unknown

type Dispatch = (options: DispatchOptions, handler: DispatchHandler) => boolean

/**
 * Options of `registry.createDispatcher()`.
 *
 * @example
 * import { getGlobalDispatcher, setGlobalDispatcher } from 'undici'
 * setGlobalDispatcher(registry.createDispatcher({ passthrough: getGlobalDispatcher() }))
 */
export interface RegistryDispatcherOptions {
  /**
   * Where requests for any origin other than `registry.url` go, for instance the previous global
   * dispatcher. Without it they fail with a `FakeRegistryError` (`ERR_UNHANDLED_REQUEST`).
   * Closing the registry's dispatcher never closes this one: it belongs to the caller.
   */
  passthrough?: DispatcherLike
}

/**
 * An undici Dispatcher that answers requests for the registry's origin in-process, with no
 * socket. Pass it as `dispatcher` to `undici.request`, undici's `fetch` or Node's global `fetch`,
 * or install it with `setGlobalDispatcher`. Its type is declared here so the main entry needs no
 * undici; with undici's types, write `registry.dispatcher as Dispatcher`.
 *
 * @example
 * import { request, type Dispatcher } from 'undici'
 * const { statusCode } = await request(`${registry.url}/v2/`, { dispatcher: registry.dispatcher as Dispatcher })
 */
export interface RegistryDispatcher extends EventEmitter {
  /** Serves one request; always returns true (it is never busy). */
  dispatch(options: DispatchOptions, handler: DispatchHandler): boolean
  /** Stops taking requests and resolves once the ones in flight have answered. */
  close(): Promise<void>
  close(callback: () => void): void
  /** Aborts the requests in flight with `error` and stops taking new ones. */
  destroy(error?: Error | null): Promise<void>
  destroy(callback: () => void): void
  destroy(error: Error | null, callback: () => void): void
  /** A dispatcher whose requests first run through undici interceptors, as undici's `compose`. */
  compose(...interceptors: Array<DispatchInterceptor | null | undefined> | [Array<DispatchInterceptor | null | undefined>]): RegistryDispatcher
}

/** The in-process call a dispatcher ends in: the registry's `fetch`. */
export type DispatchTarget = (request: Request) => Promise<Response>

/**
 * Builds a dispatcher serving `origin` through `target`. Used by `registry.dispatcher` and
 * `registry.createDispatcher()`.
 */
export function createRegistryDispatcher(target: DispatchTarget, origin: string, options: RegistryDispatcherOptions = {}): RegistryDispatcher {
  const passthrough = options.passthrough
  if (passthrough !== undefined && (typeof passthrough !== 'object' || passthrough === null || typeof passthrough.dispatch !== 'function')) {
    throw new FakeRegistryError('ERR_INVALID_OPTION', {
      action: 'use option passthrough',
      subject: String(passthrough),
      reason: 'it is not a dispatcher (an object with a dispatch method)',
      fix: "Pass undici's getGlobalDispatcher() or an Agent, or leave passthrough out",
    })
  }
  return new InProcessDispatcher(target, new URL(origin).origin, passthrough)
}

class InProcessDispatcher extends EventEmitter implements RegistryDispatcher {
  #target: DispatchTarget
  #origin: string
  #passthrough: DispatcherLike | undefined
  #inFlight = new Set<Exchange>()
  #closed = false
  #drained: Array<() => void> = []

  constructor(target: DispatchTarget, origin: string, passthrough: DispatcherLike | undefined) {
    super()
    this.#target = target
    this.#origin = origin
    this.#passthrough = passthrough
  }

  dispatch(options: DispatchOptions, handler: DispatchHandler): boolean {
    if (typeof handler !== 'object' || handler === null) throw new TypeError('handler must be an object')
    const origin = originOf(options?.origin)
    if (origin !== this.#origin && this.#passthrough && !this.#closed) return this.#passthrough.dispatch(options as never, handler as never) as boolean
    const exchange = new Exchange(handler)
    const refusal = this.#refusal(options, origin)
    if (refusal) {
      // undici reports a refused dispatch through the handler, never by throwing.
      queueMicrotask(() => exchange.fail(refusal))
      return true
    }
    this.#inFlight.add(exchange)
    queueMicrotask(() => {
      void exchange.run(this.#target, options, this.#origin).finally(() => {
        this.#inFlight.delete(exchange)
        if (this.#inFlight.size === 0) for (const resolve of this.#drained.splice(0)) resolve()
      })
    })
    return true
  }

  close(): Promise<void>
  close(callback: () => void): void
  close(callback?: () => void): Promise<void> | void {
    this.#closed = true
    const done = this.#inFlight.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.#drained.push(resolve))
    if (!callback) return done
    void done.then(callback)
  }

  destroy(error?: Error | null): Promise<void>
  destroy(callback: () => void): void
  destroy(error: Error | null, callback: () => void): void
  destroy(errorOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const error = typeof errorOrCallback === 'function' ? null : errorOrCallback
    const done = typeof errorOrCallback === 'function' ? errorOrCallback : callback
    this.#closed = true
    const reason = error ?? new FakeRegistryError('ERR_DISPATCHER_CLOSED', {
      action: 'finish a request on',
      subject: this.#origin,
      reason: 'the dispatcher was destroyed',
      fix: 'Destroy the dispatcher only after its requests have answered, or use close() to let them finish',
    })
    for (const exchange of this.#inFlight) exchange.abort(reason)
    const closed = this.close()
    if (!done) return closed
    void closed.then(done)
  }

  compose(...args: Array<DispatchInterceptor | null | undefined> | [Array<DispatchInterceptor | null | undefined>]): RegistryDispatcher {
    const interceptors = (Array.isArray(args[0]) ? args[0] : args) as Array<DispatchInterceptor | null | undefined>
    let dispatch: Dispatch = (options, handler) => this.dispatch(options, handler)
    for (const interceptor of interceptors) {
      if (interceptor == null) continue
      if (typeof interceptor !== 'function') throw new TypeError(`invalid interceptor, expected function received ${typeof interceptor}`)
      const next = (interceptor as (dispatch: Dispatch) => Dispatch)(dispatch)
      // undici's interceptors speak only the controller API, so an older-style handler is adapted first.
      dispatch = (options, handler) => next(options, toControllerHandler(handler))
    }
    const composed = dispatch
    return new Proxy(this, {
      get: (target, key) => {
        if (key === 'dispatch') return composed
        const value: unknown = Reflect.get(target, key, target)
        // Methods run on the real dispatcher: its #fields are not reachable through the proxy.
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
  }

  #refusal(options: DispatchOptions, origin: string | undefined): FakeRegistryError | undefined {
    const subject = `${String(options?.method ?? 'GET')} ${origin ?? String(options?.origin)}${String(options?.path ?? '')}`
    if (this.#closed) {
      return new FakeRegistryError('ERR_DISPATCHER_CLOSED', {
        action: 'dispatch',
        subject,
        reason: 'the dispatcher is closed',
        fix: 'Create a new one with registry.createDispatcher(), or close it only after the test is done',
      })
    }
    if (origin !== this.#origin) {
      return new FakeRegistryError('ERR_UNHANDLED_REQUEST', {
        action: 'dispatch',
        subject,
        reason: `the registry's dispatcher serves only ${this.#origin} and has no passthrough for other origins`,
        fix: 'Send that request through another dispatcher, or create one with registry.createDispatcher({ passthrough: getGlobalDispatcher() })',
      })
    }
    return undefined
  }
}

function originOf(value: unknown): string | undefined {
  try {
    return new URL(String(value)).origin
  } catch {
    return undefined
  }
}

/**
 * One request through the dispatcher: builds the Fetch `Request`, calls the registry, streams
 * the answer to the handler, and carries abort and pause/resume between the two.
 */
class Exchange implements DispatchController {
  #handler: DispatchHandler
  #modern: boolean
  #aborter = new AbortController()
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  #paused = false
  #resumed: (() => void) | undefined
  #settled = false
  #reason: Error | null = null
  // Ends the request body's source once the answer is complete: the registry may answer
  // (an early 4xx) without reading all of it, and the caller's stream must not stay open.
  #endBody: (() => void) | undefined

  constructor(handler: DispatchHandler) {
    this.#handler = handler
    this.#modern = typeof handler.onRequestStart === 'function'
  }

  get aborted(): boolean {
    return this.#aborter.signal.aborted
  }

  get paused(): boolean {
    return this.#paused
  }

  get reason(): Error | null {
    return this.#reason
  }

  pause(): void {
    this.#paused = true
  }

  resume(): void {
    this.#paused = false
    const resumed = this.#resumed
    this.#resumed = undefined
    resumed?.()
  }

  abort(reason?: Error): void {
    if (this.aborted || this.#settled) return
    this.#reason = reason instanceof Error ? reason : new DOMException('The operation was aborted.', 'AbortError')
    // Errors the request body the registry is reading, so an aborted upload stores nothing.
    this.#aborter.abort(this.#reason)
    this.#reader?.cancel(this.#reason).catch(() => {})
    this.resume()
    const error = this.#reason
    // undici reports an abort through the handler's error callback, after the abort call returns.
    queueMicrotask(() => this.fail(error))
  }

  /** Ends the exchange with an error, once. */
  fail(error: Error): void {
    if (this.#settled) return
    this.#settled = true
    if (this.#modern) {
      this.#handler.onResponseError?.(this, error)
    } else if (this.#handler.onError) {
      this.#handler.onError(error)
    }
  }

  async run(target: DispatchTarget, options: DispatchOptions, origin: string): Promise<void> {
    try {
      this.#start()
      if (this.aborted) return
      const response = await target(toRequest(options, origin, this.#aborter.signal, (end) => (this.#endBody = end)))
      if (this.aborted) {
        await response.body?.cancel(this.#reason).catch(() => {})
        return
      }
      this.#headers(response)
      if (response.body) await this.#stream(response.body)
      if (this.aborted || this.#settled) return
      this.#settled = true
      if (this.#modern) this.#handler.onResponseEnd?.(this, {})
      else this.#handler.onComplete?.([])
    } catch (error) {
      // A throwing callback ends the request the way a broken socket would.
      if (!this.aborted) this.fail(error instanceof Error ? error : new Error(String(error)))
    } finally {
      this.#endBody?.()
    }
  }

  #start(): void {
    if (this.#modern) {
      this.#handler.onRequestStart?.(this, {})
    } else {
      this.#handler.onConnect?.((reason) => this.abort(reason), {})
    }
  }

  #headers(response: Response): void {
    const statusText = response.statusText || STATUS_CODES[response.status] || ''
    if (this.#modern) {
      const headers: Record<string, string | string[]> = {}
      response.headers.forEach((value, name) => {
        if (name !== 'set-cookie') headers[name] = value
      })
      const cookies = response.headers.getSetCookie()
      if (cookies.length > 0) headers['set-cookie'] = cookies
      this.#handler.onResponseStart?.(this, response.status, headers, statusText)
      return
    }
    const raw: Buffer[] = []
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') raw.push(Buffer.from(name, 'latin1'), Buffer.from(value, 'latin1'))
    })
    for (const cookie of response.headers.getSetCookie()) raw.push(Buffer.from('set-cookie'), Buffer.from(cookie, 'latin1'))
    this.#handler.onResponseStarted?.()
    if (this.#handler.onHeaders?.(response.status, raw, () => this.resume(), statusText) === false) this.pause()
  }

  async #stream(body: ReadableStream<Uint8Array>): Promise<void> {
    this.#reader = body.getReader()
    try {
      for (;;) {
        while (this.#paused && !this.aborted) await new Promise<void>((resolve) => (this.#resumed = resolve))
        if (this.aborted) return
        const { done, value } = await this.#reader.read()
        if (done || this.aborted) return
        const chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
        if (this.#modern) {
          this.#handler.onResponseData?.(this, chunk)
        } else if (this.#handler.onData?.(chunk) === false) {
          this.pause()
        }
      }
    } catch (error) {
      await this.#reader.cancel(error).catch(() => {})
      throw error
    } finally {
      this.#reader.releaseLock()
    }
  }
}

/** The Fetch `Request` the registry's core takes, with a streamed body (never buffered here). */
function toRequest(options: DispatchOptions, origin: string, signal: AbortSignal, onStream: (end: () => void) => void): Request {
  const url = new URL(options.path, origin)
  if (options.query) {
    for (const [name, value] of Object.entries(options.query)) {
      if (value !== undefined) url.searchParams.append(name, String(value))
    }
  }
  const method = String(options.method ?? 'GET').toUpperCase()
  const canHaveBody = method !== 'GET' && method !== 'HEAD'
  return new Request(url, {
    method,
    headers: toHeaders(options.headers),
    body: canHaveBody ? toBody(options.body, signal, onStream) : null,
    signal,
    // Required by Fetch for a streaming request body.
    duplex: 'half',
  } as RequestInit)
}

function toHeaders(source: DispatchHeaders | undefined): Headers {
  const headers = new Headers()
  const add = (name: unknown, value: unknown): void => {
    if (value === undefined || value === null) return
    if (Array.isArray(value)) for (const item of value) headers.append(String(name), String(item))
    else headers.append(String(name), String(value))
  }
  if (source == null) return headers
  if (Array.isArray(source)) {
    if (source.length > 0 && Array.isArray(source[0])) {
      for (const [name, value] of source as unknown as Array<[string, unknown]>) add(name, value)
    } else {
      for (let i = 0; i < source.length; i += 2) add(source[i], source[i + 1])
    }
  } else if (typeof (source as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [name, value] of source as Iterable<readonly [string, unknown]>) add(name, value)
  } else {
    for (const [name, value] of Object.entries(source)) add(name, value)
  }
  return headers
}

function toBody(body: unknown, signal: AbortSignal, onStream: (end: () => void) => void): BodyInit | null {
  if (body === undefined || body === null) return null
  if (typeof body === 'string' || body instanceof Uint8Array || body instanceof Blob || body instanceof FormData) return body as BodyInit
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (body instanceof ReadableStream) return body
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') return streamOf(body as AsyncIterable<unknown>, signal, onStream)
  if (typeof (body as Iterable<unknown>)[Symbol.iterator] === 'function') return streamOf(body as Iterable<unknown>, signal, onStream)
  throw new TypeError(`unsupported request body: ${Object.prototype.toString.call(body)}`)
}

/**
 * A pull-based web stream over a Readable or an async iterable: a chunk is read from the source
 * only when the registry asks for one, so a large upload never sits in memory here. An abort
 * errors the stream and ends the source.
 */
function streamOf(source: AsyncIterable<unknown> | Iterable<unknown>, signal: AbortSignal, onStream: (end: () => void) => void): ReadableStream<Uint8Array> {
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()
  let onAbort: (() => void) | undefined
  let stopped = false
  const stop = (): void => {
    if (stopped) return
    stopped = true
    if (onAbort) signal.removeEventListener('abort', onAbort)
    void Promise.resolve(iterator.return?.()).catch(() => {})
    // A Readable's iterator only cleans up once it has started: end the stream itself too.
    const destroy = (source as { destroy?: unknown }).destroy
    if (typeof destroy === 'function') destroy.call(source)
  }
  onStream(stop)
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        onAbort = () => {
          controller.error(signal.reason)
          stop()
        }
        if (signal.aborted) onAbort()
        else signal.addEventListener('abort', onAbort, { once: true })
      },
      async pull(controller) {
        const { done, value } = await iterator.next()
        if (signal.aborted) return
        if (done) {
          stop()
          controller.close()
          return
        }
        controller.enqueue(toChunk(value))
      },
      cancel() {
        stop()
      },
    },
    { highWaterMark: 0 },
  )
}

function toChunk(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value
  if (typeof value === 'string') return Buffer.from(value)
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  throw new TypeError(`unsupported request body chunk: ${Object.prototype.toString.call(value)}`)
}

/** undici 7's `WrapHandler` in spirit: a controller-style handler over an older-style one. */
function toControllerHandler(handler: DispatchHandler): DispatchHandler {
  if (typeof handler.onRequestStart === 'function') return handler
  const raw = (headers: Record<string, string | string[]>): Buffer[] => {
    const list: Buffer[] = []
    for (const [name, value] of Object.entries(headers)) {
      for (const item of Array.isArray(value) ? value : [value]) list.push(Buffer.from(name, 'latin1'), Buffer.from(item, 'latin1'))
    }
    return list
  }
  return {
    onRequestStart(controller, context) {
      handler.onConnect?.((reason) => controller.abort(reason ?? new DOMException('The operation was aborted.', 'AbortError')), context)
    },
    onResponseStart(controller, statusCode, headers, statusMessage) {
      handler.onResponseStarted?.()
      if (handler.onHeaders?.(statusCode, raw(headers), () => controller.resume(), statusMessage ?? '') === false) controller.pause()
    },
    onResponseData(controller, chunk) {
      if (handler.onData?.(chunk) === false) controller.pause()
    },
    onResponseEnd(_controller, trailers) {
      handler.onComplete?.(raw(trailers))
    },
    onResponseError(_controller, error) {
      handler.onError?.(error)
    },
  }
}
