// Request bodies that fail after k bytes (a client that drops the connection mid-upload): the
// answer is a 400-family error, never a 5xx, and nothing of the broken body becomes visible.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { MediaTypes, pushImageContent, sha256 } from '../support/push.js'
import { bytes, expectError, expectSpecAnswer, failingStream, RUNS } from './support.js'

/** The full content, and how much of it arrives (in chunks of `chunkSize`) before the stream fails. */
const truncated = bytes(48)
  .filter((content) => content.byteLength > 0)
  .chain((content) =>
    fc.record({
      content: fc.constant(content),
      cut: fc.nat(content.byteLength - 1),
      chunkSize: fc.integer({ min: 1, max: 16 }),
    }),
  )

const streamInit = (
  method: string,
  body: ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
): RequestInit =>
  // Fetch requires `duplex: 'half'` for a streamed request body.
  ({ method, body, headers, duplex: 'half' }) as RequestInit

describe('fuzz: truncated request bodies', () => {
  let registry: FakeRegistry
  beforeAll(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
  })
  afterAll(() => registry.close())

  async function expectInvisible(repository: string, digest: string): Promise<void> {
    const head = await registry.fetch(`/v2/${repository}/blobs/${digest}`, { method: 'HEAD' })
    expect(head.status, digest).toBe(404)
  }

  async function catalog(): Promise<string[]> {
    return ((await (await registry.fetch('/v2/_catalog')).json()) as { repositories: string[] }).repositories
  }

  it('answers a monolithic POST whose body fails with BLOB_UPLOAD_INVALID and stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(truncated, fc.boolean(), async ({ content, cut, chunkSize }, withLength) => {
        await registry.reset()
        const digest = sha256(content)
        const headers: Record<string, string> = withLength ? { 'content-length': String(content.byteLength) } : {}
        const context = { size: content.byteLength, cut, chunkSize, withLength }
        const response = await registry.fetch(
          `/v2/team/app/blobs/uploads/?digest=${digest}`,
          streamInit('POST', failingStream(content.subarray(0, cut), chunkSize), headers),
        )
        expectError(await expectSpecAnswer(response, context), 'BLOB_UPLOAD_INVALID', 400, context)
        await expectInvisible('team/app', digest)
        await expectInvisible('team/app', sha256(content.subarray(0, cut)))
        expect(await catalog()).toEqual([])
      }),
      { numRuns: RUNS.medium },
    )
  })

  /** A session already holding `before`; returns its location. */
  async function sessionWith(before: Uint8Array<ArrayBuffer>): Promise<string> {
    const started = await registry.fetch('/v2/team/app/blobs/uploads/', { method: 'POST' })
    const location = started.headers.get('location')!
    if (before.byteLength > 0)
      expect((await registry.fetch(location, { method: 'PATCH', body: before })).status).toBe(202)
    return location
  }

  it('answers a PATCH or closing PUT whose body fails with BLOB_UPLOAD_INVALID and leaves the session as it was', async () => {
    await fc.assert(
      fc.asyncProperty(
        bytes(16),
        truncated,
        fc.constantFrom('PATCH', 'PUT'),
        fc.boolean(),
        async (before, { content, cut, chunkSize }, method, withRange) => {
          await registry.reset()
          const location = await sessionWith(before)
          const whole = new Uint8Array([...before, ...content])
          const headers: Record<string, string> = withRange
            ? { 'content-range': `${before.byteLength}-${whole.byteLength - 1}` }
            : {}
          const target = method === 'PUT' ? `${location}?digest=${sha256(whole)}` : location
          const context = { before: before.byteLength, size: content.byteLength, cut, chunkSize, method, withRange }
          const response = await registry.fetch(
            target,
            streamInit(method, failingStream(content.subarray(0, cut), chunkSize), headers),
          )
          expectError(await expectSpecAnswer(response, context), 'BLOB_UPLOAD_INVALID', 400, context)
          await expectInvisible('team/app', sha256(whole))
          await expectInvisible('team/app', sha256(new Uint8Array([...before, ...content.subarray(0, cut)])))

          // The session kept exactly `before`: resuming from there commits exactly those bytes.
          const status = await registry.fetch(location)
          expect(status.status).toBe(204)
          expect(status.headers.get('range')).toBe(`0-${Math.max(before.byteLength - 1, 0)}`)
          const resumed = await registry.fetch(`${location}?digest=${sha256(whole)}`, { method: 'PUT', body: content })
          expect(resumed.status, JSON.stringify(context)).toBe(201)
          const blob = await registry.fetch(`/v2/team/app/blobs/${sha256(whole)}`)
          expect(new Uint8Array(await blob.arrayBuffer())).toEqual(whole)
        },
      ),
      { numRuns: RUNS.medium },
    )
  })

  // A body that ends early (cleanly, short of its Content-Length) and one that errors (the client
  // dropped the connection).
  const MANIFEST_STREAM_ENDINGS = ['end', 'error'] as const

  it('answers a manifest PUT whose body ends early with a 400-family error and stores nothing', async () => {
    const image = await pushImageContent(registry, 'team/app')
    const seeded = await registry.snapshot()
    const manifest = new TextEncoder().encode(JSON.stringify(image))
    await fc.assert(
      fc.asyncProperty(
        fc.nat(manifest.byteLength - 1),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        fc.constantFrom(...MANIFEST_STREAM_ENDINGS),
        async (cut, chunkSize, byDigest, ending) => {
          await registry.restore(seeded)
          const reference = byDigest ? sha256(manifest) : 'truncated'
          const context = { cut, chunkSize, byDigest, ending }
          const prefix = manifest.subarray(0, cut)
          const body = ending === 'end' ? endingStream(prefix, chunkSize) : failingStream(prefix, chunkSize)
          const headers = { 'content-type': MediaTypes.OM, 'content-length': String(manifest.byteLength) }
          const response = await registry.fetch(`/v2/team/app/manifests/${reference}`, streamInit('PUT', body, headers))
          const answer = await expectSpecAnswer(response, context)
          expect(answer.status, JSON.stringify(context)).toBe(400)
          expect((await registry.fetch('/v2/team/app/manifests/truncated')).status).toBe(404)
          expect((await registry.fetch(`/v2/team/app/manifests/${sha256(manifest)}`)).status).toBe(404)
        },
      ),
      { numRuns: RUNS.medium },
    )
  })
})

/** A request body stream that delivers `prefix` in chunks, then ends cleanly. */
function endingStream(prefix: Uint8Array, chunkSize: number): ReadableStream<Uint8Array> {
  let offset = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= prefix.byteLength) {
        controller.close()
        return
      }
      controller.enqueue(prefix.slice(offset, offset + chunkSize))
      offset += chunkSize
    },
  })
}
