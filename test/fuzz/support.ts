// The invariant every fuzz property checks on every answer, and the generators they share.
import fc from 'fast-check'
import { expect } from 'vitest'

/**
 * The statuses each of the spec's 14 error codes may be sent with. The first is the code's own
 * (distribution's table); the others are the documented overrides: 416 for a range that does not
 * fit (SIZE_INVALID on a blob read, BLOB_UPLOAD_INVALID on a chunk), 413 for a manifest above
 * the size cap, 404 UNSUPPORTED for a path outside the API (or the referrers API switched off),
 * 400 UNSUPPORTED for a request the transport cannot read or a malformed `n`.
 */
export const SPEC_ERROR_STATUSES: Readonly<Record<string, readonly number[]>> = {
  BLOB_UNKNOWN: [404],
  BLOB_UPLOAD_INVALID: [400, 416],
  BLOB_UPLOAD_UNKNOWN: [404],
  DIGEST_INVALID: [400],
  MANIFEST_BLOB_UNKNOWN: [400],
  MANIFEST_INVALID: [400, 413],
  MANIFEST_UNKNOWN: [404],
  NAME_INVALID: [400],
  NAME_UNKNOWN: [404],
  SIZE_INVALID: [400, 416],
  UNAUTHORIZED: [401],
  DENIED: [403],
  UNSUPPORTED: [405, 404, 400],
  TOOMANYREQUESTS: [429],
}

export interface ErrorEntry {
  code: string
  message: string
  detail?: unknown
}

/** What `expectSpecAnswer` read from an answer: its error entries (none for a success or a HEAD). */
export interface SpecAnswer {
  status: number
  errors: ErrorEntry[]
  /** The body, read whole (empty for HEAD and bodiless answers). */
  body: Uint8Array
}

/**
 * Asserts the bad-input bar on one answer and reads it: never a 5xx, always the API version
 * header, and every 4xx with a body is the spec's envelope, whose codes are all the spec's and
 * whose status is one the first code may have.
 */
export async function expectSpecAnswer(response: Response, context: unknown): Promise<SpecAnswer> {
  const body = new Uint8Array(await response.arrayBuffer())
  const why = (): string =>
    `${JSON.stringify(context)} → ${response.status} ${new TextDecoder().decode(body.subarray(0, 600))}`
  expect(response.status, why()).toBeLessThan(500)
  expect(response.status, why()).toBeGreaterThanOrEqual(200)
  expect(response.headers.get('docker-distribution-api-version'), why()).toBe('registry/2.0')
  if (response.status < 400 || body.byteLength === 0) {
    // HEAD errors carry no body, but still only the statuses some code may have.
    if (response.status >= 400) expect(Object.values(SPEC_ERROR_STATUSES).flat(), why()).toContain(response.status)
    return { status: response.status, errors: [], body }
  }
  expect(response.headers.get('content-type'), why()).toBe('application/json')
  const envelope = JSON.parse(new TextDecoder().decode(body)) as { errors?: unknown }
  expect(Object.keys(envelope), why()).toEqual(['errors'])
  expect(Array.isArray(envelope.errors) && envelope.errors.length > 0, why()).toBe(true)
  const errors = envelope.errors as ErrorEntry[]
  for (const entry of errors) {
    expect(Object.keys(SPEC_ERROR_STATUSES), why()).toContain(entry.code)
    expect(typeof entry.message, why()).toBe('string')
    expect(entry.message.length, why()).toBeGreaterThan(0)
  }
  expect(SPEC_ERROR_STATUSES[errors[0]!.code], why()).toContain(response.status)
  return { status: response.status, errors, body }
}

/** Asserts that an answer is exactly this error code (with the given status, else the code's own). */
export function expectError(
  answer: SpecAnswer,
  code: string,
  status: number = SPEC_ERROR_STATUSES[code]![0]!,
  context?: unknown,
): void {
  expect({ status: answer.status, code: answer.errors[0]?.code }, JSON.stringify(context)).toEqual({ status, code })
}

/** How many runs a property gets: enough to find the classes of bad input, few enough to stay fast. */
export const RUNS = { cheap: 200, medium: 80, costly: 25 } as const

// Locally every run explores new inputs. CI replays one fixed seed (or FUZZ_SEED) so that a run
// is reproducible and a submission is judged on the code, not on the draw; a failure prints
// the seed and the shrunk counterexample either way.
const seed = process.env.FUZZ_SEED ?? (process.env.CI === 'true' ? '20261123' : undefined)
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) })

// --- shared generators -------------------------------------------------------------------------

const HEX = '0123456789abcdef'

/** Lower-case hex of exactly `length` characters. */
export function hex(length: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...HEX), minLength: length, maxLength: length })
}

/** A digest the registry can compute and address content with. */
export const supportedDigest: fc.Arbitrary<string> = fc.oneof(
  hex(64).map((h) => `sha256:${h}`),
  hex(128).map((h) => `sha512:${h}`),
)

/** True when `value` is a digest a blob URL may name: sha256 or sha512 with exact lower-case hex. */
export function isSupportedDigest(value: string): boolean {
  return /^sha256:[a-f0-9]{64}$/.test(value) || /^sha512:[a-f0-9]{128}$/.test(value)
}

/** Printable ASCII (what a header value or a URL may carry unchanged, mostly). */
export const printable: fc.Arbitrary<string> = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
})

/** Digests of every kind: valid, wrong case, wrong length, unknown algorithms, path characters, junk. */
export const anyDigest: fc.Arbitrary<string> = fc.oneof(
  supportedDigest,
  supportedDigest.map((d) => d.toUpperCase()),
  supportedDigest.map((d) => d.replace(/[a-f]/, (c) => c.toUpperCase())),
  fc
    .tuple(fc.constantFrom('sha256', 'sha512'), fc.integer({ min: 0, max: 140 }))
    .chain(([alg, n]) => hex(n).map((h) => `${alg}:${h}`)),
  fc
    .tuple(
      fc.constantFrom('md5', 'sha384', 'blake3', 'sha256+b64u', 'multihash+base58', 'a.b-c_d', 'SHA256', 'sha-256'),
      fc.stringMatching(/^[a-zA-Z0-9=_-]{1,80}$/),
    )
    .map(([alg, enc]) => `${alg}:${enc}`),
  fc.constantFrom(
    '',
    ':',
    'sha256',
    'sha256:',
    ':abc',
    'sha256::',
    'sha256:..',
    '..',
    '.',
    '%2e%2e',
    '%2F',
    'sha256%3Aabc',
    'sha256:a/b',
    'sha256:a b',
    'sha256:é',
    '😀:😀',
  ),
  fc
    .tuple(supportedDigest, fc.constantFrom('/', '%2F', '?', '#', ' ', '\u00e9', '..', '%00', '\t'))
    .map(([d, junk]) => `${d}${junk}`),
  printable,
  fc.string({ maxLength: 30 }),
)

/**
 * A Request-able HTTP method: the common ones, names of Object.prototype members (which once
 * reached the core as handlers), and random tokens (not the three Fetch forbids).
 */
export const anyMethod: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'GET',
    'HEAD',
    'POST',
    'PUT',
    'PATCH',
    'DELETE',
    'OPTIONS',
    'get',
    'delete',
    'constructor',
    'toString',
    'hasOwnProperty',
    '__proto__',
  ),
  fc.stringMatching(/^[A-Za-z!#$%&'*+.^_`|~0-9-]{1,12}$/).filter((m) => !/^(connect|trace|track)$/i.test(m)),
)

/** A body of `maxLength` random bytes at most. */
export function bytes(maxLength = 64): fc.Arbitrary<Uint8Array<ArrayBuffer>> {
  return fc.uint8Array({ maxLength }).map((b) => new Uint8Array(b))
}

/** A request body stream that delivers `prefix` in a few chunks, then fails. */
export function failingStream(prefix: Uint8Array, chunkSize: number): ReadableStream<Uint8Array> {
  let offset = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= prefix.byteLength) {
        controller.error(new Error('connection reset by peer'))
        return
      }
      const end = Math.min(offset + Math.max(chunkSize, 1), prefix.byteLength)
      controller.enqueue(prefix.slice(offset, end))
      offset = end
    },
  })
}
