// The CLI as a user runs it: a child process, its stdout line, its exit code on a signal or a
// bad command line. Every child is bounded in time and killed if a test leaves it running.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, X509Certificate } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { USAGE } from '../src/cli/parse-args.js'
import { createFakeRegistry, MODES } from '../src/index.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
// Long enough for tsx's first compile on a slow CI machine; a hang fails instead of blocking.
const CHILD_LIMIT_MS = 20_000

interface Cli {
  child: ChildProcess
  /** The first stdout line. */
  firstLine: Promise<string>
  /** Exit code (or signal), with everything written to stdout and stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>
}

const children = new Set<ChildProcess>()

function runCli(args: string[]): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8')
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => (stderr += chunk))
  const limit = setTimeout(() => child.kill('SIGKILL'), CHILD_LIMIT_MS)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      child.on('error', reject)
      child.on('close', (code, signal) => {
        clearTimeout(limit)
        children.delete(child)
        resolve({ code, signal, stdout, stderr })
      })
    },
  )
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk
      const end = stdout.indexOf('\n')
      if (end >= 0) resolve(stdout.slice(0, end))
    })
    void exited.then(({ code, stderr: errors }) =>
      reject(new Error(`the CLI exited with ${code} before printing a line: ${errors}`)),
    )
  })
  // Tests that expect no line never await it; its rejection is theirs to ignore.
  firstLine.catch(() => {})
  return { child, firstLine, exited }
}

afterEach(() => {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
})

describe('fake-oci-registry serve', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('prints its url, answers /v2/ and exits 0 on %s', async (signal) => {
    const cli = runCli(['serve', '--port', '0'])
    const line = await cli.firstLine
    expect(line).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/)
    const url = line.slice('listening on '.length)
    const response = await fetch(`${url}/v2/`)
    expect(response.status).toBe(200)
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
    expect(await response.text()).toBe('{}')

    cli.child.kill(signal)
    expect(await cli.exited).toMatchObject({
      code: 0,
      signal: null,
      stdout: `${line}\n`,
      stderr: expect.stringMatching(/^GET \/v2\/ 200 [\d.]+ms\n$/),
    })
    await expect(fetch(`${url}/v2/`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } })
  })

  it('closes a connection that sends nothing after --idle-timeout-ms', async () => {
    const cli = runCli(['serve', '--port', '0', '--idle-timeout-ms', '50'])
    const { port } = new URL((await cli.firstLine).slice('listening on '.length))
    const received = await new Promise<string>((resolve, reject) => {
      let data = ''
      const socket = connect({ host: '127.0.0.1', port: Number(port) })
      socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')))
      socket.on('error', reject)
      socket.on('close', () => resolve(data))
    })
    expect(received).toBe('')
    cli.child.kill('SIGTERM')
    expect((await cli.exited).code).toBe(0)
  })

  it.each([
    { args: [] as string[], status: 201 },
    { args: ['--no-automatic-mount'], status: 202 },
    { args: ['--mode', 'lenient', '--no-automatic-mount', '--no-schema1'], status: 202 },
  ])('answers a mount without from with $status given $args', async ({ args, status }) => {
    const cli = runCli(['serve', '--port', '0', ...args])
    const url = (await cli.firstLine).slice('listening on '.length)
    const blob = new TextEncoder().encode('shared')
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`
    expect(
      (await fetch(`${url}/v2/team/source/blobs/uploads/?digest=${digest}`, { method: 'POST', body: blob })).status,
    ).toBe(201)
    const mount = await fetch(`${url}/v2/team/app/blobs/uploads/?mount=${digest}`, { method: 'POST' })
    await mount.arrayBuffer()
    expect(mount.status).toBe(status)
    cli.child.kill('SIGTERM')
    expect((await cli.exited).code).toBe(0)
  })

  it('serves a registry profile with --profile: GHCR answers DELETE 405 and has no referrers API', async () => {
    const cli = runCli(['serve', '--port', '0', '--profile', 'ghcr'])
    const url = (await cli.firstLine).slice('listening on '.length)
    const digest = `sha256:${'0'.repeat(64)}`
    const deleted = await fetch(`${url}/v2/team/app/manifests/${digest}`, { method: 'DELETE' })
    expect([deleted.status, ((await deleted.json()) as { errors: Array<{ code: string }> }).errors[0]!.code]).toEqual([
      405,
      'UNSUPPORTED',
    ])
    const referrers = await fetch(`${url}/v2/team/app/referrers/${digest}`)
    await referrers.arrayBuffer()
    expect(referrers.status).toBe(404)
    cli.child.kill('SIGTERM')
    expect((await cli.exited).code).toBe(0)
  })

  it('with --tls --ca-out, writes the CA before printing its https url, and serves clients that trust it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-oci-cli-'))
    const agents: Agent[] = []
    try {
      const caFile = join(dir, 'ca.crt')
      const cli = runCli(['serve', '--port', '0', '--tls', '--ca-out', caFile])
      const line = await cli.firstLine
      expect(line).toMatch(/^listening on https:\/\/127\.0\.0\.1:\d+$/)
      const ca = await readFile(caFile, 'utf8')
      expect(new X509Certificate(ca).ca).toBe(true)
      const agent = new Agent({ connect: { ca } })
      agents.push(agent)
      const response = await fetch(`${line.slice('listening on '.length)}/v2/`, { dispatcher: agent } as RequestInit)
      expect(response.status).toBe(200)
      cli.child.kill('SIGTERM')
      expect((await cli.exited).code).toBe(0)
    } finally {
      for (const agent of agents) await agent.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('exits 1 with the reason when the CA file cannot be written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-oci-cli-'))
    try {
      const caFile = join(dir, 'missing', 'ca.crt')
      const { code, stdout, stderr } = await runCli(['serve', '--port', '0', '--tls', '--ca-out', caFile]).exited
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' })
      expect(stderr).toMatch(
        new RegExp(
          `^fake-oci-registry: Failed to write the CA certificate to "${caFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}": ENOENT`,
        ),
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('logs one human-readable line per request on stderr, with the error code of an error answer', async () => {
    const cli = runCli(['serve', '--port', '0'])
    const url = (await cli.firstLine).slice('listening on '.length)
    await (await fetch(`${url}/v2/`)).arrayBuffer()
    await (await fetch(`${url}/v2/team/app/tags/list?n=2`)).arrayBuffer()
    await (await fetch(`${url}/v2/Team/tags/list`)).arrayBuffer()
    cli.child.kill('SIGTERM')
    const { code, stderr } = await cli.exited
    expect(code).toBe(0)
    expect(stderr.split('\n').map((line) => line.replace(/ [\d.]+ms$/, ' <ms>'))).toEqual([
      'GET /v2/ 200 <ms>',
      'GET /v2/team/app/tags/list?n=2 404 NAME_UNKNOWN <ms>',
      'GET /v2/Team/tags/list 400 NAME_INVALID <ms>',
      '',
    ])
  })

  it('logs one JSON object per request on stderr with --log json', async () => {
    const cli = runCli(['serve', '--port', '0', '--log', 'json'])
    const url = (await cli.firstLine).slice('listening on '.length)
    const blob = new TextEncoder().encode('logged')
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`
    expect(
      (await fetch(`${url}/v2/team/app/blobs/uploads/?digest=${digest}`, { method: 'POST', body: blob })).status,
    ).toBe(201)
    await (await fetch(`${url}/v2/team/app/manifests/missing`)).arrayBuffer()
    cli.child.kill('SIGTERM')
    const { code, stderr } = await cli.exited
    expect(code).toBe(0)
    const lines = stderr
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines).toEqual([
      {
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        id: 1,
        method: 'POST',
        target: `/v2/team/app/blobs/uploads/?digest=${digest}`,
        status: 201,
        repository: 'team/app',
        digest,
        requestBytes: 6,
        ms: expect.any(Number),
      },
      {
        time: expect.any(String),
        id: 2,
        method: 'GET',
        target: '/v2/team/app/manifests/missing',
        status: 404,
        error: 'MANIFEST_UNKNOWN',
        repository: 'team/app',
        reference: 'missing',
        requestBytes: 0,
        ms: expect.any(Number),
      },
    ])
  })

  it('logs nothing with --quiet', async () => {
    const cli = runCli(['serve', '--port', '0', '--quiet'])
    const url = (await cli.firstLine).slice('listening on '.length)
    await (await fetch(`${url}/v2/`)).arrayBuffer()
    cli.child.kill('SIGTERM')
    expect(await cli.exited).toMatchObject({ code: 0, stderr: '' })
  })

  it.each([['--version'], ['-v']])('prints the package version on %s and exits 0', async (flag) => {
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    expect(await runCli([flag]).exited).toEqual({ code: 0, signal: null, stdout: `${version}\n`, stderr: '' })
  })

  it('prints the usage on --help and exits 0', async () => {
    expect(await runCli(['--help']).exited).toEqual({ code: 0, signal: null, stdout: USAGE, stderr: '' })
  })

  it.each([
    { args: ['serve', '--port', '70000'], problem: "--port must be a whole number from 0 to 65535, got '70000'" },
    { args: ['serve', '--port'], problem: 'option --port needs a value' },
    { args: ['serve', '--verbose'], problem: "unknown option '--verbose'" },
    { args: ['deploy'], problem: "unknown command 'deploy': the only command is serve" },
    { args: ['serve', '--storage', ''], problem: "--storage must be 'memory' or a directory, got ''" },
    { args: ['serve', '--log', 'xml'], problem: "--log must be 'human' or 'json', got 'xml'" },
    {
      args: ['serve', '--log', 'json', '--quiet'],
      problem: '--quiet and --log cannot be used together: --quiet turns the log off',
    },
    // From createFakeRegistry's own validation, which owns the list of modes.
    {
      args: ['serve', '--port', '0', '--mode', 'foo'],
      problem: `Failed to use option mode "foo": mode must be one of ${MODES.map((mode) => `'${mode}'`).join(', ')}. Pass one of them, or leave mode out for 'strict'.`,
    },
    {
      args: ['serve', '--port', '0', '--profile', 'dockerhub'],
      problem:
        "Failed to use option profile \"dockerhub\": profile must be one of 'docker-hub', 'ghcr', 'ecr', 'gar', 'acr', 'quay', 'harbor', 'gitlab', 'artifactory', 'distribution-2.8', 'distribution-3', 'zot'. Pass one of them, or leave profile out for 'none'.",
    },
    {
      args: ['serve', '--port', '0', '--no-schema1'],
      problem: `Failed to use option "schema1": only mode 'lenient' reads it, and this registry's mode is 'strict'. Pass mode: 'lenient' with it, or leave schema1 out.`,
    },
  ])('exits 2 with the problem and the usage on stderr for $args', async ({ args, problem }) => {
    expect(await runCli(args).exited).toEqual({
      code: 2,
      signal: null,
      stdout: '',
      stderr: `fake-oci-registry: ${problem}\n\n${USAGE}`,
    })
  })

  it('exits 1 with the reason and the flag to use when the port is taken', async () => {
    await using holder = await createFakeRegistry()
    const port = new URL(holder.url).port
    expect(await runCli(['serve', '--port', port]).exited).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr: `fake-oci-registry: cannot listen on 127.0.0.1:${port}: the port is already in use. Use --port 0 for a free port, or stop whatever holds that one.\n`,
    })
  })

  it('exits 1 with a hint about --host, not --port, for an address this machine does not have', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of a test machine. Nothing is sent.
    expect(await runCli(['serve', '--port', '0', '--host', '192.0.2.1']).exited).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr:
        'fake-oci-registry: cannot listen on 192.0.2.1:0: no network interface of this machine has the address 192.0.2.1. ' +
        'Use --host 127.0.0.1, ::1, or an address this machine has.\n',
    })
  })
})
