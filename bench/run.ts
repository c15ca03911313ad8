// `npm run bench`: measures the fake registry side by side with references in one run and
// prints the table; `-- --write` also writes it into bench/README.md, `-- --check` runs only the
// round trips and exits non-zero below the targets. Every loop is bounded in count and time;
// traffic stays on 127.0.0.1.
import { execFile, execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { manifestBlobs, manifestRoundTrips } from './manifest-loop.js'
import { createBenchClient, sha256, type BenchClient } from './http-client.js'
import type { RoundTripResult } from './round-trips.js'

// The package as users run it: built first, then loaded (see bench/subject.ts).
execFileSync('npm', ['run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] })
const { createFakeRegistry } = await import('./subject.js')
const { startFakeServerProcess } = await import('./fake-server.js')
const { startReferenceRegistry } = await import('./reference-registry.js')

const MiB = 1024 * 1024
const ROUND_TRIP_SECONDS = Number(process.env.BENCH_SECONDS ?? 3)
const ROUND_TRIP_CONCURRENCY = 8
const BLOB_MIB = Number(process.env.BENCH_BLOB_MIB ?? 256)
const TRANSFER_MIB = Number(process.env.BENCH_TRANSFER_MIB ?? 512)
const CHUNK = MiB

interface Row {
  benchmark: string
  subject: string
  result: string
  reference?: string
  ratio?: string
}

const rows: Row[] = []
const args = new Set(process.argv.slice(2))
const CHECK = args.has('--check')
const WRITE = args.has('--write')
// Other Node binaries to measure the round trips on, besides this one (colon-separated paths).
const OTHER_NODES = (process.env.BENCH_NODES ?? '').split(':').filter((path) => path !== '')

/** The targets `--check` holds the round trips to: ratios to the bare node:http floor, startup in ms. */
const TARGETS = { inProcess: 3, dispatcher: 3, loopback: 0.7, blob: 0.9, startupMs: 5 }
const template = Buffer.alloc(CHUNK)
for (let i = 0; i < CHUNK; i++) template[i] = (i * 31 + 7) & 0xff

/** Fresh chunks each time: memory storage keeps what it is given, so a reused buffer would fake a small footprint. */
async function* blobChunks(total: number): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < total; sent += CHUNK) yield Buffer.from(template.subarray(0, Math.min(CHUNK, total - sent)))
}

function toWebStream(chunks: AsyncIterator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async pull(controller) {
      const next = await chunks.next()
      if (next.done) controller.close()
      else controller.enqueue(next.value)
    },
  })
}

function blobDigest(total: number): string {
  const hash = createHash('sha256')
  for (let sent = 0; sent < total; sent += CHUNK) hash.update(template.subarray(0, Math.min(CHUNK, total - sent)))
  return `sha256:${hash.digest('hex')}`
}

/** Round trips against one server over HTTP, after pushing the blobs the manifests reference. */
async function httpRoundTrips(client: BenchClient, label: string): Promise<number> {
  const repository = `bench/${label}`
  for (const blob of [manifestBlobs.config, manifestBlobs.layer])
    await client.pushBlob(repository, blob, sha256(blob), blob.byteLength)
  return manifestRoundTrips(client, repository, ROUND_TRIP_SECONDS, ROUND_TRIP_CONCURRENCY)
}

async function blobUpload(client: BenchClient, label: string): Promise<number> {
  const total = BLOB_MIB * MiB
  const started = performance.now()
  await client.pushBlob(`bench/${label}`, blobChunks(total), blobDigest(total), total)
  return BLOB_MIB / ((performance.now() - started) / 1000)
}

/** The same upload through `registry.fetch`: the core, storage and hashing with no socket. */
async function blobUploadInProcess(): Promise<number> {
  const total = BLOB_MIB * MiB
  const registry = await createFakeRegistry({ transport: 'none' })
  try {
    const started = performance.now()
    const response = await registry.fetch(`/v2/bench/in-process/blobs/uploads/?digest=${blobDigest(total)}`, {
      method: 'POST',
      body: toWebStream(blobChunks(total)),
      duplex: 'half',
    } as RequestInit)
    await response.arrayBuffer()
    if (response.status !== 201) throw new Error(`in-process upload answered ${response.status}`)
    return BLOB_MIB / ((performance.now() - started) / 1000)
  } finally {
    await registry.close()
  }
}

/** The best of a few runs: the first pays for JIT warm-up, and both sides of a ratio get the same treatment. */
async function bestOf(runs: number, measure: () => Promise<number>): Promise<number> {
  let best = 0
  for (let run = 0; run < runs; run++) best = Math.max(best, await measure())
  return best
}

function rawSha256(): number {
  const total = BLOB_MIB * MiB
  const started = performance.now()
  const hash = createHash('sha256')
  for (let sent = 0; sent < total; sent += CHUNK)
    hash.update(Buffer.from(template.subarray(0, Math.min(CHUNK, total - sent))))
  hash.digest('hex')
  return BLOB_MIB / ((performance.now() - started) / 1000)
}

async function benchBlobHashing(): Promise<void> {
  const raw = await bestOf(3, async () => rawSha256())
  const inProcess = await bestOf(3, blobUploadInProcess)
  rows.push({
    benchmark: `blob upload, ${BLOB_MIB} MiB streamed`,
    subject: "fake, transport 'none'",
    result: `${inProcess.toFixed(0)} MB/s`,
    reference: `raw crypto sha256: ${raw.toFixed(0)} MB/s`,
    ratio: `${(inProcess / raw).toFixed(2)}x`,
  })
}

async function benchAgainstReference(): Promise<void> {
  const reference = await startReferenceRegistry()
  if (!reference)
    console.warn('docker-registry not found (Debian package docker-registry): reference columns stay empty')
  const fake = await startFakeServerProcess()
  const fakeClient = createBenchClient(fake.url)
  const referenceClient = reference && createBenchClient(reference.url)
  try {
    const fakeRate = await httpRoundTrips(fakeClient, 'fake')
    const referenceRate = referenceClient && (await httpRoundTrips(referenceClient, 'reference'))
    rows.push({
      benchmark: `manifest PUT+GET round trips (${ROUND_TRIP_CONCURRENCY} concurrent, ${ROUND_TRIP_SECONDS} s)`,
      subject: 'fake, http',
      result: `${fakeRate.toFixed(0)} /s`,
      reference: referenceRate ? `docker-registry 2.8.2: ${referenceRate.toFixed(0)} /s` : 'n/a',
      ratio: referenceRate ? `${(fakeRate / referenceRate).toFixed(2)}x` : 'n/a',
    })
    const fakeBlob = await blobUpload(fakeClient, 'fake')
    const referenceBlob = referenceClient && (await blobUpload(referenceClient, 'reference'))
    rows.push({
      benchmark: `blob upload, ${BLOB_MIB} MiB streamed`,
      subject: 'fake, http',
      result: `${fakeBlob.toFixed(0)} MB/s`,
      reference: referenceBlob ? `docker-registry 2.8.2: ${referenceBlob.toFixed(0)} MB/s` : 'n/a',
      ratio: referenceBlob ? `${(fakeBlob / referenceBlob).toFixed(2)}x` : 'n/a',
    })
  } finally {
    await fakeClient.close()
    await referenceClient?.close()
    await fake.close()
    await reference?.close()
  }
}

/** Each transport in its own process: push and pull one large blob, report speed and peak memory. */
async function benchTransports(): Promise<void> {
  const child = fileURLToPath(new URL('./transfer-child.ts', import.meta.url))
  const raw = await bestOf(3, async () => rawSha256())
  for (const transport of ['none', 'http', 'msw', 'dispatcher']) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', child, transport, String(TRANSFER_MIB)],
      { timeout: 300_000 },
    )
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      pushMBps: number
      pullMBps: number
      peakOverBlob: number
    }
    rows.push({
      benchmark: `blob push then pull, ${TRANSFER_MIB} MiB`,
      subject: `fake, ${transport === 'dispatcher' ? 'undici dispatcher' : `transport '${transport}'`}`,
      result: `push ${result.pushMBps.toFixed(0)} MB/s, pull ${result.pullMBps.toFixed(0)} MB/s, peak RSS +${result.peakOverBlob.toFixed(2)}x the blob`,
      reference: `raw crypto sha256: ${raw.toFixed(0)} MB/s`,
      ratio: `push ${(result.pushMBps / raw).toFixed(2)}x`,
    })
  }
}

/** Each Node version in a process of its own: the round trips against the bare node:http floor. */
async function benchRoundTrips(): Promise<RoundTripResult[]> {
  const child = fileURLToPath(new URL('./round-trips.ts', import.meta.url))
  const results: RoundTripResult[] = []
  for (const node of [process.execPath, ...OTHER_NODES]) {
    const { stdout } = await promisify(execFile)(node, ['--import', 'tsx', child], { timeout: 600_000 })
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as RoundTripResult
    results.push(result)
    const floor = `bare node:http: ${result.floor.toFixed(0)} /s`
    const rate = (label: string, value: number, subject: string) =>
      rows.push({
        benchmark: `manifest PUT+GET round trips (8 concurrent), ${result.node}`,
        subject,
        result: `${value.toFixed(0)} /s`,
        reference: floor,
        ratio: `${(value / result.floor).toFixed(2)}x (target ${label})`,
      })
    rate(`${TARGETS.loopback}x`, result.loopback, 'fake, loopback (`serve`)')
    rate(`${TARGETS.inProcess}x`, result.inProcess, "fake, `registry.fetch` (transport 'none')")
    rate(`${TARGETS.dispatcher}x`, result.dispatcher, 'fake, `undici.request` with `registry.dispatcher`')
    // The ceilings of the two in-process rows: the same client loop with no registry behind it.
    const ceiling = (value: number, subject: string, registry: number) =>
      rows.push({
        benchmark: `manifest PUT+GET round trips (8 concurrent), ${result.node}`,
        subject,
        result: `${value.toFixed(0)} /s`,
        reference: floor,
        ratio: `${(value / result.floor).toFixed(2)}x (the fake reaches ${((100 * registry) / value).toFixed(0)}% of it)`,
      })
    ceiling(result.inProcessCeiling, 'no registry: the bare work called in process', result.inProcess)
    ceiling(result.dispatcherCeiling, '`undici.request` with a dispatcher that answers at once', result.dispatcher)
    rows.push({
      benchmark: `blob push over loopback, ${result.node}`,
      subject: 'fake, loopback (`serve`)',
      result: `${result.blobLoopback.toFixed(0)} MB/s`,
      reference: `bare node:http: ${result.blobFloor.toFixed(0)} MB/s`,
      ratio: `${(result.blobLoopback / result.blobFloor).toFixed(2)}x (target ${TARGETS.blob}x)`,
    })
    rows.push({
      benchmark: `startup to first answer, ${result.node}`,
      subject: "fake, transport 'none' / 'http'",
      result: `median ${result.startupNone.toFixed(2)} ms / ${result.startupHttp.toFixed(2)} ms`,
      reference: '',
      ratio: `target < ${TARGETS.startupMs} ms`,
    })
  }
  return results
}

/** What misses a target, one line each. */
function shortfalls(results: RoundTripResult[]): string[] {
  const misses: string[] = []
  const below = (node: string, what: string, ratio: number, target: number) => {
    if (!(ratio >= target)) misses.push(`${node}: ${what} ${ratio.toFixed(2)}x is below ${target}x`)
  }
  for (const result of results) {
    below(result.node, 'in process (registry.fetch)', result.inProcess / result.floor, TARGETS.inProcess)
    below(result.node, 'in process (dispatcher)', result.dispatcher / result.floor, TARGETS.dispatcher)
    below(result.node, 'loopback', result.loopback / result.floor, TARGETS.loopback)
    below(result.node, 'blob push', result.blobLoopback / result.blobFloor, TARGETS.blob)
    for (const [transport, ms] of [
      ['none', result.startupNone],
      ['http', result.startupHttp],
    ] as const) {
      if (!(ms < TARGETS.startupMs))
        misses.push(
          `${result.node}: startup (transport '${transport}') ${ms.toFixed(2)} ms is not below ${TARGETS.startupMs} ms`,
        )
    }
  }
  return misses
}

/** The settings a run used, for the record. */
function settings(): string {
  const names = ['BENCH_SECONDS', 'BENCH_PUSH_MIB', 'BENCH_BLOB_MIB', 'BENCH_TRANSFER_MIB']
  const given = names.filter((name) => process.env[name] !== undefined).map((name) => `${name}=${process.env[name]}`)
  return given.length > 0 ? given.join(', ') : 'the defaults'
}

function table(): string {
  const lines = ['| benchmark | subject | result | reference | ratio |', '|---|---|---|---|---|']
  for (const row of rows)
    lines.push(`| ${row.benchmark} | ${row.subject} | ${row.result} | ${row.reference ?? ''} | ${row.ratio ?? ''} |`)
  return lines.join('\n')
}

if (CHECK) {
  const misses = shortfalls(await benchRoundTrips())
  console.log(table())
  if (misses.length > 0) {
    console.error(`Below target:\n${misses.join('\n')}`)
    process.exit(1)
  }
  console.log('Every round-trip target is met.')
  process.exit(0)
}

await benchBlobHashing()
await benchTransports()
await benchAgainstReference()
await benchRoundTrips()

const cpu = cpus()[0]?.model ?? 'unknown CPU'
const report = `# Benchmarks

\`npm run bench\` runs every benchmark below, side by side with its reference, and prints one
table; \`npm run bench -- --write\` also writes it here. Nothing here is a test: the test suite has
no timing thresholds. What is measured is the package as users run it: the run builds \`dist/\`
first and every subject loads it with plain \`node\` (\`bench/subject.ts\`).

\`npm run bench -- --check\` runs only the round trips (below) and exits non-zero when a ratio
misses its target: in process (\`registry.fetch\` and \`registry.dispatcher\`) at least
${TARGETS.inProcess}x the bare server's loopback round trips, over loopback at least ${TARGETS.loopback}x, blob push
at least ${TARGETS.blob}x, startup to first answer under ${TARGETS.startupMs} ms. The numbers are only as quiet as the
machine: on a shared one, compare ratios within one run and repeat short runs.

- **manifest round trips against a bare node:http server**: PUT of a new OCI manifest by tag, then
  GET of it, 8 at a time over keep-alive connections (one undici Pool). The floor is
  \`bench/bare-server.mjs\`, a node:http server doing the least work for the same requests (a Map,
  sha256, \`JSON.parse\`), in its own process like \`fake-oci-registry serve --quiet\`. The same calls run
  in process through \`registry.fetch\` and through \`undici.request\` with \`registry.dispatcher\`.
  The subjects take turns in 0.25 s slices for \`BENCH_SECONDS\` each and keep their best slice, so a
  neighbour's burst of load hits every side of a ratio alike. Blob push: one blob
  (\`BENCH_PUSH_MIB\`) streamed up in 1 MiB chunks, POST then PUT ?digest=, best of 5 turns each.
  Each Node version runs in a process of its own: this one, and every binary in \`BENCH_NODES\`
  (colon-separated paths; \`npm install --prefix <some temp dir> node@24\` puts one under
  \`node_modules/node/bin\`).
- **ceilings of the in-process rows**: the same client loop with no registry behind it
  (\`bench/in-process-ceilings.ts\`): the bare server's work called as plain functions, and
  \`undici.request\` through a dispatcher that does that work and answers at once. No registry in
  process can beat them; their ratios to the floor are the most the in-process rows can show on
  this machine, and the last column says how much of each the fake reaches.
- **startup to first answer**: \`createFakeRegistry()\` plus the first \`GET /v2/\` answer, then close.
- **manifest round trips against docker-registry**: the same loop against Debian's
  \`docker-registry\` (distribution 2.8.2, filesystem storage in a temp directory), when installed.
- **blob upload**: one blob streamed in 1 MiB chunks; the registry hashes it while it streams.
  Best of 3 runs, for the registry and for raw hashing alike. In process (\`registry.fetch\`, one
  POST ?digest=) against raw \`crypto\` sha256 over the same chunks; over HTTP (POST session, PUT
  ?digest= with the body) against docker-registry.
- **blob push then pull**: per transport, in a process of its own, one blob pushed (POST ?digest=,
  fresh 1 MiB chunks) and pulled back through the transport's usual client (\`registry.fetch\`,
  global \`fetch\` over loopback (client and server share the process's one thread, so this row
  halves what either could do alone), global \`fetch\` intercepted by MSW, \`undici.request\` with
  \`registry.dispatcher\`). Memory storage keeps one copy of the blob, so a peak RSS rise near 1x is
  that copy and anything above it is what the transport held on the way. In-process pulls hand over
  the stored chunks without copying, hence their speed.

Environment variables: \`BENCH_SECONDS\` (default 3), \`BENCH_PUSH_MIB\` (default 64),
\`BENCH_BLOB_MIB\` (default 256), \`BENCH_TRANSFER_MIB\` (default 512), \`BENCH_NODES\`.

Last run: ${new Date().toISOString().slice(0, 10)}, Node ${process.version}${OTHER_NODES.length > 0 ? ' (and the versions in the table)' : ''}, ${cpu}, ${cpus().length} cores,
with ${settings()}.

${table()}
`
if (WRITE) await writeFile(new URL('./README.md', import.meta.url), report)
console.log(table())
