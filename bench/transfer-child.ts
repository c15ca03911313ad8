// One transport in a fresh process: push one blob, pull it back, report MB/s both ways and the
// peak RSS above the baseline. Run by bench/run.ts; a process per transport keeps the peaks apart.
import { createHash } from 'node:crypto'
import { request, type Dispatcher } from 'undici'
import { createFakeRegistry, type FakeRegistry } from './subject.js'

type Transport = 'none' | 'http' | 'msw' | 'dispatcher'
const transport = process.argv[2] as Transport
const MiB = 1024 * 1024
const total = Number(process.argv[3] ?? 512) * MiB
const template = Buffer.alloc(MiB)
for (let i = 0; i < MiB; i++) template[i] = (i * 131 + 17) & 0xff

function digestOf(size: number): string {
  const hash = createHash('sha256')
  for (let sent = 0; sent < size; sent += MiB) hash.update(template.subarray(0, Math.min(MiB, size - sent)))
  return `sha256:${hash.digest('hex')}`
}
const digest = digestOf(total)

/** Fresh chunks: memory storage keeps what it is given, so a reused buffer would hide the cost. */
function body(size: number): ReadableStream<Uint8Array> {
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close()
      const chunk = Math.min(MiB, size - sent)
      sent += chunk
      controller.enqueue(Buffer.from(template.subarray(0, chunk)))
    },
  })
}

async function drain(stream: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null): Promise<number> {
  let size = 0
  if (stream) for await (const chunk of stream as AsyncIterable<Uint8Array>) size += chunk.byteLength
  return size
}

interface Client {
  push(path: string, size: number): Promise<number>
  pull(path: string): Promise<{ status: number; size: number }>
}

function fetchClient(registry: FakeRegistry, send: typeof fetch): Client {
  return {
    async push(path, size) {
      const response = await send(`${registry.url}${path}`, {
        method: 'POST',
        body: body(size),
        duplex: 'half',
      } as RequestInit)
      await response.arrayBuffer()
      return response.status
    },
    async pull(path) {
      const response = await send(`${registry.url}${path}`)
      return { status: response.status, size: await drain(response.body) }
    },
  }
}

function undiciClient(registry: FakeRegistry): Client {
  const dispatcher = registry.dispatcher as unknown as Dispatcher
  return {
    async push(path, size) {
      const response = await request(`${registry.url}${path}`, {
        method: 'POST',
        body: body(size) as never,
        dispatcher,
      })
      await response.body.arrayBuffer()
      return response.statusCode
    },
    async pull(path) {
      const response = await request(`${registry.url}${path}`, { dispatcher })
      return { status: response.statusCode, size: await drain(response.body) }
    },
  }
}

const registry = await createFakeRegistry({
  transport: transport === 'dispatcher' ? 'none' : transport,
  ...(transport === 'msw' ? { origin: 'https://registry.bench.test' } : {}),
})
const client =
  transport === 'none'
    ? fetchClient(registry, (input, init) => registry.fetch(input, init))
    : transport === 'dispatcher'
      ? undiciClient(registry)
      : fetchClient(registry, fetch)

// A small warm-up push, so the measured run does not pay for JIT compilation; then an empty registry.
await client.push(`/v2/bench/blobs/uploads/?digest=${digestOf(4 * MiB)}`, 4 * MiB)
await registry.reset()
globalThis.gc?.()
const rssBefore = process.memoryUsage.rss()
let started = performance.now()
const pushStatus = await client.push(`/v2/bench/blobs/uploads/?digest=${digest}`, total)
const pushSeconds = (performance.now() - started) / 1000
started = performance.now()
const pulled = await client.pull(`/v2/bench/blobs/${digest}`)
const pullSeconds = (performance.now() - started) / 1000
const peakKiB = process.resourceUsage().maxRSS
await registry.close()

if (pushStatus !== 201 || pulled.status !== 200 || pulled.size !== total) {
  throw new Error(`${transport}: push ${pushStatus}, pull ${pulled.status} with ${pulled.size} of ${total} bytes`)
}
console.log(
  JSON.stringify({
    transport,
    pushMBps: total / MiB / pushSeconds,
    pullMBps: total / MiB / pullSeconds,
    // How far the peak RSS rose above the RSS before the push, in units of the blob's size.
    peakOverBlob: (peakKiB * 1024 - rssBefore) / total,
  }),
)
