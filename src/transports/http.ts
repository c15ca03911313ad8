import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import { isIP, type AddressInfo, type Socket } from 'node:net'
import { Readable, type Duplex } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import type { FetchHandler } from '../server/handle.js'
import { FakeRegistryError } from '../errors/fake-registry-error.js'
import { OciError, writeOciErrors } from '../errors/oci-error.js'
import { closesAfterBody } from '../faults/connection-directive.js'
import { hasBody, requestBody, toRequest, type RequestBody } from './http-request.js'

import { LightHeaders } from '../leaf/light-headers.js'
import { isLightResponse } from '../leaf/light-response.js'

/** A running loopback server. */
interface HttpServerHandle {
  /** `http://127.0.0.1:43127`, `http://[::1]:43127`, `https://localhost:43127`. */
  url: string
  /** `127.0.0.1:43127`: what image references use. */
  host: string
  port: number
  /** Stops accepting, ends idle keep-alive sockets, lets in-flight answers finish. Idempotent. */
  close(): Promise<void>
}

// Why a listen failed and what to pass instead, by the error's code: the fix for a port in use
// (another port) does not help an address this machine does not have.
const LISTEN_FAILURES: Partial<Record<string, [reason: string, fix: string]>> = {
  EADDRINUSE: ['the port is already in use', 'Pass port: 0 for a free ephemeral port, or stop whatever holds that one'],
  EACCES: ['this process may not open that port', 'Pass port: 0 for a free ephemeral port, or a port above 1023'],
  EADDRNOTAVAIL: [
    'no network interface of this machine has that address',
    "Pass host: '127.0.0.1', '::1' or an address of this machine",
  ],
  ENOTFOUND: ['the host name does not resolve', "Pass host: an IP address such as '127.0.0.1'"],
  EAI_AGAIN: ['the host name does not resolve', "Pass host: an IP address such as '127.0.0.1'"],
}

/** Where the server listens, how (http or https), and the limits it puts on connections (see docs/limits.md). */
export interface HttpServerOptions {
  host: string
  port: number
  /** Serve https with this certificate and key (PEM). */
  tls?: { cert: string; key: string }
  headersTimeoutMs: number
  requestTimeoutMs: number
  idleTimeoutMs: number
  maxConnections: number
  listenBacklog: number
  /** Header names on the wire: as Headers holds them (lower-case), or as Go canonicalises them. */
  headerCase?: 'lower' | 'canonical'
}

// In-flight answers get this long to finish after close() before their sockets are cut, so a
// stuck client can never keep a test suite from ending.
const CLOSE_GRACE_MS = 2000

/**
 * Serves a fetch handler with node:http. Bodies stream both ways: a request body reaches the
 * handler as a web stream read on demand, and a response body is piped to the socket with
 * backpressure.
 *
 * A request that cannot become a Fetch `Request`, or is not valid HTTP/1.1, is answered with the
 * spec's envelope and code UNSUPPORTED, status 400 (431 or 408 where Node would send those),
 * never a dropped connection: the spec has no code for a malformed request, and UNSUPPORTED
 * ("the operation is unsupported") is the one the core already uses for a path outside the API,
 * so clients parse it like any other answer.
 */
export async function startHttpServer(handler: FetchHandler, options: HttpServerOptions): Promise<HttpServerHandle> {
  const scheme = options.tls ? 'https' : 'http'
  const canonical = options.headerCase === 'canonical'
  let closing: Promise<void> | undefined
  let ownHost = `${options.host}:${options.port}`
  // Known once listening (the port may be 0 until then); every request's URL starts with it.
  let origin = `${scheme}://${ownHost}`
  // Sockets whose parse error is being answered through their request: the parser keeps
  // reporting the same error as bytes arrive, and only the first report acts.
  const failing = new WeakSet<Duplex>()

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const state = socketState(req.socket)
    state.answering++
    res.on('close', () => state.answering--)
    // After close() has begun, answers end their connection so close() need not wait for them.
    if (closing) res.setHeader('connection', 'close')
    const body = hasBody(req) ? requestBody(req) : undefined
    state.res = res
    state.body = body
    serve(handler, req, res, origin, body, canonical).catch(() => {
      // Only a client gone mid-answer gets here: nothing is left to tell it.
      res.destroy()
    })
  }
  const settings = {
    // Missing Host is answered by us, with the envelope, instead of Node's bodiless 400.
    requireHostHeader: false,
    // A client dripping its headers or its body is answered 408 and cut once these run out.
    headersTimeout: options.headersTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    // Node checks the two timeouts above every 30 s by default: too coarse for short limits.
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(options.headersTimeoutMs / 4))),
  }
  const server = options.tls
    ? createTlsServer({ ...settings, cert: options.tls.cert, key: options.tls.key }, onRequest)
    : createServer(settings, onRequest)
  // Neither timeout covers a connection that sends nothing at all: it is cut when silent this
  // long, as is one that stops reading or writing mid-request.
  server.timeout = options.idleTimeoutMs
  // Beyond this, new connections are closed as they arrive, so idle ones cannot use up the
  // process's file descriptors.
  server.maxConnections = options.maxConnections
  // An `Expect` other than 100-continue: Node would answer a bare 417 with neither the envelope
  // nor the API version header. RFC 9110 §10.1.1 lets a server ignore an expectation it does
  // not know, so the request is served as if the header were absent.
  server.on('checkExpectation', onRequest)
  // Registry clients reuse connections between a blob upload's requests; keep them as long as
  // any silence is allowed (longer than Node's 5 s) so a slow test step does not race a closing socket.
  server.keepAliveTimeout = options.idleTimeoutMs
  server.on('clientError', (error: NodeJS.ErrnoException & { reason?: string; rawPacket?: Buffer }, socket: Duplex) => {
    if (failing.has(socket)) return
    const status = clientErrorStatus(error)
    const reason = `the request is not valid HTTP/1.1 (${error.code}: ${error.reason ?? error.message})`
    const current = (socket as SocketWithState)[SOCKET_STATE]
    const answering = current?.answering ?? 0
    if (status !== undefined && answering > 0 && current?.res && !current.res.headersSent) {
      // The bytes refused belong to the request being answered (a malformed chunk of its body),
      // or follow it: its handler sees its body fail and answers with the spec's envelope, and
      // the connection ends there, since nothing after the error can be parsed.
      failing.add(socket)
      current.res.setHeader('connection', 'close')
      current.body?.fail(new Error(reason))
      return
    }
    if (status === undefined || !socket.writable || answering > 0) {
      socket.destroy()
      return
    }
    // A HEAD is answered without a body, as its client reads none: the bytes after the headers
    // would be read as the start of the next answer.
    const head = error.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD '
    void writeRawError(socket, status, reason, head)
  })
  // A tunnel request (CONNECT) never reaches the request listener; without this, Node drops it.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    void writeRawError(socket, 400, 'CONNECT asks for a proxy tunnel and this registry is not a proxy')
  })

  await new Promise<void>((resolve, reject) => {
    const onListenError = (error: NodeJS.ErrnoException): void => {
      const [reason, fix] = LISTEN_FAILURES[error.code ?? ''] ?? [error.message, 'Check the host and port options']
      const subject = `${options.host}:${options.port}`
      reject(new FakeRegistryError('ERR_LISTEN', { action: 'listen on', subject, reason, fix }, { cause: error }))
    }
    server.once('error', onListenError)
    server.listen({ port: options.port, host: options.host, backlog: options.listenBacklog }, () => {
      server.off('error', onListenError)
      resolve()
    })
  })
  // Once listening, a server error is a failed accept (EMFILE…): Node keeps accepting, and an
  // unheard 'error' event would end the test process instead.
  server.on('error', () => {})

  const { address, port } = server.address() as AddressInfo
  // A name (`localhost`) stays a name: it is what the client asked for, and what a certificate
  // and a test's expectations hold. An address is the one bound, so port 0 and `::` resolve.
  const bound = isIP(options.host) === 0 ? options.host : address
  const hostname = bound.includes(':') ? `[${bound}]` : bound
  ownHost = `${hostname}:${port}`
  origin = `${scheme}://${ownHost}`
  return {
    url: origin,
    host: ownHost,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS)
        cut.unref()
        server.close(() => {
          clearTimeout(cut)
          resolve()
        })
        server.closeIdleConnections()
      })
      return closing
    },
  }
}

// What the server tracks per connection, kept on the socket itself: a lookup in a WeakMap on
// every request costs more than the request's own bookkeeping.
const SOCKET_STATE = Symbol('fake-oci-registry.socket-state')

interface SocketState {
  /** Requests being answered (pipelining allows several): a parse error then cannot get a clean answer of its own. */
  answering: number
  /** The latest request's answer and body, for a parse error in that body. */
  res: ServerResponse | undefined
  body: RequestBody | undefined
}

type SocketWithState = Duplex & { [SOCKET_STATE]?: SocketState }

function socketState(socket: Duplex): SocketState {
  const holder = socket as SocketWithState
  return (holder[SOCKET_STATE] ??= { answering: 0, res: undefined, body: undefined })
}

async function serve(
  handler: FetchHandler,
  req: IncomingMessage,
  res: ServerResponse,
  ownOrigin: string,
  body: RequestBody | undefined,
  canonical: boolean,
): Promise<void> {
  let response: Response
  try {
    const converted = toRequest(req, body?.source ?? null, ownOrigin)
    response =
      typeof converted === 'string'
        ? badRequest(converted)
        : await handler(converted, { transport: 'http', target: req.url })
  } finally {
    // A handler that answered without reading the whole body (an error, a cap) leaves the rest
    // in the socket; reading it to the end keeps the connection usable and avoids the reset a
    // close with unread input would send before the client has read the answer.
    body?.discard()
  }
  await writeResponse(res, response, canonical)
}

async function writeResponse(res: ServerResponse, response: Response, canonical = false): Promise<void> {
  // Fetch's network error, from a fault: the client sees the connection reset, with no answer.
  if (response.type === 'error') {
    res.socket?.resetAndDestroy()
    res.destroy()
    return
  }
  const headers = headersOf(response.headers, canonical)
  try {
    res.writeHead(response.status, headers)
  } catch (error) {
    // A header Node refuses (a character outside Latin-1) is a bug in the fake; say so in the
    // envelope rather than drop the connection.
    await response.body?.cancel()
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    const fallback = envelope(new OciError('UNKNOWN', detail))
    res.writeHead(fallback.status, Object.fromEntries(fallback.headers))
    res.end(Buffer.from(await fallback.arrayBuffer()))
    return
  }
  // A body in memory goes to the socket as it is: no web stream in between.
  const bytes = isLightResponse(response) ? response.takeBytes() : undefined
  if (bytes) {
    res.end(bytes)
    return
  }
  if (!response.body) {
    res.end()
    return
  }
  const breakOff = closesAfterBody(response)
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), res, { end: !breakOff })
  // A fault's truncated body: the connection closes once the bytes are out, with the answer
  // unfinished, which the client reads as a premature close.
  if (breakOff) res.socket?.end()
}

function headersOf(source: Headers, canonical: boolean): Record<string, string | string[]> {
  // Headers hold lower-case names; registries written in Go send them as Go canonicalises them.
  if (source instanceof LightHeaders && !canonical) return source.toRecord()
  const nameOf = canonical ? canonicalHeaderName : (name: string): string => name
  const headers: Record<string, string | string[]> = {}
  source.forEach((value, name) => {
    if (name !== 'set-cookie') headers[nameOf(name)] = value
  })
  const setCookies = source.getSetCookie()
  if (setCookies.length > 0) headers[nameOf('set-cookie')] = setCookies
  return headers
}

/** Go's `CanonicalMIMEHeaderKey`: `docker-content-digest` → `Docker-Content-Digest`. */
function canonicalHeaderName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase())
}

function badRequest(reason: string): Response {
  return envelope(new OciError('UNSUPPORTED', { reason }, { status: 400, message: 'bad request' }))
}

// An answer written here, never by the core: it needs the API version header the core adds to
// all of its own.
function envelope(error: OciError): Response {
  const response = writeOciErrors(error)
  response.headers.set('docker-distribution-api-version', 'registry/2.0')
  return response
}

// The status Node itself would send for a parse error; undefined when no answer can help.
function clientErrorStatus(error: NodeJS.ErrnoException): number | undefined {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 431
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408
  if (error.code?.startsWith('HPE_')) return 400
  return undefined
}

// For sockets Node hands over without a ServerResponse: parse errors and CONNECT. The answer to
// a HEAD keeps its Content-Length and leaves out the body.
async function writeRawError(socket: Duplex, status: number, reason: string, head = false): Promise<void> {
  const response = badRequest(reason)
  const body = head ? Buffer.alloc(0) : Buffer.from(await response.arrayBuffer())
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}`]
  response.headers.forEach((value, name) => lines.push(`${name}: ${value}`))
  lines.push('connection: close', '', '')
  // Node stops listening for socket errors once it hands the socket over; a reset now must not
  // become an unheard 'error' event.
  socket.on('error', () => {})
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]))
  // A client that never closes its side is cut after the same grace close() gives.
  ;(socket as Socket).setTimeout?.(CLOSE_GRACE_MS, () => socket.destroy())
}
