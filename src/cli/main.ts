#!/usr/bin/env node
import { writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import {
  createFakeRegistry,
  directoryStorage,
  FakeRegistryError,
  type FakeRegistry,
  type FakeRegistryOptions,
} from '../index.js'
import { readFaultFile } from './fault-file.js'
import { parseCliArgs, USAGE, UsageError, type CliCommand, type ServeCommand } from './parse-args.js'
import { formatRequest } from './request-log.js'

// Exit codes: 0 done, 1 the registry could not run here (port taken, address unknown), 2 the
// command line is wrong, as in most Unix tools.
const EXIT_OK = 0
const EXIT_FAILURE = 1
const EXIT_USAGE = 2

async function main(argv: readonly string[]): Promise<number> {
  let command: CliCommand
  try {
    command = parseCliArgs(argv)
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message)
    throw error
  }
  if (command.command === 'help') {
    process.stdout.write(USAGE)
    return EXIT_OK
  }
  if (command.command === 'version') {
    process.stdout.write(`${version()}\n`)
    return EXIT_OK
  }
  return serve(command)
}

async function serve(command: ServeCommand): Promise<number> {
  let registry: FakeRegistry
  let faults: object[] = []
  try {
    // Read before listening: a broken file never opens a port.
    if (command.faults !== undefined) faults = await readFaultFile(command.faults)
    // Values are passed on unchecked: createFakeRegistry refuses an unknown mode, or an option
    // the mode does not read, with the reason, which stays right as modes are added.
    registry = await createFakeRegistry({
      ...(command.options as FakeRegistryOptions),
      transport: 'http',
      ...(command.storage === 'memory' ? {} : { storage: directoryStorage(command.storage) }),
    })
  } catch (error) {
    if (!(error instanceof FakeRegistryError)) throw error
    if (error.code === 'ERR_LISTEN') {
      process.stderr.write(`fake-oci-registry: ${listenFailure(command, error)}\n`)
      return EXIT_FAILURE
    }
    if (error.code === 'ERR_STORAGE') {
      process.stderr.write(`fake-oci-registry: ${error.message}\n`)
      return EXIT_FAILURE
    }
    if (error.code === 'ERR_INVALID_FAULT') return inputError(error.message)
    return usageError(error.message)
  }
  try {
    for (const rule of faults) registry.faults.add(rule)
  } catch (error) {
    await registry.close()
    if (!(error instanceof FakeRegistryError)) throw error
    return inputError(error.message)
  }
  if (command.caOut !== undefined) {
    try {
      // Before the url line: whoever waits for that line may read the file at once.
      await writeFile(command.caOut, registry.ca ?? '')
    } catch (error) {
      process.stderr.write(
        `fake-oci-registry: Failed to write the CA certificate to "${command.caOut}": ${(error as Error).message}.\n`,
      )
      await registry.close()
      return EXIT_FAILURE
    }
  }
  const log = command.log
  if (log !== 'none') {
    registry.requests.subscribe((request) => process.stderr.write(`${formatRequest(request, log)}\n`))
  }
  process.stdout.write(`listening on ${registry.url}\n`)
  await stopSignal()
  await registry.close()
  return EXIT_OK
}

// Resolves on the first SIGINT or SIGTERM. Both listeners go at once, so a second signal
// during close() ends the process the default way, as an impatient Ctrl-C expects.
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve(signal)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

// Wrong input other than the command line itself (a faults file): the message says it all.
function inputError(problem: string): number {
  process.stderr.write(`fake-oci-registry: ${problem}\n`)
  return EXIT_USAGE
}

// The library's message tells a program what to pass (`port: 0`); a person at a terminal needs
// the flag, and a hint that fits the cause.
function listenFailure(command: ServeCommand, error: FakeRegistryError): string {
  const cause = error.cause as NodeJS.ErrnoException | undefined
  const { host, port } = command.options
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`
  const [reason, hint] = LISTEN_HINTS[cause?.code ?? ''] ?? [cause?.message ?? error.message, undefined]
  const because = `cannot listen on ${address}: ${reason.replaceAll('<host>', host)}.`
  return hint === undefined ? because : `${because} ${hint}.`
}

const LISTEN_HINTS: Partial<Record<string, [reason: string, hint: string]>> = {
  EADDRINUSE: ['the port is already in use', 'Use --port 0 for a free port, or stop whatever holds that one'],
  EACCES: ['this user may not open that port', 'Use --port 0 for a free port, or one above 1023'],
  EADDRNOTAVAIL: [
    'no network interface of this machine has the address <host>',
    'Use --host 127.0.0.1, ::1, or an address this machine has',
  ],
  ENOTFOUND: ['the host name <host> does not resolve', 'Use --host with an IP address such as 127.0.0.1'],
  EAI_AGAIN: ['the host name <host> does not resolve', 'Use --host with an IP address such as 127.0.0.1'],
}

function version(): string {
  // ../../package.json from src/cli/ and from dist/cli/ alike.
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version
}

function usageError(problem: string): number {
  process.stderr.write(`fake-oci-registry: ${problem}\n\n${USAGE}`)
  return EXIT_USAGE
}

// exitCode rather than exit(): the process ends once the server is closed, after stdout and
// stderr have been flushed.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(
      `fake-oci-registry: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    )
    process.exitCode = EXIT_FAILURE
  },
)
