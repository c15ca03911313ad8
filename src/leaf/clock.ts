/**
 * The registry's clock: rate-limit windows and signed-URL lifetimes read it, and a test moves it
 * forward instead of waiting.
 *
 * @example
 * registry.clock.advance(6 * 60 * 60 * 1000) // the Docker Hub window has passed
 */
export interface RegistryClock {
  /** Milliseconds since the epoch: the `now` option's time plus every `advance`. */
  now(): number
  /** Moves the clock forward by `ms` milliseconds (a whole, non-negative number). */
  advance(ms: number): void
}

/**
 * A clock over `source` that a test can move forward.
 *
 * @example
 * const clock = createClock(() => 0); clock.advance(1000); clock.now() // 1000
 */
export function createClock(source: () => number): RegistryClock {
  let offset = 0
  return {
    now: () => source() + offset,
    advance(ms: number): void {
      if (!Number.isSafeInteger(ms) || ms < 0)
        throw new RangeError(`clock.advance takes a whole, non-negative number of milliseconds, got ${String(ms)}`)
      offset += ms
    },
  }
}
