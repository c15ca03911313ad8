import { Buffer } from 'node:buffer'
import type { DispatchHandler } from './dispatcher-types.js'

/** What an abort with no reason reports, as undici and Fetch do. */
export function abortError(): DOMException {
  return new DOMException('The operation was aborted.', 'AbortError')
}

/**
 * undici 7's `WrapHandler` in spirit: a controller-style handler over an older-style one, so the
 * dispatcher and undici's interceptors speak only the controller API. A controller-style handler
 * comes back as it is.
 *
 * @example
 * const handler = toControllerHandler({ onHeaders: (status) => console.log(status), onData() {}, onComplete() {} })
 * handler.onRequestStart?.(controller, {})
 */
export function toControllerHandler(handler: DispatchHandler): DispatchHandler {
  if (typeof handler.onRequestStart === 'function') return handler
  return {
    onRequestStart(controller, context) {
      handler.onConnect?.((reason) => controller.abort(reason ?? abortError()), context)
    },
    onResponseStart(controller, statusCode, headers, statusMessage) {
      handler.onResponseStarted?.()
      const raw = controller.rawHeaders ?? toRawHeaders(headers)
      if (handler.onHeaders?.(statusCode, raw, () => controller.resume(), statusMessage ?? '') === false)
        controller.pause()
    },
    onResponseData(controller, chunk) {
      if (handler.onData?.(chunk) === false) controller.pause()
    },
    onResponseEnd(controller, trailers) {
      handler.onComplete?.(controller.rawTrailers ?? toRawHeaders(trailers))
    },
    onResponseError(_controller, error) {
      handler.onError?.(error)
    },
  }
}

/**
 * Headers as the controller API passes them (one `set-cookie` array) to the flat
 * `[name, value, …]` list of latin1 buffers a socket client reads, a repeated header as repeated
 * pairs: what the older API's `onHeaders` takes and undici 8 reads as `controller.rawHeaders`.
 *
 * @example
 * toRawHeaders({ 'content-length': '2' }) // [Buffer('content-length'), Buffer('2')]
 */
export function toRawHeaders(headers: Record<string, string | string[]>): Buffer[] {
  const raw: Buffer[] = []
  for (const [name, value] of Object.entries(headers)) {
    for (const item of Array.isArray(value) ? value : [value])
      raw.push(Buffer.from(name, 'latin1'), Buffer.from(item, 'latin1'))
  }
  return raw
}
