// General-purpose HTTP clients from npm, unmodified, on every transport each can use: loopback
// HTTP for all; MSW for those built on node:http(s) or the global fetch (got, axios, ky,
// make-fetch-happen); the undici dispatcher for those that take one (undici itself, and ky and
// axios' fetch adapter, which hand it to fetch). Every row runs the same push and pull and checks
// status, headers and bytes. The README's table of transports per client is this matrix.
import { createHash } from 'node:crypto'
import axios, { type AxiosResponse } from 'axios'
import got from 'got'
import ky from 'ky'
import makeFetchHappen from 'make-fetch-happen'
import { fetch as undiciFetch, request as undiciRequest, type Dispatcher } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { MediaTypes } from '../support/push.js'

type Transport = 'http' | 'msw' | 'dispatcher'

interface Exchange {
  method: string
  headers: Record<string, string>
  body?: Buffer
}

interface Reply {
  status: number
  /** Lower-case names. */
  headers: Record<string, string>
  body: Buffer
}

/** Sends one request; `dispatcher` is set on the dispatcher transport only. */
type Client = (url: string, exchange: Exchange, dispatcher: Dispatcher | undefined) => Promise<Reply>

function flat(headers: Record<string, unknown>): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && value !== null)
      result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return result
}

async function fromFetch(response: {
  status: number
  headers: Headers | Iterable<[string, string]>
  arrayBuffer(): Promise<ArrayBuffer>
}): Promise<Reply> {
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: Buffer.from(await response.arrayBuffer()),
  }
}

function fromAxios(response: AxiosResponse<ArrayBuffer | Buffer>): Reply {
  const data = response.data ?? new ArrayBuffer(0)
  return {
    status: response.status,
    headers: flat(response.headers),
    body: Buffer.isBuffer(data) ? data : Buffer.from(data),
  }
}

/**
 * `globalFetch`: the client sends through Node's global fetch. Node 22's fetch appends its own
 * Content-Length to one the caller set and then refuses the pair ("invalid content-length
 * header") before anything is sent; Node 20 sends one, Node 24 does not append. Those clients
 * state no length on a socket or under MSW; through the dispatcher they do, since the dispatcher
 * must read the doubled header as the one value it is.
 */
const CLIENTS: Record<string, { transports: Transport[]; send: Client; globalFetch?: boolean }> = {
  got: {
    transports: ['http', 'msw'],
    send: async (url, { method, headers, body }) => {
      const response = await got(url, {
        method: method as 'GET',
        headers,
        body,
        throwHttpErrors: false,
        responseType: 'buffer',
        retry: { limit: 0 },
        followRedirect: false,
      })
      return { status: response.statusCode, headers: flat(response.headers), body: response.body }
    },
  },
  axios: {
    transports: ['http', 'msw'],
    send: async (url, { method, headers, body }) =>
      fromAxios(
        await axios.request({
          url,
          method,
          headers,
          data: body,
          adapter: 'http',
          responseType: 'arraybuffer',
          validateStatus: () => true,
          maxRedirects: 0,
        }),
      ),
  },
  "axios' fetch adapter": {
    transports: ['http', 'msw', 'dispatcher'],
    globalFetch: true,
    send: async (url, { method, headers, body }, dispatcher) =>
      fromAxios(
        await axios.request({
          url,
          method,
          headers,
          data: body,
          adapter: 'fetch',
          responseType: 'arraybuffer',
          validateStatus: () => true,
          ...(dispatcher ? { fetchOptions: { dispatcher } as RequestInit } : {}),
        }),
      ),
  },
  ky: {
    transports: ['http', 'msw', 'dispatcher'],
    globalFetch: true,
    send: async (url, { method, headers, body }, dispatcher) =>
      fromFetch(
        await ky(url, {
          method,
          headers,
          body: body && new Uint8Array(body),
          throwHttpErrors: false,
          retry: 0,
          ...(dispatcher ? { dispatcher } : {}),
        }),
      ),
  },
  'undici.request': {
    transports: ['http', 'dispatcher'],
    send: async (url, { method, headers, body }, dispatcher) => {
      const response = await undiciRequest(url, { method, headers, body, dispatcher })
      return {
        status: response.statusCode,
        headers: flat(response.headers),
        body: Buffer.from(await response.body.arrayBuffer()),
      }
    },
  },
  'undici fetch': {
    transports: ['http', 'dispatcher'],
    send: async (url, { method, headers, body }, dispatcher) =>
      fromFetch(await undiciFetch(url, { method, headers, body, dispatcher })),
  },
  // npm's own HTTP stack, on agent-base agents: MSW sees its https requests on port 80.
  'make-fetch-happen': {
    transports: ['http', 'msw'],
    send: async (url, { method, headers, body }) =>
      fromFetch(await makeFetchHappen(url, { method, headers, body, retry: false, cache: 'no-store' })),
  },
}

const ROWS = Object.entries(CLIENTS).flatMap(([name, client]) =>
  client.transports.map((transport) => ({
    name,
    transport,
    send: client.send,
    statesLength: client.globalFetch !== true || transport === 'dispatcher',
  })),
)
const ORIGIN = 'https://clients.example.test'
const sha256 = (bytes: Uint8Array | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

describe.each(ROWS)('$name over $transport', ({ transport, send, statesLength }) => {
  let registry: FakeRegistry
  let dispatcher: Dispatcher | undefined

  beforeAll(async () => {
    registry =
      transport === 'http'
        ? await createFakeRegistry()
        : await createFakeRegistry({ transport: transport === 'msw' ? 'msw' : 'none', origin: ORIGIN })
    dispatcher = transport === 'dispatcher' ? (registry.dispatcher as Dispatcher) : undefined
  })
  afterAll(() => registry?.close())

  const call = (path: string, exchange: Partial<Exchange> = {}): Promise<Reply> =>
    send(
      `${registry.url}${path}`,
      { method: exchange.method ?? 'GET', headers: exchange.headers ?? {}, body: exchange.body },
      dispatcher,
    )

  /** `Content-Length` as registry clients state it, where the client's runtime lets them. */
  const lengthOf = (content: Buffer): Record<string, string> =>
    statesLength ? { 'content-length': String(content.byteLength) } : {}

  /** A monolithic blob push. */
  async function pushBlob(content: Buffer): Promise<{ digest: string; size: number }> {
    const reply = await call(`/v2/team/app/blobs/uploads/?digest=${sha256(content)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', ...lengthOf(content) },
      body: content,
    })
    expect(reply.status).toBe(201)
    expect(reply.headers['location']).toBe(`/v2/team/app/blobs/${sha256(content)}`)
    return { digest: sha256(content), size: content.byteLength }
  }

  it('answers the version check', async () => {
    const reply = await call('/v2/')
    expect([reply.status, reply.headers['docker-distribution-api-version'], reply.body.toString()]).toEqual([
      200,
      'registry/2.0',
      '{}',
    ])
  })

  it('pushes blobs and a manifest, then pulls them back byte for byte', async () => {
    const layer = Buffer.from('layer bytes through a real client')
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
    )
    const layerBlob = await pushBlob(layer)
    const configBlob = await pushBlob(config)
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.OM,
        config: { mediaType: MediaTypes.OCI_CONFIG, ...configBlob },
        layers: [{ mediaType: MediaTypes.OCI_LAYER, ...layerBlob }],
      }),
    )
    const put = await call('/v2/team/app/manifests/1', {
      method: 'PUT',
      headers: { 'content-type': MediaTypes.OM, ...lengthOf(manifest) },
      body: manifest,
    })
    expect([put.status, put.headers['docker-content-digest']]).toEqual([201, sha256(manifest)])

    const pulled = await call('/v2/team/app/manifests/1', { headers: { accept: MediaTypes.OM } })
    expect(pulled.status).toBe(200)
    expect(pulled.headers).toMatchObject({
      'content-type': MediaTypes.OM,
      'docker-content-digest': sha256(manifest),
      'content-length': String(manifest.byteLength),
    })
    expect(pulled.body.equals(manifest)).toBe(true)

    const blob = await call(`/v2/team/app/blobs/${layerBlob.digest}`)
    expect([blob.status, blob.body.equals(layer)]).toEqual([200, true])
    const head = await call(`/v2/team/app/blobs/${layerBlob.digest}`, { method: 'HEAD' })
    expect([head.status, head.headers['content-length'], head.body.byteLength]).toEqual([
      200,
      String(layer.byteLength),
      0,
    ])
  })

  it('lists the tags of a repository whose name it sends percent-encoded', async () => {
    const reply = await call('/v2/team%2Fapp/tags/list')
    expect([reply.status, JSON.parse(reply.body.toString())]).toEqual([200, { name: 'team/app', tags: ['1'] }])
  })

  it("gets the spec's error envelope for a manifest that is not there", async () => {
    const reply = await call('/v2/team/app/manifests/missing', { headers: { accept: MediaTypes.OM } })
    expect([reply.status, reply.headers['content-type']]).toEqual([404, 'application/json'])
    expect(JSON.parse(reply.body.toString())).toMatchObject({ errors: [{ code: 'MANIFEST_UNKNOWN' }] })
  })

  it('deletes the manifest by digest', async () => {
    const digest = (await registry.manifest('team/app:1'))?.digest as string
    expect((await call(`/v2/team/app/manifests/${digest}`, { method: 'DELETE' })).status).toBe(202)
    expect((await call('/v2/team/app/manifests/1', { headers: { accept: MediaTypes.OM } })).status).toBe(404)
  })
})
