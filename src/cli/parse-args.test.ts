import { describe, expect, it } from 'vitest'
import { CLI_DEFAULT_PORT, parseCliArgs, USAGE, UsageError } from './parse-args.js'

describe('parseCliArgs', () => {
  it.each([
    { argv: ['serve'], expected: { command: 'serve', port: 5000, host: '127.0.0.1', mode: 'strict', storage: 'memory', automaticMount: true } },
    { argv: ['serve', '--port', '0'], expected: { command: 'serve', port: 0, host: '127.0.0.1', mode: 'strict', storage: 'memory', automaticMount: true } },
    { argv: ['serve', '--port=65535', '--host', '::1'], expected: { command: 'serve', port: 65535, host: '::1', mode: 'strict', storage: 'memory', automaticMount: true } },
    { argv: ['--host', '0.0.0.0', 'serve', '--storage', 'memory'], expected: { command: 'serve', port: 5000, host: '0.0.0.0', mode: 'strict', storage: 'memory', automaticMount: true } },
    // Modes are checked by createFakeRegistry, which owns their list.
    { argv: ['serve', '--storage', './data'], expected: { command: 'serve', port: 5000, host: '127.0.0.1', mode: 'strict', storage: './data', automaticMount: true } },
    { argv: ['serve', '--mode', 'lenient'], expected: { command: 'serve', port: 5000, host: '127.0.0.1', mode: 'lenient', storage: 'memory', automaticMount: true } },
    { argv: ['serve', '--port', '1', '--port', '2'], expected: { command: 'serve', port: 2, host: '127.0.0.1', mode: 'strict', storage: 'memory', automaticMount: true } },
    { argv: ['serve', '--no-automatic-mount'], expected: { command: 'serve', port: 5000, host: '127.0.0.1', mode: 'strict', storage: 'memory', automaticMount: false } },
    { argv: ['serve', '--tls', '--ca-out', 'certs/ca.crt'], expected: { command: 'serve', port: 5000, host: '127.0.0.1', mode: 'strict', storage: 'memory', automaticMount: true, tls: true, caOut: 'certs/ca.crt' } },
    { argv: ['serve', '--user', 'alice:secret', '--user', 'bob:a:b'], expected: { command: 'serve', port: 5000, host: '127.0.0.1', mode: 'strict', storage: 'memory', automaticMount: true, auth: { users: { alice: 'secret', bob: 'a:b' } } } },
    {
      argv: ['serve', '--auth', 'basic', '--anonymous', 'pull', '--user', 'alice:secret', '--permission', 'alice=repository:team/*:pull,push', '--permission', 'alice=registry:catalog:*'],
      expected: {
        command: 'serve',
        port: 5000,
        host: '127.0.0.1',
        mode: 'strict',
        storage: 'memory',
        automaticMount: true,
        auth: { scheme: 'basic', anonymous: 'pull', users: { alice: 'secret' }, permissions: { alice: ['repository:team/*:pull,push', 'registry:catalog:*'] } },
      },
    },
    {
      argv: ['serve', '--auth', 'bearer', '--token-ttl-seconds', '60', '--service', 'registry.test', '--forbidden-status', '403'],
      expected: { command: 'serve', port: 5000, host: '127.0.0.1', mode: 'strict', storage: 'memory', automaticMount: true, auth: { scheme: 'bearer', users: {}, tokenTtlSeconds: 60, service: 'registry.test', forbiddenStatus: 403 } },
    },
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
    { argv: ['serve', '--ca-out', 'ca.crt'], message: '--ca-out writes the CA that --tls makes: add --tls' },
    { argv: ['serve', '--tls', '--ca-out='], message: "--ca-out must be a file name, got ''" },
    { argv: ['serve', '--tls=yes'], message: 'option --tls takes no value' },
    { argv: ['serve', '--user', 'alice'], message: "--user must be name:password with neither empty, got 'alice'" },
    { argv: ['serve', '--user', ':secret'], message: "--user must be name:password with neither empty, got ':secret'" },
    { argv: ['serve', '--user', 'alice:'], message: "--user must be name:password with neither empty, got 'alice:'" },
    { argv: ['serve', '--permission', 'repository:a:pull'], message: "--permission must be name=scope, such as alice=repository:team/*:pull, got 'repository:a:pull'" },
    { argv: ['serve', '--token-ttl-seconds', '5m'], message: "--token-ttl-seconds must be a whole number, got '5m'" },
    { argv: ['serve', '--forbidden-status', 'DENIED'], message: "--forbidden-status must be a whole number, got 'DENIED'" },
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

  it('documents every option and the CLI default port in the usage text', () => {
    const options = ['--port <number>', '--host <address>', '--mode <mode>', '--storage <kind>', '--tls', '--ca-out <file>', '--auth <scheme>', '--user <name:password>', '--anonymous <access>', '--permission <name=scope>', '--token-ttl-seconds <n>', '--service <name>', '--forbidden-status <401|403>', '-h, --help']
    for (const option of options) expect(USAGE).toContain(option)
    expect(USAGE).toContain(`(default: ${CLI_DEFAULT_PORT})`)
    expect(USAGE.startsWith('Usage: fake-oci-registry serve [options]\n')).toBe(true)
  })
})
