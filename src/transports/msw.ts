import { http, type HttpHandler } from 'msw'
import { setupServer } from 'msw/node'
import { SERVE_WITH_META, type FetchHandler, type HandlerMeta } from '../server/handle.js'
import { FakeRegistryError } from '../errors/fake-registry-error.js'
import { parseOrigin } from '../options.js'
import { toFetchResponse } from '../leaf/light-response.js'

/**
 * Options of `registryHandlers`.
 *
 * @example
 * setupServer(...registryHandlers(registry, { origin: 'https://registry.example.test' }))
 */
export interface RegistryHandlersOptions {
  /**
   * The origin the code under test believes the registry lives at, such as
   * 'https://registry.example.test'. Default: `registry.url`.
   */
  origin?: string
}

/**
 * What the handlers need of a registry: its in-process `fetch` and its `url`.
 *
 * @example
 * const registry: HandledRegistry = await createFakeRegistry({ transport: 'none' })
 */
export interface HandledRegistry {
  readonly url: string
  fetch(request: Request): Promise<Response>
}

/**
 * MSW request handlers that answer the Distribution API (`<origin>/v2` and everything below it,
 * and `<origin>/token` when the registry issues bearer tokens) from `registry`, for an MSW server
 * the test suite already has. Any other request is left to that server's `onUnhandledRequest`
 * strategy (`onUnhandledFrame` in msw 3), so a wrong origin or a path outside `/v2` warns,
 * errors or passes through exactly as the suite chose.
 *
 * @example
 * import { setupServer } from 'msw/node'
 * import { createFakeRegistry } from 'fake-oci-registry'
 * import { registryHandlers } from 'fake-oci-registry/msw'
 *
 * const registry = await createFakeRegistry({ transport: 'none' })
 * const server = setupServer(...registryHandlers(registry, { origin: 'https://registry.example.test' }))
 * server.listen({ onUnhandledRequest: 'error' })
 */
export function registryHandlers(registry: HandledRegistry, options: RegistryHandlersOptions = {}): HttpHandler[] {
  if (typeof registry !== 'object' || registry === null || typeof registry.fetch !== 'function') {
    throw new FakeRegistryError('ERR_INVALID_OPTION', {
      action: 'build MSW handlers for',
      subject: String(registry),
      reason: 'it is not a registry',
      fix: 'Pass the value createFakeRegistry() resolved to',
    })
  }
  const origin = validOrigin(options.origin ?? registry.url)
  // A registry from createFakeRegistry records these requests as arriving through MSW; any other
  // object with a `fetch` is served through that.
  const serve = (registry as { [SERVE_WITH_META]?: (request: Request, meta: HandlerMeta) => Promise<Response> })[
    SERVE_WITH_META
  ]
  const answer = serve
    ? (request: Request) => serve.call(registry, request, { transport: 'msw' })
    : (request: Request) => registry.fetch(request)
  // A registry that issues tokens serves its token endpoint on the same origin (`<origin>/token`).
  const settings = (
    registry as { options?: { transport?: string; auth?: { scheme?: string }; blobRedirect?: { origin: string } } }
  ).options
  const tokens = settings?.auth?.scheme === 'bearer'
  // MSW gets Fetch's own Response: it may reach into Fetch's internals.
  const respond = async ({ request }: { request: Request }): Promise<Response> => toFetchResponse(await answer(request))
  const handlers = [http.all(apiPattern(origin, tokens), respond)]
  // With blob redirects and no socket, the 307s point to a storage origin the registry serves too.
  const storage = settings?.transport === 'http' ? undefined : settings?.blobRedirect?.origin
  if (storage) handlers.push(http.all(new RegExp(`^${storage.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/.*$`), respond))
  return handlers
}

/** A running MSW transport: its origin is served until `close()`. */
interface MswTransportHandle {
  close(): Promise<void>
}

// MSW patches process-wide globals, and a second `setupServer` in the same process takes over
// the first one's interception. So every registry with transport 'msw' shares one server,
// which routes by origin and lives while at least one of them is open.
const served = new Map<string, FetchHandler>()
let server: ReturnType<typeof setupServer> | undefined

/**
 * Serves `origin` through the process's shared MSW server, starting it when this is the first
 * registry. Requests to other origins pass through to the network untouched; every request to
 * `origin` is answered by the registry, so a path outside `/v2` gets the spec's 404 envelope.
 */
export function startMswTransport(handler: FetchHandler, origin: string): MswTransportHandle {
  if (served.has(origin)) {
    throw new FakeRegistryError('ERR_INVALID_OPTION', {
      action: 'serve',
      subject: origin,
      reason: "another open registry with transport 'msw' already serves this origin",
      fix: 'Pass a different origin, or close the other registry first',
    })
  }
  served.set(origin, handler)
  if (!server) {
    const shared = setupServer(
      // A RegExp without groups, not '*': MSW decodes a path pattern's matches and would throw
      // (a 500) on a malformed escape such as `%zz`, which the registry answers as NAME_INVALID.
      http.all(/^https?:\/\//, ({ request }) => {
        const serve = served.get(canonicalOrigin(new URL(request.url)))
        // No answer lets MSW go on to the network ('bypass'): the origin is not a registry's.
        return serve ? serve(request).then(toFetchResponse) : undefined
      }),
    )
    // Both names of the option: msw 3 calls it onUnhandledFrame, ignores the old name, and would
    // warn about every request for another origin.
    shared.listen({ onUnhandledRequest: 'bypass', onUnhandledFrame: 'bypass' } as Parameters<typeof shared.listen>[0])
    server = shared
  }
  let closing: Promise<void> | undefined
  return {
    close() {
      closing ??= Promise.resolve().then(() => {
        served.delete(origin)
        if (served.size === 0 && server) {
          server.close()
          server = undefined
        }
      })
      return closing
    },
  }
}

function apiPattern(origin: string, tokens: boolean): RegExp {
  // A RegExp rather than an MSW path string: origins such as http://[::1]:5000 hold characters
  // that MSW's path syntax would read as parameters. An origin on its scheme's default port
  // also matches the misreported port canonicalOrigin() explains.
  const misreported = new URL(origin).port === '' ? (origin.startsWith('https:') ? '(?::80)?' : '(?::443)?') : ''
  return new RegExp(`^${escapeRegExp(origin)}${misreported}(?:/v2(?:/.*)?${tokens ? '|/token(?:\\?.*)?' : ''})$`)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/**
 * The origin a request is meant for. MSW reports a request made through an agent-base agent
 * (make-fetch-happen, npm's own stack, `@sigstore/oci`) as `https://host:80/…`: it takes the
 * port from the agent's `defaultPort`, which such agents leave at 80. So `:80` on https, and
 * `:443` on http, are read as the scheme's default port; a test registry never serves https
 * on port 80.
 *
 * @example
 * canonicalOrigin(new URL('https://registry.example.test:80/v2/')) // 'https://registry.example.test'
 */
function canonicalOrigin(url: URL): string {
  const swapped = (url.protocol === 'https:' && url.port === '80') || (url.protocol === 'http:' && url.port === '443')
  return swapped ? `${url.protocol}//${url.hostname}` : url.origin
}

function validOrigin(value: unknown): string {
  const origin = parseOrigin(value)
  if (origin) return origin
  throw new FakeRegistryError('ERR_INVALID_OPTION', {
    action: 'use option origin',
    subject: String(value),
    reason: 'an origin is an http or https URL with no path',
    fix: "Pass one such as 'https://registry.example.test'",
  })
}
