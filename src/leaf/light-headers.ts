// A `Headers` with the same methods and iteration order as Fetch's, kept in a plain Map. Building
// a Fetch `Headers` validates and copies every pair into a sorted list; the registry reads two or
// three headers per request, so the light one is built from what a transport already holds and
// only what is read gets looked at.

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

function check(name: string, value: string | undefined): void {
  if (!TOKEN.test(name)) throw new TypeError(`Headers: invalid header name ${JSON.stringify(name)}`)
  if (value !== undefined && BAD_VALUE.test(value))
    throw new TypeError(`Headers: invalid value for header ${JSON.stringify(name)}`)
}

/**
 * Headers kept as a Map of lower-cased names to their values; an `instanceof Headers` with the
 * same answers as Fetch's (joined values, sorted iteration, `getSetCookie`). Its methods are its
 * own: Fetch's own methods cannot run on it, so code that needs a real `Headers` builds one with
 * `new Headers(light)`.
 *
 * @example
 * const headers = LightHeaders.fromRaw(['Content-Type', 'application/json'])
 * headers.get('content-type') // 'application/json'
 */
export class LightHeaders {
  #map: Map<string, string[]> | undefined
  // Pairs as a transport received them (name, value, name, value…), turned into the Map on first use.
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
    const map = new Map<string, string[]>()
    for (const name in record) {
      const value = normalize(String(record[name]))
      check(name, value)
      const key = name.toLowerCase()
      const values = map.get(key)
      if (values) values.push(value)
      else map.set(key, [value])
    }
    headers.#map = map
    return headers
  }

  #entries(): Map<string, string[]> {
    if (this.#map) return this.#map
    const map = new Map<string, string[]>()
    const raw = this.#raw ?? []
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const key = (raw[i] as string).toLowerCase()
      const value = normalize(raw[i + 1] as string)
      const values = map.get(key)
      if (values) values.push(value)
      else map.set(key, [value])
    }
    this.#raw = undefined
    this.#map = map
    return map
  }

  get(name: string): string | null {
    const values = this.#entries().get(String(name).toLowerCase())
    if (values === undefined) {
      check(String(name), undefined)
      return null
    }
    return values.join(', ')
  }

  has(name: string): boolean {
    return this.#entries().has(String(name).toLowerCase())
  }

  set(name: string, value: string): void {
    const normalized = normalize(String(value))
    check(String(name), normalized)
    this.#entries().set(String(name).toLowerCase(), [normalized])
  }

  append(name: string, value: string): void {
    const normalized = normalize(String(value))
    check(String(name), normalized)
    const key = String(name).toLowerCase()
    const map = this.#entries()
    const values = map.get(key)
    if (values) values.push(normalized)
    else map.set(key, [normalized])
  }

  delete(name: string): void {
    this.#entries().delete(String(name).toLowerCase())
  }

  getSetCookie(): string[] {
    return [...(this.#entries().get('set-cookie') ?? [])]
  }

  forEach(callback: (value: string, name: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this)
  }

  *entries(): Generator<[string, string], undefined, unknown> {
    const map = this.#entries()
    for (const name of [...map.keys()].sort()) {
      const values = map.get(name) as string[]
      // Fetch lists each Set-Cookie on its own: joining them would corrupt their dates' commas.
      if (name === 'set-cookie') for (const value of values) yield [name, value]
      else yield [name, values.join(', ')]
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

  /** What `Object.fromEntries(headers)` gives (the last Set-Cookie wins), without the iterators. */
  toObject(): Record<string, string> {
    const map = this.#entries()
    const record: Record<string, string> = {}
    for (const name of [...map.keys()].sort()) {
      const values = map.get(name) as string[]
      record[name] = name === 'set-cookie' ? (values.at(-1) as string) : values.join(', ')
    }
    return record
  }

  /** Every pair as one record (repeated names joined), the shape node:http's writeHead takes. */
  toRecord(): Record<string, string | string[]> {
    const map = this.#entries()
    const record: Record<string, string | string[]> = {}
    for (const name of [...map.keys()].sort()) {
      const values = map.get(name) as string[]
      record[name] = name === 'set-cookie' ? [...values] : values.join(', ')
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
