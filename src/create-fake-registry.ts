import type { RegistryContext } from './core/context.js'
import { createHandler, type FetchHandler } from './core/handle.js'
import { FakeRegistryError } from './errors/fake-registry-error.js'
import { resolveOptions, type FakeRegistryOptions, type ResolvedOptions } from './options.js'
import { startHttpServer, type HttpServerHandle } from './transports/http.js'

/**
 * A started registry. Close it with `await registry.close()`, or let `await using` do it.
 *
 * @example
 * await using registry = await createFakeRegistry()
 * const response = await fetch(`${registry.url}/v2/`)
 */
export interface FakeRegistry extends AsyncDisposable {
  /** Where clients reach it: `http://127.0.0.1:43127`, or the `origin` option with no socket. */
  readonly url: string
  /** `127.0.0.1:43127`: the registry part of an image reference. */
  readonly host: string
  /** The options in force, defaults applied. */
  readonly options: Readonly<ResolvedOptions>
  /** True once `close()` has been called. */
  readonly closed: boolean
  /**
   * An image reference on this registry.
   * @example registry.ref('team/app:1') // '127.0.0.1:43127/team/app:1'
   */
  ref(reference: string): string
  /**
   * Calls the registry in-process, with no socket. A relative URL is resolved against `url`.
   * @example await registry.fetch('/v2/team/app/tags/list')
   */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>
  /** Empties storage and forgets open uploads; the port stays the same. */
  reset(): Promise<void>
  /** Stops serving. Idempotent: a second call resolves at once. */
  close(): Promise<void>
}

/**
 * Creates and starts a registry: options → storage → core → transport.
 *
 * @example
 * await using registry = await createFakeRegistry({ mode: 'strict' })
 * console.log(registry.ref('team/app:1'))
 */
export async function createFakeRegistry(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const resolved = resolveOptions(options)
  const context: RegistryContext = { options: resolved, storage: resolved.storage, uploadDigesters: new Map() }
  const handler = createHandler(context)
  const server = resolved.transport === 'http' ? await startHttpServer(handler, resolved) : undefined
  return new StartedRegistry(resolved, context, handler, server)
}

class StartedRegistry implements FakeRegistry {
  readonly url: string
  readonly host: string
  readonly options: Readonly<ResolvedOptions>
  #context: RegistryContext
  #handler: FetchHandler
  #server: HttpServerHandle | undefined
  #closing: Promise<void> | undefined

  constructor(options: ResolvedOptions, context: RegistryContext, handler: FetchHandler, server: HttpServerHandle | undefined) {
    this.options = options
    this.#context = context
    this.#handler = handler
    this.#server = server
    this.url = server?.url ?? options.origin
    this.host = server?.host ?? new URL(options.origin).host
  }

  get closed(): boolean {
    return this.#closing !== undefined
  }

  ref(reference: string): string {
    if (typeof reference !== 'string' || reference.length === 0 || reference.startsWith('/')) {
      throw new FakeRegistryError('ERR_INVALID_REFERENCE', {
        action: 'build a reference from',
        subject: String(reference),
        reason: 'a reference is a repository name with an optional :tag or @digest',
        fix: "Pass one such as 'team/app:1' or 'team/app@sha256:…'",
      })
    }
    return `${this.host}/${reference}`
  }

  async fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    this.#assertOpen('send a request to')
    const request = input instanceof Request ? (init ? new Request(input, init) : input) : new Request(new URL(input, this.url), init)
    return this.#handler(request)
  }

  async reset(): Promise<void> {
    this.#assertOpen('reset')
    this.#context.uploadDigesters.clear()
    await this.#context.storage.clear()
  }

  close(): Promise<void> {
    this.#closing ??= this.#server?.close() ?? Promise.resolve()
    return this.#closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  #assertOpen(action: string): void {
    if (this.#closing) {
      throw new FakeRegistryError('ERR_REGISTRY_CLOSED', {
        action,
        subject: this.url,
        reason: 'the registry is closed',
        fix: 'Create a new registry with createFakeRegistry(), or close it only after the test is done',
      })
    }
  }
}
