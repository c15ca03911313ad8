import { Readable } from 'node:stream'
import { setImmediate as nextTurn } from 'node:timers/promises'
import {
  Agent,
  fetch as undiciFetch,
  getGlobalDispatcher,
  interceptors,
  request,
  setGlobalDispatcher,
  type Dispatcher,
} from 'undici'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createFakeRegistry, FakeRegistryError, type FakeRegistry } from '../../src/index.js'
import type { DispatchController, DispatchHandler } from '../../src/transports/dispatcher.js'
import { sha256 } from '../support/push.js'

// The answer every client must see, whatever drives the dispatcher.
interface Answer {
  status: number
  headers: Record<string, string>
  body: string
}

type Client = (
  url: string,
  init: { method: string; dispatcher: Dispatcher; headers?: Record<string, string>; body?: string },
) => Promise<Answer>

const CLIENTS: Array<[string, Client]> = [
  [
    'undici.request',
    async (url, init) => {
      const response = await request(url, init)
      return { status: response.statusCode, headers: flat(response.headers), body: await response.body.text() }
    },
  ],
  [
    'undici fetch',
    async (url, init) => {
      const response = await undiciFetch(url, init)
      return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() }
    },
  ],
  [
    'global fetch',
    async (url, init) => {
      const response = await fetch(url, init)
      return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() }
    },
  ],
]

function flat(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
  )
}

const ROUTES: Array<{
  title: string
  method: string
  path: string
  status: number
  headers: Record<string, string>
  body: string
}> = [
  {
    title: 'GET /v2/',
    method: 'GET',
    path: '/v2/',
    status: 200,
    headers: {
      'content-type': 'application/json',
      'content-length': '2',
      'docker-distribution-api-version': 'registry/2.0',
    },
    body: '{}',
  },
  {
    title: 'HEAD /v2/',
    method: 'HEAD',
    path: '/v2/',
    status: 200,
    headers: {
      'content-type': 'application/json',
      'content-length': '2',
      'docker-distribution-api-version': 'registry/2.0',
    },
    body: '',
  },
  {
    title: 'a path outside the API',
    method: 'GET',
    path: '/v3/whatever',
    status: 404,
    headers: { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' },
    body: '{"errors":[{"code":"UNSUPPORTED","message":"route not part of the distribution API","detail":{"path":"/v3/whatever"}}]}\n',
  },
  {
    title: 'a method the route lacks',
    method: 'DELETE',
    path: '/v2/',
    status: 405,
    headers: { allow: 'GET, HEAD', 'content-type': 'application/json' },
    body: '{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported.","detail":{"method":"DELETE","allow":"GET, HEAD"}}]}\n',
  },
]

describe('registry.dispatcher', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none', origin: 'https://registry.example.test' })
  })
  afterEach(() => registry.close())

  describe.each(CLIENTS)('through %s', (_name, client) => {
    it.each(ROUTES)('answers $title with $status', async (row) => {
      const answer = await client(`${registry.url}${row.path}`, {
        method: row.method,
        dispatcher: registry.dispatcher as Dispatcher,
      })
      expect(answer.status).toBe(row.status)
      expect(answer.headers).toMatchObject(row.headers)
      expect(answer.body).toBe(row.body)
    })

    it('takes a body sent with an explicit Content-Length, which fetch also adds itself', async () => {
      // Node 20's fetch appends its own Content-Length to the caller's: the dispatcher receives
      // "17, 17", which undici's socket client reads as 17. The registry must too.
      const body = 'seventeen bytes!!'
      const answer = await client(`${registry.url}/v2/team/app/blobs/uploads/?digest=${sha256(body)}`, {
        method: 'POST',
        dispatcher: registry.dispatcher as Dispatcher,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
        body,
      })
      expect([answer.status, answer.body]).toEqual([201, ''])
      expect(registry.requests.last()?.headers['content-length']).toBe('17')
      expect((await registry.blob('team/app', sha256(body)))?.size).toBe(17)
    })

    it('refuses another origin with ERR_UNHANDLED_REQUEST when there is no passthrough', async () => {
      const failure = await client('https://elsewhere.example.test/v2/', {
        method: 'GET',
        dispatcher: registry.dispatcher as Dispatcher,
      }).catch((error: unknown) => error)
      // fetch wraps a dispatcher's error as the cause of its TypeError; undici.request rejects with it.
      const error = failure instanceof TypeError ? failure.cause : failure
      expect(error).toBeInstanceOf(FakeRegistryError)
      expect(error).toMatchObject({
        code: 'ERR_UNHANDLED_REQUEST',
        message:
          'Failed to dispatch "GET https://elsewhere.example.test/v2/": the registry\'s dispatcher serves only https://registry.example.test and has no passthrough for other origins. Send that request through another dispatcher, or create one with registry.createDispatcher({ passthrough: getGlobalDispatcher() }).',
      })
    })
  })

  it('answers a Content-Length list of different values with 400 SIZE_INVALID', async () => {
    const body = 'seventeen bytes!!'
    const response = await request(`${registry.url}/v2/team/app/blobs/uploads/?digest=${sha256(body)}`, {
      method: 'POST',
      dispatcher: registry.dispatcher as Dispatcher,
      headers: ['content-length', '17', 'content-length', '18'],
      body,
    })
    expect(response.statusCode).toBe(400)
    expect(await response.body.json()).toMatchObject({
      errors: [{ code: 'SIZE_INVALID', detail: { contentLength: '17, 18' } }],
    })
  })

  it('is the same object on every access', () => {
    expect(registry.dispatcher).toBe(registry.dispatcher)
  })

  it('sends other origins to the passthrough dispatcher, over the network', async () => {
    await using remote = await createFakeRegistry({ transport: 'http' })
    const agent = new Agent()
    try {
      const dispatcher = registry.createDispatcher({ passthrough: agent }) as Dispatcher
      const local = await request(`${registry.url}/v2/`, { dispatcher })
      const passed = await request(`${remote.url}/v2/nope`, { dispatcher })
      expect([local.statusCode, await local.body.text()]).toEqual([200, '{}'])
      expect(passed.statusCode).toBe(404)
      expect(await passed.body.json()).toMatchObject({
        errors: [{ code: 'UNSUPPORTED', detail: { path: '/v2/nope' } }],
      })
    } finally {
      await agent.close()
    }
  })

  it('serves the global fetch and undici.request once installed with setGlobalDispatcher, passing other origins through', async () => {
    await using remote = await createFakeRegistry({ transport: 'http' })
    const previous = getGlobalDispatcher()
    setGlobalDispatcher(registry.createDispatcher({ passthrough: previous }) as Dispatcher)
    try {
      const viaFetch = await fetch(`${registry.url}/v2/`)
      const viaRequest = await request(`${registry.url}/v2/`)
      const passed = await fetch(`${remote.url}/v2/`)
      expect([viaFetch.status, await viaFetch.text()]).toEqual([200, '{}'])
      expect([viaRequest.statusCode, await viaRequest.body.text()]).toEqual([200, '{}'])
      expect([passed.status, await passed.text()]).toEqual([200, '{}'])
    } finally {
      setGlobalDispatcher(previous)
    }
  })

  it("serves the http transport's own url in-process too", async () => {
    await using served = await createFakeRegistry({ transport: 'http' })
    await served.close() // the socket is gone; the dispatcher must not need it
    const failure = await request(`${served.url}/v2/`, { dispatcher: served.dispatcher as Dispatcher }).catch(
      (error: unknown) => error,
    )
    expect(failure).toMatchObject({ code: 'ERR_REGISTRY_CLOSED' })
    await using open = await createFakeRegistry({ transport: 'http' })
    const response = await request(`${open.url}/v2/`, { dispatcher: open.dispatcher as Dispatcher })
    expect(response.statusCode).toBe(200)
    await response.body.dump()
  })

  it('rejects a passthrough that is not a dispatcher', () => {
    expect(() => registry.createDispatcher({ passthrough: {} as never })).toThrow(
      'Failed to use option passthrough "[object Object]": it is not a dispatcher (an object with a dispatch method). Pass undici\'s getGlobalDispatcher() or an Agent, or leave passthrough out.',
    )
  })

  it('runs undici interceptors through compose()', async () => {
    const composed = registry.dispatcher.compose(interceptors.retry({ maxRetries: 1 })) as Dispatcher
    const response = await request(`${registry.url}/v2/`, { dispatcher: composed })
    expect([response.statusCode, await response.body.text()]).toEqual([200, '{}'])
  })

  it('stops taking requests after close() and lets the ones in flight answer', async () => {
    const dispatcher = registry.createDispatcher() as Dispatcher
    const inFlight = request(`${registry.url}/v2/`, { dispatcher })
    await dispatcher.close()
    const response = await inFlight
    expect([response.statusCode, await response.body.text()]).toEqual([200, '{}'])
    await expect(request(`${registry.url}/v2/`, { dispatcher })).rejects.toMatchObject({
      code: 'ERR_DISPATCHER_CLOSED',
      message: `Failed to dispatch "GET ${registry.url}/v2/": the dispatcher is closed. Create a new one with registry.createDispatcher(), or close it only after the test is done.`,
    })
  })

  it('aborts the requests in flight on destroy()', async () => {
    const dispatcher = registry.createDispatcher() as Dispatcher
    const inFlight = request(`${registry.url}/v2/`, { dispatcher })
    await dispatcher.destroy(new Error('torn down'))
    await expect(inFlight).rejects.toThrow('torn down')
  })
})

describe('registry.dispatcher streaming', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
  })
  afterEach(() => registry.close())

  const CHUNKS = ['first chunk|', 'second chunk|', 'third chunk']
  const CONTENT = CHUNKS.join('')
  const DIGEST = sha256(CONTENT)

  /** Pushes CONTENT as a stream of three chunks (a Readable body). */
  async function pushStreamed(): Promise<void> {
    const response = await request(`${registry.url}/v2/team/app/blobs/uploads/?digest=${DIGEST}`, {
      method: 'POST',
      body: Readable.from(CHUNKS.map((chunk) => Buffer.from(chunk))),
      headers: { 'content-type': 'application/octet-stream' },
      dispatcher: registry.dispatcher as Dispatcher,
    })
    expect(response.statusCode).toBe(201)
    await response.body.dump()
  }

  it('streams a Readable request body into the registry', async () => {
    await pushStreamed()
    const response = await registry.fetch(`/v2/team/app/blobs/${DIGEST}`)
    expect(await response.text()).toBe(CONTENT)
  })

  it.each([
    [
      'an async generator',
      () =>
        (async function* () {
          for (const chunk of CHUNKS) yield Buffer.from(chunk)
        })(),
    ],
    ['an iterable of strings', () => CHUNKS[Symbol.iterator]()],
    ['a web ReadableStream', () => new Blob(CHUNKS).stream()],
    ['a Blob', () => new Blob(CHUNKS)],
    ['a Uint8Array', () => new TextEncoder().encode(CONTENT)],
    ['a string', () => CONTENT],
  ])('takes %s as a request body', async (_kind, body) => {
    await new Promise<void>((resolve, reject) => {
      registry.dispatcher.dispatch(
        { origin: registry.url, path: `/v2/team/app/blobs/uploads/?digest=${DIGEST}`, method: 'POST', body: body() },
        {
          onHeaders(status) {
            if (status !== 201) reject(new Error(`status ${status}`))
            return true
          },
          onComplete: () => resolve(),
          onError: reject,
        },
      )
    })
    const response = await registry.fetch(`/v2/team/app/blobs/${DIGEST}`)
    expect(await response.text()).toBe(CONTENT)
  })

  it('holds back response chunks while an older-style handler (onData returning false) is paused', async () => {
    await pushStreamed()
    const events: string[] = []
    let resume: () => void = () => {}
    const completed = new Promise<void>((resolve, reject) => {
      const handler: DispatchHandler = {
        onConnect() {},
        onHeaders(status, _raw, resumeFn) {
          resume = resumeFn
          events.push(`headers ${status}`)
          return true
        },
        onData(chunk) {
          events.push(`data ${chunk.toString()}`)
          return false
        },
        onComplete() {
          events.push('complete')
          resolve()
        },
        onError: reject,
      }
      registry.dispatcher.dispatch(
        { origin: registry.url, path: `/v2/team/app/blobs/${DIGEST}`, method: 'GET' },
        handler,
      )
    })
    await vi.waitFor(() => expect(events).toEqual(['headers 200', `data ${CHUNKS[0]}`]))
    for (let turn = 0; turn < 5; turn += 1) await nextTurn()
    expect(events).toHaveLength(2)
    resume()
    await vi.waitFor(() => expect(events).toHaveLength(3))
    resume()
    await vi.waitFor(() => expect(events).toHaveLength(4))
    resume()
    await completed
    expect(events).toEqual(['headers 200', ...CHUNKS.map((chunk) => `data ${chunk}`), 'complete'])
  })

  it('sets controller.rawHeaders before onResponseStart and rawTrailers before onResponseEnd, as undici 8 reads them', async () => {
    await pushStreamed()
    const seen = await new Promise<{ raw: string[]; headers: Record<string, string | string[]>; trailers: unknown }>(
      (resolve, reject) => {
        let raw: string[] = []
        let headers: Record<string, string | string[]> = {}
        registry.dispatcher.dispatch(
          { origin: registry.url, path: `/v2/team/app/blobs/${DIGEST}`, method: 'GET' },
          {
            onRequestStart() {},
            onResponseStart(controller, _status, parsed) {
              raw = (controller.rawHeaders ?? []).map((buffer) => buffer.toString('latin1'))
              headers = parsed
            },
            onResponseData() {},
            onResponseEnd(controller) {
              resolve({ raw, headers, trailers: controller.rawTrailers })
            },
            onResponseError: (_controller, error) => reject(error),
          },
        )
      },
    )
    const pairs: Array<[string, string]> = []
    for (let i = 0; i < seen.raw.length; i += 2) pairs.push([seen.raw[i] as string, seen.raw[i + 1] as string])
    expect(Object.fromEntries(pairs)).toEqual(seen.headers)
    expect(Object.fromEntries(pairs)).toMatchObject({
      'content-length': String(CONTENT.length),
      'docker-content-digest': DIGEST,
    })
    expect(seen.trailers).toEqual([])
  })

  it('holds back response chunks while a controller-style handler is paused', async () => {
    await pushStreamed()
    const events: string[] = []
    let controller: DispatchController | undefined
    const completed = new Promise<void>((resolve, reject) => {
      registry.dispatcher.dispatch(
        { origin: registry.url, path: `/v2/team/app/blobs/${DIGEST}`, method: 'GET' },
        {
          onRequestStart(started) {
            controller = started
          },
          onResponseStart(_controller, status, headers) {
            events.push(`headers ${status} ${String(headers['content-length'])}`)
          },
          onResponseData(paused, chunk) {
            events.push(`data ${chunk.toString()}`)
            paused.pause()
          },
          onResponseEnd() {
            events.push('complete')
            resolve()
          },
          onResponseError: (_controller, error) => reject(error),
        },
      )
    })
    await vi.waitFor(() => expect(events).toEqual([`headers 200 ${CONTENT.length}`, `data ${CHUNKS[0]}`]))
    for (let turn = 0; turn < 5; turn += 1) await nextTurn()
    expect(events).toHaveLength(2)
    expect(controller?.paused).toBe(true)
    controller?.resume()
    await vi.waitFor(() => expect(events).toHaveLength(3))
    controller?.resume()
    await vi.waitFor(() => expect(events).toHaveLength(4))
    controller?.resume()
    await completed
    expect(events.at(-1)).toBe('complete')
  })

  it('ends a request body the registry answered without reading', async () => {
    const body = new Readable({ read() {} }) // a stream that would never end on its own
    body.push('unread bytes')
    const response = await request(`${registry.url}/v2/`, {
      method: 'PUT',
      body,
      dispatcher: registry.dispatcher as Dispatcher,
    })
    expect(response.statusCode).toBe(405)
    await response.body.dump()
    await vi.waitFor(() => expect(body.destroyed).toBe(true))
  })

  /** An upload body that sends one chunk, then waits for `release` before the next. */
  function stalledBody(): { body: Readable; firstTaken: Promise<void>; release: () => void; ended: () => boolean } {
    let release: () => void = () => {}
    let taken: () => void = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    const firstTaken = new Promise<void>((resolve) => (taken = resolve))
    let ended = false
    async function* body(): AsyncGenerator<Buffer> {
      try {
        yield Buffer.from('part one|')
        taken()
        await gate
        yield Buffer.from('part two')
      } finally {
        ended = true
      }
    }
    return { body: Readable.from(body()), firstTaken, release, ended: () => ended }
  }

  it('leaves no blob when the client aborts a monolithic upload mid-body', async () => {
    const dispatcher = registry.createDispatcher() as Dispatcher
    const digest = sha256('part one|part two')
    const stalled = stalledBody()
    const abort = new AbortController()
    const pending = request(`${registry.url}/v2/team/app/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      body: stalled.body,
      signal: abort.signal,
      dispatcher,
    })
    await stalled.firstTaken
    abort.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    stalled.release()
    await dispatcher.close() // resolves once the registry has finished with the aborted request
    await vi.waitFor(() => expect(stalled.ended()).toBe(true))
    expect((await registry.fetch(`/v2/team/app/blobs/${digest}`, { method: 'HEAD' })).status).toBe(404)
  })

  it('leaves the session as it was when the client aborts a chunk mid-body, and the session goes on', async () => {
    const dispatcher = registry.createDispatcher() as Dispatcher
    const started = await registry.fetch('/v2/team/app/blobs/uploads/', { method: 'POST' })
    expect(started.status).toBe(202)
    const location = started.headers.get('location') as string
    const first = await registry.fetch(location, { method: 'PATCH', headers: { 'content-range': '0-3' }, body: 'abcd' })
    expect(first.status).toBe(202)
    const before = first.headers.get('range')

    const stalled = stalledBody()
    const abort = new AbortController()
    const pending = request(new URL(location, registry.url), {
      method: 'PATCH',
      body: stalled.body,
      signal: abort.signal,
      dispatcher,
    })
    await stalled.firstTaken
    abort.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    stalled.release()
    await dispatcher.close()

    const status = await registry.fetch(location)
    expect([status.status, status.headers.get('range')]).toEqual([204, before])
    const closed = await registry.fetch(
      `${location}${location.includes('?') ? '&' : '?'}digest=${sha256('abcdefgh')}`,
      { method: 'PUT', body: 'efgh' },
    )
    expect(closed.status).toBe(201)
    expect(await (await registry.fetch(`/v2/team/app/blobs/${sha256('abcdefgh')}`)).text()).toBe('abcdefgh')
  })
})
