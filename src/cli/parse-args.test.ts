import { describe, expect, it } from 'vitest'
import { OPTION_NAMES } from '../options.js'
import { CLI_DEFAULT_PORT, CLI_FLAGS, parseCliArgs, USAGE, UsageError } from './parse-args.js'

describe('parseCliArgs', () => {
  const serve = (options: object, storage = 'memory', log = 'human') => ({
    command: 'serve',
    storage,
    options: { port: 5000, host: '127.0.0.1', ...options },
    log,
  })

  it.each([
    { argv: ['serve'], expected: serve({}) },
    { argv: ['serve', '--port', '0'], expected: serve({ port: 0 }) },
    { argv: ['serve', '--port=65535', '--host', '::1'], expected: serve({ port: 65535, host: '::1' }) },
    { argv: ['--host', '0.0.0.0', 'serve', '--storage', 'memory'], expected: serve({ host: '0.0.0.0' }) },
    { argv: ['serve', '--storage', './data'], expected: serve({}, './data') },
    // Modes and verifyReferences are checked by createFakeRegistry, which owns their lists.
    { argv: ['serve', '--mode', 'lenient'], expected: serve({ mode: 'lenient' }) },
    { argv: ['serve', '--verify-references', 'blobs'], expected: serve({ verifyReferences: 'blobs' }) },
    { argv: ['serve', '--max-manifest-bytes', '1024'], expected: serve({ maxManifestBytes: 1024 }) },
    { argv: ['serve', '--port', '1', '--port', '2'], expected: serve({ port: 2 }) },
    { argv: ['serve', '--no-automatic-mount'], expected: serve({ automaticMount: false }) },
    { argv: ['serve', '--no-deletes', '--referrers'], expected: serve({ deletes: false, referrers: true }) },
    {
      argv: ['serve', '--no-referrers', '--no-unknown-content-types'],
      expected: serve({ referrers: false, unknownContentTypes: false }),
    },
    {
      argv: ['serve', '--mode', 'lenient', '--no-schema1', '--no-unknown-manifest-types'],
      expected: serve({ mode: 'lenient', schema1: false, unknownManifestTypes: false }),
    },
    { argv: ['serve', '--deletes', '--no-deletes'], expected: serve({ deletes: false }) },
    { argv: ['serve', '--faults', 'faults.json'], expected: { ...serve({}), faults: 'faults.json' } },
    // Profiles too are checked by createFakeRegistry; a flag given beside one overrides it.
    { argv: ['serve', '--profile', 'ghcr'], expected: serve({ profile: 'ghcr' }) },
    { argv: ['serve', '--profile=ghcr', '--deletes'], expected: serve({ profile: 'ghcr', deletes: true }) },
    {
      argv: ['serve', '--tls', '--ca-out', 'certs/ca.crt'],
      expected: { ...serve({ tls: true }), caOut: 'certs/ca.crt' },
    },
    {
      argv: ['serve', '--user', 'alice:secret', '--user', 'bob:a:b'],
      expected: serve({ auth: { users: { alice: 'secret', bob: 'a:b' } } }),
    },
    {
      argv: [
        'serve',
        '--auth',
        'basic',
        '--anonymous',
        'pull',
        '--user',
        'alice:secret',
        '--permission',
        'alice=repository:team/*:pull,push',
        '--permission',
        'alice=registry:catalog:*',
      ],
      expected: serve({
        auth: {
          scheme: 'basic',
          anonymous: 'pull',
          users: { alice: 'secret' },
          permissions: { alice: ['repository:team/*:pull,push', 'registry:catalog:*'] },
        },
      }),
    },
    {
      argv: [
        'serve',
        '--auth',
        'bearer',
        '--token-ttl-seconds',
        '60',
        '--service',
        'registry.test',
        '--forbidden-status',
        '403',
      ],
      expected: serve({
        auth: { scheme: 'bearer', users: {}, tokenTtlSeconds: 60, service: 'registry.test', forbiddenStatus: 403 },
      }),
    },
    {
      argv: ['serve', '--profile', 'quay', '--user', 'alice:secret', '--realm-path', '/v2/token'],
      expected: serve({ profile: 'quay', auth: { users: { alice: 'secret' }, realmPath: '/v2/token' } }),
    },
    { argv: ['serve', '--log', 'json'], expected: serve({}, 'memory', 'json') },
    { argv: ['serve', '-q'], expected: serve({}, 'memory', 'none') },
    { argv: ['--version'], expected: { command: 'version' } },
    { argv: ['-v', 'serve'], expected: { command: 'version' } },
    { argv: ['--help'], expected: { command: 'help' } },
    { argv: ['-h'], expected: { command: 'help' } },
    { argv: ['serve', '--port', '70000', '--help'], expected: { command: 'help' } },
  ])('parses $argv', ({ argv, expected }) => {
    expect(parseCliArgs(argv)).toEqual(expected)
  })

  it.each([
    { argv: [], message: 'missing command: the only command is serve' },
    { argv: ['deploy'], message: "unknown command 'deploy': the only command is serve" },
    { argv: ['serve', 'extra'], message: "unexpected argument 'extra': serve takes options only" },
    { argv: ['serve', '--verbose'], message: "unknown option '--verbose'" },
    { argv: ['serve', '-x'], message: "unknown option '-x'" },
    { argv: ['serve', '--port'], message: 'option --port needs a value' },
    { argv: ['serve', '--port', '--host', '::1'], message: 'option --port needs a value' },
    { argv: ['--help=yes'], message: 'option --help takes no value' },
    { argv: ['serve', '--port', '70000'], message: "--port must be a whole number from 0 to 65535, got '70000'" },
    { argv: ['serve', '--port', '-1'], message: 'option --port needs a value' },
    { argv: ['serve', '--port=-1'], message: "--port must be a whole number from 0 to 65535, got '-1'" },
    { argv: ['serve', '--port', '50.5'], message: "--port must be a whole number from 0 to 65535, got '50.5'" },
    { argv: ['serve', '--port', '0x50'], message: "--port must be a whole number from 0 to 65535, got '0x50'" },
    { argv: ['serve', '--port', ''], message: "--port must be a whole number from 0 to 65535, got ''" },
    { argv: ['serve', '--host='], message: "--host must be an address such as 127.0.0.1 or ::1, got ''" },
    { argv: ['serve', '--storage', ''], message: "--storage must be 'memory' or a directory, got ''" },
    { argv: ['serve', '--faults='], message: "--faults must be the path of a JSON file, got ''" },
    {
      argv: ['serve', '--max-manifest-bytes', '0'],
      message: "--max-manifest-bytes must be a positive whole number of bytes, got '0'",
    },
    {
      argv: ['serve', '--max-manifest-bytes', '4k'],
      message: "--max-manifest-bytes must be a positive whole number of bytes, got '4k'",
    },
    { argv: ['serve', '--deletes=no'], message: 'option --deletes takes no value' },
    { argv: ['serve', '--ca-out', 'ca.crt'], message: '--ca-out writes the CA that --tls makes: add --tls' },
    { argv: ['serve', '--tls', '--ca-out='], message: "--ca-out must be a file name, got ''" },
    { argv: ['serve', '--tls=yes'], message: 'option --tls takes no value' },
    { argv: ['serve', '--user', 'alice'], message: "--user must be name:password with neither empty, got 'alice'" },
    { argv: ['serve', '--user', ':secret'], message: "--user must be name:password with neither empty, got ':secret'" },
    { argv: ['serve', '--user', 'alice:'], message: "--user must be name:password with neither empty, got 'alice:'" },
    {
      argv: ['serve', '--permission', 'repository:a:pull'],
      message: "--permission must be name=scope, such as alice=repository:team/*:pull, got 'repository:a:pull'",
    },
    {
      argv: ['serve', '--token-ttl-seconds', '5m'],
      message: "--token-ttl-seconds must be a positive whole number, got '5m'",
    },
    {
      argv: ['serve', '--forbidden-status', 'DENIED'],
      message: "--forbidden-status must be a positive whole number, got 'DENIED'",
    },
    { argv: ['serve', '--log', 'text'], message: "--log must be 'human' or 'json', got 'text'" },
    { argv: ['serve', '--log', ''], message: "--log must be 'human' or 'json', got ''" },
    {
      argv: ['serve', '--quiet', '--log=human'],
      message: '--quiet and --log cannot be used together: --quiet turns the log off',
    },
  ])('rejects $argv with a UsageError', ({ argv, message }) => {
    let thrown: unknown
    try {
      parseCliArgs(argv)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(UsageError)
    expect((thrown as UsageError).message).toBe(message)
  })

  it('has a flag, named as the option in kebab-case, for every option but the code-only ones', () => {
    // How a test reaches an in-process registry, and the options whose values are objects or functions.
    const codeOnly = ['transport', 'origin', 'quirks', 'rateLimit', 'blobRedirect', 'now']
    const flagged = OPTION_NAMES.filter((name) => !codeOnly.includes(name))
    expect([...CLI_FLAGS.keys()].sort()).toEqual([...flagged].sort())
    for (const [option, flag] of CLI_FLAGS)
      expect(flag).toBe(`--${option.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`)
  })

  it('documents every flag and the CLI default port in a usage text of at most 80 columns', () => {
    for (const flag of CLI_FLAGS.values()) expect(USAGE).toMatch(new RegExp(`--(\\[no-\\])?${flag.slice(2)}\\b`))
    for (const line of USAGE.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80)
    expect(USAGE).toContain('-h, --help')
    expect(USAGE).toContain('--faults <file>')
    for (const flag of [
      '--ca-out <file>',
      '--user <name:password>',
      '--anonymous <access>',
      '--permission <name=scope>',
      '--realm-path <path>',
      '--token-ttl-seconds <n>',
      '--service <name>',
      '--forbidden-status <401|403>',
    ]) {
      expect(USAGE).toContain(flag)
    }
    for (const output of ['--log <format>', '-q, --quiet', '-v, --version']) expect(USAGE).toContain(output)
    expect(USAGE).toContain(`(default: ${CLI_DEFAULT_PORT})`)
    expect(USAGE.startsWith('Usage: fake-oci-registry serve [options]\n')).toBe(true)
  })
})

describe('parseCliArgs limit flags', () => {
  it('reads each limit flag as the option of the same name', () => {
    const argv = [
      'serve',
      '--headers-timeout-ms',
      '5000',
      '--request-timeout-ms=60000',
      '--idle-timeout-ms',
      '1000',
      '--max-connections',
      '64',
      '--listen-backlog',
      '128',
      '--journal-max-entries',
      '100',
      '--journal-max-bytes',
      '1048576',
      '--max-upload-sessions',
      '10',
      '--upload-timeout-ms',
      '60000',
    ]
    expect(parseCliArgs(argv)).toMatchObject({
      options: {
        headersTimeoutMs: 5000,
        requestTimeoutMs: 60_000,
        idleTimeoutMs: 1000,
        maxConnections: 64,
        listenBacklog: 128,
        journalMaxEntries: 100,
        journalMaxBytes: 1_048_576,
        maxUploadSessions: 10,
        uploadTimeoutMs: 60_000,
      },
    })
  })

  it.each(['', '-5', '0', '1.5', '1e3', 'many'])('refuses %o as a limit', (value) => {
    expect(() => parseCliArgs(['serve', `--max-connections=${value}`])).toThrow(
      new UsageError(`--max-connections must be a positive whole number, got '${value}'`),
    )
  })
})
