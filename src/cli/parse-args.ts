import { parseArgs } from 'node:util'
import { ANONYMOUS_ACCESS, DEFAULTS, MODES } from '../options.js'
import { REGISTRY_PROFILE_NAMES } from '../profiles/registries/index.js'

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

/**
 * One flag per option of `createFakeRegistry` that makes sense outside code, named as the option
 * in kebab-case (docs/options.md). A boolean flag also has its `--no-` form; one left out leaves
 * the option to its default (the mode's, for `referrers` and `verifyReferences`).
 */
interface Flag {
  option: CliOption
  /** The value's placeholder, or absent for a boolean flag. */
  value?: string
  help: string
}

/** The options the CLI sets; `transport` (always http) and `origin` (no socket only) stay in code. */
export type CliOption = keyof ServeOptions | 'storage'

const FLAGS: readonly Flag[] = [
  { option: 'port', value: '<number>', help: `port to listen on, 0: a free one (default: ${CLI_DEFAULT_PORT})` },
  { option: 'host', value: '<address>', help: `interface to bind (default: ${DEFAULTS.host})` },
  {
    option: 'mode',
    value: '<mode>',
    help: `manifest media-type mode: ${MODES.join(', ')} (default: ${DEFAULTS.mode}, or the profile's)`,
  },
  {
    option: 'profile',
    value: '<name>',
    help: `imitate a real registry (docs/profiles.md): ${REGISTRY_PROFILE_NAMES.join(', ')}`,
  },
  {
    option: 'storage',
    value: '<kind>',
    help: "'memory', or a directory: one OCI layout per repository, kept across restarts (default: memory)",
  },
  {
    option: 'maxManifestBytes',
    value: '<bytes>',
    help: `largest manifest accepted (default: ${DEFAULTS.maxManifestBytes})`,
  },
  {
    option: 'verifyReferences',
    value: '<which>',
    help: "references a pushed manifest must have: all, blobs or none (default: the mode's)",
  },
  { option: 'deletes', help: 'serve DELETE of manifests, tags and blobs (default: on)' },
  { option: 'automaticMount', help: "link a blob stored elsewhere on a mount without 'from' (default: on)" },
  { option: 'referrers', help: "serve the referrers API (default: the mode's, off in gitlab-legacy)" },
  {
    option: 'unknownContentTypes',
    help: 'strict mode: read an unknown Content-Type with the default parser (default: on)',
  },
  { option: 'schema1', help: 'lenient mode: store Docker schema 1 manifests (default: on)' },
  { option: 'unknownManifestTypes', help: 'lenient mode: store manifests of unknown mediaType (default: on)' },
  // Limits (docs/limits.md): positive whole numbers, checked by createFakeRegistry.
  {
    option: 'headersTimeoutMs',
    value: '<ms>',
    help: `time to send a request's headers (default: ${DEFAULTS.headersTimeoutMs})`,
  },
  {
    option: 'requestTimeoutMs',
    value: '<ms>',
    help: `time to send a whole request (default: ${DEFAULTS.requestTimeoutMs})`,
  },
  {
    option: 'idleTimeoutMs',
    value: '<ms>',
    help: `silence before a connection is closed (default: ${DEFAULTS.idleTimeoutMs})`,
  },
  { option: 'maxConnections', value: '<n>', help: `connections served at once (default: ${DEFAULTS.maxConnections})` },
  {
    option: 'listenBacklog',
    value: '<n>',
    help: `connections queued before they are accepted (default: ${DEFAULTS.listenBacklog})`,
  },
  {
    option: 'journalMaxEntries',
    value: '<n>',
    help: `requests the journal keeps (default: ${DEFAULTS.journalMaxEntries})`,
  },
  {
    option: 'journalMaxBytes',
    value: '<bytes>',
    help: `bytes the journal's records may hold (default: ${DEFAULTS.journalMaxBytes})`,
  },
  {
    option: 'journalMaxManifestBytes',
    value: '<bytes>',
    help: `largest manifest body a journal record keeps (default: ${DEFAULTS.journalMaxManifestBytes})`,
  },
  {
    option: 'maxUploadSessions',
    value: '<n>',
    help: `upload sessions open at once (default: ${DEFAULTS.maxUploadSessions})`,
  },
  {
    option: 'uploadTimeoutMs',
    value: '<ms>',
    help: `an upload session unused this long ends (default: ${DEFAULTS.uploadTimeoutMs})`,
  },
  {
    option: 'tls',
    help: 'serve https with a CA and a certificate for localhost, 127.0.0.1 and ::1 made at start (default: off)',
  },
  {
    option: 'auth',
    value: '<scheme>',
    help: `ask for credentials: bearer (token endpoint at <url>${DEFAULTS.auth.realmPath}) or basic (default with --user: ${DEFAULTS.auth.scheme})`,
  },
]

// The other fields of the auth option (docs/auth.md), and --ca-out, which is the CLI's alone.
const MORE_FLAGS: ReadonlyArray<{ name: string; help: string }> = [
  {
    name: '--ca-out <file>',
    help: 'with --tls, write the CA certificate (PEM) here before printing the url; for skopeo --cert-dir, name it ca.crt in a directory of its own',
  },
  { name: '--user <name:password>', help: `a user (repeatable); implies --auth ${DEFAULTS.auth.scheme}` },
  {
    name: '--anonymous <access>',
    help: `what requests without a user may do: ${ANONYMOUS_ACCESS.join(' or ')} (default: ${DEFAULTS.auth.anonymous})`,
  },
  {
    name: '--permission <name=scope>',
    help: 'what a user may do (repeatable), such as alice=repository:team/*:pull,push; a user without one may do what anonymous requests may (default: everything)',
  },
  {
    name: '--realm-path <path>',
    help: `path of the token endpoint, which challenges name (default: ${DEFAULTS.auth.realmPath}, or the profile's)`,
  },
  { name: '--token-ttl-seconds <n>', help: `lifetime of a bearer token (default: ${DEFAULTS.auth.tokenTtlSeconds})` },
  {
    name: '--service <name>',
    help: `the service of challenges and tokens, where <host> stands for the host a request was sent to (default: ${DEFAULTS.auth.service}, or the profile's)`,
  },
  {
    name: '--forbidden-status <401|403>',
    help: `answer to a credential without the access needed: 401 insufficient_scope or 403 DENIED (default: ${DEFAULTS.auth.forbiddenStatus})`,
  },
]

/** The options whose flags take a positive whole number (besides `--max-manifest-bytes`). */
const LIMITS = [
  'headersTimeoutMs',
  'requestTimeoutMs',
  'idleTimeoutMs',
  'maxConnections',
  'listenBacklog',
  'journalMaxEntries',
  'journalMaxBytes',
  'journalMaxManifestBytes',
  'maxUploadSessions',
  'uploadTimeoutMs',
] as const

// Not an option of createFakeRegistry: rules go to `registry.faults.add`, which this flag calls
// for each rule of the file once the registry runs.
const FAULTS_FLAG = {
  value: '<file>',
  help: 'a JSON file holding an array of fault rules, added at start (docs/faults.md)',
}

/** `maxManifestBytes` → `max-manifest-bytes`. */
export function flagName(option: string): string {
  return option.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)
}

/** Every flag the CLI has, by the option it sets, for docs and tests. */
export const CLI_FLAGS: ReadonlyMap<CliOption, string> = new Map(
  FLAGS.map((flag) => [flag.option, `--${flagName(flag.option)}`]),
)

// Help columns: two spaces, the flag in 28, its text wrapped so no line passes 80 characters.
function usageLine(flag: Flag): string {
  const name = flag.value === undefined ? `--[no-]${flagName(flag.option)}` : `--${flagName(flag.option)} ${flag.value}`
  return helpLine(name, flag.help)
}

function helpLine(name: string, help: string): string {
  const lines = wrap(help, 50)
  const first = name.length < 28 ? `  ${name.padEnd(28)}${lines.shift() ?? ''}` : `  ${name}`
  return [first, ...lines.map((line) => `${' '.repeat(30)}${line}`)].join('\n')
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line.length > 0 ? `${line} ${word}` : word
  }
  if (line.length > 0) lines.push(line)
  return lines
}

/** What `fake-oci-registry --help` prints. */
export const USAGE = `Usage: fake-oci-registry serve [options]

Serves an OCI / Docker registry (the Distribution API) until SIGINT or SIGTERM,
prints "listening on <url>" on stdout once it accepts connections, then one
line per request on stderr. Each option sets the option of createFakeRegistry
of the same name (docs/options.md).

Options:
${FLAGS.map(usageLine).join('\n')}
${helpLine(`--faults ${FAULTS_FLAG.value}`, FAULTS_FLAG.help)}
${MORE_FLAGS.map((flag) => helpLine(flag.name, flag.help)).join('\n')}

Output:
  --log <format>              request log on stderr: 'human', or 'json' for one
                              JSON object per request (default: human)
  -q, --quiet                 no request log
  -v, --version               print the version and exit
  -h, --help                  print this help and exit
`

/** The registry options the flags set: `port` and `host` always, the others only when given. */
export interface ServeOptions {
  port: number
  host: string
  /** Passed on unchecked: `createFakeRegistry` owns the list of modes and rejects others. */
  mode?: string
  /** Passed on unchecked, as `mode`. */
  profile?: string
  maxManifestBytes?: number
  /** Passed on unchecked, as `mode`. */
  verifyReferences?: string
  deletes?: boolean
  automaticMount?: boolean
  referrers?: boolean
  unknownContentTypes?: boolean
  schema1?: boolean
  unknownManifestTypes?: boolean
  headersTimeoutMs?: number
  requestTimeoutMs?: number
  idleTimeoutMs?: number
  maxConnections?: number
  listenBacklog?: number
  journalMaxEntries?: number
  journalMaxBytes?: number
  journalMaxManifestBytes?: number
  maxUploadSessions?: number
  uploadTimeoutMs?: number
  tls?: boolean
  /** Set when any auth flag is given; values passed on unchecked, as `mode`. */
  auth?: CliAuth
}

/** The auth flags, as `createFakeRegistry`'s `auth` option. */
export interface CliAuth {
  scheme?: string
  realmPath?: string
  users: Record<string, string>
  anonymous?: string
  permissions?: Record<string, string[]>
  tokenTtlSeconds?: number
  service?: string
  forbiddenStatus?: number
}

/** `serve` with its options. */
export interface ServeCommand {
  command: 'serve'
  /** 'memory', or the directory of `directoryStorage`. */
  storage: string
  options: ServeOptions
  /** The JSON file of fault rules given with `--faults`, if any. */
  faults?: string
  /** `--ca-out`: where to write the CA certificate that `--tls` makes. */
  caOut?: string
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
 * parseCliArgs(['serve', '--port', '0', '--no-deletes'])
 * // { command: 'serve', storage: 'memory', options: { port: 0, host: '127.0.0.1', deletes: false }, log: 'human' }
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const { values, positionals } = parseOrExplain(argv)
  if (values.help) return { command: 'help' }
  if (values.version) return { command: 'version' }
  const [command, ...extra] = positionals
  if (command === undefined) throw new UsageError('missing command: the only command is serve')
  if (command !== 'serve') throw new UsageError(`unknown command '${command}': the only command is serve`)
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}': serve takes options only`)
  const options: ServeOptions = {
    port: port(values.port),
    host: nonEmpty('host', values.host, DEFAULTS.host, 'an address such as 127.0.0.1 or ::1'),
  }
  if (values.mode !== undefined) options.mode = values.mode
  if (values.profile !== undefined) options.profile = nonEmpty('profile', values.profile, '', 'a profile name')
  if (values['verify-references'] !== undefined) options.verifyReferences = values['verify-references']
  if (values['max-manifest-bytes'] !== undefined)
    options.maxManifestBytes = bytes('max-manifest-bytes', values['max-manifest-bytes'])
  for (const flag of FLAGS) {
    const value = values[flagName(flag.option) as keyof typeof values]
    if (flag.value === undefined && typeof value === 'boolean')
      (options as unknown as Record<string, boolean>)[flag.option] = value
  }
  for (const option of LIMITS) {
    const value = values[flagName(option) as keyof typeof values]
    if (typeof value === 'string') options[option] = wholeNumber(flagName(option), value)
  }
  const auth = authFlags(values)
  if (auth) options.auth = auth
  const storage = nonEmpty('storage', values.storage, 'memory', "'memory' or a directory")
  const serve: ServeCommand = { command: 'serve', storage, options, log: logFormat(values.log, values.quiet === true) }
  if (values['ca-out'] !== undefined) {
    if (options.tls !== true) throw new UsageError('--ca-out writes the CA that --tls makes: add --tls')
    serve.caOut = nonEmpty('ca-out', values['ca-out'], '', 'a file name')
  }
  if (values.faults !== undefined) serve.faults = nonEmpty('faults', values.faults, '', 'the path of a JSON file')
  return serve
}

function authFlags(values: ReturnType<typeof parseOrExplain>['values']): CliAuth | undefined {
  const names = [
    'auth',
    'realm-path',
    'user',
    'anonymous',
    'permission',
    'token-ttl-seconds',
    'service',
    'forbidden-status',
  ] as const
  if (!names.some((name) => values[name] !== undefined)) return undefined
  const auth: CliAuth = { users: {} }
  if (values.auth !== undefined) auth.scheme = values.auth
  if (values['realm-path'] !== undefined) auth.realmPath = values['realm-path']
  for (const user of values.user ?? []) {
    const colon = user.indexOf(':')
    if (colon <= 0 || colon === user.length - 1)
      throw new UsageError(`--user must be name:password with neither empty, got '${user}'`)
    auth.users[user.slice(0, colon)] = user.slice(colon + 1)
  }
  if (values.anonymous !== undefined) auth.anonymous = values.anonymous
  for (const permission of values.permission ?? []) {
    const equals = permission.indexOf('=')
    if (equals <= 0)
      throw new UsageError(`--permission must be name=scope, such as alice=repository:team/*:pull, got '${permission}'`)
    auth.permissions ??= {}
    ;(auth.permissions[permission.slice(0, equals)] ??= []).push(permission.slice(equals + 1))
  }
  if (values['token-ttl-seconds'] !== undefined)
    auth.tokenTtlSeconds = wholeNumber('token-ttl-seconds', values['token-ttl-seconds'])
  if (values.service !== undefined) auth.service = values.service
  if (values['forbidden-status'] !== undefined)
    auth.forbiddenStatus = wholeNumber('forbidden-status', values['forbidden-status'])
  return auth
}

function parseOrExplain(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      allowNegative: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        mode: { type: 'string' },
        profile: { type: 'string' },
        storage: { type: 'string' },
        'max-manifest-bytes': { type: 'string' },
        'verify-references': { type: 'string' },
        deletes: { type: 'boolean' },
        'automatic-mount': { type: 'boolean' },
        referrers: { type: 'boolean' },
        'unknown-content-types': { type: 'boolean' },
        schema1: { type: 'boolean' },
        'unknown-manifest-types': { type: 'boolean' },
        ...(Object.fromEntries(LIMITS.map((option) => [flagName(option), { type: 'string' }])) as Record<
          LimitFlag,
          { type: 'string' }
        >),
        faults: { type: 'string' },
        tls: { type: 'boolean' },
        'ca-out': { type: 'string' },
        auth: { type: 'string' },
        'realm-path': { type: 'string' },
        user: { type: 'string', multiple: true },
        anonymous: { type: 'string' },
        permission: { type: 'string', multiple: true },
        'token-ttl-seconds': { type: 'string' },
        service: { type: 'string' },
        'forbidden-status': { type: 'string' },
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

function bytes(option: string, value: string): number {
  const number = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN
  if (Number.isSafeInteger(number) && number > 0) return number
  throw new UsageError(`--${option} must be a positive whole number of bytes, got '${value}'`)
}

type KebabCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `-${Lowercase<Head>}`}${KebabCase<Tail>}`
  : S
type LimitFlag = KebabCase<(typeof LIMITS)[number]>

// createFakeRegistry checks each limit's range and how limits relate; here, only the number.
function wholeNumber(flag: string, value: string): number {
  const number = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN
  if (number > 0) return number
  throw new UsageError(`--${flag} must be a positive whole number, got '${value}'`)
}

// An empty value (`--host=`, `--storage ''`) is a slip, not a choice: it is refused rather than
// read as the default or handed on.
function nonEmpty(option: string, value: string | undefined, fallback: string, expected: string): string {
  if (value === undefined) return fallback
  if (value.length > 0) return value
  throw new UsageError(`--${option} must be ${expected}, got ''`)
}
