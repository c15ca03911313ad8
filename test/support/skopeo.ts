// Runs the real skopeo binary in a sealed environment: a temp HOME and XDG dirs, an empty auth
// file, empty registries configuration and certificate dirs, no policy, no proxy variables, so
// nothing on the machine changes what it does and nothing it writes lands outside the temp dir.
// One exception no flag reaches: run as root, skopeo keeps its blob-location cache in
// /var/lib/containers/cache (as non-root it goes under the temp HOME).
import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

/** What one run of skopeo left: its exit code and output, stdout also as exact bytes. */
export interface SkopeoResult {
  exitCode: number
  stdout: string
  stdoutBytes: Uint8Array
  stderr: string
  /** The command line, for failure messages. */
  command: string
}

/** The subcommands the interop suite uses; each gets its registry flags added. */
export type SkopeoCommand = 'copy' | 'inspect' | 'delete' | 'list-tags'

export interface RunOptions {
  /** Kill skopeo after this long. Default 20 s; a local registry answers in milliseconds. */
  timeoutMs?: number
  /** Add `--debug`: stderr then lists every HTTP request skopeo makes. */
  debug?: boolean
  /** `--creds` (`--src-creds` and `--dest-creds` for copy): `user:password`. */
  creds?: string
  /** An auth file (`{"auths": …}`) instead of the sealed, empty one. */
  authFile?: string
  /** Verify TLS, trusting the CA certificates (`*.crt`) in this directory. Default: no verification. */
  certDir?: string
}

export interface Skopeo {
  readonly path: string
  /** `skopeo --version`, e.g. '1.9.3'. */
  readonly version: string
  /**
   * Runs `skopeo <command>` with plain HTTP allowed (or TLS verified against `certDir`), the
   * sealed auth file and cert dirs (or those given), and no policy. Never throws for a non-zero
   * exit: the caller asserts on `exitCode`.
   */
  run(command: SkopeoCommand, args: string[], options?: RunOptions): Promise<SkopeoResult>
  /** Removes the temp dir. */
  close(): Promise<void>
}

const DEFAULT_TIMEOUT_MS = 20_000
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024

/** The skopeo binary: `$SKOPEO` when set, else the first executable `skopeo` on PATH. */
export function findSkopeo(): string | undefined {
  const candidates = process.env.SKOPEO
    ? [process.env.SKOPEO]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, 'skopeo'))
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/** Prepares the sealed environment for `path` and reads its version. */
export async function createSkopeo(path: string): Promise<Skopeo> {
  const root = await mkdtemp(join(tmpdir(), 'fake-oci-skopeo-'))
  const home = join(root, 'home')
  const dirs = {
    certs: join(root, 'certs'),
    registriesD: join(root, 'registries.d'),
    tmp: join(root, 'tmp'),
    run: join(root, 'run'),
  }
  const files = {
    auth: join(root, 'auth.json'),
    registriesConf: join(root, 'registries.conf'),
    containersConf: join(root, 'containers.conf'),
  }
  for (const dir of [
    home,
    join(home, '.config', 'containers', 'registries.conf.d'),
    join(home, '.docker'),
    ...Object.values(dirs),
  ]) {
    await mkdir(dir, { recursive: true, mode: 0o700 })
  }
  await writeFile(files.auth, '{}', { mode: 0o600 })
  await writeFile(files.registriesConf, '')
  await writeFile(files.containersConf, '')
  await writeFile(join(home, '.config', 'containers', 'registries.conf'), '')

  // Only what skopeo needs from the parent: PATH. No proxy variables, no DOCKER_CONFIG of the user.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_RUNTIME_DIR: dirs.run,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    TMPDIR: dirs.tmp,
    DOCKER_CONFIG: join(home, '.docker'),
    REGISTRY_AUTH_FILE: files.auth,
    CONTAINERS_REGISTRIES_CONF: files.registriesConf,
    CONTAINERS_CONF: files.containersConf,
  }
  const global = ['--insecure-policy', '--registries.d', dirs.registriesD, '--tmpdir', dirs.tmp]
  const registryFlags = (command: SkopeoCommand, options: RunOptions): string[] => {
    const verify = options.certDir === undefined ? 'false' : 'true'
    const certs = options.certDir ?? dirs.certs
    const flags = ['--authfile', options.authFile ?? files.auth]
    if (command === 'copy') {
      flags.push(
        `--src-tls-verify=${verify}`,
        `--dest-tls-verify=${verify}`,
        '--src-cert-dir',
        certs,
        '--dest-cert-dir',
        certs,
      )
      if (options.creds) flags.push('--src-creds', options.creds, '--dest-creds', options.creds)
    } else {
      flags.push(`--tls-verify=${verify}`, '--cert-dir', certs)
      if (options.creds) flags.push('--creds', options.creds)
    }
    return flags
  }

  const exec = (args: string[], timeoutMs: number): Promise<SkopeoResult> =>
    new Promise((resolve) => {
      execFile(
        path,
        args,
        { env, cwd: root, encoding: 'buffer', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT_BYTES },
        (error, stdout, stderr) => {
          const timedOut = error !== null && error.killed === true
          resolve({
            exitCode: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
            stdout: stdout.toString('utf8'),
            stdoutBytes: new Uint8Array(stdout),
            stderr: stderr.toString('utf8') + (timedOut ? `\n[killed after ${timeoutMs} ms]` : ''),
            command: ['skopeo', ...args].join(' '),
          })
        },
      )
    })

  const versionRun = await exec(['--version'], DEFAULT_TIMEOUT_MS)
  const version = /version (\S+)/.exec(versionRun.stdout)?.[1] ?? 'unknown'

  return {
    path,
    version,
    run(command, args, options = {}) {
      const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
      // skopeo's own deadline, shorter than ours, so it reports what it was waiting for.
      const deadline = `--command-timeout=${Math.max(1, Math.floor(timeoutMs / 1000) - 2)}s`
      return exec(
        [
          ...global,
          deadline,
          ...(options.debug ? ['--debug'] : []),
          command,
          ...registryFlags(command, options),
          ...args,
        ],
        timeoutMs,
      )
    },
    close: () => rm(root, { recursive: true, force: true }),
  }
}

/** A readable account of a run for assertion messages. */
export function describeRun(result: SkopeoResult): string {
  return `${result.command}\nexit ${result.exitCode}\nstdout: ${result.stdout.slice(0, 2000)}\nstderr: ${result.stderr.slice(-4000)}`
}
