// Real clients reacting to faults: undici's retry logic honouring Retry-After and resuming a
// broken download with Range, and skopeo's digest check refusing a corrupted blob.
import { createHash } from 'node:crypto'
import { Agent, interceptors, request, RetryAgent, type Dispatcher } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { makeTempDir, removeLayout } from '../support/oci-layout.js'
import { createSkopeo, describeRun, findSkopeo, type Skopeo } from '../support/skopeo.js'

const CONTENT = Buffer.from(Array.from({ length: 4000 }, (_, index) => (index * 13 + 5) % 256))
const DIGEST = `sha256:${createHash('sha256').update(CONTENT).digest('hex')}`

describe("undici's RetryAgent over http", () => {
  let registry: FakeRegistry
  let agent: RetryAgent
  afterEach(async () => {
    await agent.close()
    await registry.close()
  })

  async function start(): Promise<void> {
    registry = await createFakeRegistry()
    await registry.seed.blob('team/app', CONTENT)
    // Short back-offs of its own, so only Retry-After makes it wait.
    agent = new RetryAgent(new Agent(), { maxRetries: 3, minTimeout: 1, timeoutFactor: 1 })
  }

  it('retries 503s with Retry-After until the blob comes', async () => {
    await start()
    const unavailable = registry.faults.add({
      kind: 'blob',
      status: 503,
      code: 'UNAVAILABLE',
      message: 'service unavailable',
      retryAfter: 1,
      times: 2,
    })
    const { statusCode, body } = await request(`${registry.url}/v2/team/app/blobs/${DIGEST}`, { dispatcher: agent })
    expect(statusCode).toBe(200)
    expect(Buffer.from(await body.arrayBuffer()).equals(CONTENT)).toBe(true)
    expect(unavailable.calls).toBe(2)
    expect(registry.requests.all().map((entry) => [entry.response.status, entry.fault])).toEqual([
      [503, 'fault-1'],
      [503, 'fault-1'],
      [200, undefined],
    ])
  })

  it('resumes a download broken off mid-body with a Range request', async () => {
    await start()
    registry.faults.add({ kind: 'blob', method: 'GET', truncateAfterBytes: 1500, times: 1 })
    const { statusCode, body } = await request(`${registry.url}/v2/team/app/blobs/${DIGEST}`, { dispatcher: agent })
    expect(statusCode).toBe(200)
    expect(Buffer.from(await body.arrayBuffer()).equals(CONTENT)).toBe(true)
    const [broken, resumed] = registry.requests.all()
    expect(broken).toMatchObject({ fault: 'fault-1', response: { status: 200, bodySize: 1500 } })
    expect(resumed).toMatchObject({ headers: { range: 'bytes=1500-3999' }, response: { status: 206, bodySize: 2500 } })
  })

  it('retries a reset connection', async () => {
    await start()
    registry.faults.add({ kind: 'blob', reset: true, times: 1 })
    const { statusCode, body } = await request(`${registry.url}/v2/team/app/blobs/${DIGEST}`, { dispatcher: agent })
    expect(statusCode).toBe(200)
    expect(Buffer.from(await body.arrayBuffer()).equals(CONTENT)).toBe(true)
    expect(registry.requests.all().map((entry) => entry.response.status)).toEqual([0, 200])
  })
})

// In process with fake timers: the wait undici derives from Retry-After is observed exactly,
// with no clock in the test.
describe("undici's retry interceptor on the dispatcher", () => {
  let registry: FakeRegistry
  afterEach(async () => {
    vi.useRealTimers()
    await registry.close()
  })

  async function retrying(throwOnError: boolean): Promise<Dispatcher> {
    registry = await createFakeRegistry({ transport: 'none' })
    await registry.seed.image('team/app:1')
    const retry = interceptors.retry({ maxRetries: 2, minTimeout: 1, maxTimeout: 60_000, throwOnError })
    return registry.dispatcher.compose(retry) as unknown as Dispatcher
  }

  // throwOnError (the default) fails the attempt from its end callback; without it the handler
  // pauses the answer while it waits, which a bodiless answer must honour too.
  it.each([
    { answer: 'a 429', form: 'seconds', throwOnError: true, retryAfter: () => 5, status: 429 },
    {
      answer: 'a 429',
      form: 'an HTTP date',
      throwOnError: true,
      retryAfter: () => new Date(Date.now() + 5000),
      status: 429,
    },
    { answer: 'a bodiless 503', form: 'seconds', throwOnError: false, retryAfter: () => 5, status: 503 },
  ])(
    'waits the Retry-After of $answer ($form, throwOnError $throwOnError), then gets the manifest',
    async ({ throwOnError, retryAfter, status }) => {
      const dispatcher = await retrying(throwOnError)
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: new Date('2030-01-01T00:00:00Z') })
      const answer = status === 429 ? { code: 'TOOMANYREQUESTS' } : { status }
      registry.faults.add({ kind: 'manifest', ...answer, retryAfter: retryAfter(), times: 1 })
      const answered = request(`${registry.url}/v2/team/app/manifests/1`, {
        dispatcher,
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      })
      await settle()
      expect(registry.requests.size).toBe(1)
      await vi.advanceTimersByTimeAsync(4999)
      expect(registry.requests.size).toBe(1)
      await vi.advanceTimersByTimeAsync(1)
      const { statusCode, body } = await answered
      expect(statusCode).toBe(200)
      expect((await body.json()) as { schemaVersion: number }).toMatchObject({ schemaVersion: 2 })
      expect(registry.requests.all().map((entry) => [entry.response.status, entry.fault])).toEqual([
        [status, 'fault-1'],
        [200, undefined],
      ])
    },
  )
})

// Lets in-process work run to its next timer: setImmediate is not faked.
async function settle(): Promise<void> {
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve))
}

const skopeoPath = findSkopeo()

describe.skipIf(!skopeoPath)("skopeo's digest check", { timeout: 120_000 }, () => {
  let skopeo: Skopeo
  let registry: FakeRegistry
  let dir: string | undefined
  beforeAll(async () => {
    skopeo = await createSkopeo(skopeoPath as string)
  })
  afterAll(() => skopeo?.close())
  afterEach(async () => {
    await registry.close()
    if (dir) await removeLayout(dir)
  })

  it('refuses a corrupted layer, and copies the image once the fault is gone', async () => {
    registry = await createFakeRegistry()
    const image = await registry.seed.image('team/app:1')
    const layer = image.layers[0]?.digest as string
    const corrupt = registry.faults.add({ method: 'GET', path: `/v2/team/app/blobs/${layer}`, corrupt: true })
    dir = await makeTempDir()
    const failed = await skopeo.run('copy', [`docker://${registry.ref('team/app:1')}`, `oci:${dir}:1`])
    expect(failed.exitCode, describeRun(failed)).not.toBe(0)
    expect(failed.stderr).toMatch(/digest/i)
    expect(failed.stderr).toContain(layer)
    expect(corrupt.calls).toBeGreaterThanOrEqual(1)

    corrupt.remove()
    const copied = await skopeo.run('copy', [`docker://${registry.ref('team/app:1')}`, `oci:${dir}:1`])
    expect(copied.exitCode, describeRun(copied)).toBe(0)
  })
})
