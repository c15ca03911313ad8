import { Buffer } from 'node:buffer'
import { STATUS_CODES } from 'node:http'
import { abortError, toControllerHandler } from './dispatcher-handlers.js'
import { toRequest } from './dispatcher-request.js'
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
    this.#handler = toControllerHandler(handler)
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
    const error = reason instanceof Error ? reason : abortError()
    this.#reason = error
    // Errors the request body the registry is reading, so an aborted upload stores nothing.
    this.#aborter.abort(error)
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
      const response = await target(toRequest(options, origin, this.#aborter.signal, (end) => (this.#endBody = end)))
      if (this.aborted) {
        await response.body?.cancel(this.#reason).catch(() => {})
        return
      }
      this.#handler.onResponseStart?.(this, response.status, headersOf(response), response.statusText || STATUS_CODES[response.status] || '')
      if (response.body) await this.#stream(response.body)
      if (this.aborted || this.#settled) return
      // A handler may throw from onResponseEnd to turn the answer into an error (undici's retry
      // handler does, for a status it retries): undici then calls onResponseError, and so does this.
      this.#handler.onResponseEnd?.(this, {})
      this.#settled = true
    } catch (error) {
      // A throwing callback ends the request the way a broken socket would.
      if (!this.aborted) this.fail(error instanceof Error ? error : new Error(String(error)))
    } finally {
      this.#endBody?.()
    }
  }

  async #stream(body: ReadableStream<Uint8Array>): Promise<void> {
    this.#reader = body.getReader()
    try {
      for (;;) {
        while (this.#paused && !this.aborted) await new Promise<void>((resolve) => (this.#resumed = resolve))
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
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    // Fetch joins repeated headers with ", ", which would corrupt cookies (their dates have commas).
    if (name !== 'set-cookie') headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies
  return headers
}
