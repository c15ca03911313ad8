import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import { isIP, type AddressInfo, type Socket } from 'node:net'
import { Readable, type Duplex } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import type { FetchHandler } from '../server/handle.js'
import { FakeRegistryError } from '../errors/fake-registry-error.js'
import { OciError, writeOciErrors } from '../errors/oci-error.js'
import { hasBody, requestBody, toRequest } from './http-request.js'

/** Where and how to listen. */
export interface HttpServerOptions {
  host: string
  port: number
  /** Serve https with this certificate and key (PEM). */
  tls?: { cert: string; key: string }
  /** Header names on the wire: as Headers holds them (lower-case), or as Go canonicalises them. */
  headerCase?: 'lower' | 'canonical'
}

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
  // Requests being answered per socket (pipelining allows several): a parse error on such a
  // socket cannot get a clean answer of its own.
  const answering = new WeakMap<Duplex, number>()

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket
    answering.set(socket, (answering.get(socket) ?? 0) + 1)
    res.once('close', () => answering.set(socket, (answering.get(socket) ?? 1) - 1))
    // After close() has begun, answers end their connection so close() need not wait for them.
    if (closing) res.setHeader('connection', 'close')
    serve(handler, req, res, `${scheme}://${ownHost}`, canonical).catch(() => {
      // Only a client gone mid-answer gets here: nothing is left to tell it.
      res.destroy()
    })
  }
  // Missing Host is answered by us, with the envelope, instead of Node's bodiless 400.
  const server = options.tls
    ? createTlsServer({ requireHostHeader: false, cert: options.tls.cert, key: options.tls.key }, onRequest)
    : createServer({ requireHostHeader: false }, onRequest)
  // An `Expect` other than 100-continue: Node would answer a bare 417 with neither the envelope
  // nor the API version header. RFC 9110 §10.1.1 lets a server ignore an expectation it does
  // not know, so the request is served as if the header were absent.
  server.on('checkExpectation', onRequest)
  // Registry clients reuse connections between a blob upload's requests; keep them longer than
  // Node's 5 s default so a slow test step does not race a closing socket.
  server.keepAliveTimeout = 30_000
  server.on('clientError', (error: NodeJS.ErrnoException & { reason?: string }, socket: Duplex) => {
    const status = clientErrorStatus(error)
    if (status === undefined || !socket.writable || (answering.get(socket) ?? 0) > 0) {
      socket.destroy()
      return
    }
    const reason = `the request is not valid HTTP/1.1 (${error.code}: ${error.reason ?? error.message})`
    void writeRawError(socket, status, reason)
  })
  // A tunnel request (CONNECT) never reaches the request listener; without this, Node drops it.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    void writeRawError(socket, 400, 'CONNECT asks for a proxy tunnel and this registry is not a proxy')
  })

  await new Promise<void>((resolve, reject) => {
    const onListenError = (error: NodeJS.ErrnoException): void =>
      reject(
        new FakeRegistryError(
          'ERR_LISTEN',
          {
            action: 'listen on',
            subject: `${options.host}:${options.port}`,
            reason: error.code === 'EADDRINUSE' ? 'the port is already in use' : error.message,
            fix: 'Pass port: 0 for a free ephemeral port, or stop whatever holds that one',
          },
          { cause: error },
        ),
      )
    server.once('error', onListenError)
    server.listen(options.port, options.host, () => {
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
  return {
    url: `${scheme}://${hostname}:${port}`,
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

async function serve(handler: FetchHandler, req: IncomingMessage, res: ServerResponse, ownOrigin: string, canonical: boolean): Promise<void> {
  const body = hasBody(req) ? requestBody(req) : undefined
  let response: Response
  try {
    const converted = toRequest(req, body?.stream ?? null, ownOrigin)
    response = typeof converted === 'string' ? badRequest(converted) : await handler(converted, { transport: 'http' })
  } finally {
    // A handler that answered without reading the whole body (an error, a cap) leaves the rest
    // in the socket; reading it to the end keeps the connection usable and avoids the reset a
    // close with unread input would send before the client has read the answer.
    body?.discard()
  }
  await writeResponse(res, response, canonical)
}

async function writeResponse(res: ServerResponse, response: Response, canonical = false): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  // Headers holds lower-case names; registries written in Go send them as Go canonicalises them.
  const nameOf = canonical ? canonicalHeaderName : (name: string): string => name
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[nameOf(name)] = value
  })
  const setCookies = response.headers.getSetCookie()
  if (setCookies.length > 0) headers[nameOf('set-cookie')] = setCookies
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
  if (!response.body) {
    res.end()
    return
  }
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), res)
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

// For sockets Node hands over without a ServerResponse: parse errors and CONNECT.
async function writeRawError(socket: Duplex, status: number, reason: string): Promise<void> {
  const response = badRequest(reason)
  const body = Buffer.from(await response.arrayBuffer())
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
