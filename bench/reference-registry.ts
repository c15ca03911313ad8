// Debian's docker-registry (distribution 2.8.2), started on a loopback port for side-by-side runs.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stopChild } from './fake-server.js'

export interface ReferenceRegistry {
  url: string
  close(): Promise<void>
}

const BINARY = 'docker-registry'

/** Starts docker-registry with filesystem storage in a temp dir, or returns undefined when absent. */
export async function startReferenceRegistry(): Promise<ReferenceRegistry | undefined> {
  const port = await freePort()
  const dir = await mkdtemp(join(tmpdir(), 'fake-oci-bench-'))
  const config = join(dir, 'config.yml')
  await writeFile(
    config,
    [
      'version: 0.1',
      'log: { level: error, accesslog: { disabled: true } }',
      `storage: { filesystem: { rootdirectory: ${JSON.stringify(join(dir, 'data'))} }, delete: { enabled: true } }`,
      `http: { addr: "127.0.0.1:${port}" }`,
      '',
    ].join('\n'),
  )
  let child: ChildProcess
  try {
    child = spawn(BINARY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] })
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject)
      child.once('spawn', () => resolve())
    })
  } catch {
    await rm(dir, { recursive: true, force: true })
    return undefined
  }
  const url = `http://127.0.0.1:${port}`
  await waitUntilServing(url)
  return {
    url,
    async close() {
      await stopChild(child)
      await rm(dir, { recursive: true, force: true })
    },
  }
}

async function waitUntilServing(url: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/v2/`)
      await response.arrayBuffer()
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`${BINARY} did not answer on ${url} within 10 s`)
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}
