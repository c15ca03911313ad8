// Percent-encoded paths on every transport. Each route parameter is decoded once, after the route
// is matched on the path as sent: `team%2Fapp` is the repository team/app, `sha256%3A…` a digest.
// Whatever decodes to something invalid gets the spec's error for what the bytes spell, never a
// 500 and never another repository's content.
import { request as httpRequest } from 'node:http'
import { Dispatcher } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { MediaTypes, pushBlob, pushImageContent, putManifest } from '../support/push.js'

interface Reply {
  status: number
  body: string
}

/** Sends a path on one transport; `raw` says whether the path reaches the registry byte for byte. */
interface Transport {
  name: string
  raw: boolean
  start(): Promise<FakeRegistry>
  send(registry: FakeRegistry, path: string, method?: string): Promise<Reply>
}

// node:http sends the path as given; Fetch clients resolve dot segments before anything is sent.
function sendRaw(registry: FakeRegistry, path: string, method = 'GET'): Promise<Reply> {
  const { hostname, port } = new URL(registry.url)
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method, headers: { accept: MediaTypes.OM } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

// undici's own request API on the registry's dispatcher with `path` as it is: the dispatcher
// receives it exactly, as it would from a client that builds its paths itself.
async function sendDispatched(registry: FakeRegistry, path: string, method = 'GET'): Promise<Reply> {
  const requestOn = Dispatcher.prototype.request
  const response = await requestOn.call(registry.dispatcher, {
    origin: registry.url,
    path,
    method,
    headers: { accept: MediaTypes.OM },
  })
  return { status: response.statusCode, body: await response.body.text() }
}

async function sendFetch(url: string, method = 'GET'): Promise<Reply> {
  const response = await fetch(url, { method, headers: { accept: MediaTypes.OM } })
  return { status: response.status, body: await response.text() }
}

const TRANSPORTS: Transport[] = [
  { name: 'http', raw: true, start: () => createFakeRegistry({ transport: 'http' }), send: sendRaw },
  {
    name: 'dispatcher',
    raw: true,
    start: () => createFakeRegistry({ transport: 'none', origin: 'https://registry.example.test' }),
    send: sendDispatched,
  },
  {
    name: 'msw',
    raw: false,
    start: () => createFakeRegistry({ transport: 'msw', origin: 'https://encoded.example.test' }),
    send: (registry, path, method) => sendFetch(`${registry.url}${path}`, method),
  },
  {
    name: 'registry.fetch',
    raw: false,
    start: () => createFakeRegistry({ transport: 'none' }),
    send: async (registry, path, method) => {
      const response = await registry.fetch(path, { method, headers: { accept: MediaTypes.OM } })
      return { status: response.status, body: await response.text() }
    },
  },
]

function errorOf(reply: Reply): { code: string; detail: unknown } {
  const body = JSON.parse(reply.body) as { errors: Array<{ code: string; detail: unknown }> }
  expect(body.errors).toHaveLength(1)
  return body.errors[0] as { code: string; detail: unknown }
}

describe.each(TRANSPORTS)('percent-encoded paths through $name', (transport) => {
  let registry: FakeRegistry
  let manifestDigest: string
  let manifestBytes: string
  let layerDigest: string

  beforeAll(async () => {
    registry = await transport.start()
    const manifest = await pushImageContent(registry, 'team/app', { layers: ['encoded layer'] })
    manifestBytes = JSON.stringify(manifest)
    const put = await putManifest(registry, 'team/app', 'v1', manifestBytes)
    expect(put.status).toBe(201)
    manifestDigest = put.headers.get('docker-content-digest') as string
    layerDigest = (await pushBlob(registry, 'team/app', 'encoded layer')).digest
  })
  afterAll(() => registry?.close())

  it('reads %2F in a name as the / it encodes', async () => {
    const reply = await transport.send(registry, '/v2/team%2Fapp/tags/list')
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toEqual({ name: 'team/app', tags: ['v1'] })
  })

  it('reads a whole name, a tag and a digest written with escapes for ordinary characters', async () => {
    const byTag = await transport.send(registry, '/v2/t%65am%2fapp/manifests/%76%31')
    expect([byTag.status, byTag.body]).toEqual([200, manifestBytes])
    const byDigest = await transport.send(registry, `/v2/team%2Fapp/manifests/${manifestDigest.replace(':', '%3A')}`)
    expect([byDigest.status, byDigest.body]).toEqual([200, manifestBytes])
  })

  it('serves a blob whose digest is sent as sha256%3A…', async () => {
    const reply = await transport.send(registry, `/v2/team/app/blobs/${layerDigest.replace(':', '%3A')}`)
    expect([reply.status, reply.body]).toEqual([200, 'encoded layer'])
  })

  it.each([
    ['a double-encoded slash', '/v2/team%252Fapp/tags/list', 'team%2Fapp'],
    ['an encoded NUL', '/v2/team%00app/tags/list', 'team\u0000app'],
    ['a malformed escape', '/v2/team%zzapp/tags/list', 'team%zzapp'],
    ['an escape for a character outside the grammar', '/v2/team%2Aapp/tags/list', 'team*app'],
    ['an encoded upper-case name', '/v2/%54eam/app/tags/list', 'Team/app'],
  ])('answers %s in a name with 400 NAME_INVALID for the name the bytes spell', async (_title, path, name) => {
    const reply = await transport.send(registry, path)
    expect(reply.status).toBe(400)
    expect(errorOf(reply)).toMatchObject({ code: 'NAME_INVALID', detail: { name } })
  })

  it("answers references that decode to no valid digest with the spec's error", async () => {
    const reply = await transport.send(registry, `/v2/team/app/manifests/${manifestDigest.replace(':', '%2F')}`)
    // No ':' once decoded, so it is read as a tag: not a valid one, and no manifest has it.
    expect(reply.status).toBe(404)
    expect(errorOf(reply).code).toBe('MANIFEST_UNKNOWN')
    const blob = await transport.send(registry, `/v2/team/app/blobs/sha256%3A${'%7A'.repeat(64)}`)
    expect(blob.status).toBe(400)
    expect(errorOf(blob)).toMatchObject({ code: 'DIGEST_INVALID' })
  })

  it('never writes to another repository when the name is encoded', async () => {
    const reply = await transport.send(registry, '/v2/team%2Fother/blobs/uploads/', 'POST')
    expect(reply.status).toBe(202)
    expect(await registry.tags('team/app')).toEqual(['v1'])
  })

  it.runIf(transport.raw).each([
    ['/v2/team/%2e%2e/team/app/tags/list', 'team/../team/app'],
    ['/v2/team/%2E%2e/team/app/tags/list', 'team/../team/app'],
    ['/v2/team/../team/app/tags/list', 'team/../team/app'],
    ['/v2/team/./app/tags/list', 'team/./app'],
    ['/v2/team/.%2E/team/app/tags/list', 'team/../team/app'],
    ['/v2/team\\app/tags/list', 'team\\app'],
  ])('answers the dot segments or backslash of %s as the name they spell, %s: 400 NAME_INVALID', async (path, name) => {
    const reply = await transport.send(registry, path)
    expect(reply.status).toBe(400)
    expect(errorOf(reply)).toMatchObject({ code: 'NAME_INVALID', detail: { name } })
  })

  it.runIf(transport.raw)('answers a dot segment before /v2 as a path outside the API, not as /v2', async () => {
    const reply = await transport.send(registry, '/x/%2e%2e/v2/team/app/tags/list')
    expect(reply.status).toBe(404)
    expect(errorOf(reply)).toMatchObject({ code: 'UNSUPPORTED', detail: { path: '/x/%2e%2e/v2/team/app/tags/list' } })
  })

  it('journals the decoded repository and digest', async () => {
    await transport.send(registry, `/v2/team%2Fapp/blobs/${layerDigest.replace(':', '%3A')}`)
    expect(registry.requests.last()).toMatchObject({ repository: 'team/app', reference: layerDigest, resource: 'blob' })
  })
})
