// Auth is the same on every transport: loopback http and https, the MSW transport, MSW handlers
// on a suite's own server under another origin, the undici dispatcher and registry.fetch. A
// client that follows challenges pulls and pushes on each; the realm is always on the origin
// the client used, and the journal names the transport.
import { setupServer } from 'msw/node'
import { Agent, fetch as undiciFetch, request, type Dispatcher } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { registryHandlers } from '../../src/msw.js'
import { createAuthClient, parseChallenge, type FetchLike } from '../support/auth.js'
import { MediaTypes, sha256 } from '../support/push.js'

const AUTH = { users: { alice: 'secret' } } as const

interface Setup {
  registry: FakeRegistry
  /** Where the client sends requests: registry.url, or the origin MSW serves. */
  origin: string
  fetch: FetchLike
  transport: string
  close(): Promise<void>
}

const SETUPS: Record<string, () => Promise<Setup>> = {
  async http() {
    const registry = await createFakeRegistry({ auth: AUTH })
    return {
      registry,
      origin: registry.url,
      fetch: (url, init) => fetch(url, init),
      transport: 'http',
      close: () => registry.close(),
    }
  },
  async https() {
    const registry = await createFakeRegistry({ auth: AUTH, tls: true })
    const agent = new Agent({ connect: { ca: registry.ca } })
    return {
      registry,
      origin: registry.url,
      fetch: (url, init) =>
        undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>,
      transport: 'http',
      close: async () => {
        await agent.close()
        await registry.close()
      },
    }
  },
  async msw() {
    const registry = await createFakeRegistry({ auth: AUTH, transport: 'msw', origin: 'https://registry.auth.test' })
    return {
      registry,
      origin: registry.url,
      fetch: (url, init) => fetch(url, init),
      transport: 'msw',
      close: () => registry.close(),
    }
  },
  async 'msw handlers under another origin'() {
    const registry = await createFakeRegistry({ auth: AUTH, transport: 'none' })
    const server = setupServer(...registryHandlers(registry, { origin: 'https://mirror.auth.test' }))
    server.listen({ onUnhandledRequest: 'error' })
    return {
      registry,
      origin: 'https://mirror.auth.test',
      fetch: (url, init) => fetch(url, init),
      transport: 'msw',
      close: async () => {
        server.close()
        await registry.close()
      },
    }
  },
  async dispatcher() {
    const registry = await createFakeRegistry({ auth: AUTH, transport: 'none', origin: 'https://registry.auth.test' })
    const dispatcher = registry.dispatcher as unknown as Dispatcher
    const viaRequest: FetchLike = async (url, init = {}) => {
      const response = await request(url, {
        method: init.method ?? 'GET',
        headers: Object.fromEntries(new Headers(init.headers)),
        body: init.body as Uint8Array | undefined,
        dispatcher,
      })
      const body = await response.body.arrayBuffer()
      const headers = new Headers()
      for (const [name, value] of Object.entries(response.headers))
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
      return new Response(response.statusCode === 204 || response.statusCode === 304 ? null : body, {
        status: response.statusCode,
        headers,
      })
    }
    return { registry, origin: registry.url, fetch: viaRequest, transport: 'dispatcher', close: () => registry.close() }
  },
  async 'registry.fetch'() {
    const registry = await createFakeRegistry({ auth: AUTH, transport: 'none' })
    return {
      registry,
      origin: registry.url,
      fetch: (url, init) => registry.fetch(url, init),
      transport: 'fetch',
      close: () => registry.close(),
    }
  },
}

let current: Setup | undefined
afterEach(async () => {
  await current?.close()
  current = undefined
})

describe.each(Object.keys(SETUPS))('auth over %s', (name) => {
  it('challenges on its own origin, and a client that follows the challenge pulls and pushes', async () => {
    current = await (SETUPS[name] as () => Promise<Setup>)()
    const { registry, origin } = current
    const seeded = await registry.seed.image('team/app:1')

    const refused = await current.fetch(`${origin}/v2/team/app/manifests/1`)
    expect(refused.status).toBe(401)
    expect(parseChallenge(refused.headers.get('www-authenticate'))).toEqual({
      scheme: 'bearer',
      params: { realm: `${origin}/token`, service: 'fake-oci-registry', scope: 'repository:team/app:pull' },
    })
    await refused.arrayBuffer()

    const client = createAuthClient(current.fetch, { user: 'alice', password: 'secret' })
    const pulled = await client.fetch(`${origin}/v2/team/app/manifests/1`, { headers: { accept: MediaTypes.OM } })
    expect(pulled.status).toBe(200)
    expect(pulled.headers.get('docker-content-digest')).toBe(seeded.digest)
    await pulled.arrayBuffer()
    const blob = new TextEncoder().encode(`pushed over ${name}`)
    const pushed = await client.fetch(`${origin}/v2/team/app/blobs/uploads/?digest=${sha256(blob)}`, {
      method: 'POST',
      body: blob,
    })
    expect(pushed.status).toBe(201)
    await pushed.arrayBuffer()

    const journal = registry.requests.all()
    expect(journal.every((entry) => entry.transport === current?.transport)).toBe(true)
    expect(
      journal.map((entry) => [entry.resource, entry.response.status, entry.auth?.user ?? null, entry.auth?.outcome]),
    ).toEqual([
      ['manifest', 401, null, 'missing'],
      ['manifest', 401, null, 'missing'],
      ['token', 200, 'alice', 'issued'],
      ['manifest', 200, 'alice', 'granted'],
      ['upload', 401, 'alice', 'insufficient'],
      ['token', 200, 'alice', 'issued'],
      ['upload', 201, 'alice', 'granted'],
    ])
    expect(await registry.blob('team/app', sha256(blob))).toBeDefined()
  })
})
