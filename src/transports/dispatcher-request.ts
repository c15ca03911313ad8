import { Buffer } from 'node:buffer'
import { LightHeaders } from '../leaf/light-headers.js'
import { bytesSource, LightRequest } from '../leaf/light-request.js'
import type { DispatchHeaders, DispatchOptions } from './dispatcher-types.js'

/**
 * The Fetch `Request` the registry's core takes, with a streamed body (never buffered here).
 * `onStream` receives the function that ends a streamed body's source, for the caller to call
 * once the answer is complete.
 *
 * @example
 * const request = toRequest({ path: '/v2/', method: 'GET' }, registry.url, () => new AbortController().signal, () => {})
 */
export function toRequest(
  options: DispatchOptions,
  origin: string,
  signal: () => AbortSignal,
  onStream: (end: () => void) => void,
): Request {
  const url = new URL(options.path, origin)
  if (options.query) {
    for (const [name, value] of Object.entries(options.query)) {
      if (value !== undefined) url.searchParams.append(name, String(value))
    }
  }
  const method = String(options.method ?? 'GET').toUpperCase()
  const canHaveBody = method !== 'GET' && method !== 'HEAD'
  const light = lightRequest(url, method, options, canHaveBody)
  if (light) return light
  return new Request(url, {
    method,
    headers: toHeaders(options.headers, new Headers()),
    body: canHaveBody ? toBody(options.body, signal(), onStream) : null,
    signal: signal(),
    // Required by Fetch for a streaming request body.
    duplex: 'half',
  } as RequestInit)
}

// Methods Fetch takes as they are (others go through its checks: TRACE is refused).
const LIGHT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS'])

/**
 * The usual request (a known method, a body in memory or none) as a light one: no Headers,
 * AbortSignal or stream is built unless the registry reads them. Undefined for anything else,
 * or anything Fetch might refuse, so Fetch's Request decides and explains.
 */
function lightRequest(url: URL, method: string, options: DispatchOptions, canHaveBody: boolean): Request | undefined {
  if (!LIGHT_METHODS.has(method)) return undefined
  const body = canHaveBody ? options.body : undefined
  let bytes: Uint8Array | undefined
  if (typeof body === 'string') bytes = Buffer.from(body)
  // A copy, as Fetch's Request takes one: the caller may reuse its buffer.
  else if (body instanceof Uint8Array) bytes = Uint8Array.prototype.slice.call(body)
  else if (body instanceof ArrayBuffer) bytes = new Uint8Array(body.slice(0))
  else if (body !== undefined && body !== null) return undefined
  try {
    const headers = toHeaders(options.headers, LightHeaders.fromRecord({}))
    return new LightRequest(
      method,
      url,
      headers as unknown as LightHeaders,
      bytes ? bytesSource(bytes) : null,
    ) as unknown as Request
  } catch {
    return undefined
  }
}

function toHeaders(source: DispatchHeaders | undefined, headers: Headers): Headers {
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
  } else if (isIterable(source)) {
    for (const [name, value] of source as Iterable<readonly [string, unknown]>) add(name, value)
  } else {
    for (const [name, value] of Object.entries(source)) add(name, value)
  }
  collapseContentLength(headers)
  return headers
}

// Node 20's fetch appends its own Content-Length to one the caller set, so the dispatcher gets
// "17, 17" where undici's socket client would send a single 17. RFC 9110 §8.6 lets a recipient
// read a list of identical values as that value; a list of different ones stays, and the
// registry answers it as the invalid length it is.
function collapseContentLength(headers: Headers): void {
  const value = headers.get('content-length')
  if (value === null || !value.includes(',')) return
  const values = new Set(value.split(',').map((item) => item.trim()))
  if (values.size === 1) headers.set('content-length', [...values][0] as string)
}

function toBody(body: unknown, signal: AbortSignal, onStream: (end: () => void) => void): BodyInit | null {
  if (body === undefined || body === null) return null
  if (typeof body === 'string' || body instanceof Uint8Array || body instanceof Blob || body instanceof FormData)
    return body as BodyInit
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (body instanceof ReadableStream) return body
  if (isAsyncIterable(body) || isIterable(body)) return streamOf(body, signal, onStream)
  throw new TypeError(`unsupported request body: ${Object.prototype.toString.call(body)}`)
}

/**
 * A pull-based web stream over a Readable or an async iterable: a chunk is read from the source
 * only when the registry asks for one, so a large upload never sits in memory here. An abort
 * errors the stream and ends the source.
 */
function streamOf(
  source: AsyncIterable<unknown> | Iterable<unknown>,
  signal: AbortSignal,
  onStream: (end: () => void) => void,
): ReadableStream<Uint8Array> {
  const iterator: AsyncIterator<unknown, unknown> | Iterator<unknown, unknown> = isAsyncIterable(source)
    ? source[Symbol.asyncIterator]()
    : source[Symbol.iterator]()
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

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function'
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function'
}
