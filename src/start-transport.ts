import type { FetchHandler } from './server/handle.js'
import { FakeRegistryError } from './errors/fake-registry-error.js'
import type { ResolvedOptions } from './options.js'
import { startHttpServer, type HttpServerOptions } from './transports/http.js'

/** A started transport: a way to stop serving and, when a socket serves, where it listens. */
export interface TransportHandle {
  /** `http://127.0.0.1:43127`; absent when no socket serves the registry. */
  readonly url?: string
  /** `127.0.0.1:43127`; absent when no socket serves the registry. */
  readonly host?: string
  /** With `tls: true`, the PEM of the CA that signed the server's certificate. */
  readonly ca?: string
  close(): Promise<void>
}

/**
 * Starts the transport the options choose around the core; undefined for `'none'`, where the
 * registry is reached only through `registry.fetch` and `registry.dispatcher`.
 *
 * @example
 * const transport = await startTransport(createHandler(context), resolveOptions({ transport: 'http' }).options)
 * transport?.url // 'http://127.0.0.1:43127'
 */
export async function startTransport(
  handler: FetchHandler,
  options: ResolvedOptions,
): Promise<TransportHandle | undefined> {
  switch (options.transport) {
    case 'http':
      return options.tls ? startTlsServer(handler, options) : startHttpServer(handler, listening(options))
    case 'msw':
      return startMsw((request) => handler(request, { transport: 'msw' }), options.origin)
    case 'none':
      return undefined
  }
}

// Where to listen and the connection limits (docs/limits.md); `tls` is the caller's to add.
/** Where and how the http transport listens: address, connection limits, and header case on the wire. */
export function listening(options: ResolvedOptions): HttpServerOptions {
  const { host, port, headersTimeoutMs, requestTimeoutMs, idleTimeoutMs, maxConnections, listenBacklog } = options
  return {
    host,
    port,
    headersTimeoutMs,
    requestTimeoutMs,
    idleTimeoutMs,
    maxConnections,
    listenBacklog,
    headerCase: options.quirks.headerCase,
  }
}

// The certificate library is loaded only here, so a registry without TLS never loads it.
async function startTlsServer(handler: FetchHandler, options: ResolvedOptions): Promise<TransportHandle> {
  const { createLoopbackCertificates } = await import('./transports/loopback-certificates.js')
  // A wildcard address is no name a client connects to; any other host is one, and is certified.
  const extra = ['0.0.0.0', '::'].includes(options.host) ? [] : [options.host]
  const { ca, cert, key } = await createLoopbackCertificates(extra)
  const server = await startHttpServer(handler, { ...listening(options), tls: { cert, key } })
  return { url: server.url, host: server.host, ca, close: () => server.close() }
}

// msw is an optional peer: it is loaded only when this transport is chosen, so importing the
// main entry never needs it.
async function startMsw(handler: FetchHandler, origin: string): Promise<TransportHandle> {
  let transport: typeof import('./transports/msw.js')
  try {
    transport = await import('./transports/msw.js')
  } catch (error) {
    if (!isMissingMsw(error)) throw error
    throw new FakeRegistryError(
      'ERR_MISSING_PEER',
      {
        action: 'start transport',
        subject: 'msw',
        reason: 'the optional peer dependency "msw" is not installed',
        fix: "Install it with npm install --save-dev msw, or use transport 'none' with registry.fetch or registry.dispatcher",
      },
      { cause: error },
    )
  }
  return transport.startMswTransport(handler, origin)
}

function isMissingMsw(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /['"]msw(?:\/[^'"]*)?['"]/.test(String(message))
  )
}
