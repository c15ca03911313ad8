// The errors a client sees when a fault breaks the connection, shaped like the ones Node and
// undici raise for a real broken socket, so retry logic keyed on their codes (undici's retry
// interceptor retries ECONNRESET and UND_ERR_SOCKET) reacts as it would in production.

/** An error with the `code` Node and undici put on network failures. */
export type NetworkError = Error & { code: string }

/**
 * A connection reset before the answer (a TCP RST), as Node reports it: `read ECONNRESET`.
 *
 * @example
 * connectionReset().code // 'ECONNRESET'
 */
export function connectionReset(): NetworkError {
  return Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' })
}

/**
 * A connection the server closed in the middle of the body, as undici reports it.
 *
 * @example
 * socketClosed().code // 'UND_ERR_SOCKET'
 */
export function socketClosed(): NetworkError {
  const error = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })
  error.name = 'SocketError'
  return error
}

/**
 * What `fetch` rejects with when the connection fails before the answer: `TypeError: fetch
 * failed`, the socket's error as its cause.
 *
 * @example
 * await registry.fetch('/v2/') // rejects with fetchFailed(connectionReset()) under a reset fault
 */
export function fetchFailed(cause: Error): TypeError {
  return new TypeError('fetch failed', { cause })
}

/**
 * What reading a `fetch` body throws when the connection ends early: `TypeError: terminated`,
 * the socket's error as its cause.
 *
 * @example
 * await response.arrayBuffer() // rejects with bodyTerminated() under a truncating fault
 */
export function bodyTerminated(): TypeError {
  return new TypeError('terminated', { cause: socketClosed() })
}
