// One client per way of reaching the registry, each reporting what a user's code would see: the
// status and headers, the body as the chunks that arrived, and where and how the request failed.
import { Agent, request, type Dispatcher } from 'undici'
import { createFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from '../../src/index.js'

/** How the request reaches the registry, as the journal names it. */
export type Via = 'http' | 'msw' | 'dispatcher' | 'fetch'

export const VIAS: readonly Via[] = ['http', 'msw', 'dispatcher', 'fetch']

/** Where a request failed, and with what. */
export interface Failure {
  /** Before the answer's headers, or while reading its body. */
  at: 'request' | 'body'
  name: string
  message: string
  code?: string
  /** The `code` of the error's `cause` (fetch wraps socket errors in a TypeError). */
  causeCode?: string
}

/** What a client saw. */
export interface Outcome {
  status?: number
  /** Lower-case names. */
  headers: Record<string, string>
  /** The body as it arrived, chunk by chunk. */
  chunks: Buffer[]
  body: Buffer
  failure?: Failure
}

export interface SendInit {
  method?: string
  headers?: Record<string, string>
  body?: string | Uint8Array<ArrayBuffer>
}

/** A registry reached one way, and a client for that way. */
export interface Bench {
  registry: FakeRegistry
  via: Via
  /** Sends a request to a path of the registry. */
  send(path: string, init?: SendInit): Promise<Outcome>
  close(): Promise<void>
}

// Each msw registry gets its own origin: MSW's interception is process-wide.
let mswOrigins = 0

/**
 * A registry whose transport suits `via` (http for http, msw for msw, none otherwise) and a
 * client that reaches it that way: undici.request over a socket or through the dispatcher, the
 * global fetch through MSW, `registry.fetch` in process.
 */
export async function openBench(via: Via, options: FakeRegistryOptions = {}): Promise<Bench> {
  const transport = via === 'http' ? 'http' : via === 'msw' ? 'msw' : 'none'
  const origin = `http://faults-${process.pid}-${++mswOrigins}.registry.invalid`
  const registry = await createFakeRegistry({ transport, ...(via === 'msw' ? { origin } : {}), ...options })
  const agent = via === 'http' ? new Agent() : undefined
  const send = (path: string, init: SendInit = {}): Promise<Outcome> => {
    const url = `${registry.url}${path}`
    switch (via) {
      case 'http':
        return viaUndici(url, init, agent as Agent)
      case 'dispatcher':
        return viaUndici(url, init, registry.dispatcher as Dispatcher)
      case 'msw':
        return viaFetch(() => fetch(url, fetchInit(init)))
      case 'fetch':
        return viaFetch(() => registry.fetch(url, fetchInit(init)))
    }
  }
  return {
    registry,
    via,
    send,
    async close() {
      await registry.close()
      await agent?.close()
    },
  }
}

function fetchInit(init: SendInit): RequestInit {
  return { method: init.method ?? 'GET', headers: init.headers ?? {}, body: init.body ?? null }
}

async function viaUndici(url: string, init: SendInit, dispatcher: Dispatcher): Promise<Outcome> {
  const outcome: Outcome = { headers: {}, chunks: [], body: Buffer.alloc(0) }
  let response: Dispatcher.ResponseData
  try {
    response = await request(url, {
      method: init.method ?? 'GET',
      headers: init.headers,
      body: init.body,
      dispatcher,
    })
  } catch (error) {
    outcome.failure = failure('request', error)
    return outcome
  }
  outcome.status = response.statusCode
  for (const [name, value] of Object.entries(response.headers))
    if (value !== undefined) outcome.headers[name] = Array.isArray(value) ? value.join(', ') : value
  try {
    for await (const chunk of response.body) outcome.chunks.push(Buffer.from(chunk as Uint8Array))
  } catch (error) {
    outcome.failure = failure('body', error)
  }
  outcome.body = Buffer.concat(outcome.chunks)
  return outcome
}

async function viaFetch(call: () => Promise<Response>): Promise<Outcome> {
  const outcome: Outcome = { headers: {}, chunks: [], body: Buffer.alloc(0) }
  let response: Response
  try {
    response = await call()
  } catch (error) {
    outcome.failure = failure('request', error)
    return outcome
  }
  outcome.status = response.status
  outcome.headers = Object.fromEntries(response.headers)
  if (response.body) {
    const reader = response.body.getReader()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        outcome.chunks.push(Buffer.from(value))
      }
    } catch (error) {
      outcome.failure = failure('body', error)
    }
  }
  outcome.body = Buffer.concat(outcome.chunks)
  return outcome
}

function failure(at: Failure['at'], error: unknown): Failure {
  const { name, message, code, cause } = error as {
    name: string
    message: string
    code?: string
    cause?: { code?: string }
  }
  const result: Failure = { at, name, message }
  if (code !== undefined) result.code = code
  if (cause?.code !== undefined) result.causeCode = cause.code
  return result
}

/**
 * What a broken connection looks like to each client: undici's codes over a socket and through
 * the dispatcher; fetch's TypeErrors (with the socket error as cause where undici gives one)
 * for `registry.fetch`, and MSW's own network error through MSW.
 */
export const BROKEN = {
  reset: {
    http: { at: 'request', code: 'ECONNRESET' },
    dispatcher: { at: 'request', code: 'ECONNRESET' },
    fetch: { at: 'request', name: 'TypeError', message: 'fetch failed', causeCode: 'ECONNRESET' },
    msw: { at: 'request', name: 'TypeError', message: 'Failed to fetch' },
  },
  truncated: {
    http: { at: 'body', name: 'SocketError', code: 'UND_ERR_SOCKET', message: 'other side closed' },
    dispatcher: { at: 'body', name: 'SocketError', code: 'UND_ERR_SOCKET', message: 'other side closed' },
    fetch: { at: 'body', name: 'TypeError', message: 'terminated', causeCode: 'UND_ERR_SOCKET' },
    msw: { at: 'body', name: 'TypeError', message: 'terminated', causeCode: 'UND_ERR_SOCKET' },
  },
} as const satisfies Record<string, Record<Via, Partial<Failure>>>
