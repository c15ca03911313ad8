#!/usr/bin/env node
import { writeFile } from 'node:fs/promises'
import { createFakeRegistry, directoryStorage, FakeRegistryError, type FakeRegistry, type FakeRegistryOptions } from '../index.js'
import { parseCliArgs, USAGE, UsageError, type CliCommand, type ServeCommand } from './parse-args.js'

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
  return serve(command)
}

async function serve(command: ServeCommand): Promise<number> {
  let registry: FakeRegistry
  try {
    // Values are passed on unchecked: createFakeRegistry refuses an unknown mode, or an option
    // the mode does not read, with the reason, which stays right as modes are added.
    registry = await createFakeRegistry({
      ...(command.options as FakeRegistryOptions),
      transport: 'http',
      ...(command.storage === 'memory' ? {} : { storage: directoryStorage(command.storage) }),
    })
  } catch (error) {
    if (!(error instanceof FakeRegistryError)) throw error
    if (error.code === 'ERR_LISTEN' || error.code === 'ERR_STORAGE') {
      process.stderr.write(`fake-oci-registry: ${error.message}\n`)
      return EXIT_FAILURE
    }
    return usageError(error.message)
  }
  if (command.caOut !== undefined) {
    try {
      // Before the url line: whoever waits for that line may read the file at once.
      await writeFile(command.caOut, registry.ca ?? '')
    } catch (error) {
      process.stderr.write(`fake-oci-registry: Failed to write the CA certificate to "${command.caOut}": ${(error as Error).message}.\n`)
      await registry.close()
      return EXIT_FAILURE
    }
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
    process.stderr.write(`fake-oci-registry: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = EXIT_FAILURE
  },
)
