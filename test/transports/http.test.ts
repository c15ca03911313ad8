// The node:http transport, driven the way clients drive it: Node's global fetch, node:http with
// keep-alive agents, and raw bytes on a socket for requests no client library would send.
import { createHash } from 'node:crypto'
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { connect, createServer as createNetServer } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, FakeRegistryError, type FakeRegistry } from '../../src/index.js'
import { errorsOf } from '../support/push.js'

const MiB = 1024 * 1024
const API_VERSION = 'registry/2.0'

interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** Sends `text` as is on a fresh connection and reads until the server closes it. */
function sendRaw(registry: FakeRegistry, text: string): Promise<RawResponse> {
  const { hostname, port } = new URL(registry.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text, 'latin1'))
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1')
      const [head = '', ...rest] = raw.split('\r\n\r\n')
      const [statusLine = '', ...lines] = head.split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of lines) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') })
    })
  })
}

interface NodeResponse {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  reusedSocket: boolean
}

/** One request with node:http; `body` chunks are written as they come (chunked encoding). */
function nodeRequest(
  url: string,
  options: { method?: string; agent?: Agent; headers?: Record<string, string>; body?: Iterable<Uint8Array> } = {},
): Promise<NodeResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', agent: options.agent, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            reusedSocket: req.reusedSocket,
          }),
        )
      },
    )
    req.on('error', reject)
    for (const chunk of options.body ?? []) req.write(chunk)
    req.end()
  })
}

/** `count` MiB of bytes that differ per position, so a lost or repeated chunk changes the digest. */
function* pattern(count: number): Generator<Uint8Array> {
  for (let i = 0; i < count; i++) {
    const chunk = new Uint8Array(MiB)
    for (let j = 0; j < chunk.length; j++) chunk[j] = (i * 131 + j * 7 + (j >> 10)) & 0xff
    yield chunk
  }
}

function digestOf(chunks: Iterable<Uint8Array>): string {
  const hash = createHash('sha256')
  for (const chunk of chunks) hash.update(chunk)
  return `sha256:${hash.digest('hex')}`
}

async function hashStream(body: ReadableStream<Uint8Array>): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk)
    size += chunk.byteLength
  }
  return { digest: `sha256:${hash.digest('hex')}`, size }
}

async function canListenOnIpv6Loopback(): Promise<boolean> {
  const server = createNetServer()
  return new Promise((resolve) => {
    server.once('error', () => resolve(false))
    server.listen(0, '::1', () => server.close(() => resolve(true)))
  })
}

// Some CI containers have no IPv6 loopback; there the ::1 test is skipped rather than failed.
const ipv6 = await canListenOnIpv6Loopback()

describe('http transport', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry()
  })
  afterEach(() => registry.close())

  describe('listening', () => {
    it('binds 127.0.0.1 on an ephemeral port by default and reports url and host', async () => {
      const { hostname, port } = new URL(registry.url)
      expect(hostname).toBe('127.0.0.1')
      expect(Number(port)).toBeGreaterThan(0)
      expect(registry.url).toBe(`http://127.0.0.1:${port}`)
      expect(registry.host).toBe(`127.0.0.1:${port}`)
      expect(registry.ref('team/app:1')).toBe(`127.0.0.1:${port}/team/app:1`)
    })

    it('gives every registry created with port 0 its own port', async () => {
      await using other = await createFakeRegistry({ port: 0 })
      expect(other.url).not.toBe(registry.url)
      expect((await fetch(`${other.url}/v2/`)).status).toBe(200)
    })

    it('rejects a port already in use with FakeRegistryError ERR_LISTEN', async () => {
      const port = Number(new URL(registry.url).port)
      const attempt = createFakeRegistry({ port })
      await expect(attempt).rejects.toBeInstanceOf(FakeRegistryError)
      await expect(attempt).rejects.toMatchObject({
        code: 'ERR_LISTEN',
        message: `Failed to listen on "127.0.0.1:${port}": the port is already in use. Pass port: 0 for a free ephemeral port, or stop whatever holds that one.`,
      })
    })

    it('rejects an address this machine does not have with a fix about the host, not the port', async () => {
      // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of a test machine. Nothing is sent.
      const attempt = createFakeRegistry({ host: '192.0.2.1', port: 0 })
      await expect(attempt).rejects.toMatchObject({
        code: 'ERR_LISTEN',
        message:
          'Failed to listen on "192.0.2.1:0": no network interface of this machine has that address. ' +
          "Pass host: '127.0.0.1', '::1' or an address of this machine.",
        cause: { code: 'EADDRNOTAVAIL' },
      })
    })

    it.runIf(ipv6)('serves on the IPv6 loopback with host ::1', async () => {
      await using v6 = await createFakeRegistry({ host: '::1' })
      const { port } = new URL(v6.url)
      expect(v6.url).toBe(`http://[::1]:${port}`)
      expect(v6.host).toBe(`[::1]:${port}`)
      const response = await fetch(`${v6.url}/v2/`)
      expect(response.status).toBe(200)
      expect(await response.text()).toBe('{}')
    })
  })

  describe('answers', () => {
    it('answers GET /v2/ through Node fetch with the version header and {}', async () => {
      const response = await fetch(`${registry.url}/v2/`)
      expect(response.status).toBe(200)
      expect(response.headers.get('docker-distribution-api-version')).toBe(API_VERSION)
      expect(response.headers.get('content-type')).toBe('application/json')
      expect(response.headers.get('content-length')).toBe('2')
      expect(await response.text()).toBe('{}')
    })

    it('answers HEAD /v2/ with Content-Length and no body bytes on the wire', async () => {
      const raw = await sendRaw(registry, 'HEAD /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')
      expect(raw.status).toBe(200)
      expect(raw.headers['content-length']).toBe('2')
      expect(raw.headers['docker-distribution-api-version']).toBe(API_VERSION)
      expect(raw.body).toBe('')
      const response = await fetch(`${registry.url}/v2/`, { method: 'HEAD' })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-length')).toBe('2')
      expect(await response.text()).toBe('')
    })

    it('answers an unknown route with 404 and the spec envelope', async () => {
      const response = await fetch(`${registry.url}/v3/whatever`)
      expect(response.status).toBe(404)
      expect(response.headers.get('content-type')).toBe('application/json')
      expect(response.headers.get('docker-distribution-api-version')).toBe(API_VERSION)
      expect(await errorsOf(response)).toEqual([
        { code: 'UNSUPPORTED', message: 'route not part of the distribution API', detail: { path: '/v3/whatever' } },
      ])
    })

    it('builds the request URL from the Host header the client sent', async () => {
      const { port } = new URL(registry.url)
      const response = await nodeRequest(`http://localhost:${port}/v2/team/app/blobs/uploads/`, {
        method: 'POST',
        headers: { host: `localhost:${port}` },
      })
      expect(response.status).toBe(202)
      expect(String(response.headers.location)).toMatch(/^\/v2\/team\/app\/blobs\/uploads\/[^/]+$/)
    })
  })

  describe('requests that cannot become a Fetch Request', () => {
    // Each is answered 400 UNSUPPORTED in the spec envelope, never a dropped connection.
    const rows: Array<{ name: string; raw: string; reason: string }> = [
      {
        name: 'absolute-form target (a request meant for a proxy)',
        raw: 'GET http://example.com/v2/ HTTP/1.1\r\nHost: example.com\r\n',
        reason: 'the request target "http://example.com/v2/" is in absolute form and this registry is not a proxy',
      },
      {
        name: 'target starting with //',
        raw: 'GET //v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n',
        reason: 'the request target "//v2/" is not a path starting with a single /',
      },
      {
        name: 'asterisk-form target',
        raw: 'OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n',
        reason: 'the request target "*" is not a path starting with a single /',
      },
      {
        name: 'Host with a space',
        raw: 'GET /v2/ HTTP/1.1\r\nHost: exa mple\r\n',
        reason: 'the Host header "exa mple" is not a host with an optional port',
      },
      {
        name: 'Host with user info',
        raw: 'GET /v2/ HTTP/1.1\r\nHost: user@example.com\r\n',
        reason: 'the Host header "user@example.com" is not a host with an optional port',
      },
      {
        name: 'Host with a path',
        raw: 'GET /v2/ HTTP/1.1\r\nHost: example.com/x\r\n',
        reason: 'the Host header "example.com/x" is not a host with an optional port',
      },
      {
        name: 'Host with a port above 65535',
        raw: 'GET /v2/ HTTP/1.1\r\nHost: example.com:99999\r\n',
        reason: 'the Host header "example.com:99999" is not a host with an optional port',
      },
      {
        name: 'empty Host',
        raw: 'GET /v2/ HTTP/1.1\r\nHost:\r\n',
        reason: 'the Host header "" is not a host with an optional port',
      },
      {
        name: 'two Host headers',
        raw: 'GET /v2/ HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n',
        reason: 'the request has more than one Host header',
      },
      {
        name: 'HTTP/1.1 without Host',
        raw: 'GET /v2/ HTTP/1.1\r\n',
        reason: 'the request has no Host header, which HTTP/1.1 requires',
      },
      {
        name: 'a method Fetch forbids (TRACE)',
        raw: 'TRACE /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\n',
        reason: "the request cannot be represented as a Fetch Request ('TRACE' HTTP method is unsupported.)",
      },
      {
        name: 'a control character in a header value',
        raw: 'GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Bad: a\u0001b\r\n',
        reason: 'the request is not valid HTTP/1.1 (HPE_INVALID_HEADER_TOKEN: Invalid header value char)',
      },
      {
        name: 'CONNECT (a tunnel request)',
        raw: 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n',
        reason: 'CONNECT asks for a proxy tunnel and this registry is not a proxy',
      },
    ]

    it.each(rows)('answers $name with 400 UNSUPPORTED', async ({ raw, reason }) => {
      const response = await sendRaw(registry, `${raw}Connection: close\r\n\r\n`)
      const body = `${JSON.stringify({ errors: [{ code: 'UNSUPPORTED', message: 'bad request', detail: { reason } }] })}\n`
      expect(response).toMatchObject({ status: 400, body })
      expect(response.headers).toMatchObject({
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'docker-distribution-api-version': API_VERSION,
      })
      expect((await fetch(`${registry.url}/v2/`)).status).toBe(200)
    })

    it('serves an HTTP/1.0 request without Host as addressed to itself', async () => {
      const response = await sendRaw(registry, 'GET /v2/ HTTP/1.0\r\n\r\n')
      expect(response).toMatchObject({ status: 200, body: '{}' })
      expect(response.headers['docker-distribution-api-version']).toBe(API_VERSION)
    })
  })

  describe('streaming bodies', () => {
    it('round-trips a 32 MiB blob streamed up with fetch (duplex half) and down again, byte-exact', async () => {
      const digest = digestOf(pattern(32))
      const chunks = pattern(32)
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = chunks.next()
          if (next.done) controller.close()
          else controller.enqueue(next.value)
        },
      })
      const upload = await fetch(`${registry.url}/v2/team/big/blobs/uploads/?digest=${digest}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body,
        duplex: 'half',
      } as RequestInit)
      expect(upload.status).toBe(201)
      expect(upload.headers.get('docker-content-digest')).toBe(digest)
      expect(upload.headers.get('location')).toBe(`/v2/team/big/blobs/${digest}`)

      const head = await fetch(`${registry.url}/v2/team/big/blobs/${digest}`, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.headers.get('content-length')).toBe(String(32 * MiB))
      expect(await head.text()).toBe('')

      const download = await fetch(`${registry.url}/v2/team/big/blobs/${digest}`)
      expect(download.status).toBe(200)
      expect(download.headers.get('content-length')).toBe(String(32 * MiB))
      expect(await hashStream(download.body as ReadableStream<Uint8Array>)).toEqual({ digest, size: 32 * MiB })
    })

    it('round-trips a blob uploaded with node:http in chunked encoding', async () => {
      const digest = digestOf(pattern(3))
      const upload = await nodeRequest(`${registry.url}/v2/team/chunked/blobs/uploads/?digest=${digest}`, {
        method: 'POST',
        body: pattern(3),
      })
      expect(upload.status).toBe(201)
      const download = await nodeRequest(`${registry.url}/v2/team/chunked/blobs/${digest}`)
      expect(download.status).toBe(200)
      expect(digestOf([download.body])).toBe(digest)
      expect(download.body.byteLength).toBe(3 * MiB)
    })

    it('keeps serving, and stores nothing, when a client aborts mid-upload', async () => {
      const digest = digestOf(pattern(16))
      const url = `${registry.url}/v2/team/aborted/blobs/uploads/?digest=${digest}`
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream' } })
        req.on('error', (error: NodeJS.ErrnoException) =>
          error.code === 'ECONNRESET' || error.message === 'socket hang up' ? resolve() : reject(error),
        )
        req.on('close', () => resolve())
        const chunks = pattern(4)
        const writeNext = (): void => {
          const next = chunks.next()
          // Half of the bytes are on the wire: the server is mid-read when the connection drops.
          if (next.done) req.destroy()
          else req.write(next.value, writeNext)
        }
        writeNext()
      })
      const base = await fetch(`${registry.url}/v2/`)
      expect(base.status).toBe(200)
      const blob = await fetch(`${registry.url}/v2/team/aborted/blobs/${digest}`, { method: 'HEAD' })
      expect(blob.status).toBe(404)
    })

    it('keeps serving when a client aborts mid-download', async () => {
      const digest = digestOf(pattern(8))
      const upload = await nodeRequest(`${registry.url}/v2/team/partial/blobs/uploads/?digest=${digest}`, {
        method: 'POST',
        body: pattern(8),
      })
      expect(upload.status).toBe(201)
      const received = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${registry.url}/v2/team/partial/blobs/${digest}`, (res) => {
          res.once('data', (chunk: Buffer) => {
            req.destroy()
            resolve(chunk.byteLength)
          })
        })
        req.on('error', reject)
        req.end()
      })
      expect(received).toBeGreaterThan(0)
      expect((await fetch(`${registry.url}/v2/`)).status).toBe(200)
    })

    it('reuses the connection after an answer that did not read the request body', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 })
      try {
        const ignored = await nodeRequest(`${registry.url}/v3/not-the-api`, { method: 'POST', agent, body: pattern(2) })
        expect(ignored.status).toBe(404)
        const next = await nodeRequest(`${registry.url}/v2/`, { agent })
        expect(next).toMatchObject({ status: 200, reusedSocket: true })
        expect(next.body.toString()).toBe('{}')
      } finally {
        agent.destroy()
      }
    })

    it('reuses the connection after an answer that read only part of the request body', async () => {
      await using capped = await createFakeRegistry({ maxManifestBytes: 1024 })
      const agent = new Agent({ keepAlive: true, maxSockets: 1 })
      try {
        const oversized = await nodeRequest(`${capped.url}/v2/team/app/manifests/1`, {
          method: 'PUT',
          agent,
          headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
          body: pattern(2),
        })
        expect(oversized.status).toBe(413)
        const next = await nodeRequest(`${capped.url}/v2/`, { agent })
        expect(next).toMatchObject({ status: 200, reusedSocket: true })
      } finally {
        agent.destroy()
      }
    })
  })

  describe('close()', () => {
    it('returns the same promise on every call and stops accepting connections', async () => {
      const first = registry.close()
      expect(registry.close()).toBe(first)
      await first
      expect(registry.closed).toBe(true)
      await expect(fetch(`${registry.url}/v2/`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } })
    })

    it('ends idle keep-alive connections at once while an in-flight request finishes', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 2 })
      try {
        // An idle keep-alive connection…
        const warmup = await nodeRequest(`${registry.url}/v2/`, { agent })
        expect(warmup.status).toBe(200)
        const idleSocket = Object.values(agent.freeSockets).flat()[0]
        expect(idleSocket).toBeDefined()
        const idleClosed = new Promise<void>((resolve) => idleSocket?.once('close', () => resolve()))

        // …and a manifest push whose body is still arriving.
        const inFlight = httpRequest(`${registry.url}/v2/team/app/manifests/1`, {
          method: 'PUT',
          headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
        })
        const answer = new Promise<NodeResponse>((resolve, reject) => {
          inFlight.on('response', (res) => {
            const chunks: Buffer[] = []
            res.on('data', (chunk: Buffer) => chunks.push(chunk))
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: Buffer.concat(chunks),
                reusedSocket: false,
              }),
            )
          })
          inFlight.on('error', reject)
        })
        await new Promise<void>((resolve) => inFlight.write('{"schemaVersion":', () => resolve()))

        const closed = registry.close()
        await idleClosed
        inFlight.end('2}')
        const response = await answer
        // The manifest is incomplete; what matters is that its answer arrives after close().
        expect(response.status).toBe(400)
        expect(response.headers.connection).toBe('close')
        expect((JSON.parse(response.body.toString()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe(
          'MANIFEST_INVALID',
        )
        await closed
      } finally {
        agent.destroy()
      }
    })

    it('closes on leaving an await using block (Symbol.asyncDispose)', async () => {
      let url: string
      let disposed: FakeRegistry | undefined
      {
        await using scoped = await createFakeRegistry()
        url = scoped.url
        disposed = scoped
        expect((await fetch(`${url}/v2/`)).status).toBe(200)
      }
      expect(disposed.closed).toBe(true)
      await expect(fetch(`${url}/v2/`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } })
    })
  })
})
