import type { IncomingMessage } from 'node:http'

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

/**
 * The Fetch `Request` for `req`, or why there is none. `ownOrigin` (`https://127.0.0.1:5000`)
 * gives the scheme, and the host when the request names none.
 */
export function toRequest(req: IncomingMessage, body: ReadableStream<Uint8Array> | null, ownOrigin: string): Request | string {
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
  const { protocol, host: ownHost } = new URL(ownOrigin)
  const host = hostOf(req, ownHost)
  if (!host.ok) return host.reason
  try {
    const headers = new Headers()
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string)
    }
    return new Request(`${protocol}//${host.value}${target}`, {
      method: req.method ?? 'GET',
      headers,
      body,
      // Required by Fetch for a streaming request body.
      duplex: 'half',
    } as RequestInit)
  } catch (error) {
    // Fetch refuses some things HTTP/1.1 allows (TRACE, a header value Fetch cannot hold).
    return `the request cannot be represented as a Fetch Request (${error instanceof Error ? error.message : String(error)})`
  }
}

function hostOf(req: IncomingMessage, ownHost: string): { ok: true; value: string } | { ok: false; reason: string } {
  const values = req.headersDistinct.host ?? []
  if (values.length > 1) return { ok: false, reason: 'the request has more than one Host header' }
  const [value] = values
  if (value === undefined) {
    // RFC 9112 §3.2: HTTP/1.1 requires Host; HTTP/1.0 clients may leave it out.
    if (req.httpVersion === '1.0') return { ok: true, value: ownHost }
    return { ok: false, reason: 'the request has no Host header, which HTTP/1.1 requires' }
  }
  if (HOST_HEADER.test(value)) {
    try {
      return { ok: true, value: new URL(`http://${value}`).host }
    } catch {
      // Falls through: the shape is right but the URL parser refuses it (a port above 65535…).
    }
  }
  return { ok: false, reason: `the Host header ${JSON.stringify(value)} is not a host with an optional port` }
}

/**
 * A request body as a web stream that reads from the socket only when the handler pulls, so a
 * slow consumer slows the client instead of filling memory. `discard()` (also what `cancel()`
 * does) reads and drops whatever the handler left, keeping the connection alive.
 */
export function requestBody(req: IncomingMessage): { stream: ReadableStream<Uint8Array>; discard(): void } {
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
  req.on('error', (error) => {
    failure = error
    wake?.()
  })
  const discard = (): void => {
    if (discarding) return
    discarding = true
    wake = undefined
    if (!req.readableEnded && !req.destroyed) drop()
  }
  const stream = new ReadableStream<Uint8Array>(
    {
      pull: (controller) =>
        new Promise<void>((resolve, reject) => {
          const attempt = (): void => {
            // Only a pull still waiting for data is woken; each attempt re-arms itself if need be.
            wake = undefined
            if (failure) {
              reject(failure)
              return
            }
            const chunk = req.read() as Buffer | null
            if (chunk !== null) {
              controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
              resolve()
            } else if (req.readableEnded) {
              controller.close()
              resolve()
            } else {
              wake = attempt
            }
          }
          attempt()
        }),
      cancel: discard,
    },
    { highWaterMark: 0 },
  )
  return { stream, discard }
}
