// One registry workflow, run through every transport and every client that transport serves.
// Each row of MATRIX gets the same tests and the same assertions; a failure names both.
import type * as Http from 'node:http'
import { createRequire } from 'node:module'
import { Readable } from 'node:stream'
import { fetch as undiciFetch, request, type BodyInit as UndiciBodyInit, type Dispatcher } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, memoryStorage, type FakeRegistry, type Storage } from '../../src/index.js'
import { MediaTypes, sha256 } from '../support/push.js'

// MSW patches the node:http(s) module objects. ESM named and namespace imports are bound before
// it does and never see the patch, so application code is modelled with the module objects,
// as CommonJS code and default imports use them.
const require = createRequire(import.meta.url)
const http = require('node:http') as typeof Http
const https = require('node:https') as typeof import('node:https')

/** A request body: bytes, or a list of chunks the client sends as a stream. */
type Body = string | Uint8Array | Uint8Array[]

interface Exchange {
  method?: string
  headers?: Record<string, string>
  body?: Body
}

interface Reply {
  status: number
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>
  body: Buffer
}

/** Sends one request to an absolute URL. */
type Client = (
  url: string,
  exchange: Required<Pick<Exchange, 'method' | 'headers'>> & { body?: Body },
) => Promise<Reply>

type TransportName = 'http' | 'msw' | 'dispatcher'
type ClientName = 'global fetch' | 'undici.request' | 'undici fetch' | 'node:http'

const MATRIX: Array<[TransportName, ClientName]> = [
  ['http', 'global fetch'],
  ['http', 'undici.request'],
  ['http', 'node:http'],
  ['msw', 'global fetch'],
  ['msw', 'node:http'],
  ['dispatcher', 'undici.request'],
  ['dispatcher', 'undici fetch'],
  ['dispatcher', 'global fetch'],
]

// --- clients ---------------------------------------------------------------------------------

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let index = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index++]
      if (chunk) controller.enqueue(chunk)
      else controller.close()
    },
  })
}

function fromFetch(response: Response, bytes: ArrayBuffer): Reply {
  return { status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(bytes) }
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value
  return flat
}

function createClient(name: ClientName, dispatcher: Dispatcher | undefined): Client {
  switch (name) {
    case 'global fetch':
      return async (url, { method, headers, body }) => {
        const init = {
          method,
          headers,
          body: (Array.isArray(body) ? streamOf(body) : body) as BodyInit | undefined,
          duplex: 'half',
          ...(dispatcher ? { dispatcher } : {}),
        }
        const response = await fetch(url, init)
        return fromFetch(response, await response.arrayBuffer())
      }
    case 'undici fetch':
      return async (url, { method, headers, body }) => {
        const response = await undiciFetch(url, {
          method,
          headers,
          body: (Array.isArray(body) ? streamOf(body) : body) as UndiciBodyInit | undefined,
          duplex: 'half',
          dispatcher,
        })
        return fromFetch(response as unknown as Response, await response.arrayBuffer())
      }
    case 'undici.request':
      return async (url, { method, headers, body }) => {
        const response = await request(url, {
          method: method,
          headers,
          body: Array.isArray(body) ? Readable.from(body) : body,
          dispatcher,
        })
        return {
          status: response.statusCode,
          headers: flatHeaders(response.headers),
          body: Buffer.from(await response.body.arrayBuffer()),
        }
      }
    case 'node:http':
      // Through the module objects, as application code calls them: what MSW intercepts.
      return (url, { method, headers, body }) =>
        new Promise((resolve, reject) => {
          const client = url.startsWith('https:') ? https : http
          const req = client.request(url, { method, headers }, (res: Http.IncomingMessage) => {
            const chunks: Buffer[] = []
            res.on('data', (chunk: Buffer) => chunks.push(chunk))
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body: Buffer.concat(chunks) }),
            )
            res.on('error', reject)
          })
          req.on('error', reject)
          if (Array.isArray(body)) {
            for (const chunk of body) req.write(chunk)
            req.end()
          } else {
            req.end(body)
          }
        })
  }
}

// --- transports ------------------------------------------------------------------------------

/** Storage that fails for one repository, to prove a thrown error becomes a 500 envelope. */
function explosiveStorage(): Storage {
  const inner = memoryStorage()
  return new Proxy(inner, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        if (args[0] === 'explode/app') throw new Error('storage exploded')
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
}

async function startRegistry(transport: TransportName): Promise<FakeRegistry> {
  const storage = explosiveStorage()
  switch (transport) {
    case 'http':
      return createFakeRegistry({ transport: 'http', storage })
    case 'msw':
      return createFakeRegistry({ transport: 'msw', origin: 'https://registry.example.test', storage })
    case 'dispatcher':
      return createFakeRegistry({ transport: 'none', origin: 'https://registry.example.test', storage })
  }
}

// --- content ---------------------------------------------------------------------------------

/** Deterministic bytes, large enough to arrive and leave in many chunks. */
function bytesOfSize(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i += 1) bytes[i] = (i * 31 + seed) & 0xff
  return bytes
}

function piecesOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = []
  for (let offset = 0; offset < bytes.byteLength; offset += size) pieces.push(bytes.subarray(offset, offset + size))
  return pieces
}

function withQuery(location: string, query: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}${query}`
}

const KIB = 1024
const EMPTY_CONFIG = { mediaType: MediaTypes.EMPTY, digest: sha256('{}'), size: 2 }

describe.each(MATRIX)('%s transport × %s', (transport, clientName) => {
  let registry: FakeRegistry
  let client: Client

  beforeAll(async () => {
    registry = await startRegistry(transport)
    client = createClient(clientName, transport === 'dispatcher' ? (registry.dispatcher as Dispatcher) : undefined)
  })
  afterAll(() => registry?.close())

  /** Sends a request to a path or Location on the registry. */
  function send(path: string, exchange: Exchange = {}): Promise<Reply> {
    return client(new URL(path, registry.url).href, {
      method: exchange.method ?? 'GET',
      headers: exchange.headers ?? {},
      body: exchange.body,
    })
  }

  async function pushMonolithic(
    repository: string,
    content: Uint8Array | string,
    mediaType: string = MediaTypes.OCI_LAYER,
  ): Promise<{ mediaType: string; digest: string; size: number }> {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content
    const digest = sha256(bytes)
    const reply = await send(`/v2/${repository}/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    })
    expect(reply.status).toBe(201)
    return { mediaType, digest, size: bytes.byteLength }
  }

  async function putManifest(
    repository: string,
    reference: string,
    manifest: unknown,
    mediaType: string,
  ): Promise<{ digest: string; bytes: Buffer; reply: Reply }> {
    const bytes = Buffer.from(JSON.stringify(manifest))
    const reply = await send(`/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'content-type': mediaType },
      body: bytes,
    })
    return { digest: sha256(bytes), bytes, reply }
  }

  /** Pushes a one-layer image (monolithic blobs) and tags it; returns its manifest. */
  async function pushSmallImage(
    repository: string,
    reference: string,
    label: string,
  ): Promise<{ digest: string; bytes: Buffer; size: number }> {
    const config = await pushMonolithic(
      repository,
      JSON.stringify({ architecture: label, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
      MediaTypes.OCI_CONFIG,
    )
    const layer = await pushMonolithic(repository, `layer of ${label}`)
    const pushed = await putManifest(
      repository,
      reference,
      { schemaVersion: 2, mediaType: MediaTypes.OM, config, layers: [layer] },
      MediaTypes.OM,
    )
    expect(pushed.reply.status).toBe(201)
    return { digest: pushed.digest, bytes: pushed.bytes, size: pushed.bytes.byteLength }
  }

  it('answers the version check', async () => {
    const reply = await send('/v2/')
    expect(reply.status).toBe(200)
    expect(reply.headers['docker-distribution-api-version']).toBe('registry/2.0')
    expect(reply.body.toString()).toBe('{}')
  })

  it('pushes an image with a chunked upload, streaming both ways, and pulls its layer back', async () => {
    const repository = 'chunked/app'
    const layer = bytesOfSize(200 * KIB, 7)
    const layerDigest = sha256(layer)

    const started = await send(`/v2/${repository}/blobs/uploads/`, { method: 'POST' })
    expect(started.status).toBe(202)
    expect(started.headers).toMatchObject({ range: '0-0', 'content-length': '0' })
    const location = started.headers['location'] as string
    expect(location).toMatch(new RegExp(`^/v2/${repository}/blobs/uploads/[^/?]+$`))

    const first = await send(location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-range': '0-65535' },
      body: layer.subarray(0, 64 * KIB),
    })
    expect([first.status, first.headers['range'], first.headers['location']]).toEqual([202, '0-65535', location])

    // The second chunk travels as a stream of 16 KiB pieces, with no Content-Length.
    const second = await send(location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-range': '65536-196607' },
      body: piecesOf(layer.subarray(64 * KIB, 192 * KIB), 16 * KIB),
    })
    expect([second.status, second.headers['range']]).toEqual([202, '0-196607'])

    const status = await send(location)
    expect([status.status, status.headers['range'], status.body.byteLength]).toEqual([204, '0-196607', 0])

    const closed = await send(withQuery(location, `digest=${layerDigest}`), {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: layer.subarray(192 * KIB),
    })
    expect(closed.status).toBe(201)
    expect(closed.headers).toMatchObject({
      location: `/v2/${repository}/blobs/${layerDigest}`,
      'docker-content-digest': layerDigest,
    })

    const config = await pushMonolithic(
      repository,
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
      MediaTypes.OCI_CONFIG,
    )
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaTypes.OM,
      config,
      layers: [{ mediaType: MediaTypes.OCI_LAYER, digest: layerDigest, size: layer.byteLength }],
    }
    const pushed = await putManifest(repository, '1', manifest, MediaTypes.OM)
    expect(pushed.reply.status).toBe(201)
    expect(pushed.reply.headers).toMatchObject({
      location: `/v2/${repository}/manifests/${pushed.digest}`,
      'docker-content-digest': pushed.digest,
    })

    const pulled = await send(`/v2/${repository}/blobs/${layerDigest}`)
    expect(pulled.status).toBe(200)
    expect(pulled.headers).toMatchObject({
      'content-length': String(layer.byteLength),
      'docker-content-digest': layerDigest,
    })
    expect(pulled.body.equals(layer)).toBe(true)
  })

  it('pushes an index of two images and pulls its exact bytes', async () => {
    const repository = 'multi/app'
    // The images of an index are pushed by digest, untagged, as multi-platform builds push them.
    const images = []
    for (const architecture of ['amd64', 'arm64']) {
      const config = await pushMonolithic(
        repository,
        JSON.stringify({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
        MediaTypes.OCI_CONFIG,
      )
      const layer = await pushMonolithic(repository, `layer for ${architecture}`)
      const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OM, config, layers: [layer] }))
      const reply = await send(`/v2/${repository}/manifests/${sha256(body)}`, {
        method: 'PUT',
        headers: { 'content-type': MediaTypes.OM },
        body,
      })
      expect(reply.status).toBe(201)
      images.push({
        mediaType: MediaTypes.OM,
        digest: sha256(body),
        size: body.byteLength,
        platform: { architecture, os: 'linux' },
      })
    }
    const index = await putManifest(
      repository,
      'multi',
      { schemaVersion: 2, mediaType: MediaTypes.OI, manifests: images },
      MediaTypes.OI,
    )
    expect(index.reply.status).toBe(201)
    expect(index.reply.headers['docker-content-digest']).toBe(index.digest)

    const pulled = await send(`/v2/${repository}/manifests/multi`, { headers: { accept: MediaTypes.OI } })
    expect(pulled.status).toBe(200)
    expect(pulled.headers).toMatchObject({
      'content-type': MediaTypes.OI,
      'docker-content-digest': index.digest,
      'content-length': String(index.bytes.byteLength),
    })
    expect(pulled.body.equals(index.bytes)).toBe(true)
  })

  it('pulls a manifest by tag and by digest, byte for byte', async () => {
    const repository = 'pull/app'
    const image = await pushSmallImage(repository, 'v1', 'amd64')
    for (const reference of ['v1', image.digest]) {
      const pulled = await send(`/v2/${repository}/manifests/${reference}`, { headers: { accept: MediaTypes.OM } })
      expect(pulled.status).toBe(200)
      expect(pulled.headers).toMatchObject({
        'content-type': MediaTypes.OM,
        'docker-content-digest': image.digest,
        'content-length': String(image.size),
      })
      expect(pulled.body.equals(image.bytes)).toBe(true)
    }
  })

  it('answers HEAD with the headers of GET and no body', async () => {
    const repository = 'head/app'
    const image = await pushSmallImage(repository, 'v1', 'amd64')
    const blob = await pushMonolithic(repository, 'a blob to HEAD')
    const manifest = await send(`/v2/${repository}/manifests/v1`, {
      method: 'HEAD',
      headers: { accept: MediaTypes.OM },
    })
    expect([manifest.status, manifest.body.byteLength]).toEqual([200, 0])
    expect(manifest.headers).toMatchObject({
      'content-type': MediaTypes.OM,
      'docker-content-digest': image.digest,
      'content-length': String(image.size),
    })
    const head = await send(`/v2/${repository}/blobs/${blob.digest}`, { method: 'HEAD' })
    expect([head.status, head.body.byteLength]).toEqual([200, 0])
    expect(head.headers).toMatchObject({ 'content-length': String(blob.size), 'docker-content-digest': blob.digest })
    const missing = await send(`/v2/${repository}/blobs/${sha256('never pushed')}`, { method: 'HEAD' })
    expect([missing.status, missing.body.byteLength]).toEqual([404, 0])
  })

  it('serves a byte range of a blob, and 416 for one past its end', async () => {
    const repository = 'range/app'
    const content = bytesOfSize(100 * KIB, 3)
    const blob = await pushMonolithic(repository, content)
    const partial = await send(`/v2/${repository}/blobs/${blob.digest}`, { headers: { range: 'bytes=1000-70999' } })
    expect(partial.status).toBe(206)
    expect(partial.headers).toMatchObject({
      'content-range': `bytes 1000-70999/${content.byteLength}`,
      'content-length': '70000',
    })
    expect(partial.body.equals(content.subarray(1000, 71000))).toBe(true)
    const beyond = await send(`/v2/${repository}/blobs/${blob.digest}`, {
      headers: { range: `bytes=${content.byteLength}-` },
    })
    expect(beyond.status).toBe(416)
  })

  it('pages through tags with n and the Link header', async () => {
    const repository = 'tags/app'
    const image = await pushSmallImage(repository, 'e', 'amd64')
    for (const tag of ['c', 'a', 'd', 'b']) {
      const reply = await send(`/v2/${repository}/manifests/${tag}`, {
        method: 'PUT',
        headers: { 'content-type': MediaTypes.OM },
        body: image.bytes,
      })
      expect(reply.status).toBe(201)
    }
    const pages: string[][] = []
    let next: string | undefined = `/v2/${repository}/tags/list?n=2`
    while (next !== undefined && pages.length < 5) {
      const page = await send(next)
      expect(page.status).toBe(200)
      expect(page.headers['content-type']).toMatch(/^application\/json/)
      const body = JSON.parse(page.body.toString()) as { name: string; tags: string[] }
      expect(body.name).toBe(repository)
      pages.push(body.tags)
      const link = page.headers['link']
      if (link !== undefined) expect(link).toMatch(/^<[^>]+>; rel="next"$/)
      next = link?.slice(1, link.indexOf('>'))
    }
    expect(pages).toEqual([['a', 'b'], ['c', 'd'], ['e']])
  })

  it('lists referrers of a manifest, with the artifactType filter', async () => {
    const repository = 'refs/app'
    const subject = await pushSmallImage(repository, 'v1', 'amd64')
    await pushMonolithic(repository, '{}', MediaTypes.EMPTY)
    const sbom = await pushMonolithic(repository, '{"sbom":true}', 'application/spdx+json')
    const artifactType = 'application/vnd.example.sbom.v1'
    const artifact = {
      schemaVersion: 2,
      mediaType: MediaTypes.OM,
      artifactType,
      config: EMPTY_CONFIG,
      layers: [sbom],
      subject: { mediaType: MediaTypes.OM, digest: subject.digest, size: subject.size },
      annotations: { 'org.example.kind': 'sbom' },
    }
    const pushed = await putManifest(repository, sha256(JSON.stringify(artifact)), artifact, MediaTypes.OM)
    expect(pushed.reply.status).toBe(201)
    expect(pushed.reply.headers['oci-subject']).toBe(subject.digest)

    const listed = await send(`/v2/${repository}/referrers/${subject.digest}`)
    expect(listed.status).toBe(200)
    expect(listed.headers['content-type']).toBe(MediaTypes.OI)
    expect(JSON.parse(listed.body.toString())).toEqual({
      schemaVersion: 2,
      mediaType: MediaTypes.OI,
      manifests: [
        {
          mediaType: MediaTypes.OM,
          digest: pushed.digest,
          size: pushed.bytes.byteLength,
          artifactType,
          annotations: { 'org.example.kind': 'sbom' },
        },
      ],
    })

    const filtered = await send(
      `/v2/${repository}/referrers/${subject.digest}?artifactType=${encodeURIComponent('application/vnd.example.other')}`,
    )
    expect(filtered.status).toBe(200)
    expect(filtered.headers['oci-filters-applied']).toBe('artifactType')
    expect(JSON.parse(filtered.body.toString())).toMatchObject({ manifests: [] })
  })

  it('deletes a manifest (and its tag) and a blob', async () => {
    const repository = 'delete/app'
    const image = await pushSmallImage(repository, 'v1', 'amd64')
    const blob = await pushMonolithic(repository, 'a blob to delete')

    expect((await send(`/v2/${repository}/manifests/${image.digest}`, { method: 'DELETE' })).status).toBe(202)
    for (const reference of [image.digest, 'v1']) {
      const gone = await send(`/v2/${repository}/manifests/${reference}`, { headers: { accept: MediaTypes.OM } })
      expect(gone.status).toBe(404)
      expect(JSON.parse(gone.body.toString())).toMatchObject({
        errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }],
      })
    }

    expect((await send(`/v2/${repository}/blobs/${blob.digest}`, { method: 'DELETE' })).status).toBe(202)
    const goneBlob = await send(`/v2/${repository}/blobs/${blob.digest}`)
    expect(goneBlob.status).toBe(404)
    expect(JSON.parse(goneBlob.body.toString())).toMatchObject({
      errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }],
    })
  })

  it('reaches a repository and a digest sent percent-encoded, as @azure/container-registry sends them', async () => {
    const image = await pushSmallImage('encoded/app', 'v1', 'amd64')
    const tags = await send('/v2/encoded%2Fapp/tags/list')
    expect([tags.status, JSON.parse(tags.body.toString())]).toEqual([200, { name: 'encoded/app', tags: ['v1'] }])
    const pulled = await send(`/v2/encoded%2Fapp/manifests/${image.digest.replace(':', '%3A')}`, {
      headers: { accept: MediaTypes.OM },
    })
    expect(pulled.status).toBe(200)
    expect(pulled.body.equals(image.bytes)).toBe(true)
    const doubled = await send('/v2/encoded%252Fapp/tags/list')
    expect(doubled.status).toBe(400)
    expect(JSON.parse(doubled.body.toString())).toMatchObject({
      errors: [{ code: 'NAME_INVALID', detail: { name: 'encoded%2Fapp' } }],
    })
  })

  const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`
  it.each([
    {
      title: 'an unknown repository',
      path: '/v2/errors/app/manifests/missing',
      status: 404,
      code: 'NAME_UNKNOWN',
      message: 'repository name not known to registry',
    },
    {
      title: 'an unknown blob',
      path: `/v2/errors/app/blobs/${ZERO_DIGEST}`,
      status: 404,
      code: 'BLOB_UNKNOWN',
      message: 'blob unknown to registry',
    },
    {
      title: 'an invalid repository name',
      path: '/v2/Errors/App/tags/list',
      status: 400,
      code: 'NAME_INVALID',
      message: 'invalid repository name',
    },
    {
      title: 'an unknown upload session',
      path: '/v2/errors/app/blobs/uploads/not-a-session',
      status: 404,
      code: 'BLOB_UPLOAD_UNKNOWN',
      message: 'blob upload unknown to registry',
    },
    {
      title: 'a storage that throws',
      path: `/v2/explode/app/blobs/${ZERO_DIGEST}`,
      status: 500,
      code: 'UNKNOWN',
      message: 'unknown error',
      detail: 'Error: storage exploded',
    },
  ])('answers $title with $status $code in the spec envelope', async ({ path, status, code, message, detail }) => {
    const reply = await send(path)
    expect(reply.status).toBe(status)
    expect(reply.headers).toMatchObject({
      'content-type': 'application/json',
      'docker-distribution-api-version': 'registry/2.0',
      'content-length': String(reply.body.byteLength),
    })
    const text = reply.body.toString()
    expect(text.endsWith('}\n')).toBe(true)
    const body = JSON.parse(text) as { errors: Array<Record<string, unknown>> }
    expect(body.errors).toHaveLength(1)
    expect(body.errors[0]).toMatchObject(detail === undefined ? { code, message } : { code, message, detail })
  })
})
