// Docker Hub's rate limits on the registry's clock (docs/profiles.md, "rate limits"), and undici's
// retry interceptor reacting to the abuse limit's Retry-After.
import { interceptors, request, type Dispatcher } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from '../../src/index.js'

const SIX_HOURS = 21_600_000

let open: FakeRegistry[] = []
afterEach(async () => {
  await Promise.all(open.map((registry) => registry.close()))
  open = []
})

async function hub(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const registry = await createFakeRegistry({ transport: 'none', profile: 'docker-hub', ...options })
  open.push(registry)
  await registry.seed.image('library/redis:7')
  return registry
}

const ACCEPT = { accept: 'application/vnd.oci.image.manifest.v1+json' }
const pull = (registry: FakeRegistry, method = 'GET'): Promise<Response> =>
  registry.fetch('/v2/library/redis/manifests/7', { method, headers: ACCEPT })

function limitHeaders(response: Response): Array<string | null> {
  return ['ratelimit-limit', 'ratelimit-remaining', 'docker-ratelimit-source'].map((name) => response.headers.get(name))
}

describe('the pull limit', () => {
  it('counts manifest GETs, not HEADs, and sends the counters on both', async () => {
    const registry = await hub({ rateLimit: { limit: 2, windowMs: SIX_HOURS, source: '192.0.2.1' } })
    expect(limitHeaders(await pull(registry, 'HEAD'))).toEqual(['2;w=21600', '2;w=21600', '192.0.2.1'])
    expect(limitHeaders(await pull(registry))).toEqual(['2;w=21600', '1;w=21600', '192.0.2.1'])
    expect(limitHeaders(await pull(registry, 'HEAD'))).toEqual(['2;w=21600', '1;w=21600', '192.0.2.1'])
    expect(limitHeaders(await pull(registry))).toEqual(['2;w=21600', '0;w=21600', '192.0.2.1'])
    // Blobs and tag lists do not count, and carry no counters.
    const tags = await registry.fetch('/v2/library/redis/tags/list')
    expect([tags.status, tags.headers.get('ratelimit-remaining')]).toEqual([200, null])
  })

  it('answers the GET past the limit with 429 TOOMANYREQUESTS in the JSON envelope; a HEAD still answers 200', async () => {
    const registry = await hub({ rateLimit: { limit: 1 } })
    expect((await pull(registry)).status).toBe(200)
    const refused = await pull(registry)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('content-type')).toBe('application/json')
    expect(limitHeaders(refused)).toEqual(['1;w=21600', '0;w=21600', '127.0.0.1'])
    expect(await refused.json()).toEqual({
      errors: [
        {
          code: 'TOOMANYREQUESTS',
          message: 'You have reached your unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit',
        },
      ],
    })
    const head = await pull(registry, 'HEAD')
    expect([head.status, head.headers.get('ratelimit-remaining')]).toEqual([200, '0;w=21600'])
  })

  it('forgets pulls once the window has passed on the registry clock, and on reset()', async () => {
    // A clock that only moves when told, so the window's edge is exact.
    const registry = await hub({ now: () => 0, rateLimit: { limit: 1, windowMs: 60_000 } })
    expect((await pull(registry)).status).toBe(200)
    registry.clock.advance(59_999)
    expect((await pull(registry)).status).toBe(429)
    registry.clock.advance(1)
    expect((await pull(registry)).status).toBe(200)
    await registry.reset()
    await registry.seed.image('library/redis:7')
    expect(limitHeaders(await pull(registry, 'HEAD'))[1]).toBe('1;w=60')
  })

  it('runs on an injected now', async () => {
    let now = Date.UTC(2026, 0, 1)
    const registry = await hub({ now: () => now, rateLimit: { limit: 1 } })
    expect((await pull(registry)).status).toBe(200)
    expect((await pull(registry)).status).toBe(429)
    now += SIX_HOURS
    expect((await pull(registry)).status).toBe(200)
  })

  it('does not count the registry’s own seeding requests', async () => {
    const registry = await hub({ rateLimit: { limit: 1 } })
    await registry.seed.image('library/redis:8')
    expect(limitHeaders(await pull(registry, 'HEAD'))[1]).toBe('1;w=21600')
  })
})

describe('the abuse limit', () => {
  it('answers any request past it with the plain-text HAP429 and Retry-After: 60', async () => {
    const registry = await hub({ rateLimit: { abuseLimit: 2 } })
    expect((await registry.fetch('/v2/')).status).toBe(200)
    expect((await registry.fetch('/v2/library/redis/tags/list')).status).toBe(200)
    const refused = await registry.fetch('/v2/')
    expect(refused.status).toBe(429)
    expect([refused.headers.get('content-type'), refused.headers.get('retry-after')]).toEqual(['text/plain', '60'])
    expect(await refused.text()).toBe('Too Many Requests (HAP429).\n')
    registry.clock.advance(60_000)
    expect((await registry.fetch('/v2/')).status).toBe(200)
  })

  it("undici's retry interceptor waits as Retry-After says and succeeds once the window has passed", async () => {
    const registry = await hub({ rateLimit: { abuseLimit: 1, retryAfterSeconds: 60 } })
    expect((await pull(registry)).status).toBe(200)
    const waited: string[] = []
    // Time passes while the client waits: each 429 moves the registry clock by its Retry-After.
    const elapse: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) =>
      dispatch(options, {
        ...forwardTo(handler),
        onResponseStart(controller, statusCode, headers, statusMessage) {
          const retryAfter = headers['retry-after']
          if (statusCode === 429 && typeof retryAfter === 'string') {
            waited.push(retryAfter)
            registry.clock.advance(Number(retryAfter) * 1000)
          }
          return handler.onResponseStart?.(controller, statusCode, headers, statusMessage)
        },
      })
    // maxTimeout caps undici's real wait; the registry's clock has moved the full minute.
    const retrying = registry.dispatcher.compose(
      elapse,
      interceptors.retry({ maxRetries: 2, minTimeout: 1, maxTimeout: 5, statusCodes: [429] }),
    )
    const response = await request(`${registry.url}/v2/library/redis/manifests/7`, {
      headers: ACCEPT,
      dispatcher: retrying as unknown as Dispatcher,
    })
    expect(response.statusCode).toBe(200)
    await response.body.text()
    expect(waited).toEqual(['60'])
    expect(
      registry.requests.filter({ path: '/v2/library/redis/manifests/7' }).map((entry) => entry.response.status),
    ).toEqual([200, 429, 200])
  })
})

/** A handler that forwards every callback of undici's controller API to `handler`. */
function forwardTo(handler: Dispatcher.DispatchHandler): Dispatcher.DispatchHandler {
  return {
    onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
    onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
    onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
    onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
  }
}
