// A `Headers` with the same methods and iteration order as Fetch's, kept as two short lists. Building
// a Fetch `Headers` validates and copies every pair into a sorted list; the registry reads two or
// three headers per request, so the light one is built from what a transport already holds and
// only what is read gets looked at.
import { memoize } from './memo.js'

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// Fetch refuses NUL, CR and LF in a value, and anything above U+00FF (a ByteString).
const BAD_VALUE = /[\0\r\n\u0100-\uffff]/

/**
 * Whether Fetch's `Headers` would take every pair of `raw` (name, value, name, value…) as it
 * is: names are tokens and values hold no NUL, CR, LF or character above U+00FF.
 *
 * @example
 * canHoldHeaders(['Host', 'registry.test']) // true
 */
export function canHoldHeaders(raw: readonly string[]): boolean {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!TOKEN.test(raw[i] as string) || BAD_VALUE.test(raw[i + 1] as string)) return false
  }
  return true
}

/** Leading and trailing HTTP whitespace goes, as Fetch's header value normalization does. */
function normalize(value: string): string {
  // Most values have no such whitespace: no new string for them.
  if (value === '' || (!isHttpWhitespace(value.charCodeAt(0)) && !isHttpWhitespace(value.charCodeAt(value.length - 1))))
    return value
  return value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '')
}

function isHttpWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d
}

// The registry sets the same few names on every answer: each is checked once.
const isHeaderName = memoize((name: string) => TOKEN.test(name), { maxEntries: 256 })

function check(name: string, value: string | undefined): void {
  if (!isHeaderName(name)) throw new TypeError(`Headers: invalid header name ${JSON.stringify(name)}`)
  if (value !== undefined && BAD_VALUE.test(value))
    throw new TypeError(`Headers: invalid value for header ${JSON.stringify(name)}`)
}

/**
 * Headers kept as two lists, lower-cased names and their values, in the order they were added;
 * an `instanceof Headers` with the same answers as Fetch's (joined values, sorted iteration,
 * `getSetCookie`). A request or an answer holds a handful of headers: a scan of a short list
 * costs less than building a Map of lists for each one. Its methods are its own: Fetch's own
 * methods cannot run on it, so code that needs a real `Headers` builds one with `new Headers(light)`.
 *
 * @example
 * const headers = LightHeaders.fromRaw(['Content-Type', 'application/json'])
 * headers.get('content-type') // 'application/json'
 */
export class LightHeaders {
  #names: string[] | undefined
  #values: string[] = []
  // Pairs as a transport received them (name, value, name, value…), turned into the lists on first use.
  #raw: readonly string[] | undefined

  /** Trusted pairs, already checked by whoever parsed them (node:http): no validation here. */
  static fromRaw(raw: readonly string[]): LightHeaders {
    const headers = new LightHeaders()
    headers.#raw = raw
    return headers
  }

  /** From a record of names to values, the registry's own answers; checked like Fetch's. */
  static fromRecord(record: Readonly<Record<string, string>>): LightHeaders {
    const headers = new LightHeaders()
    const names: string[] = []
    const values = headers.#values
    for (const name in record) {
      const value = normalize(String(record[name]))
      check(name, value)
      names.push(name.toLowerCase())
      values.push(value)
    }
    headers.#names = names
    return headers
  }

  #list(): string[] {
    if (this.#names) return this.#names
    const names: string[] = []
    const values = this.#values
    const raw = this.#raw ?? []
    for (let i = 0; i + 1 < raw.length; i += 2) {
      names.push((raw[i] as string).toLowerCase())
      values.push(normalize(raw[i + 1] as string))
    }
    this.#raw = undefined
    this.#names = names
    return names
  }

  get(name: string): string | null {
    const key = String(name).toLowerCase()
    const names = this.#list()
    let found: string | null = null
    for (let i = 0; i < names.length; i++) {
      if (names[i] !== key) continue
      found = found === null ? (this.#values[i] as string) : `${found}, ${this.#values[i] as string}`
    }
    if (found === null) check(String(name), undefined)
    return found
  }

  has(name: string): boolean {
    return this.#list().includes(String(name).toLowerCase())
  }

  set(name: string, value: string): void {
    const normalized = normalize(String(value))
    check(String(name), normalized)
    const key = String(name).toLowerCase()
    this.#remove(key)
    this.#list().push(key)
    this.#values.push(normalized)
  }

  append(name: string, value: string): void {
    const normalized = normalize(String(value))
    check(String(name), normalized)
    this.#list().push(String(name).toLowerCase())
    this.#values.push(normalized)
  }

  delete(name: string): void {
    this.#remove(String(name).toLowerCase())
  }

  #remove(key: string): void {
    const names = this.#list()
    for (let i = names.length - 1; i >= 0; i--) {
      if (names[i] !== key) continue
      names.splice(i, 1)
      this.#values.splice(i, 1)
    }
  }

  getSetCookie(): string[] {
    const names = this.#list()
    const cookies: string[] = []
    for (let i = 0; i < names.length; i++) if (names[i] === 'set-cookie') cookies.push(this.#values[i] as string)
    return cookies
  }

  forEach(callback: (value: string, name: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this)
  }

  *entries(): Generator<[string, string], undefined, unknown> {
    const names = this.#list()
    for (const name of sortedNames(names)) {
      // Fetch lists each Set-Cookie on its own: joining them would corrupt their dates' commas.
      if (name === 'set-cookie') for (const value of this.getSetCookie()) yield [name, value]
      else yield [name, this.get(name) as string]
    }
  }

  *keys(): Generator<string, undefined, unknown> {
    for (const [name] of this.entries()) yield name
  }

  *values(): Generator<string, undefined, unknown> {
    for (const [, value] of this.entries()) yield value
  }

  [Symbol.iterator](): Generator<[string, string], undefined, unknown> {
    return this.entries()
  }

  /**
   * The pairs (name, value, name, value…) as one array that later changes to these headers do
   * not reach: the transport's own pairs when nothing was read or changed, else a copy.
   */
  pairs(): readonly string[] {
    if (!this.#names) return this.#raw ?? []
    // Sized once rather than grown by push, which leaves spare room: the journal keeps thousands.
    const pairs = new Array<string>(this.#names.length * 2)
    for (let i = 0; i < this.#names.length; i++) {
      pairs[2 * i] = this.#names[i] as string
      pairs[2 * i + 1] = this.#values[i] as string
    }
    return pairs
  }

  /** What `Object.fromEntries(headers)` gives (the last Set-Cookie wins), without the iterators. */
  toObject(): Record<string, string> {
    return this.#record((name, joined, last) => (name === 'set-cookie' ? last : joined)) as Record<string, string>
  }

  /** Every pair as one record (repeated names joined), the shape node:http's writeHead takes. */
  toRecord(): Record<string, string | string[]> {
    return this.#record((name, joined) => (name === 'set-cookie' ? this.getSetCookie() : joined))
  }

  // A record with its names in Fetch's sorted order; `pick` chooses each name's value from its
  // values joined and its last one.
  #record(pick: (name: string, joined: string, last: string) => string | string[]): Record<string, string | string[]> {
    const names = this.#list()
    const values = this.#values
    const record: Record<string, string | string[]> = {}
    for (const name of sortedNames(names)) {
      let joined: string | undefined
      let last = ''
      for (let i = 0; i < names.length; i++) {
        if (names[i] !== name) continue
        last = values[i] as string
        joined = joined === undefined ? last : `${joined}, ${last}`
      }
      record[name] = pick(name, joined as string, last)
    }
    return record
  }

  get [Symbol.toStringTag](): string {
    return 'Headers'
  }

  // Fetch's own inspect reads its private list, which this object does not have.
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: unknown,
    inspect: (value: unknown, options: unknown) => string,
  ): string {
    return `Headers ${inspect(this.toObject(), options)}`
  }
}
Object.setPrototypeOf(LightHeaders.prototype, Headers.prototype)

// Each name once, sorted as Fetch iterates: an insertion sort, as the lists are a handful long.
function sortedNames(names: readonly string[]): string[] {
  const sorted: string[] = []
  for (const name of names) {
    let at = sorted.length
    while (at > 0 && (sorted[at - 1] as string) > name) at--
    if (at > 0 && sorted[at - 1] === name) continue
    sorted.push(name)
    for (let i = sorted.length - 1; i > at; i--) sorted[i] = sorted[i - 1] as string
    sorted[at] = name
  }
  return sorted
}

/**
 * Light headers from a record, typed as `Headers`: for answers that add to them before returning.
 *
 * @example
 * const headers = createLightHeaders({ 'docker-content-digest': digest })
 * headers.set('content-length', '0')
 */
export function createLightHeaders(record: Readonly<Record<string, string>>): Headers {
  return LightHeaders.fromRecord(record)
}
