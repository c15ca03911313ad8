import { AssertionError } from 'node:assert'
import type { FakeRegistry } from '../create-fake-registry.js'
import { isAsymmetricMatcher } from '../journal/journal.js'
import { FakeRegistryError } from '../errors/fake-registry-error.js'

/**
 * The outcome of a check, shared by the plain assertions (which throw on `pass: false`) and the
 * vitest matchers (which also report `.not`).
 */
export interface CheckResult {
  pass: boolean
  /** Why the assertion failed; read when `pass` is false. */
  message: string
  /** Why the negated assertion (`.not`) failed; read when `pass` is true. */
  negatedMessage: string
  /** What the registry holds, shaped like `expected`, for diffs. */
  actual?: unknown
  expected?: unknown
}

/** Throws an `AssertionError` with the check's message, actual and expected when it did not pass. */
export function throwUnlessPassed(
  result: CheckResult,
  operator: string,
  stackStartFn: (...args: never[]) => unknown,
): void {
  if (result.pass) return
  throw new AssertionError({
    message: result.message,
    actual: result.actual,
    expected: result.expected,
    operator,
    stackStartFn,
  })
}

/** Checks the registry argument at the boundary: one from `createFakeRegistry()`, still open. */
export function requireOpenRegistry(registry: unknown, action: string): asserts registry is FakeRegistry {
  const candidate = registry as Partial<FakeRegistry> | null
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.manifest !== 'function' ||
    typeof candidate.requests !== 'object'
  ) {
    throw new FakeRegistryError('ERR_INVALID_EXPECTATION', {
      action,
      subject: describe(registry),
      reason: 'it is not a registry made by createFakeRegistry()',
      fix: 'Pass the registry that await createFakeRegistry() returned',
    })
  }
  if (candidate.closed) {
    throw new FakeRegistryError('ERR_REGISTRY_CLOSED', {
      action,
      subject: String(candidate.url),
      reason: 'the registry is closed',
      fix: 'Assert before registry.close(), or before the block of `await using` ends',
    })
  }
}

/**
 * Checks an `expected` argument: absent, an asymmetric matcher, or a plain object whose keys are
 * all known, so a typo fails loudly instead of checking nothing.
 */
export function requireKnownKeys(expected: unknown, known: readonly string[], assertion: string): void {
  if (expected === undefined || isAsymmetricMatcher(expected)) return
  if (typeof expected !== 'object' || expected === null || Array.isArray(expected)) {
    throw invalidField(
      assertion,
      describe(expected),
      'an expectation is an object of fields to check',
      `Pass an object with some of: ${known.join(', ')}`,
    )
  }
  const unknown = Object.keys(expected).find((key) => !known.includes(key))
  if (unknown !== undefined)
    throw invalidField(
      assertion,
      unknown,
      `${assertion} has no field "${unknown}" to check`,
      `Use only ${known.join(', ')}`,
    )
}

/** The ERR_INVALID_EXPECTATION error for one ill-typed field (or argument) of an assertion. */
export function invalidField(assertion: string, field: string, reason: string, fix: string): FakeRegistryError {
  return new FakeRegistryError('ERR_INVALID_EXPECTATION', {
    action: `use the expectation of ${assertion}`,
    subject: field,
    reason,
    fix,
  })
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  return String(value)
}
