// Random Range on blob reads, random Content-Range and Content-Length on upload PATCH and PUT.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { MediaTypes, pushBlob, pushImageContent, sha256 } from '../support/push.js'
import { bytes, expectError, expectSpecAnswer, printable, RUNS } from './support.js'

const number = fc
  .oneof(fc.nat(80), fc.constantFrom(2 ** 53 - 1, 2 ** 53, 2 ** 64, 1e21), fc.bigInt({ min: 0n, max: 10n ** 30n }))
  .map(String)
const optionalNumber = fc.oneof(number, fc.constant(''))

/** `Range` values: well-formed single ranges, suffixes, multi-ranges, other units, junk. */
const rangeHeader = fc.oneof(
  fc.tuple(number, number).map(([a, b]) => `bytes=${a}-${b}`),
  fc.tuple(optionalNumber, optionalNumber).map(([a, b]) => `bytes=${a}-${b}`),
  fc
    .tuple(
      fc.constantFrom('bytes', 'BYTES', 'Bytes', 'lines', 'bytes ', ''),
      fc.constantFrom('=', ' ', '= ', ':'),
      optionalNumber,
      optionalNumber,
    )
    .map(([unit, eq, a, b]) => `${unit}${eq}${a}-${b}`),
  fc
    .array(fc.tuple(optionalNumber, optionalNumber), { minLength: 2, maxLength: 4 })
    .map((ranges) => `bytes=${ranges.map(([a, b]) => `${a}-${b}`).join(',')}`),
  fc.integer({ min: -50, max: 50 }).map((n) => `bytes=${n}`),
  fc.constantFrom(
    'bytes=-',
    'bytes=--1',
    'bytes=1--2',
    'bytes=0x10-0x20',
    'bytes=1e3-',
    'bytes=+1-2',
    'bytes=1.5-2',
    ' bytes=0-0 ',
    'bytes=0-0,',
  ),
  printable,
)

/** `Content-Range` of an upload chunk: the spec's `<start>-<end>`, HTTP's `bytes a-b/n`, junk. */
function contentRangeHeader(size: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant(`0-${size - 1}`),
    fc.tuple(number, number).map(([a, b]) => `${a}-${b}`),
    fc.tuple(number, number).map(([a, b]) => `bytes ${a}-${b}/${size}`),
    fc.tuple(number, number).map(([a, b]) => `bytes ${a}-${b}/*`),
    fc.constantFrom('0-', '-1', '0--1', '-', '', ' 0-0', '0-0 ', '0-0,1-1', '1-0', 'bytes */0'),
    printable,
  )
}

/** `Content-Length`: right, wrong, malformed. */
function contentLengthHeader(size: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant(String(size)),
    number,
    fc.constantFrom('-1', '+1', '1.0', '0x10', ' 1', '1 ', '1,1', 'abc', ''),
    printable,
  )
}

describe('fuzz: range and length headers', () => {
  let registry: FakeRegistry
  const blobs = new Map<number, { digest: string; bytes: Uint8Array }>()
  beforeAll(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    for (const size of [0, 1, 2, 17, 64]) {
      const content = new Uint8Array(size).map((_, i) => (i * 37 + 11) % 256)
      blobs.set(size, { digest: (await pushBlob(registry, 'team/app', content)).digest, bytes: content })
    }
  })
  afterAll(() => registry.close())

  it('answers a blob read with any Range with all bytes (200), a sub-range (206) or 416 SIZE_INVALID', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...blobs.keys()),
        rangeHeader,
        fc.constantFrom('GET', 'HEAD'),
        async (size, range, method) => {
          const blob = blobs.get(size)!
          const context = { size, range, method }
          const response = await registry.fetch(`/v2/team/app/blobs/${blob.digest}`, { method, headers: { range } })
          const contentRange = response.headers.get('content-range')
          const length = response.headers.get('content-length')
          const answer = await expectSpecAnswer(response, context)
          expect([200, 206, 416], JSON.stringify(context)).toContain(answer.status)
          if (answer.status === 200) {
            expect(length).toBe(String(size))
            if (method === 'GET') expect(answer.body).toEqual(blob.bytes)
          } else if (answer.status === 206) {
            const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange ?? '')
            expect(match, JSON.stringify({ ...context, contentRange })).not.toBeNull()
            const [start, end, total] = match!.slice(1).map(Number) as [number, number, number]
            expect(total).toBe(size)
            expect(start <= end && end < size, JSON.stringify({ ...context, contentRange })).toBe(true)
            expect(length).toBe(String(end - start + 1))
            if (method === 'GET') expect(answer.body).toEqual(blob.bytes.slice(start, end + 1))
          } else {
            expect(contentRange).toBe(`bytes */${size}`)
            if (method === 'GET') expectError(answer, 'SIZE_INVALID', 416, context)
          }
          // A well-formed single range inside the blob must be honoured exactly (RFC 9110 §14.1.2).
          const simple = /^bytes=(\d+)-(\d+)$/.exec(range)
          if (simple && Number(simple[1]) <= Number(simple[2]) && Number(simple[2]) < size) {
            expect(contentRange, JSON.stringify(context)).toBe(`bytes ${simple[1]}-${simple[2]}/${size}`)
          }
        },
      ),
      { numRuns: RUNS.cheap * 2 },
    )
  })

  /** Opens a session holding `before` (sent as one well-formed chunk); returns its location. */
  async function session(before: Uint8Array): Promise<string> {
    const started = await registry.fetch('/v2/team/app/blobs/uploads/', { method: 'POST' })
    let location = started.headers.get('location')!
    if (before.byteLength > 0) {
      const patched = await registry.fetch(location, {
        method: 'PATCH',
        headers: { 'content-range': `0-${before.byteLength - 1}`, 'content-length': String(before.byteLength) },
        body: before as Uint8Array<ArrayBuffer>,
      })
      expect(patched.status).toBe(202)
      location = patched.headers.get('location')!
    }
    return location
  }

  async function sessionRange(location: string): Promise<string | null> {
    const status = await registry.fetch(location)
    expect(status.status).toBe(204)
    return status.headers.get('range')
  }

  it('accepts a PATCH with any Content-Range and Content-Length only when they describe the chunk; otherwise the session is unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(
        bytes(8),
        bytes(24).chain((chunk) =>
          fc.tuple(
            fc.constant(chunk),
            fc.option(contentRangeHeader(chunk.byteLength), { nil: undefined }),
            fc.option(contentLengthHeader(chunk.byteLength), { nil: undefined }),
          ),
        ),
        async (before, [chunk, contentRange, contentLength]) => {
          const location = await session(before)
          const headers: Record<string, string> = {}
          if (contentRange !== undefined) headers['content-range'] = contentRange
          if (contentLength !== undefined) headers['content-length'] = contentLength
          const context = { before: before.byteLength, chunk: chunk.byteLength, contentRange, contentLength }
          const patched = await registry.fetch(location, { method: 'PATCH', headers, body: chunk })
          const answer = await expectSpecAnswer(patched, context)
          expect([202, 400, 416], JSON.stringify(context)).toContain(answer.status)
          if (answer.status === 416) expectError(answer, 'BLOB_UPLOAD_INVALID', 416, context)
          if (answer.status === 400) expectError(answer, 'SIZE_INVALID', 400, context)
          const total = answer.status === 202 ? before.byteLength + chunk.byteLength : before.byteLength
          expect(await sessionRange(location), JSON.stringify(context)).toBe(`0-${Math.max(total - 1, 0)}`)
          // Whatever was accepted is exactly what the committed blob holds.
          const expected = answer.status === 202 ? new Uint8Array([...before, ...chunk]) : before
          const put = await registry.fetch(`${location}?digest=${sha256(expected)}`, { method: 'PUT' })
          expect(put.status, JSON.stringify(context)).toBe(201)
          const blob = await registry.fetch(`/v2/team/app/blobs/${sha256(expected)}`)
          expect(new Uint8Array(await blob.arrayBuffer())).toEqual(expected)
        },
      ),
      { numRuns: RUNS.medium * 2 },
    )
  })

  it('answers manifest and blob reads with any Accept and If-None-Match with a spec answer', async () => {
    const image = await pushImageContent(registry, 'team/app')
    const manifest = new TextEncoder().encode(JSON.stringify(image))
    expect(
      (
        await registry.fetch('/v2/team/app/manifests/1', {
          method: 'PUT',
          headers: { 'content-type': MediaTypes.OM },
          body: manifest,
        })
      ).status,
    ).toBe(201)
    const digest = sha256(manifest)
    const mediaType = fc.constantFrom(
      MediaTypes.OM,
      MediaTypes.OI,
      MediaTypes.S2,
      MediaTypes.DL,
      '*/*',
      'application/*',
      'application/json',
      '*',
      '',
      'a/b/c',
    )
    const accept = fc.oneof(
      fc
        .array(
          fc.tuple(
            mediaType,
            fc.constantFrom('', ';q=0', ';q=1', ';q=0.5', ';q=2', ';q=-1', ';q=abc', ';q', '; charset=utf-8'),
          ),
          { maxLength: 4 },
        )
        .map((list) => list.map(([t, p]) => `${t}${p}`).join(', ')),
      printable,
    )
    const ifNoneMatch = fc.oneof(
      fc.constantFrom(`"${digest}"`, digest, `W/"${digest}"`, '*', '""', '"x", *', ''),
      printable,
    )
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/v2/team/app/manifests/1',
          `/v2/team/app/manifests/${digest}`,
          `/v2/team/app/blobs/${(image.config as { digest: string }).digest}`,
        ),
        fc.constantFrom('GET', 'HEAD'),
        fc.option(accept, { nil: undefined }),
        fc.option(ifNoneMatch, { nil: undefined }),
        async (path, method, acceptValue, etag) => {
          const headers: Record<string, string> = {}
          if (acceptValue !== undefined) headers.accept = acceptValue
          if (etag !== undefined) headers['if-none-match'] = etag
          const context = { path, method, acceptValue, etag }
          const answer = await expectSpecAnswer(await registry.fetch(path, { method, headers }), context)
          expect([200, 304, 404], JSON.stringify(context)).toContain(answer.status)
          if (answer.status === 200 && method === 'GET' && path.includes('/manifests/'))
            expect(answer.body).toEqual(manifest)
        },
      ),
      { numRuns: RUNS.cheap },
    )
  })

  let runs = 0
  it('commits a PUT with a final chunk and any Content-Range and Content-Length only when they describe the chunk', async () => {
    await fc.assert(
      fc.asyncProperty(
        bytes(8),
        bytes(24).chain((chunk) =>
          fc.tuple(
            fc.constant(chunk),
            fc.option(contentRangeHeader(chunk.byteLength), { nil: undefined }),
            fc.option(contentLengthHeader(chunk.byteLength), { nil: undefined }),
          ),
        ),
        async (before, [chunk, contentRange, contentLength]) => {
          // A fresh repository each run: the blob of an earlier run must not count as visible.
          const repo = `run/${(runs += 1)}`
          const started = await registry.fetch(`/v2/${repo}/blobs/uploads/`, { method: 'POST' })
          let location = started.headers.get('location')!
          if (before.byteLength > 0) {
            const patched = await registry.fetch(location, { method: 'PATCH', body: before })
            location = patched.headers.get('location')!
          }
          const headers: Record<string, string> = {}
          if (contentRange !== undefined) headers['content-range'] = contentRange
          if (contentLength !== undefined) headers['content-length'] = contentLength
          const whole = new Uint8Array([...before, ...chunk])
          const context = { before: before.byteLength, chunk: chunk.byteLength, contentRange, contentLength }
          const put = await registry.fetch(`${location}?digest=${sha256(whole)}`, {
            method: 'PUT',
            headers,
            body: chunk,
          })
          const answer = await expectSpecAnswer(put, context)
          expect([201, 400, 416], JSON.stringify(context)).toContain(answer.status)
          const head = await registry.fetch(`/v2/${repo}/blobs/${sha256(whole)}`, { method: 'HEAD' })
          expect(head.status, JSON.stringify(context)).toBe(answer.status === 201 ? 200 : 404)
          if (answer.status === 201) {
            const blob = await registry.fetch(`/v2/${repo}/blobs/${sha256(whole)}`)
            expect(new Uint8Array(await blob.arrayBuffer())).toEqual(whole)
          } else {
            // A refused chunk leaves the session as it was, ready for a retry.
            expect(await sessionRange(location), JSON.stringify(context)).toBe(
              `0-${Math.max(before.byteLength - 1, 0)}`,
            )
          }
        },
      ),
      { numRuns: RUNS.medium * 2 },
    )
  })
})
