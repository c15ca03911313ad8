import { parseArgs } from 'node:util'
import { DEFAULTS, MODES } from '../options.js'

/**
 * The CLI's port when `--port` is left out: the port `registry:2` and every registry tutorial
 * use, so image references such as `127.0.0.1:5000/team/app:1` work unchanged. The library
 * itself defaults to an ephemeral port (`DEFAULTS.port`), which suits tests, not a terminal.
 */
export const CLI_DEFAULT_PORT = 5000

/** The formats of the request log: `--log human` (the default) or `--log json`. */
export const LOG_FORMATS = ['human', 'json'] as const

/** One of `LOG_FORMATS`. */
export type LogFormat = (typeof LOG_FORMATS)[number]

/** What `fake-oci-registry --help` prints. */
export const USAGE = `Usage: fake-oci-registry serve [options]

Serves an OCI / Docker registry (the Distribution API) until SIGINT or SIGTERM,
prints "listening on <url>" on stdout once it accepts connections, then one line
per request on stderr.

Options:
  --port <number>    port to listen on, 0 for a free one (default: ${CLI_DEFAULT_PORT})
  --host <address>   interface to bind (default: ${DEFAULTS.host})
  --mode <mode>      manifest media-type mode: ${MODES.join(', ')} (default: ${DEFAULTS.mode})
  --storage <kind>   'memory', or a directory: one OCI layout per repository,
                     kept across restarts (default: memory)
  --no-automatic-mount
                     answer a mount without 'from' with an upload session
                     instead of linking a blob stored in another repository
  --log <format>     request log on stderr: 'human', or 'json' for one JSON
                     object per request (default: human)
  -q, --quiet        no request log
  -v, --version      print the version and exit
  -h, --help         print this help and exit
`

/** `serve` with its options, defaults applied. */
export interface ServeCommand {
  command: 'serve'
  port: number
  host: string
  /** Passed on unchecked: `createFakeRegistry` owns the list of modes and rejects others. */
  mode: string
  /** 'memory', or the directory of `directoryStorage`. */
  storage: string
  /** False with `--no-automatic-mount`. */
  automaticMount: boolean
  /** The request log's format on stderr: `--log`, or 'none' with `--quiet`. */
  log: LogFormat | 'none'
}

/** A command line the CLI can run. */
export type CliCommand = { command: 'help' } | { command: 'version' } | ServeCommand

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
 * parseCliArgs(['serve', '--port', '0']) // { command: 'serve', port: 0, …, log: 'human' }
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const { values, positionals } = parseOrExplain(argv)
  if (values.help) return { command: 'help' }
  if (values.version) return { command: 'version' }
  const [command, ...extra] = positionals
  if (command === undefined) throw new UsageError('missing command: the only command is serve')
  if (command !== 'serve') throw new UsageError(`unknown command '${command}': the only command is serve`)
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}': serve takes options only`)
  return {
    command: 'serve',
    port: port(values.port),
    host: nonEmpty('host', values.host, DEFAULTS.host, 'an address such as 127.0.0.1 or ::1'),
    mode: values.mode ?? DEFAULTS.mode,
    storage: nonEmpty('storage', values.storage, 'memory', "'memory' or a directory"),
    automaticMount: !values['no-automatic-mount'],
    log: logFormat(values.log, values.quiet === true),
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
        storage: { type: 'string' },
        'no-automatic-mount': { type: 'boolean' },
        log: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        version: { type: 'boolean', short: 'v' },
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

function logFormat(value: string | undefined, quiet: boolean): LogFormat | 'none' {
  if (quiet && value !== undefined) {
    throw new UsageError('--quiet and --log cannot be used together: --quiet turns the log off')
  }
  if (quiet) return 'none'
  if (value === undefined) return 'human'
  if ((LOG_FORMATS as readonly string[]).includes(value)) return value as LogFormat
  throw new UsageError(`--log must be ${LOG_FORMATS.map((format) => `'${format}'`).join(' or ')}, got '${value}'`)
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
