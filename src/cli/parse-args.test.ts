import { describe, expect, it } from 'vitest'
import { CLI_DEFAULT_PORT, parseCliArgs, USAGE, UsageError } from './parse-args.js'

describe('parseCliArgs', () => {
  it.each([
    { argv: ['serve'], expected: { command: 'serve', port: 5000, host: '127.0.0.1', mode: 'strict', storage: 'memory', automaticMount: true, log: 'human' } },
    { argv: ['serve', '--port', '0'], expected: { command: 'serve', port: 0, host: '127.0.0.1', mode: 'strict', storage: 'memory', automaticMount: true, log: 'human' } },
    { argv: ['serve', '--port=65535', '--host', '::1'], expected: { command: 'serve', port: 65535, host: '::1', mode: 'strict', storage: 'memory', automaticMount: true, log: 'human' } },
    { argv: ['--host', '0.0.0.0', 'serve', '--storage', 'memory'], expected: { command: 'serve', port: 5000, host: '0.0.0.0', mode: 'strict', storage: 'memory', automaticMount: true, log: 'human' } },
    // Modes are checked by createFakeRegistry, which owns their list.
    { argv: ['serve', '--storage', './data'], expected: { command: 'serve', port: 5000, host: '127.0.0.1', mode: 'strict', storage: './data', automaticMount: true, log: 'human' } },
    { argv: ['serve', '--mode', 'lenient'], expected: { command: 'serve', port: 5000, host: '127.0.0.1', mode: 'lenient', storage: 'memory', automaticMount: true, log: 'human' } },
    { argv: ['serve', '--port', '1', '--port', '2'], expected: { command: 'serve', port: 2, host: '127.0.0.1', mode: 'strict', storage: 'memory', automaticMount: true, log: 'human' } },
    { argv: ['serve', '--no-automatic-mount'], expected: { command: 'serve', port: 5000, host: '127.0.0.1', mode: 'strict', storage: 'memory', automaticMount: false, log: 'human' } },
    { argv: ['serve', '--log', 'json'], expected: { command: 'serve', port: 5000, host: '127.0.0.1', mode: 'strict', storage: 'memory', automaticMount: true, log: 'json' } },
    { argv: ['serve', '-q'], expected: { command: 'serve', port: 5000, host: '127.0.0.1', mode: 'strict', storage: 'memory', automaticMount: true, log: 'none' } },
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
    { argv: ['serve', '--log', 'text'], message: "--log must be 'human' or 'json', got 'text'" },
    { argv: ['serve', '--log', ''], message: "--log must be 'human' or 'json', got ''" },
    { argv: ['serve', '--quiet', '--log=human'], message: '--quiet and --log cannot be used together: --quiet turns the log off' },
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
    for (const option of ['--port <number>', '--host <address>', '--mode <mode>', '--storage <kind>', '--log <format>', '-q, --quiet', '-v, --version', '-h, --help']) {
      expect(USAGE).toContain(option)
    }
    expect(USAGE).toContain(`(default: ${CLI_DEFAULT_PORT})`)
    expect(USAGE.startsWith('Usage: fake-oci-registry serve [options]\n')).toBe(true)
  })
})
