// Marks the answers whose connection a transport must break after writing the body: a socket
// can only show a client a truncated body by closing mid-answer, and only the transport holds
// the socket. In-process transports need no mark: their truncated body stream errors instead.
const closeAfterBody = new WeakSet<Response>()

/**
 * Marks `response`: the transport writes its body, then closes the connection instead of ending
 * the answer, so the client sees a premature close.
 *
 * @example
 * return markCloseAfterBody(response)
 */
export function markCloseAfterBody(response: Response): Response {
  closeAfterBody.add(response)
  return response
}

/**
 * True when the transport must close the connection after writing the body of `response`.
 *
 * @example
 * if (closesAfterBody(response)) socket.end()
 */
export function closesAfterBody(response: Response): boolean {
  return closeAfterBody.has(response)
}
