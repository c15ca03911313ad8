import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { FetchHandler } from '../core/handle.js'
import { FakeRegistryError } from '../errors/fake-registry-error.js'

/** A running loopback server. */
export interface HttpServerHandle {
  /** `http://127.0.0.1:43127`, `http://[::1]:43127`. */
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
 * handler as a web stream, and a response body is piped to the socket with backpressure.
 */
export async function startHttpServer(handler: FetchHandler, options: { host: string; port: number }): Promise<HttpServerHandle> {
  const server = createServer((req, res) => {
    serve(handler, req, res).catch((error: unknown) => {
      // The answer could not be written (the client went away mid-body): nothing is left to tell it.
      res.destroy(error instanceof Error ? error : undefined)
    })
  })
  // Registry clients reuse connections between a blob upload's requests; keep them longer than
  // Node's 5 s default so a slow test step does not race a closing socket.
  server.keepAliveTimeout = 30_000

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
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
      ),
    )
    server.listen(options.port, options.host, () => resolve())
  })

  const { address, port } = server.address() as AddressInfo
  const hostname = address.includes(':') ? `[${address}]` : address
  let closing: Promise<void> | undefined
  return {
    url: `http://${hostname}:${port}`,
    host: `${hostname}:${port}`,
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

async function serve(handler: FetchHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const response = await handler(toRequest(req))
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    headers[name] = value
  })
  const setCookies = response.headers.getSetCookie()
  if (setCookies.length > 0) headers['set-cookie'] = setCookies
  res.writeHead(response.status, headers)
  if (!response.body) {
    res.end()
    return
  }
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), res)
}

function toRequest(req: IncomingMessage): Request {
  const headers = new Headers()
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string)
  }
  const host = req.headers.host ?? 'localhost'
  const url = `http://${host}${req.url ?? '/'}`
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  return new Request(url, {
    method: req.method ?? 'GET',
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null,
    // Required by Fetch for a streaming request body.
    duplex: 'half',
  } as RequestInit)
}
