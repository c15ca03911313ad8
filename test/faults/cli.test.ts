// `fake-oci-registry serve --faults FILE` as a user runs it: a child process serving the rules of
// a JSON file, and refusing a file it cannot use before it listens.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
// Long enough for tsx's first compile on a slow machine; a hang fails instead of blocking.
const CHILD_LIMIT_MS = 20_000

const children = new Set<ChildProcess>()
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fake-oci-faults-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))
afterEach(() => {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
})

interface Run {
  child: ChildProcess
  /** The url of "listening on <url>". */
  url: Promise<string>
  exited: Promise<{ code: number | null; stderr: string }>
}

function serve(faultsFile: string): Run {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--faults', faultsFile],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8')
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => (stderr += chunk))
  const limit = setTimeout(() => child.kill('SIGKILL'), CHILD_LIMIT_MS)
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(limit)
      children.delete(child)
      resolve({ code, stderr })
    })
  })
  const url = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk
      const line = /^listening on (\S+)\n/.exec(stdout)
      if (line) resolve(line[1] as string)
    })
    void exited.then(({ code }) => reject(new Error(`the CLI exited with ${code} before listening: ${stderr}`)))
  })
  url.catch(() => {})
  return { child, url, exited }
}

async function faultsFile(name: string, content: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, content)
  return path
}

describe('fake-oci-registry serve --faults FILE', () => {
  it('serves the rules of the file: statuses, codes, Retry-After, patterns, times', async () => {
    const file = await faultsFile(
      'rules.json',
      JSON.stringify([
        { name: 'busy-base', path: '/v2/', status: 503, retryAfter: 2, times: 1 },
        { pathPattern: '/tags/list$', code: 'TOOMANYREQUESTS', retryAfter: '2030-01-02T03:04:05Z' },
        {
          repositoryPattern: '^gone/',
          kind: 'manifest',
          status: 502,
          body: '<html>Bad Gateway</html>',
          contentType: 'text/html',
        },
      ]),
    )
    const run = serve(file)
    const url = await run.url

    const busy = await fetch(`${url}/v2/`)
    expect(busy.status).toBe(503)
    expect(busy.headers.get('retry-after')).toBe('2')
    await busy.body?.cancel()
    expect((await fetch(`${url}/v2/`)).status).toBe(200)

    const limited = await fetch(`${url}/v2/team/app/tags/list`)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('Wed, 02 Jan 2030 03:04:05 GMT')
    expect(await limited.json()).toEqual({ errors: [{ code: 'TOOMANYREQUESTS', message: 'too many requests' }] })

    const gateway = await fetch(`${url}/v2/gone/app/manifests/1`)
    expect(gateway.status).toBe(502)
    expect(gateway.headers.get('content-type')).toBe('text/html')
    expect(await gateway.text()).toBe('<html>Bad Gateway</html>')

    run.child.kill('SIGTERM')
    expect((await run.exited).code).toBe(0)
  })

  it.each([
    [
      'a missing file',
      undefined,
      'there is no such file. Pass the path of a JSON file holding an array of fault rules.',
    ],
    ['a file that is not JSON', '[{ kind: blob }]', 'it is not JSON ('],
    [
      'JSON that is not an array',
      '{ "kind": "blob", "status": 503 }',
      'it holds no array. Write an array of fault rules such as [{ "kind": "blob", "status": 503 }].',
    ],
  ])('exits 2 before listening on %s', async (name, content, reason) => {
    const path = content === undefined ? join(dir, 'missing.json') : await faultsFile(`${name}.json`, content)
    const run = serve(path)
    const { code, stderr } = await run.exited
    expect(code).toBe(2)
    expect(stderr).toContain(`fake-oci-registry: Failed to load faults from "${path}": ${reason}`)
  })

  it('exits 2 naming a rule the registry refuses', async () => {
    const run = serve(
      await faultsFile('bad-rule.json', JSON.stringify([{ status: 503 }, { kind: 'blobs', status: 503 }])),
    )
    const { code, stderr } = await run.exited
    expect(code).toBe(2)
    expect(stderr).toBe(
      'fake-oci-registry: Failed to add fault "fault-2": kind must be one of base, blob, upload, manifest, tags, catalog, referrers, token or a list of them, got "blobs". Pass one of them.\n',
    )
  })
})
