import { parseArgs } from 'node:util'
import { DEFAULTS, MODES } from '../options.js'
import { REGISTRY_PROFILE_NAMES } from '../profiles/registries/index.js'

/**
 * The CLI's port when `--port` is left out: the port `registry:2` and every registry tutorial
 * use, so image references such as `127.0.0.1:5000/team/app:1` work unchanged. The library
 * itself defaults to an ephemeral port (`DEFAULTS.port`), which suits tests, not a terminal.
 */
export const CLI_DEFAULT_PORT = 5000

/** What `fake-oci-registry --help` prints. */
export const USAGE = `Usage: fake-oci-registry serve [options]

Serves an OCI / Docker registry (the Distribution API) until SIGINT or SIGTERM,
and prints "listening on <url>" once it accepts connections.

Options:
  --port <number>    port to listen on, 0 for a free one (default: ${CLI_DEFAULT_PORT})
  --host <address>   interface to bind (default: ${DEFAULTS.host})
  --mode <mode>      manifest media-type mode: ${MODES.join(', ')} (default: ${DEFAULTS.mode},
                     or the profile's)
  --profile <name>   imitate a real registry: ${REGISTRY_PROFILE_NAMES.slice(0, 6).join(', ')},
                     ${REGISTRY_PROFILE_NAMES.slice(6).join(', ')}
  --storage <kind>   'memory', or a directory: one OCI layout per repository,
                     kept across restarts (default: memory)
  --no-automatic-mount
                     answer a mount without 'from' with an upload session
                     instead of linking a blob stored in another repository
  -h, --help         print this help and exit
`

/** `serve` with its options, defaults applied. */
export interface ServeCommand {
  command: 'serve'
  port: number
  host: string
  /** Passed on unchecked: `createFakeRegistry` owns the list of modes and rejects others. */
  mode: string
  /** `--profile`, passed on unchecked like the mode; undefined when not given. */
  profile?: string | undefined
  /** Whether `--mode` was given: only then does it override the profile's mode. */
  modeGiven?: boolean
  /** 'memory', or the directory of `directoryStorage`. */
  storage: string
  /** False with `--no-automatic-mount`. */
  automaticMount: boolean
}

/** A command line the CLI can run. */
export type CliCommand = { command: 'help' } | ServeCommand

/**
 * A command line the CLI cannot run. The message names the problem only; the caller adds the
 * usage text and exits 2.
 *
 * @example
 * try { parseCliArgs(['serve', '--port', 'x']) } catch (error) { console.error((error as UsageError).message) }
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/**
 * Parses the arguments after `node main.js` into a command, or throws `UsageError`. Pure: it
 * reads no environment and writes nothing.
 *
 * @example
 * parseCliArgs(['serve', '--port', '0']) // { command: 'serve', port: 0, host: '127.0.0.1', mode: 'strict', storage: 'memory', automaticMount: true }
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const { values, positionals } = parseOrExplain(argv)
  if (values.help) return { command: 'help' }
  const [command, ...extra] = positionals
  if (command === undefined) throw new UsageError('missing command: the only command is serve')
  if (command !== 'serve') throw new UsageError(`unknown command '${command}': the only command is serve`)
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}': serve takes options only`)
  return {
    command: 'serve',
    port: port(values.port),
    host: nonEmpty('host', values.host, DEFAULTS.host, 'an address such as 127.0.0.1 or ::1'),
    mode: values.mode ?? DEFAULTS.mode,
    ...(values.profile === undefined ? {} : { profile: nonEmpty('profile', values.profile, '', 'a profile name'), modeGiven: values.mode !== undefined }),
    storage: nonEmpty('storage', values.storage, 'memory', "'memory' or a directory"),
    automaticMount: !values['no-automatic-mount'],
  }
}

function parseOrExplain(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        mode: { type: 'string' },
        profile: { type: 'string' },
        storage: { type: 'string' },
        'no-automatic-mount': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    throw new UsageError(explain(error))
  }
}

// parseArgs' own messages explain its API ("place it at the end of the command after '--'");
// these say what is wrong with the command line.
function explain(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string }
  const option = /'(?:-\w, )?(-[^' ]+)/.exec(message ?? '')?.[1]
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option '${option}'`
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    if (/argument missing|ambiguous/.test(message ?? '')) return `option ${option} needs a value`
    if (/does not take an argument/.test(message ?? '')) return `option ${option} takes no value`
  }
  return String(message ?? error)
}

function port(value: string | undefined): number {
  if (value === undefined) return CLI_DEFAULT_PORT
  const number = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN
  if (number <= 65535) return number
  throw new UsageError(`--port must be a whole number from 0 to 65535, got '${value}'`)
}

// An empty value (`--host=`, `--storage ''`) is a slip, not a choice: it is refused rather than
// read as the default or handed on.
function nonEmpty(option: string, value: string | undefined, fallback: string, expected: string): string {
  if (value === undefined) return fallback
  if (value.length > 0) return value
  throw new UsageError(`--${option} must be ${expected}, got ''`)
}
