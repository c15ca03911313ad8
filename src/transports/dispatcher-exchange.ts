import { Buffer } from 'node:buffer'
import { STATUS_CODES } from 'node:http'
import { connectionReset } from '../faults/network-errors.js'
import { abortError, toControllerHandler, toRawHeaders } from './dispatcher-handlers.js'
import { toRequest } from './dispatcher-request.js'
import { LightHeaders } from '../leaf/light-headers.js'
import { isLightResponse } from '../leaf/light-response.js'
import type { DispatchController, DispatchHandler, DispatchOptions, DispatchTarget } from './dispatcher-types.js'

/**
 * One request through the dispatcher: builds the Fetch `Request`, calls the registry, streams
 * the answer to the handler, and carries abort and pause/resume between the two. It is the
 * controller its handler receives.
 *
 * @example
 * const exchange = new Exchange(handler)
 * await exchange.run(registry.fetch, { path: '/v2/', method: 'GET' }, registry.url)
 */
export class Exchange implements DispatchController {
  // Always controller-style: an older-style handler is adapted once, here.
  #handler: DispatchHandler
  // Built only for a request whose body streams: the one thing an abort has to stop.
  #aborter: AbortController | undefined
  #aborted = false
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  #paused = false
  #resumed: (() => void) | undefined
  #settled = false
  #reason: Error | null = null
  // Ends the request body's source once the answer is complete: the registry may answer
  // (an early 4xx) without reading all of it, and the caller's stream must not stay open.
  #endBody: (() => void) | undefined
  /**
   * The answer's headers as a socket client sees them, a flat `[name, value, …]` list of latin1
   * buffers: undici 8's fetch reads them from here and ignores the headers object it is passed.
   */
  rawHeaders: Buffer[] | null = null
  /** The trailers, likewise: the registry sends none. */
  rawTrailers: Buffer[] | null = null

  constructor(handler: DispatchHandler) {
    this.#handler = toControllerHandler(handler)
  }

  get aborted(): boolean {
    return this.#aborted
  }

  #signal(): AbortSignal {
    this.#aborter ??= new AbortController()
    if (this.#aborted && !this.#aborter.signal.aborted) this.#aborter.abort(this.#reason)
    return this.#aborter.signal
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
    const error = reason instanceof Error ? reason : abortError()
    this.#reason = error
    this.#aborted = true
    // Errors the request body the registry is reading, so an aborted upload stores nothing.
    this.#aborter?.abort(error)
    this.#reader?.cancel(error).catch(() => {})
    this.resume()
    // undici reports an abort through the handler's error callback, after the abort call returns.
    queueMicrotask(() => this.fail(error))
  }

  /** Ends the exchange with an error, once. */
  fail(error: Error): void {
    if (this.#settled) return
    this.#settled = true
    this.#handler.onResponseError?.(this, error)
  }

  async run(target: DispatchTarget, options: DispatchOptions, origin: string): Promise<void> {
    try {
      this.#handler.onRequestStart?.(this, {})
      if (this.aborted) return
      const request = toRequest(
        options,
        origin,
        () => this.#signal(),
        (end) => (this.#endBody = end),
      )
      const response = await target(request, typeof options.path === 'string' ? options.path : undefined)
      if (this.aborted) {
        await response.body?.cancel(this.#reason).catch(() => {})
        return
      }
      // Fetch's network error, from a fault: reported as undici reports a reset connection.
      if (response.type === 'error') throw connectionReset()
      const headers = headersOf(response)
      this.rawHeaders = toRawHeaders(headers)
      this.#handler.onResponseStart?.(
        this,
        response.status,
        headers,
        response.statusText || STATUS_CODES[response.status] || '',
      )
      // A body in memory is handed over in one chunk, a copy the handler may keep.
      const bytes = isLightResponse(response) ? response.takeBytes() : undefined
      if (bytes) {
        await this.#unpaused()
        if (this.aborted) return
        if (bytes.byteLength > 0) this.#handler.onResponseData?.(this, Buffer.from(bytes))
      } else if (response.body) await this.#stream(response.body)
      // A paused handler hears of the end only once it resumes, as over a socket, where the
      // parser stops: undici's retry handler pauses on a 503 and decides while paused.
      await this.#unpaused()
      if (this.aborted || this.#settled) return
      // Settled only after the callback: one that throws (undici's retry handler does, to retry
      // an error status) is told through its error callback, as undici does.
      this.rawTrailers = []
      this.#handler.onResponseEnd?.(this, {})
      this.#settled = true
    } catch (error) {
      // A throwing callback ends the request the way a broken socket would.
      if (!this.aborted) this.fail(error instanceof Error ? error : new Error(String(error)))
    } finally {
      this.#endBody?.()
    }
  }

  async #unpaused(): Promise<void> {
    while (this.#paused && !this.aborted) await new Promise<void>((resolve) => (this.#resumed = resolve))
  }

  async #stream(body: ReadableStream<Uint8Array>): Promise<void> {
    this.#reader = body.getReader()
    try {
      for (;;) {
        await this.#unpaused()
        if (this.aborted) return
        const { done, value } = await this.#reader.read()
        if (done || this.aborted) return
        this.#handler.onResponseData?.(this, Buffer.from(value.buffer, value.byteOffset, value.byteLength))
      }
    } catch (error) {
      await this.#reader.cancel(error).catch(() => {})
      throw error
    } finally {
      this.#reader.releaseLock()
    }
  }
}

/** Headers as the controller API passes them: one value per name, `set-cookie` as an array. */
function headersOf(response: Response): Record<string, string | string[]> {
  if (response.headers instanceof LightHeaders) return response.headers.toRecord()
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    // Fetch joins repeated headers with ", ", which would corrupt cookies (their dates have commas).
    if (name !== 'set-cookie') headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies
  return headers
}
