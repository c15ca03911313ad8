/**
 * The upload sessions this registry handed out and when each was last used, so their number is
 * capped and an abandoned one expires: each costs storage, and a client that opens sessions
 * without end must not grow the registry without end. Sessions a storage kept from an earlier
 * process join when first used. Time comes from `now` (the registry's clock, so
 * `registry.clock.advance` expires sessions too), `Date.now` by default.
 *
 * @example
 * const open = new OpenUploads({ maxUploadSessions: 2, uploadTimeoutMs: 60_000 })
 * open.add('id-1')
 * open.isExpired('id-1') // false
 */
export class OpenUploads {
  // Least recently used first: a use moves a session to the end, so expired ones lead.
  #lastUsed = new Map<string, number>()
  #max: number
  #timeoutMs: number
  #now: () => number

  constructor(limits: { maxUploadSessions: number; uploadTimeoutMs: number }, now: () => number = Date.now) {
    this.#max = limits.maxUploadSessions
    this.#timeoutMs = limits.uploadTimeoutMs
    this.#now = now
  }

  get size(): number {
    return this.#lastUsed.size
  }

  /** True when no further session may open. */
  get full(): boolean {
    return this.#lastUsed.size >= this.#max
  }

  /** A session opened, or found in use, now. */
  add(id: string): void {
    this.#lastUsed.delete(id)
    this.#lastUsed.set(id, this.#now())
  }

  /** True when the session has gone unused for longer than the timeout. */
  isExpired(id: string): boolean {
    const lastUsed = this.#lastUsed.get(id)
    return lastUsed !== undefined && this.#now() - lastUsed > this.#timeoutMs
  }

  /** The sessions unused for longer than the timeout, oldest first; the caller ends them. */
  expired(): string[] {
    const ids: string[] = []
    for (const [id, lastUsed] of this.#lastUsed) {
      if (this.#now() - lastUsed <= this.#timeoutMs) break
      ids.push(id)
    }
    return ids
  }

  /** A session that ended. */
  delete(id: string): void {
    this.#lastUsed.delete(id)
  }

  /** Every session ended at once (reset, restore). */
  clear(): void {
    this.#lastUsed.clear()
  }
}
