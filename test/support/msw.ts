// MSW's option for requests no handler answers changed its name: `onUnhandledRequest` in msw 2,
// `onUnhandledFrame` in msw 3, which ignores the old name (and then only warns and lets the
// request through). The suites run under both, so they pass both names.
import type { setupServer } from 'msw/node'

type ListenOptions = NonNullable<Parameters<ReturnType<typeof setupServer>['listen']>[0]>

/** `server.listen()` options that fail every request no handler answers, on msw 2 and msw 3. */
export const FAIL_UNHANDLED = { onUnhandledRequest: 'error', onUnhandledFrame: 'error' } as ListenOptions

/**
 * The message MSW's "error" strategy rejects a request with: msw 2 rejects fetch with it, msw 3
 * with a `TypeError('fetch failed')` whose cause it is.
 */
export const UNHANDLED_MESSAGE =
  /^\[MSW\] Cannot bypass a request when using the "error" strategy for the "onUnhandled(?:Request|Frame)" option\.$/

/** The message of a rejected fetch, or of its cause when fetch wrapped the error. */
export function failureMessage(error: unknown): string {
  const cause = error instanceof TypeError && error.message === 'fetch failed' ? error.cause : error
  return cause instanceof Error ? cause.message : String(cause)
}
