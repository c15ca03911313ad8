import type { Buffer } from 'node:buffer'

// The shapes below mirror undici's `Dispatcher.dispatch` contract (undici 6, bundled by Node 20
// for the global fetch, and undici 7/8) so the main entry never imports undici: undici accepts
// any object with `dispatch(options, handler)`, `close()` and `destroy()`.

/**
 * Headers as undici passes them: an object, a flat `[name, value, …]` array or `[name, value]` pairs.
 *
 * @example
 * const headers: DispatchHeaders = ['accept', 'application/vnd.oci.image.manifest.v1+json']
 */
export type DispatchHeaders =
  | Record<string, string | string[] | undefined>
  | readonly string[]
  | Iterable<readonly [string, string | string[] | undefined]>
  | null

/**
 * What `dispatch()` receives: `undici.request`, undici's fetch and Node's global fetch all send this.
 *
 * @example
 * const options: DispatchOptions = { origin: registry.url, path: '/v2/', method: 'GET' }
 */
export interface DispatchOptions {
  origin?: string | URL
  path: string
  method: string
  /** string, Buffer, Uint8Array, a Readable, any async iterable of chunks, a Blob, or null. */
  body?: unknown
  headers?: DispatchHeaders
  /** Query parameters appended to `path`, as `undici.request(url, { query })` sends them. */
  query?: Record<string, unknown>
  [option: string]: unknown
}

/**
 * The controller a handler of undici 7's API receives: abort, and pause/resume for backpressure.
 *
 * @example
 * const handler: DispatchHandler = {
 *   onRequestStart() {},
 *   onResponseData(controller, chunk) {
 *     if (queue.push(chunk) > 16) controller.pause() // controller.resume() once drained
 *   },
 * }
 */
export interface DispatchController {
  readonly aborted: boolean
  readonly paused: boolean
  readonly reason: Error | null
  /**
   * The answer's headers as a flat `[name, value, …]` list, set before `onResponseStart`:
   * undici 8's fetch reads the headers from here.
   */
  readonly rawHeaders?: Buffer[] | null
  /** The answer's trailers likewise, set before `onResponseEnd`. */
  readonly rawTrailers?: Buffer[] | null
  abort(reason: Error): void
  pause(): void
  resume(): void
}

/**
 * A response handler in either of undici's two styles: the callbacks Node 20's global fetch and
 * `undici.request` drive (`onConnect`/`onHeaders`/`onData`/`onComplete`/`onError`), or undici 7's
 * controller-based ones (`onRequestStart`/`onResponseStart`/`onResponseData`/`onResponseEnd`/
 * `onResponseError`) that interceptors use. A handler with `onRequestStart` is taken as the latter.
 *
 * @example
 * registry.dispatcher.dispatch({ origin: registry.url, path: '/v2/', method: 'GET' }, {
 *   onRequestStart() {},
 *   onResponseStart(_controller, statusCode) { console.log(statusCode) }, // 200
 *   onResponseError(_controller, error) { console.error(error) },
 * })
 */
export interface DispatchHandler {
  onConnect?(abort: (reason?: Error) => void, context?: object): void
  onResponseStarted?(): void
  onHeaders?(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean | void
  onData?(chunk: Buffer): boolean | void
  onComplete?(rawTrailers: Buffer[] | null): void
  onError?(error: Error): void
  onRequestStart?(controller: DispatchController, context: object): void
  onResponseStart?(
    controller: DispatchController,
    statusCode: number,
    headers: Record<string, string | string[]>,
    statusMessage?: string,
  ): void
  onResponseData?(controller: DispatchController, chunk: Buffer): void
  onResponseEnd?(controller: DispatchController, trailers: Record<string, string | string[]>): void
  onResponseError?(controller: DispatchController, error: Error): void
}

// The two types below take any undici major's dispatcher and interceptors: their option and
// handler types differ from version to version, and only the shape matters at run time.

/**
 * Anything with undici's `dispatch` method: an `Agent`, `getGlobalDispatcher()`, another fake.
 *
 * @example
 * import { Agent } from 'undici'
 * const dispatcher = registry.createDispatcher({ passthrough: new Agent() })
 */
export interface DispatcherLike {
  dispatch(options: never, handler: never): unknown
}

/**
 * An undici interceptor, as `Dispatcher.compose` takes it (`interceptors.retry()`…).
 *
 * @example
 * import { interceptors } from 'undici'
 * const retrying = registry.dispatcher.compose(interceptors.retry({ maxRetries: 2 }))
 */
export type DispatchInterceptor = (dispatch: never) => unknown

/**
 * The in-process call a dispatcher ends in: the registry's `fetch`, given the request and its
 * path exactly as the client passed it (`options.path`, not normalized by a URL parser).
 */
export type DispatchTarget = (request: Request, target?: string) => Promise<Response>
