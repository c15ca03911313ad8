// Every fault action through every way of reaching the registry: what the client sees, byte for
// byte, and how a broken connection fails for that client.
import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BROKEN, openBench, VIAS, type Bench, type Outcome } from './support.js'

// 1000 bytes that are not all alike, so a flipped or missing byte shows.
const CONTENT = Buffer.from(Array.from({ length: 1000 }, (_, index) => (index * 7 + 3) % 256))
const DIGEST = `sha256:${createHash('sha256').update(CONTENT).digest('hex')}`
const BLOB = `/v2/team/app/blobs/${DIGEST}`

describe.each(VIAS)('fault actions through %s', (via) => {
  let bench: Bench
  beforeEach(async () => {
    bench = await openBench(via)
    await bench.registry.seed.blob('team/app', CONTENT)
  })
  afterEach(() => bench.close())

  const get = (path = BLOB): Promise<Outcome> => bench.send(path)

  it('answers a status with an error code in the spec envelope', async () => {
    bench.registry.faults.add({ path: BLOB, code: 'TOOMANYREQUESTS' })
    const outcome = await get()
    expect(outcome.failure).toBeUndefined()
    expect(outcome.status).toBe(429)
    expect(outcome.headers['content-type']).toBe('application/json')
    expect(outcome.body.toString()).toBe('{"errors":[{"code":"TOOMANYREQUESTS","message":"too many requests"}]}\n')
    expect(outcome.headers['content-length']).toBe(String(outcome.body.byteLength))
  })

  it('answers a code outside the spec table with the status and message given', async () => {
    bench.registry.faults.add({ path: BLOB, status: 503, code: 'UNAVAILABLE', message: 'service unavailable' })
    const outcome = await get()
    expect(outcome.status).toBe(503)
    expect(JSON.parse(outcome.body.toString())).toEqual({
      errors: [{ code: 'UNAVAILABLE', message: 'service unavailable' }],
    })
  })

  it.each([
    {
      kind: 'plain text',
      rule: { status: 502, body: 'Bad Gateway' },
      type: 'text/plain; charset=utf-8',
      text: 'Bad Gateway',
    },
    {
      kind: 'HTML',
      rule: {
        status: 503,
        body: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>',
        contentType: 'text/html',
      },
      type: 'text/html',
      text: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>',
    },
    { kind: 'an empty body', rule: { status: 500, body: '' }, type: undefined, text: '' },
    { kind: 'no body at all', rule: { status: 500 }, type: undefined, text: '' },
  ])('answers a raw body: $kind', async ({ rule, type, text }) => {
    bench.registry.faults.add({ path: BLOB, ...rule })
    const outcome = await get()
    expect(outcome.failure).toBeUndefined()
    expect(outcome.status).toBe(rule.status)
    expect(outcome.headers['content-type']).toBe(type)
    expect(outcome.headers['content-length']).toBe(String(Buffer.byteLength(text)))
    expect(outcome.body.toString()).toBe(text)
    // Not the registry's answer: nothing of it leaks into the replacement.
    expect(outcome.headers['docker-distribution-api-version']).toBeUndefined()
  })

  it('sends Retry-After in seconds', async () => {
    bench.registry.faults.add({ path: BLOB, status: 503, retryAfter: 7 })
    const outcome = await get()
    expect(outcome.status).toBe(503)
    expect(outcome.headers['retry-after']).toBe('7')
  })

  it('sends Retry-After as an HTTP date', async () => {
    bench.registry.faults.add({ path: BLOB, code: 'TOOMANYREQUESTS', retryAfter: new Date('2030-01-02T03:04:05Z') })
    const outcome = await get()
    expect(outcome.headers['retry-after']).toBe('Wed, 02 Jan 2030 03:04:05 GMT')
  })

  it('adds headers to the registry answer, which it leaves otherwise alone', async () => {
    bench.registry.faults.add({ path: BLOB, headers: { 'x-cache': 'miss' }, retryAfter: 0 })
    const outcome = await get()
    expect(outcome.status).toBe(200)
    expect(outcome.headers['x-cache']).toBe('miss')
    expect(outcome.headers['retry-after']).toBe('0')
    expect(outcome.headers['docker-content-digest']).toBe(DIGEST)
    expect(outcome.body.equals(CONTENT)).toBe(true)
  })

  it('holds the answer back by delayMs, while other requests are answered', async () => {
    const slow = bench.registry.faults.add({ path: BLOB, delayMs: 1000 })
    let delayedDone = false
    const delayed = get().then((outcome) => {
      delayedDone = true
      return outcome
    })
    await vi.waitFor(() => expect(slow.matched).toBe(1))
    const other = await get('/v2/')
    expect(other.status).toBe(200)
    expect(delayedDone).toBe(false)
    const outcome = await delayed
    expect(outcome.status).toBe(200)
    expect(outcome.body.equals(CONTENT)).toBe(true)
  })

  it('sends a delayed answer at once when the registry closes', async () => {
    const slow = bench.registry.faults.add({ path: BLOB, delayMs: 2_147_483_647 })
    const delayed = get()
    await vi.waitFor(() => expect(slow.matched).toBe(1))
    await bench.registry.close()
    const outcome = await delayed
    expect(outcome.failure).toBeUndefined()
    expect(outcome.status).toBe(200)
    expect(outcome.body.equals(CONTENT)).toBe(true)
  })

  it('throttles the body into slices of a tenth of the rate', async () => {
    bench.registry.faults.add({ path: BLOB, bytesPerSecond: 4000 })
    const outcome = await get()
    expect(outcome.failure).toBeUndefined()
    expect(outcome.body.equals(CONTENT)).toBe(true)
    // 1000 bytes at 4000 bytes/s: slices of 400 bytes, so at least three arrivals, none larger.
    expect(outcome.chunks.length).toBeGreaterThanOrEqual(3)
    expect(Math.max(...outcome.chunks.map((chunk) => chunk.byteLength))).toBeLessThanOrEqual(400)
  })

  it('resets the connection instead of answering', async () => {
    bench.registry.faults.add({ path: BLOB, reset: true, times: 1 })
    const outcome = await get()
    expect(outcome.status).toBeUndefined()
    expect(outcome.failure).toMatchObject(BROKEN.reset[via])
    // The next request is answered as usual.
    expect((await get()).body.equals(CONTENT)).toBe(true)
  })

  it('breaks the body off after truncateAfterBytes: a premature close, not a short body', async () => {
    bench.registry.faults.add({ path: BLOB, truncateAfterBytes: 100 })
    const outcome = await get()
    expect(outcome.status).toBe(200)
    expect(outcome.headers['content-length']).toBe('1000')
    expect(outcome.failure).toMatchObject(BROKEN.truncated[via])
    expect(outcome.body.equals(CONTENT.subarray(0, 100))).toBe(true)
  })

  it('corrupts the body: same length, first byte inverted, another digest', async () => {
    bench.registry.faults.add({ path: BLOB, corrupt: true, times: 1 })
    const outcome = await get()
    expect(outcome.failure).toBeUndefined()
    expect(outcome.status).toBe(200)
    expect(outcome.headers['docker-content-digest']).toBe(DIGEST)
    const expected = Buffer.from(CONTENT)
    expected[0] = (expected[0] as number) ^ 0xff
    expect(outcome.body.equals(expected)).toBe(true)
    expect(`sha256:${createHash('sha256').update(outcome.body).digest('hex')}`).not.toBe(DIGEST)
    // The stored blob is untouched.
    expect((await get()).body.equals(CONTENT)).toBe(true)
  })

  it('truncates and corrupts a replaced body too', async () => {
    bench.registry.faults.add({ path: BLOB, status: 500, body: 'internal error', corrupt: true, truncateAfterBytes: 4 })
    const outcome = await get()
    expect(outcome.status).toBe(500)
    expect(outcome.failure).toMatchObject(BROKEN.truncated[via])
    expect([...outcome.body]).toEqual([...Buffer.from('inte')].map((byte, index) => (index === 0 ? byte ^ 0xff : byte)))
  })

  it('lets a HEAD through untouched by body actions, headers included', async () => {
    bench.registry.faults.add({
      path: BLOB,
      method: ['GET', 'HEAD'],
      truncateAfterBytes: 10,
      headers: { 'x-fault': 'yes' },
    })
    const head = await bench.send(BLOB, { method: 'HEAD' })
    expect(head.failure).toBeUndefined()
    expect(head.status).toBe(200)
    expect(head.headers['content-length']).toBe('1000')
    expect(head.headers['x-fault']).toBe('yes')
    // The connection is still good for the next request.
    expect((await bench.send('/v2/')).status).toBe(200)
  })
})
