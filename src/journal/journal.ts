import { toHar, type Har } from './har.js'
import { requestPredicate, type RequestMatch } from './journal-filter.js'
import { PendingRecord, Recording } from './journal-recording.js'
import type { RecordedRequest, RequestJournal } from './journal-types.js'

export type {
  AsymmetricMatcherLike,
  AuthMatch,
  RecordedAuth,
  RecordedRequest,
  RecordedResponse,
  RequestFilter,
  RequestJournal,
  RequestParams,
  ResourceKind,
  TextMatch,
} from './journal-types.js'
export { requireRequestFilter, isAsymmetricMatcher, matchesRequest, matchValue } from './journal-filter.js'
export { Recording, type RequestFacts } from './journal-recording.js'

/** How many requests a journal keeps before dropping the oldest (the `journalMaxEntries` default). */
export const JOURNAL_LIMIT = 10_000

/** What a journal may hold; the registry passes its `journal*` options. */
export interface JournalLimits {
  /** Records kept before the oldest is dropped. */
  maxEntries?: number
  /** Approximate bytes the records may hold (see `RequestJournal.bytes`) before the oldest is dropped. */
  maxBytes?: number
  /** Largest manifest body kept whole (to show as `manifest`); a larger one is summarised. */
  maxManifestBytes?: number
}

// A journal made on its own: the registry always passes its options (defaults in options.ts).
const UNBOUNDED: Required<JournalLimits> = {
  maxEntries: JOURNAL_LIMIT,
  maxBytes: Number.POSITIVE_INFINITY,
  maxManifestBytes: Number.POSITIVE_INFINITY,
}

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
  // Records oldest first from `#head` on; the slots before it were dropped. Dropping moves the
  // head instead of shifting the array, which would copy every record on each request once full.
  // A record is built on its first read (see PendingRecord): most are never read.
  #entries: Array<RecordedRequest | PendingRecord> = []
  // The accounted size of each record, at the same index, so dropping one subtracts what filing it added.
  #sizes: number[] = []
  #head = 0
  #bytes = 0
  #nextId = 1
  #dropped = 0
  #limits: Required<JournalLimits>
  #listeners = new Set<(request: RecordedRequest) => void>()

  /** `limits` is a number of entries, or the limits to apply; what is left out is unbounded but entries (10,000). */
  constructor(limits: number | JournalLimits = {}) {
    this.#limits = { ...UNBOUNDED, ...(typeof limits === 'number' ? { maxEntries: limits } : limits) }
  }

  get size(): number {
    return this.#entries.length - this.#head
  }

  get bytes(): number {
    return this.#bytes
  }

  get dropped(): number {
    return this.#dropped
  }

  [Symbol.iterator](): Iterator<RecordedRequest> {
    return this.all()[Symbol.iterator]()
  }

  all(): RecordedRequest[] {
    return this.#live().slice()
  }

  filter(match?: RequestMatch): RecordedRequest[] {
    if (match === undefined) return this.all()
    return this.#live().filter(requestPredicate(match))
  }

  find(match: RequestMatch): RecordedRequest | undefined {
    return this.#live().find(requestPredicate(match))
  }

  last(match?: RequestMatch): RecordedRequest | undefined {
    if (match === undefined) return this.size === 0 ? undefined : this.#read(this.#entries.length - 1)
    return this.#live().findLast(requestPredicate(match))
  }

  clear(): void {
    this.#entries = []
    this.#sizes = []
    this.#head = 0
    this.#bytes = 0
    this.#dropped = 0
  }

  subscribe(listener: (request: RecordedRequest) => void): () => void {
    // A wrapper per call, so subscribing the same function twice calls it twice and each stop
    // ends only its own subscription.
    const call = (request: RecordedRequest): void => listener(request)
    this.#listeners.add(call)
    return () => {
      this.#listeners.delete(call)
    }
  }

  toHAR(): Har {
    return toHar(this.#live())
  }

  /** Starts recording a request; the core answers with `recording.request` and passes the answer to `finish`. */
  start(request: Request, transport: string): Recording {
    return new Recording(
      this.#nextId++,
      request,
      transport,
      (entry, size) => this.#file(entry, size),
      this.#limits.maxManifestBytes,
    )
  }

  /** The records kept, oldest first, as one array with no dropped slots, each one built. */
  #live(): RecordedRequest[] {
    if (this.#head > 0) this.#compact()
    for (let index = 0; index < this.#entries.length; index++) this.#read(index)
    return this.#entries as RecordedRequest[]
  }

  /** The record at `index`, built and kept in its slot if it was pending. */
  #read(index: number): RecordedRequest {
    const slot = this.#entries[index] as RecordedRequest | PendingRecord
    if (!(slot instanceof PendingRecord)) return slot
    const record = slot.materialize()
    this.#entries[index] = record
    return record
  }

  #compact(): void {
    this.#entries = this.#entries.slice(this.#head)
    this.#sizes = this.#sizes.slice(this.#head)
    this.#head = 0
  }

  // Answers can finish out of order (a slow upload, a quick GET): file by id, not by arrival here.
  // The oldest records go first, until both limits hold; a record larger than the byte limit on
  // its own is dropped too, so the bound holds whatever a request carried.
  #file(entry: PendingRecord, size: number): void {
    const entries = this.#entries
    let index = entries.length
    while (index > this.#head && (entries[index - 1] as RecordedRequest | PendingRecord).id > entry.id) index--
    if (index === entries.length) {
      entries.push(entry)
      this.#sizes.push(size)
    } else {
      entries.splice(index, 0, entry)
      this.#sizes.splice(index, 0, size)
    }
    this.#bytes += size
    const { maxEntries, maxBytes } = this.#limits
    while (this.size > maxEntries || (this.#bytes > maxBytes && this.size > 0)) {
      this.#bytes -= this.#sizes[this.#head] as number
      // The slot is cleared so the dropped record can be collected before the array is compacted.
      entries[this.#head] = undefined as unknown as PendingRecord
      this.#head++
      this.#dropped++
    }
    // Compacted once the dropped slots are as many as the records kept: each record is copied
    // a bounded number of times over its life.
    if (this.#head > 64 && this.#head * 2 > entries.length) this.#compact()
    if (this.#listeners.size === 0) return
    const record = entry.materialize()
    for (const listener of this.#listeners) {
      try {
        listener(record)
      } catch (error) {
        // The answer is on its way: a listener's bug is reported apart from it, never instead.
        queueMicrotask(() => {
          throw error
        })
      }
    }
  }
}
