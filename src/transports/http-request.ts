import type { IncomingMessage } from 'node:http'
import { canHoldHeaders, LightHeaders } from '../leaf/light-headers.js'
import { LightRequest, type BodySource } from '../leaf/light-request.js'

// node:http's request as a Fetch `Request`: the target, the Host, the headers and a body that
// streams from the socket on demand.

// RFC 3986 host (IP literal or reg-name) with an optional port. Anything else in Host cannot
// name this server and would make the request URL ambiguous.
const HOST_HEADER = /^(?:\[[0-9a-f:.]+\]|[a-z0-9\-._~!$&'()*+,;=%]+)(?::\d{1,5})?$/i

/**
 * Whether `req` has a body. RFC 9112 §6.3: a request with neither Content-Length nor
 * Transfer-Encoding has none, so the handler sees `request.body === null` as it would for a
 * bodiless fetch.
 */
export function hasBody(req: IncomingMessage): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return false
  return req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined
}

// Methods node:http parses that Fetch also takes as they are; others go through Fetch's own
// checks (it refuses TRACE and TRACK, and normalizes case).
const LIGHT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS'])

/**
 * The Fetch `Request` for `req`, or why there is none. The usual request becomes a light one
 * (no Fetch objects until something reads them); anything unusual goes through Fetch's
 * `Request`, which decides what it can represent. `ownOrigin` (`https://127.0.0.1:5000`) gives the
 * scheme, and the host when the request names none.
 */
export function toRequest(req: IncomingMessage, body: BodySource | null, ownOrigin: string): Request | string {
  const target = req.url ?? ''
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    // Absolute form is what a client sends to a proxy: answering it as if this registry were
    // the named host would hand that client another registry's content.
    return `the request target ${JSON.stringify(target)} is in absolute form and this registry is not a proxy`
  }
  if (!target.startsWith('/') || target.startsWith('//')) {
    // `//x` would read as a scheme-relative URL naming host x wherever it is resolved.
    return `the request target ${JSON.stringify(target)} is not a path starting with a single /`
  }
  // Split by hand, not parsed: this runs on every request and the transport built the origin.
  const schemeEnd = ownOrigin.indexOf('://')
  const protocol = ownOrigin.slice(0, schemeEnd + 1)
  const ownHost = ownOrigin.slice(schemeEnd + 3)
  const host = hostOf(req, ownHost)
  if (!host.ok) return host.reason
  const method = req.method ?? 'GET'
  if (LIGHT_METHODS.has(method) && canHoldHeaders(req.rawHeaders)) {
    try {
      const url = new URL(`${protocol}//${host.value}${target}`)
      return new LightRequest(method, url, LightHeaders.fromRaw(req.rawHeaders), body) as unknown as Request
    } catch {
      // Falls through: Fetch's Request explains what is wrong.
    }
  }
  try {
    const headers = new Headers()
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string)
    }
    return new Request(`${protocol}//${host.value}${target}`, {
      method: req.method ?? 'GET',
      headers,
      body: body && streamOf(body),
      // Required by Fetch for a streaming request body.
      duplex: 'half',
    } as RequestInit)
  } catch (error) {
    // Fetch refuses some things HTTP/1.1 allows (TRACE, a header value Fetch cannot hold).
    return `the request cannot be represented as a Fetch Request (${error instanceof Error ? error.message : String(error)})`
  }
}

// The last Host value that parsed and its normal form: clients send the same one on every request.
let lastHost: { value: string; host: string } | undefined

function hostOf(req: IncomingMessage, ownHost: string): { ok: true; value: string } | { ok: false; reason: string } {
  // From the raw pairs: `headersDistinct` would build a record of every header for this one.
  let value: string | undefined
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length !== 4 || name.toLowerCase() !== 'host') continue
    if (value !== undefined) return { ok: false, reason: 'the request has more than one Host header' }
    value = raw[i + 1]
  }
  if (value === undefined) {
    // RFC 9112 §3.2: HTTP/1.1 requires Host; HTTP/1.0 clients may leave it out.
    if (req.httpVersion === '1.0') return { ok: true, value: ownHost }
    return { ok: false, reason: 'the request has no Host header, which HTTP/1.1 requires' }
  }
  if (value === lastHost?.value) return { ok: true, value: lastHost.host }
  if (HOST_HEADER.test(value)) {
    try {
      lastHost = { value, host: new URL(`http://${value}`).host }
      return { ok: true, value: lastHost.host }
    } catch {
      // Falls through: the shape is right but the URL parser refuses it (a port above 65535…).
    }
  }
  return { ok: false, reason: `the Host header ${JSON.stringify(value)} is not a host with an optional port` }
}

/** A request body being streamed to the handler (see `requestBody`). */
export interface RequestBody {
  source: BodySource
  /** Reads and drops whatever the handler left. */
  discard(): void
  /** Makes the body fail with `error`: the bytes that follow cannot be read (a parse error). */
  fail(error: Error): void
}

/**
 * A request body read from the socket only when the core pulls a chunk, so a slow consumer
 * slows the client instead of filling memory. `discard()` (also what `cancel()` does) reads and
 * drops whatever the core left, keeping the connection alive.
 */
export function requestBody(req: IncomingMessage): RequestBody {
  let failure: Error | undefined
  let discarding = false
  let wake: (() => void) | undefined
  const drop = (): void => {
    while (req.read() !== null) {
      // Dropped: the handler is done with the body.
    }
  }
  req.on('readable', () => (discarding ? drop() : wake?.()))
  req.on('end', () => wake?.())
  // A client that aborts mid-upload errors the stream the handler reads, nothing more; with
  // this listener the error event can never go unheard.
  const fail = (error: Error): void => {
    failure ??= error
    wake?.()
  }
  req.on('error', fail)
  const discard = (): void => {
    if (discarding) return
    discarding = true
    wake = undefined
    if (!req.readableEnded && !req.destroyed) drop()
  }
  const next = (): Promise<Uint8Array | null> =>
    new Promise((resolve, reject) => {
      const attempt = (): void => {
        // Only a read still waiting for data is woken; each attempt re-arms itself if need be.
        wake = undefined
        if (failure) {
          reject(failure)
          return
        }
        const chunk = req.read() as Buffer | null
        if (chunk !== null) resolve(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
        else if (req.readableEnded) resolve(null)
        else wake = attempt
      }
      attempt()
    })
  return { source: { next, cancel: discard }, discard, fail }
}

/** A body source as a web stream, pulled one chunk at a time (no read-ahead). */
export function streamOf(source: BodySource): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = await source.next()
        if (chunk === null) controller.close()
        else controller.enqueue(chunk)
      },
      cancel: (reason) => source.cancel(reason),
    },
    { highWaterMark: 0 },
  )
}
