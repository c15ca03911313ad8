// Round trips per second on one Node version, against the floor of a bare node:http server
// doing the same work. Run by bench/run.ts once per Node binary (`node --import tsx
// bench/round-trips.ts`); prints one JSON line. Traffic stays on 127.0.0.1, every loop is bounded.
import { createHash } from 'node:crypto'
import { request, type Dispatcher } from 'undici'
import { startBareServerProcess, startFakeServerProcess } from './fake-server.js'
import { createBenchClient, sha256, type ManifestClient } from './http-client.js'
import { AnsweringDispatcher, bareWorkClient } from './in-process-ceilings.js'
import { manifestBlobs, manifestRoundTrips } from './manifest-loop.js'
import { createFakeRegistry, type FakeRegistry } from './subject.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3)
const BLOB_MIB = Number(process.env.BENCH_PUSH_MIB ?? 64)
const CONCURRENCY = 8
// Each subject runs in short slices taking turns with the others, and keeps its best slice: a
// neighbour's burst of load on a shared machine then hits every side of a ratio alike.
const SLICE_SECONDS = 0.25
const BLOB_RUNS = 5
const MiB = 1024 * 1024

/** What one Node version measured; rates in round trips/s, blob push in MB/s, startup in ms. */
export interface RoundTripResult {
  node: string
  floor: number
  loopback: number
  inProcess: number
  dispatcher: number
  /** The bare server's work called in process: the most any in-process client loop can do. */
  inProcessCeiling: number
  /** `undici.request` through a dispatcher that answers at once: the most the dispatcher row can reach. */
  dispatcherCeiling: number
  blobFloor: number
  blobLoopback: number
  startupNone: number
  startupHttp: number
}

const { config, layer } = manifestBlobs

/** The same calls through `registry.fetch` (no socket, no Request built by the caller). */
function fetchClient(registry: FakeRegistry): ManifestClient {
  return {
    async putManifest(repository, reference, body, mediaType) {
      const response = await registry.fetch(`/v2/${repository}/manifests/${reference}`, {
        method: 'PUT',
        headers: { 'content-type': mediaType },
        body,
      })
      if (response.status !== 201) throw new Error(`manifest put answered ${response.status}: ${await response.text()}`)
    },
    async getManifest(repository, reference, accept) {
      const response = await registry.fetch(`/v2/${repository}/manifests/${reference}`, { headers: { accept } })
      const bytes = await response.arrayBuffer()
      if (response.status !== 200) throw new Error(`manifest get answered ${response.status}`)
      return bytes.byteLength
    },
  }
}

/** The same calls through `undici.request` with a dispatcher: `registry.dispatcher`, or a reference. */
function dispatcherClient(origin: string, dispatcher: Dispatcher): ManifestClient {
  return {
    async putManifest(repository, reference, body, mediaType) {
      const response = await request(`${origin}/v2/${repository}/manifests/${reference}`, {
        method: 'PUT',
        headers: { 'content-type': mediaType },
        body,
        dispatcher,
      })
      const text = await response.body.text()
      if (response.statusCode !== 201) throw new Error(`manifest put answered ${response.statusCode}: ${text}`)
    },
    async getManifest(repository, reference, accept) {
      const response = await request(`${origin}/v2/${repository}/manifests/${reference}`, {
        headers: { accept },
        dispatcher,
      })
      const bytes = await response.body.arrayBuffer()
      if (response.statusCode !== 200) throw new Error(`manifest get answered ${response.statusCode}`)
      return bytes.byteLength
    },
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

async function startup(transport: 'none' | 'http'): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < (transport === 'none' ? 200 : 50); i++) {
    const started = performance.now()
    const registry = await createFakeRegistry({ transport })
    const response = transport === 'none' ? await registry.fetch('/v2/') : await fetch(`${registry.url}/v2/`)
    await response.arrayBuffer()
    times.push(performance.now() - started)
    await registry.close()
  }
  return median(times)
}

const template = Buffer.alloc(MiB)
for (let i = 0; i < MiB; i++) template[i] = (i * 31 + 7) & 0xff

async function* blobChunks(total: number): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < total; sent += MiB) yield Buffer.from(template.subarray(0, Math.min(MiB, total - sent)))
}

const blobDigest = (() => {
  const hash = createHash('sha256')
  for (let sent = 0; sent < BLOB_MIB * MiB; sent += MiB)
    hash.update(template.subarray(0, Math.min(MiB, BLOB_MIB * MiB - sent)))
  return `sha256:${hash.digest('hex')}`
})()

async function measure(): Promise<RoundTripResult> {
  const bare = await startBareServerProcess()
  const fake = await startFakeServerProcess()
  const bareClient = createBenchClient(bare.url, CONCURRENCY)
  const fakeClient = createBenchClient(fake.url, CONCURRENCY)
  const registry = await createFakeRegistry({ transport: 'none' })
  try {
    for (const client of [bareClient, fakeClient]) {
      await client.pushBlob('bench/app', config, sha256(config), config.byteLength)
      await client.pushBlob('bench/app', layer, sha256(layer), layer.byteLength)
    }
    await registry.seed.blob('bench/app', config)
    await registry.seed.blob('bench/app', layer)
    let floor = 0
    let loopback = 0
    let inProcess = 0
    let dispatcher = 0
    let inProcessCeiling = 0
    let dispatcherCeiling = 0
    const registryDispatcher = registry.dispatcher as unknown as Dispatcher
    const answering = new AnsweringDispatcher()
    const bareWork = bareWorkClient()
    for (let slice = 0; slice < Math.max(1, Math.round(SECONDS / SLICE_SECONDS)); slice++) {
      floor = Math.max(floor, await manifestRoundTrips(bareClient, 'bench/app', SLICE_SECONDS, CONCURRENCY))
      loopback = Math.max(loopback, await manifestRoundTrips(fakeClient, 'bench/app', SLICE_SECONDS, CONCURRENCY))
      inProcess = Math.max(
        inProcess,
        await manifestRoundTrips(fetchClient(registry), 'bench/app', SLICE_SECONDS, CONCURRENCY),
      )
      dispatcher = Math.max(
        dispatcher,
        await manifestRoundTrips(
          dispatcherClient(registry.url, registryDispatcher),
          'bench/app',
          SLICE_SECONDS,
          CONCURRENCY,
        ),
      )
      inProcessCeiling = Math.max(
        inProcessCeiling,
        await manifestRoundTrips(bareWork, 'bench/app', SLICE_SECONDS, CONCURRENCY),
      )
      dispatcherCeiling = Math.max(
        dispatcherCeiling,
        await manifestRoundTrips(
          dispatcherClient('http://ceiling.invalid', answering),
          'bench/app',
          SLICE_SECONDS,
          CONCURRENCY,
        ),
      )
    }
    const push = (client: typeof bareClient) => async () => {
      const started = performance.now()
      await client.pushBlob('bench/blob', blobChunks(BLOB_MIB * MiB), blobDigest, BLOB_MIB * MiB)
      return BLOB_MIB / ((performance.now() - started) / 1000)
    }
    let blobFloor = 0
    let blobLoopback = 0
    for (let run = 0; run < BLOB_RUNS; run++) {
      blobFloor = Math.max(blobFloor, await push(bareClient)())
      blobLoopback = Math.max(blobLoopback, await push(fakeClient)())
    }
    return {
      node: process.version,
      floor,
      loopback,
      inProcess,
      dispatcher,
      inProcessCeiling,
      dispatcherCeiling,
      blobFloor,
      blobLoopback,
      startupNone: await startup('none'),
      startupHttp: await startup('http'),
    }
  } finally {
    await registry.close()
    await bareClient.close()
    await fakeClient.close()
    await bare.close()
    await fake.close()
  }
}

console.log(JSON.stringify(await measure()))
