import { EventEmitter } from 'node:events'
import { FakeRegistryError } from '../errors/fake-registry-error.js'
import { Exchange } from './dispatcher-exchange.js'
import { toControllerHandler } from './dispatcher-handlers.js'
import type {
  DispatcherLike,
  DispatchHandler,
  DispatchInterceptor,
  DispatchOptions,
  DispatchTarget,
} from './dispatcher-types.js'

export type {
  DispatchController,
  DispatcherLike,
  DispatchHandler,
  DispatchHeaders,
  DispatchInterceptor,
  DispatchOptions,
  DispatchTarget,
} from './dispatcher-types.js'

type Dispatch = (options: DispatchOptions, handler: DispatchHandler) => boolean

/**
 * Options of `registry.createDispatcher()`.
 *
 * @example
 * import { getGlobalDispatcher, setGlobalDispatcher } from 'undici'
 * setGlobalDispatcher(registry.createDispatcher({ passthrough: getGlobalDispatcher() }))
 */
export interface RegistryDispatcherOptions {
  /**
   * Where requests for any origin other than `registry.url` go, for instance the previous global
   * dispatcher. Without it they fail with a `FakeRegistryError` (`ERR_UNHANDLED_REQUEST`).
   * Closing the registry's dispatcher never closes this one: it belongs to the caller.
   */
  passthrough?: DispatcherLike
}

/**
 * An undici Dispatcher that answers requests for the registry's origin in-process, with no
 * socket. Pass it as `dispatcher` to `undici.request`, undici's `fetch` or Node's global `fetch`,
 * or install it with `setGlobalDispatcher`. Its type is declared here so the main entry needs no
 * undici; with undici's types, write `registry.dispatcher as Dispatcher`.
 *
 * @example
 * import { request, type Dispatcher } from 'undici'
 * const { statusCode } = await request(`${registry.url}/v2/`, { dispatcher: registry.dispatcher as Dispatcher })
 */
export interface RegistryDispatcher extends EventEmitter {
  /** Serves one request; always returns true (it is never busy). */
  dispatch(options: DispatchOptions, handler: DispatchHandler): boolean
  /** Stops taking requests and resolves once the ones in flight have answered. */
  close(): Promise<void>
  close(callback: () => void): void
  /** Aborts the requests in flight with `error` and stops taking new ones. */
  destroy(error?: Error | null): Promise<void>
  destroy(callback: () => void): void
  destroy(error: Error | null, callback: () => void): void
  /** A dispatcher whose requests first run through undici interceptors, as undici's `compose`. */
  compose(
    ...interceptors: Array<DispatchInterceptor | null | undefined> | [Array<DispatchInterceptor | null | undefined>]
  ): RegistryDispatcher
}

/**
 * Builds a dispatcher serving `origin` through `target`. Used by `registry.dispatcher` and
 * `registry.createDispatcher()`.
 *
 * @example
 * const dispatcher = createRegistryDispatcher((request) => registry.fetch(request), registry.url)
 */
export function createRegistryDispatcher(
  target: DispatchTarget,
  origin: string | readonly string[],
  options: RegistryDispatcherOptions = {},
): RegistryDispatcher {
  const passthrough = options.passthrough
  if (
    passthrough !== undefined &&
    (typeof passthrough !== 'object' || passthrough === null || typeof passthrough.dispatch !== 'function')
  ) {
    throw new FakeRegistryError('ERR_INVALID_OPTION', {
      action: 'use option passthrough',
      subject: String(passthrough),
      reason: 'it is not a dispatcher (an object with a dispatch method)',
      fix: "Pass undici's getGlobalDispatcher() or an Agent, or leave passthrough out",
    })
  }
  const origins = (typeof origin === 'string' ? [origin] : origin).map((value) => new URL(value).origin)
  return new InProcessDispatcher(target, origins, passthrough)
}

class InProcessDispatcher extends EventEmitter implements RegistryDispatcher {
  #target: DispatchTarget
  #origin: string
  // The registry's origin first, then the storage origin of blob redirects when there is one.
  #origins: readonly string[]
  #passthrough: DispatcherLike | undefined
  #inFlight = new Set<Exchange>()
  #closed = false
  #drained: Array<() => void> = []

  constructor(target: DispatchTarget, origins: readonly string[], passthrough: DispatcherLike | undefined) {
    super()
    this.#target = target
    this.#origin = origins[0]!
    this.#origins = origins
    this.#passthrough = passthrough
  }

  dispatch(options: DispatchOptions, handler: DispatchHandler): boolean {
    if (typeof handler !== 'object' || handler === null) throw new TypeError('handler must be an object')
    const origin = originOf(options?.origin)
    const served = origin !== undefined && this.#origins.includes(origin)
    if (!served && this.#passthrough && !this.#closed)
      return this.#passthrough.dispatch(options as never, handler as never) as boolean
    const exchange = new Exchange(handler)
    const refusal = this.#refusal(options, origin)
    if (refusal) {
      // undici reports a refused dispatch through the handler, never by throwing.
      queueMicrotask(() => exchange.fail(refusal))
      return true
    }
    this.#inFlight.add(exchange)
    queueMicrotask(() => {
      void exchange.run(this.#target, options, served ? origin : this.#origin).finally(() => {
        this.#inFlight.delete(exchange)
        if (this.#inFlight.size === 0) for (const resolve of this.#drained.splice(0)) resolve()
      })
    })
    return true
  }

  close(): Promise<void>
  close(callback: () => void): void
  close(callback?: () => void): Promise<void> | void {
    this.#closed = true
    const drained =
      this.#inFlight.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.#drained.push(resolve))
    return promiseOrCallback(drained, callback)
  }

  destroy(error?: Error | null): Promise<void>
  destroy(callback: () => void): void
  destroy(error: Error | null, callback: () => void): void
  destroy(errorOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const error = typeof errorOrCallback === 'function' ? null : errorOrCallback
    const done = typeof errorOrCallback === 'function' ? errorOrCallback : callback
    this.#closed = true
    const reason =
      error ??
      new FakeRegistryError('ERR_DISPATCHER_CLOSED', {
        action: 'finish a request on',
        subject: this.#origin,
        reason: 'the dispatcher was destroyed',
        fix: 'Destroy the dispatcher only after its requests have answered, or use close() to let them finish',
      })
    for (const exchange of this.#inFlight) exchange.abort(reason)
    return promiseOrCallback(this.close(), done)
  }

  compose(
    ...args: Array<DispatchInterceptor | null | undefined> | [Array<DispatchInterceptor | null | undefined>]
  ): RegistryDispatcher {
    const interceptors = (Array.isArray(args[0]) ? args[0] : args) as Array<DispatchInterceptor | null | undefined>
    let dispatch: Dispatch = (options, handler) => this.dispatch(options, handler)
    for (const interceptor of interceptors) {
      if (interceptor == null) continue
      if (typeof interceptor !== 'function')
        throw new TypeError(`invalid interceptor, expected function received ${typeof interceptor}`)
      const next = (interceptor as (dispatch: Dispatch) => Dispatch)(dispatch)
      // undici's interceptors speak only the controller API, so an older-style handler is adapted first.
      dispatch = (options, handler) => next(options, toControllerHandler(handler))
    }
    const composed = dispatch
    return new Proxy(this, {
      get: (target, key) => {
        if (key === 'dispatch') return composed
        const value: unknown = Reflect.get(target, key, target)
        // Methods run on the real dispatcher: its #fields are not reachable through the proxy.
        return typeof value === 'function'
          ? (value as (this: unknown, ...args: unknown[]) => unknown).bind(target)
          : value
      },
    })
  }

  #refusal(options: DispatchOptions, origin: string | undefined): FakeRegistryError | undefined {
    const subject = `${String(options?.method ?? 'GET')} ${origin ?? String(options?.origin)}${String(options?.path ?? '')}`
    if (this.#closed) {
      return new FakeRegistryError('ERR_DISPATCHER_CLOSED', {
        action: 'dispatch',
        subject,
        reason: 'the dispatcher is closed',
        fix: 'Create a new one with registry.createDispatcher(), or close it only after the test is done',
      })
    }
    if (origin === undefined || !this.#origins.includes(origin)) {
      return new FakeRegistryError('ERR_UNHANDLED_REQUEST', {
        action: 'dispatch',
        subject,
        reason: `the registry's dispatcher serves only ${this.#origin} and has no passthrough for other origins`,
        fix: 'Send that request through another dispatcher, or create one with registry.createDispatcher({ passthrough: getGlobalDispatcher() })',
      })
    }
    return undefined
  }
}

// undici's close() and destroy() answer with a promise, or call the callback given instead.
function promiseOrCallback(done: Promise<void>, callback: (() => void) | undefined): Promise<void> | void {
  if (!callback) return done
  void done.then(callback)
}

function originOf(value: unknown): string | undefined {
  try {
    return new URL(String(value)).origin
  } catch {
    return undefined
  }
}
