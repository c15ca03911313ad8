// Servers in child processes, so an HTTP comparison puts each server in its own process and the
// client alone in the benchmark's: the fake registry's CLI, or the bare node:http floor.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { CLI } from './subject.js'

export interface ServerProcess {
  url: string
  close(): Promise<void>
}

const BARE = fileURLToPath(new URL('./bare-server.mjs', import.meta.url))

/**
 * `fake-oci-registry serve` as built, on a free loopback port, run by `node` (this process's
 * binary by default). `--quiet`: the request log is for people watching, and the floor logs nothing.
 */
export function startFakeServerProcess(node = process.execPath): Promise<ServerProcess> {
  return startServerProcess(node, [CLI, 'serve', '--port', '0', '--quiet'], 'fake-oci-registry serve')
}

/** The bare node:http server of bench/bare-server.mjs: the floor of the round-trip ratios. */
export function startBareServerProcess(node = process.execPath): Promise<ServerProcess> {
  return startServerProcess(node, [BARE], 'the bare node:http server')
}

async function startServerProcess(node: string, args: string[], label: string): Promise<ServerProcess> {
  const child = spawn(node, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} printed no address within 20 s`)), 20_000)
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.once('exit', (code) => reject(new Error(`${label} exited with ${code}`)))
  })
  return {
    url,
    close: () => stopChild(child),
  }
}

/** Stops a server this benchmark started, and waits until it has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}
