import { toHar, type Har } from './har.js'
import { requestPredicate, type RequestMatch } from './journal-filter.js'
import { Recording } from './journal-recording.js'
import type { RecordedRequest, RequestJournal } from './journal-types.js'

export type { AsymmetricMatcherLike, AuthMatch, RecordedAuth, RecordedRequest, RecordedResponse, RequestFilter, RequestJournal, RequestParams, ResourceKind, TextMatch } from './journal-types.js'
export { requireRequestFilter, isAsymmetricMatcher, matchesRequest, matchValue } from './journal-filter.js'
export { Recording, type RequestFacts } from './journal-recording.js'

/** How many requests a journal keeps before dropping the oldest. */
export const JOURNAL_LIMIT = 10_000

/**
 * The registry's journal; `start` is called by the core for each request.
 *
 * @example
 * const journal = new Journal()
 * const recording = journal.start(request, 'fetch')
 * recording.finish(new Response(null, { status: 204 }))
 * journal.last()?.response.status // 204
 */
export class Journal implements RequestJournal {
  #entries: RecordedRequest[] = []
  #nextId = 1
  #dropped = 0
  #limit: number

  constructor(limit: number = JOURNAL_LIMIT) {
    this.#limit = limit
  }

  get size(): number {
    return this.#entries.length
  }

  get dropped(): number {
    return this.#dropped
  }

  [Symbol.iterator](): Iterator<RecordedRequest> {
    return this.all()[Symbol.iterator]()
  }

  all(): RecordedRequest[] {
    return [...this.#entries]
  }

  filter(match?: RequestMatch): RecordedRequest[] {
    if (match === undefined) return this.all()
    return this.#entries.filter(requestPredicate(match))
  }

  find(match: RequestMatch): RecordedRequest | undefined {
    return this.#entries.find(requestPredicate(match))
  }

  last(match?: RequestMatch): RecordedRequest | undefined {
    if (match === undefined) return this.#entries.at(-1)
    return this.#entries.findLast(requestPredicate(match))
  }

  clear(): void {
    this.#entries = []
    this.#dropped = 0
  }

  toHAR(): Har {
    return toHar(this.#entries)
  }

  /** Starts recording a request; the core answers with `recording.request` and passes the answer to `finish`. */
  start(request: Request, transport: string): Recording {
    return new Recording(this.#nextId++, request, transport, (entry) => this.#file(entry))
  }

  // Answers can finish out of order (a slow upload, a quick GET): file by id, not by arrival here.
  #file(entry: RecordedRequest): void {
    let index = this.#entries.length
    while (index > 0 && (this.#entries[index - 1] as RecordedRequest).id > entry.id) index--
    this.#entries.splice(index, 0, entry)
    if (this.#entries.length > this.#limit) {
      this.#entries.shift()
      this.#dropped++
    }
  }
}
