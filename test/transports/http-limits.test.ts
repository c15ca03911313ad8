// Connection limits of the http transport: what a client that opens connections and sends
// nothing, drips its request, or opens too many, gets. The limits are set low so each case ends
// at once; the assertions are about what happens, never about how long it took.
import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULTS } from '../../src/options.js'
import { createFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from '../../src/index.js'

let registry: FakeRegistry | undefined
afterEach(async () => {
  await registry?.close()
  registry = undefined
})

async function serve(options: FakeRegistryOptions): Promise<number> {
  registry = await createFakeRegistry({ transport: 'http', ...options })
  return Number(new URL(registry.url).port)
}

/** A connection, what it received, and a promise of its end. */
interface Connection {
  socket: Socket
  received(): string
  /** Resolves when the server has closed the connection (or reset it), with everything received. */
  closed: Promise<string>
}

function open(port: number): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect({ host: '127.0.0.1', port })
    const received = (): string => Buffer.concat(chunks).toString('latin1')
    const closed = new Promise<string>((done) => socket.on('close', () => done(received())))
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    // A reset is one way for the server to end a connection; the test looks at what came before.
    socket.on('error', () => {})
    socket.once('connect', () => resolve({ socket, received, closed }))
    socket.once('error', reject)
  })
}

/** Sends one keep-alive request and waits for its whole answer (a bodiless one or a small JSON). */
async function roundTrip(connection: Connection): Promise<string> {
  const before = connection.received().length
  connection.socket.write('GET /v2/ HTTP/1.1\r\nHost: localhost\r\n\r\n')
  for (;;) {
    const text = connection.received().slice(before)
    const length = /\r\ncontent-length: (\d+)\r\n/i.exec(text)
    const end = text.indexOf('\r\n\r\n')
    if (length && end >= 0 && text.length >= end + 4 + Number(length[1])) return text
    await new Promise((resolve) => connection.socket.once('data', resolve))
  }
}

describe('http transport connection limits', () => {
  it('has defaults that cut an idle attacker in seconds and let an honest test take minutes', () => {
    expect({
      headersTimeoutMs: DEFAULTS.headersTimeoutMs,
      requestTimeoutMs: DEFAULTS.requestTimeoutMs,
      idleTimeoutMs: DEFAULTS.idleTimeoutMs,
      maxConnections: DEFAULTS.maxConnections,
      listenBacklog: DEFAULTS.listenBacklog,
    }).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 300_000,
      idleTimeoutMs: 30_000,
      maxConnections: 512,
      listenBacklog: 2048,
    })
  })

  it('closes a connection that sends nothing', async () => {
    const port = await serve({ idleTimeoutMs: 50 })
    const connection = await open(port)
    expect(await connection.closed).toBe('')
  })

  it('closes a keep-alive connection that goes silent after a request', async () => {
    const port = await serve({ idleTimeoutMs: 50 })
    const connection = await open(port)
    expect(await roundTrip(connection)).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    await connection.closed
    expect(connection.socket.destroyed).toBe(true)
  })

  it('answers 408 with the envelope to a client that never finishes its headers', async () => {
    const port = await serve({ headersTimeoutMs: 100, requestTimeoutMs: 60_000, idleTimeoutMs: 60_000 })
    const connection = await open(port)
    connection.socket.write('GET /v2/ HTTP/1.1\r\nHost: localhost\r\nX-Drip: ')
    const received = await connection.closed
    expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/)
    expect(received).toContain('docker-distribution-api-version: registry/2.0')
    expect(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4))).toMatchObject({
      errors: [{ code: 'UNSUPPORTED' }],
    })
  })

  it('ends a request whose body never arrives, and the upload keeps what it had', async () => {
    const port = await serve({ headersTimeoutMs: 100, requestTimeoutMs: 100, idleTimeoutMs: 60_000 })
    const started = await fetch(`http://127.0.0.1:${port}/v2/team/app/blobs/uploads/`, { method: 'POST' })
    const location = started.headers.get('location') as string
    const connection = await open(port)
    connection.socket.write(`PATCH ${location} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nabc`)
    await connection.closed
    const status = await fetch(`http://127.0.0.1:${port}${location}`)
    expect({ status: status.status, range: status.headers.get('range') }).toEqual({ status: 204, range: '0-0' })
  })

  it('closes connections beyond maxConnections as they arrive, and serves again once one ends', async () => {
    const port = await serve({ maxConnections: 2 })
    const first = await open(port)
    const second = await open(port)
    // Both answered: the server has accepted and counts them.
    expect(await roundTrip(first)).toMatch(/^HTTP\/1\.1 200/)
    expect(await roundTrip(second)).toMatch(/^HTTP\/1\.1 200/)
    const third = await open(port)
    third.socket.write('GET /v2/ HTTP/1.1\r\nHost: localhost\r\n\r\n')
    expect(await third.closed).toBe('')
    first.socket.destroy()
    await first.closed
    // The server learns of the close when it reads it: retry until a new connection is kept.
    for (;;) {
      const fourth = await open(port)
      fourth.socket.write('GET /v2/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
      const received = await fourth.closed
      if (received !== '') {
        expect(received).toMatch(/^HTTP\/1\.1 200/)
        break
      }
    }
    second.socket.destroy()
  })

  it('listens with the listenBacklog given', async () => {
    const port = await serve({ listenBacklog: 16 })
    expect((await fetch(`http://127.0.0.1:${port}/v2/`)).status).toBe(200)
    expect(registry?.options.listenBacklog).toBe(16)
  })

  it.each([
    [
      { idleTimeoutMs: 0 },
      'Failed to use option idleTimeoutMs "0": idleTimeoutMs must be a positive whole number of milliseconds. Pass a number such as 30000.',
    ],
    [
      { maxConnections: 1.5 },
      'Failed to use option maxConnections "1.5": maxConnections must be a positive whole number of connections. Pass a number such as 512.',
    ],
    [
      { headersTimeoutMs: 2000, requestTimeoutMs: 1000 },
      'Failed to use option headersTimeoutMs "2000": the headers cannot take longer than the whole request (requestTimeoutMs 1000). Pass a headersTimeoutMs at most requestTimeoutMs.',
    ],
  ])('refuses %o', async (options, message) => {
    await expect(createFakeRegistry({ transport: 'none', ...options })).rejects.toThrow(message)
  })
})
