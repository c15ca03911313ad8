import { writeOciErrors } from '../errors/oci-error.js'
import { corruptBody, throttleBody, truncateBody } from './body-transforms.js'
import type { CheckedRule, Replacement } from './check-rule.js'
import { bodyTerminated, socketClosed } from './network-errors.js'

/**
 * Answers a request a rule faulted, in this order: wait `delayMs`; let the registry answer when
 * the rule passes the request through; reset (`Response.error()`, the Fetch network error every
 * transport turns into its own broken connection) or replace the answer; then set headers and
 * corrupt, truncate and throttle the body. `registry` is the registry's own handling.
 *
 * How a truncated body ends depends on `transport`: over a socket (`http`) it ends cleanly and
 * the transport breaks the connection; in process it errors as a body read from a broken
 * connection does, with undici's socket error for the dispatcher and fetch's `TypeError:
 * terminated` for `registry.fetch` and MSW.
 *
 * `stop` ends a delay early: the client gave up, or the registry is closing.
 *
 * @example
 * const response = await answerFaulted(rule, { transport: 'fetch', stop: request.signal }, () => answer(request))
 */
export async function answerFaulted(
  rule: CheckedRule,
  { transport, stop }: { transport: string; stop: AbortSignal },
  registry: () => Promise<Response>,
): Promise<Response> {
  if (rule.delayMs > 0) await pause(rule.delayMs, stop)
  let response = rule.passThrough ? await registry() : undefined
  if (rule.reset || rule.replacement) {
    // The registry's answer was wanted for its effects only.
    await response?.body?.cancel().catch(() => {})
    if (rule.reset) return Response.error()
    response = replaced(rule.replacement as Replacement)
  }
  if (!response) throw new TypeError('a fault rule that neither replaces nor resets must pass the request through')
  return alter(response, rule, transport)
}

function replaced({ status, error, body, contentType }: Replacement): Response {
  if (error) return writeOciErrors(error)
  const headers: Record<string, string> = {}
  if (contentType !== undefined) headers['content-type'] = contentType
  // 204 and 304 carry no Content-Length; every other answer says how long its body is.
  if (status !== 204 && status !== 304) headers['content-length'] = String(body.byteLength)
  return new Response(body.byteLength > 0 ? body : null, { status, headers })
}

function alter(response: Response, rule: CheckedRule, transport: string): Response {
  const changesBody = rule.corrupt || rule.truncateAfterBytes !== undefined || rule.bytesPerSecond !== undefined
  if (Object.keys(rule.headers).length === 0 && !(changesBody && response.body)) return response
  const headers = new Headers(response.headers)
  for (const [name, value] of Object.entries(rule.headers)) headers.set(name, value)
  let body: ReadableStream<Uint8Array> | null = response.body
  if (body) {
    if (rule.corrupt) body = corruptBody(body)
    if (rule.truncateAfterBytes !== undefined)
      body = truncateBody(body, rule.truncateAfterBytes, brokenBodyError(transport))
    if (rule.bytesPerSecond !== undefined) body = throttleBody(body, rule.bytesPerSecond)
  }
  return new Response(body, { status: response.status, statusText: response.statusText, headers })
}

function brokenBodyError(transport: string): Error | undefined {
  if (transport === 'http') return undefined
  return transport === 'dispatcher' ? socketClosed() : bodyTerminated()
}

// Ends early when stopped, so a closed registry or a client that gave up leaves no timer behind.
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
