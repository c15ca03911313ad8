// kill -9 in the middle of uploads to a registry on directory storage (the CLI, its own
// process): after a restart on the same directory it serves the blobs that were complete, never
// a partial one, and an interrupted session can still be resumed.
import { spawn, type ChildProcess } from 'node:child_process'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { randomLayer } from '../../src/seed.js'
import { makeTempDir, removeLayout } from '../support/oci-layout.js'
import { errorsOf, sha256 } from '../support/push.js'

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))

interface Served {
  child: ChildProcess
  url: string
}

/** Starts the CLI on a free port with `--storage dir` and waits for its "listening on" line. */
function serve(dir: string): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--port', '0', '--storage', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const url = /listening on (\S+)/.exec(output)?.[1]
      if (url) resolve({ child, url })
    })
    child.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString()))
    child.once('exit', (code) => reject(new Error(`the CLI exited with ${code} before listening:\n${output}`)))
  })
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

/** A request body that sends `first` and then stays open until the connection dies. */
function hangingBody(first: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(first)
    },
  })
}

/** Waits until the upload directory holds a data file with at least `bytes` bytes; returns its name. */
async function uploadReaching(dir: string, bytes: number, except: string[] = []): Promise<string> {
  for (;;) {
    for (const name of await readdir(join(dir, '.uploads'))) {
      if (name.endsWith('.json') || except.includes(name)) continue
      const size = (await stat(join(dir, '.uploads', name)).catch(() => undefined))?.size ?? 0
      if (size >= bytes) return name
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('kill -9 during uploads to directory storage', { timeout: 60_000 }, () => {
  const children: ChildProcess[] = []
  let dir: string | undefined
  afterEach(async () => {
    for (const child of children.splice(0)) await killHard(child)
    if (dir) await removeLayout(dir)
  })

  it('restarts serving only complete blobs, and the interrupted session resumes', async () => {
    dir = await makeTempDir('fake-oci-crash-')
    const first = await serve(dir)
    children.push(first.child)
    const complete = randomLayer({ size: 100_000, seed: 1 })
    const partial = randomLayer({ size: 300_000, seed: 2 })
    const monolithic = randomLayer({ size: 300_000, seed: 3 })

    const done = await fetch(`${first.url}/v2/team/app/blobs/uploads/?digest=${complete.digest}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: complete.bytes as Uint8Array<ArrayBuffer>,
    })
    expect(done.status).toBe(201)

    // A chunked session: the first 200 000 bytes of a PATCH that never ends.
    const session = await fetch(`${first.url}/v2/team/app/blobs/uploads/`, { method: 'POST' })
    const location = session.headers.get('location') as string
    const patch = fetch(`${first.url}${location}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream' },
      body: hangingBody(partial.bytes.subarray(0, 200_000)),
      duplex: 'half',
    } as RequestInit).catch((error: unknown) => error)
    const sessionFile = await uploadReaching(dir, 200_000)
    // A monolithic upload whose body stops half way.
    const post = fetch(`${first.url}/v2/team/app/blobs/uploads/?digest=${monolithic.digest}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(monolithic.size) },
      body: hangingBody(monolithic.bytes.subarray(0, 150_000)),
      duplex: 'half',
    } as RequestInit).catch((error: unknown) => error)
    await uploadReaching(dir, 150_000, [sessionFile])

    await killHard(first.child)
    expect(await patch).toBeInstanceOf(Error)
    expect(await post).toBeInstanceOf(Error)

    const second = await serve(dir)
    children.push(second.child)
    const served = await fetch(`${second.url}/v2/team/app/blobs/${complete.digest}`)
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(complete.bytes)
    for (const missing of [partial.digest, monolithic.digest]) {
      const response = await fetch(`${second.url}/v2/team/app/blobs/${missing}`)
      expect(response.status).toBe(404)
      expect((await errorsOf(response))[0]?.code).toBe('BLOB_UNKNOWN')
    }
    // Every file in the blob store is complete: its bytes hash to its name.
    const stored = await readdir(join(dir, '.blobs', 'sha256'))
    expect(stored).toEqual([complete.digest.slice(7)])
    for (const hex of stored) expect(sha256(await readFile(join(dir, '.blobs', 'sha256', hex)))).toBe(`sha256:${hex}`)

    // The session kept the bytes written before the kill; the client resumes from its Range.
    const status = await fetch(`${second.url}${location}`)
    expect(status.status).toBe(204)
    const received = Number(/^0-(\d+)$/.exec(status.headers.get('range') ?? '')?.[1]) + 1
    expect(received).toBe(200_000)
    const rest = partial.bytes.subarray(received)
    const put = await fetch(`${second.url}${location}?digest=${partial.digest}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: rest as Uint8Array<ArrayBuffer>,
    })
    expect(put.status).toBe(201)
    expect(
      new Uint8Array(await (await fetch(`${second.url}/v2/team/app/blobs/${partial.digest}`)).arrayBuffer()),
    ).toEqual(partial.bytes)
  })
})
