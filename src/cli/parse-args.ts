import { parseArgs } from 'node:util'
import { ANONYMOUS_ACCESS, DEFAULTS, MODES } from '../options.js'

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
  --mode <mode>      manifest media-type mode: ${MODES.join(', ')} (default: ${DEFAULTS.mode})
  --storage <kind>   'memory', or a directory: one OCI layout per repository,
                     kept across restarts (default: memory)
  --no-automatic-mount
                     answer a mount without 'from' with an upload session
                     instead of linking a blob stored in another repository
  --tls              serve https with a CA and a certificate for localhost,
                     127.0.0.1 and ::1 made at start
  --ca-out <file>    with --tls, write the CA certificate (PEM) to this file
                     before printing the url (for skopeo --cert-dir, name it
                     ca.crt in a directory of its own)
  --auth <scheme>    ask for credentials: bearer (token endpoint at <url>/token)
                     or basic (default with --user: ${DEFAULTS.auth.scheme})
  --user <name:password>
                     a user (repeatable); implies --auth ${DEFAULTS.auth.scheme}
  --anonymous <access>
                     what requests without a user may do: ${ANONYMOUS_ACCESS.join(', ')}
                     (default: ${DEFAULTS.auth.anonymous})
  --permission <name=scope>
                     what a user may do (repeatable), such as
                     alice=repository:team/*:pull,push; users without one may
                     do only what anonymous requests may (default: everything)
  --token-ttl-seconds <n>
                     lifetime of a bearer token (default: ${DEFAULTS.auth.tokenTtlSeconds})
  --service <name>   the bearer challenge's service (default: ${DEFAULTS.auth.service})
  --forbidden-status <401|403>
                     answer to a valid credential without the access needed
                     (default: ${DEFAULTS.auth.forbiddenStatus} insufficient_scope; 403 is DENIED)
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
  /** True with `--tls`. */
  tls?: true
  /** `--ca-out`: where to write the CA certificate. */
  caOut?: string
  /** Set when any auth flag is given; values passed on unchecked, as `mode`. */
  auth?: CliAuth
}

/** The auth flags, as `createFakeRegistry`'s `auth` option. */
export interface CliAuth {
  scheme?: string
  users: Record<string, string>
  anonymous?: string
  permissions?: Record<string, string[]>
  tokenTtlSeconds?: number
  service?: string
  forbiddenStatus?: number
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
  const serve: ServeCommand = {
    command: 'serve',
    port: port(values.port),
    host: nonEmpty('host', values.host, DEFAULTS.host, 'an address such as 127.0.0.1 or ::1'),
    mode: values.mode ?? DEFAULTS.mode,
    storage: nonEmpty('storage', values.storage, 'memory', "'memory' or a directory"),
    automaticMount: !values['no-automatic-mount'],
  }
  if (values.tls) serve.tls = true
  if (values['ca-out'] !== undefined) {
    if (!values.tls) throw new UsageError('--ca-out writes the CA that --tls makes: add --tls')
    serve.caOut = nonEmpty('ca-out', values['ca-out'], '', 'a file name')
  }
  const auth = authFlags(values)
  if (auth) serve.auth = auth
  return serve
}

function authFlags(values: ReturnType<typeof parseOrExplain>['values']): CliAuth | undefined {
  const given = ['auth', 'user', 'anonymous', 'permission', 'token-ttl-seconds', 'service', 'forbidden-status'].some(
    (name) => values[name as keyof typeof values] !== undefined,
  )
  if (!given) return undefined
  const auth: CliAuth = { users: {} }
  if (values.auth !== undefined) auth.scheme = values.auth
  for (const user of values.user ?? []) {
    const colon = user.indexOf(':')
    if (colon <= 0 || colon === user.length - 1) throw new UsageError(`--user must be name:password with neither empty, got '${user}'`)
    auth.users[user.slice(0, colon)] = user.slice(colon + 1)
  }
  if (values.anonymous !== undefined) auth.anonymous = values.anonymous
  for (const permission of values.permission ?? []) {
    const equals = permission.indexOf('=')
    if (equals <= 0) throw new UsageError(`--permission must be name=scope, such as alice=repository:team/*:pull, got '${permission}'`)
    const name = permission.slice(0, equals)
    auth.permissions ??= {}
    ;(auth.permissions[name] ??= []).push(permission.slice(equals + 1))
  }
  if (values['token-ttl-seconds'] !== undefined) auth.tokenTtlSeconds = whole('token-ttl-seconds', values['token-ttl-seconds'])
  if (values.service !== undefined) auth.service = values.service
  if (values['forbidden-status'] !== undefined) auth.forbiddenStatus = whole('forbidden-status', values['forbidden-status'])
  return auth
}

// Ranges are createFakeRegistry's to check; here only the shape of a whole number.
function whole(option: string, value: string): number {
  if (/^\d{1,9}$/.test(value)) return Number(value)
  throw new UsageError(`--${option} must be a whole number, got '${value}'`)
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
        tls: { type: 'boolean' },
        'ca-out': { type: 'string' },
        auth: { type: 'string' },
        user: { type: 'string', multiple: true },
        anonymous: { type: 'string' },
        permission: { type: 'string', multiple: true },
        'token-ttl-seconds': { type: 'string' },
        service: { type: 'string' },
        'forbidden-status': { type: 'string' },
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
