import type { FakeRegistry } from '../create-fake-registry.js'
import { requireRequestFilter, matchesRequest, type RecordedRequest, type RequestFilter } from '../journal/journal.js'
import { requireKnownKeys, requireOpenRegistry, invalidField, throwUnlessPassed, type CheckResult } from './check.js'
import { count, formatRequests, formatValue } from './format.js'

/**
 * How many requests `assertRequest` wants.
 *
 * @example
 * assertRequest(registry, { method: 'PUT', resource: 'manifest' }, { times: 1 })
 */
export interface RequestTimes {
  /** Exactly this many. Default: at least one. */
  times?: number
}

/**
 * What `assertNoErrors` tolerates.
 *
 * @example
 * assertNoErrors(registry, { allow: [{ method: 'HEAD', status: 404 }] })
 */
export interface NoErrorsOptions {
  /** Error answers that are expected (a 404 probe before a push…): each matches one of these. */
  allow?: readonly RequestFilter[]
}

const CLOSEST = 5

/** Checks that the journal holds a request matching the filter (exactly `times` of them when given). */
export function checkRequest(registry: FakeRegistry, filter: RequestFilter, options: RequestTimes = {}): CheckResult {
  requireOpenRegistry(registry, 'check the requests of registry')
  requireRequestFilter(filter, 'check requests with filter')
  requireKnownKeys(options, ['times'], 'assertRequest')
  const { times } = options
  if (times !== undefined && !(Number.isInteger(times) && times >= 0))
    throw invalidField('assertRequest', 'times', 'times must be a whole number', 'Pass one such as { times: 1 }')
  const all = registry.requests.all()
  const matched = all.filter((request) => matchesRequest(request, filter))
  const wanted = times === undefined ? 'a request' : count(times, 'request')
  const pass = times === undefined ? matched.length > 0 : matched.length === times
  const lines = [
    `Expected ${wanted} matching ${formatValue(filter)}, but ${matched.length === 0 ? `none of the ${count(all.length, 'recorded request')} matched` : `${matched.length} matched`}.`,
  ]
  if (matched.length > 0) lines.push('Matching requests:', formatRequests(matched))
  else if (all.length > 0) {
    lines.push(
      'Closest requests:',
      formatRequests(closest(all, filter), {
        title: 'differs in',
        cell: (request) => differingKeys(request, filter).join(', '),
      }),
    )
  }
  const negated = [
    `Expected ${times === undefined ? 'no request' : `not ${count(times, 'request')}`} matching ${formatValue(filter)}, but ${matched.length} matched:`,
    formatRequests(matched),
  ]
  return {
    pass,
    message: lines.join('\n'),
    negatedMessage: negated.join('\n'),
    actual: matched.length,
    expected: times ?? 'at least 1',
  }
}

/**
 * Asserts that the registry received a request matching the filter (exactly `times` of them
 * when given); throws an `AssertionError` with the closest requests as a table.
 *
 * @example
 * assertRequest(registry, { method: 'PUT', path: '/v2/team/app/manifests/1', status: 201 })
 */
export function assertRequest(registry: FakeRegistry, filter: RequestFilter, options?: RequestTimes): void {
  throwUnlessPassed(checkRequest(registry, filter, options), 'assertRequest', assertRequest)
}

/** Checks that no request got a 4xx or 5xx answer, except those matching an allowed filter. */
function checkNoErrors(registry: FakeRegistry, options: NoErrorsOptions = {}): CheckResult {
  requireOpenRegistry(registry, 'check the requests of registry')
  requireKnownKeys(options, ['allow'], 'assertNoErrors')
  const given: unknown = options.allow ?? []
  if (!Array.isArray(given))
    throw invalidField(
      'assertNoErrors',
      'allow',
      'allow is a list of request filters',
      "Pass one such as { allow: [{ status: 404, method: 'HEAD' }] }",
    )
  const allow = given as readonly RequestFilter[]
  for (const filter of allow) requireRequestFilter(filter, 'allow errors with filter')
  const errors = registry.requests.filter(
    (request) => request.response.status >= 400 && !allow.some((filter) => matchesRequest(request, filter)),
  )
  const otherThan = allow.length === 0 ? '' : ` other than ${formatValue(allow)}`
  return {
    pass: errors.length === 0,
    message: [
      `Expected no error answers${otherThan}, but ${count(errors.length, 'request')} failed:`,
      formatRequests(errors),
    ].join('\n'),
    negatedMessage: `Expected error answers${otherThan}, but none of the ${count(registry.requests.size, 'recorded request')} failed.`,
    actual: errors.map(({ id, method, path, response }) => ({
      id,
      method,
      path,
      status: response.status,
      errorCode: response.errorCode,
    })),
    expected: [],
  }
}

/**
 * Asserts that no request got a 4xx or 5xx answer other than the allowed ones; throws an
 * `AssertionError` listing the failed requests and their error codes.
 *
 * @example
 * assertNoErrors(registry, { allow: [{ method: 'HEAD', status: 404 }] })
 */
export function assertNoErrors(registry: FakeRegistry, options?: NoErrorsOptions): void {
  throwUnlessPassed(checkNoErrors(registry, options), 'assertNoErrors', assertNoErrors)
}

function differingKeys(request: RecordedRequest, filter: RequestFilter): string[] {
  return (Object.entries(filter) as Array<[string, unknown]>)
    .filter(([key, value]) => value !== undefined && !matchesRequest(request, { [key]: value }))
    .map(([key]) => key)
}

// The requests that differ from the filter in the fewest fields; ties go to the newest, which
// is usually the one the test meant.
function closest(requests: readonly RecordedRequest[], filter: RequestFilter): RecordedRequest[] {
  return requests
    .map((request) => ({ request, misses: differingKeys(request, filter).length }))
    .sort((a, b) => a.misses - b.misses || b.request.id - a.request.id)
    .slice(0, CLOSEST)
    .map(({ request }) => request)
    .sort((a, b) => a.id - b.id)
}
