// The fake registry's CLI in a child process, so an HTTP comparison with docker-registry puts
// both servers in their own process and the client alone in the benchmark's.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface ServerProcess {
  url: string
  close(): Promise<void>
}

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url))

export async function startFakeServerProcess(): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('fake-oci-registry serve printed no address within 20 s')), 20_000)
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.once('exit', (code) => reject(new Error(`fake-oci-registry serve exited with ${code}`)))
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
