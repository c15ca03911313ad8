// Model-based upload sequences: random interleavings of sessions, chunks (some with a wrong
// Content-Range or Content-Length), closing PUTs with right and wrong digests, cancels and status
// requests, checked after every step against a model of what must be visible.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { sha256 } from '../support/push.js'
import { bytes, expectError, expectSpecAnswer, RUNS } from './support.js'

const REPO = 'team/app'

interface ModelSession {
  bytes: Uint8Array
  open: boolean
}

interface Model {
  sessions: ModelSession[]
  /** Committed blobs by digest: what HEAD must find, with exactly these bytes. */
  blobs: Map<string, Uint8Array>
  /** Every digest that could wrongly become visible: tried, wrong, or of a session's bytes. */
  candidates: Set<string>
}

interface Real {
  registry: FakeRegistry
  locations: string[]
}

type UploadCommand = fc.AsyncCommand<Model, Real>

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => new Uint8Array([...a, ...b])
const show = (chunk: Uint8Array): string => `${chunk.byteLength}B`

/** The invariant after every step: a blob is visible iff a PUT with its right digest succeeded, with exactly its bytes. */
async function checkVisibility(model: Model, real: Real): Promise<void> {
  const digests = new Set([...model.candidates, ...model.sessions.map((s) => sha256(s.bytes))])
  for (const digest of digests) {
    const expected = model.blobs.get(digest)
    const response = await real.registry.fetch(`/v2/${REPO}/blobs/${digest}`)
    const answer = await expectSpecAnswer(response, { digest })
    if (expected === undefined) expectError(answer, 'BLOB_UNKNOWN', 404, { digest })
    else {
      expect(answer.status, digest).toBe(200)
      expect(answer.body).toEqual(expected)
    }
  }
}

class Start implements UploadCommand {
  check = (): true => true
  async run(model: Model, real: Real): Promise<void> {
    const response = await real.registry.fetch(`/v2/${REPO}/blobs/uploads/`, { method: 'POST' })
    await expectSpecAnswer(response, 'start')
    expect(response.status).toBe(202)
    expect(response.headers.get('range')).toBe('0-0')
    real.locations.push(response.headers.get('location')!)
    model.sessions.push({ bytes: new Uint8Array(0), open: true })
    await checkVisibility(model, real)
  }
  toString = (): string => 'Start'
}

type RangeMode = 'exact' | 'none' | 'wrong-start' | 'malformed' | 'too-long'
type LengthMode = 'none' | 'exact' | 'wrong'

class Patch implements UploadCommand {
  constructor(
    readonly index: number,
    readonly chunk: Uint8Array<ArrayBuffer>,
    readonly range: RangeMode,
    readonly length: LengthMode,
  ) {}
  check = (model: Readonly<Model>): boolean => model.sessions.length > 0
  async run(model: Model, real: Real): Promise<void> {
    const at = this.index % model.sessions.length
    const session = model.sessions[at]!
    const size = session.bytes.byteLength
    const length = this.chunk.byteLength
    const headers: Record<string, string> = {}
    if (this.range === 'exact') headers['content-range'] = `${size}-${size + length - 1}`
    if (this.range === 'wrong-start') headers['content-range'] = `${size + 1}-${size + length}`
    if (this.range === 'malformed') headers['content-range'] = `bytes ${size}-${size + length - 1}/*`
    if (this.range === 'too-long') headers['content-range'] = `${size}-${size + length}`
    if (this.length === 'exact') headers['content-length'] = String(length)
    if (this.length === 'wrong') headers['content-length'] = String(length + 1)
    const context = { command: this.toString(), size }
    const answer = await expectSpecAnswer(
      await real.registry.fetch(real.locations[at]!, { method: 'PATCH', headers, body: this.chunk }),
      context,
    )

    if (!session.open) expectError(answer, 'BLOB_UPLOAD_UNKNOWN', 404, context)
    else if (this.range !== 'none') {
      // The spec's chunk: `<start>-<end>` inclusive, starting where the session stands, covering the body.
      const accepted = this.range === 'exact' && length > 0 && this.length !== 'wrong'
      if (accepted) {
        expect(answer.status, JSON.stringify(context)).toBe(202)
        session.bytes = concat(session.bytes, this.chunk)
      } else expectError(answer, 'BLOB_UPLOAD_INVALID', 416, context)
    } else if (this.length === 'wrong') expectError(answer, 'SIZE_INVALID', 400, context)
    else {
      expect(answer.status, JSON.stringify(context)).toBe(202)
      session.bytes = concat(session.bytes, this.chunk)
    }
    await checkVisibility(model, real)
  }
  toString = (): string => `Patch(#${this.index}, ${show(this.chunk)}, range: ${this.range}, length: ${this.length})`
}

type DigestMode = 'right' | 'wrong' | 'missing' | 'invalid' | 'upper-case'

class Put implements UploadCommand {
  constructor(
    readonly index: number,
    readonly chunk: Uint8Array<ArrayBuffer>,
    readonly digest: DigestMode,
  ) {}
  check = (model: Readonly<Model>): boolean => model.sessions.length > 0
  async run(model: Model, real: Real): Promise<void> {
    const at = this.index % model.sessions.length
    const session = model.sessions[at]!
    const whole = concat(session.bytes, this.chunk)
    const right = sha256(whole)
    const wrong = sha256(concat(whole, new Uint8Array([0])))
    const query = {
      right: `?digest=${right}`,
      wrong: `?digest=${wrong}`,
      missing: '',
      invalid: '?digest=sha256:xyz',
      'upper-case': `?digest=${right.toUpperCase()}`,
    }[this.digest]
    model.candidates.add(right).add(wrong)
    const context = { command: this.toString(), size: session.bytes.byteLength }
    const init: RequestInit = { method: 'PUT' }
    if (this.chunk.byteLength > 0) init.body = this.chunk
    const answer = await expectSpecAnswer(await real.registry.fetch(`${real.locations[at]!}${query}`, init), context)

    if (!session.open) expectError(answer, 'BLOB_UPLOAD_UNKNOWN', 404, context)
    else if (this.digest === 'right') {
      expect(answer.status, JSON.stringify(context)).toBe(201)
      session.open = false
      model.blobs.set(right, whole)
    } else {
      expectError(answer, 'DIGEST_INVALID', 400, context)
      // Content that fails verification ends the session; a digest that is no digest at all is
      // refused before the body is read, and the session waits for a retry.
      if (this.digest === 'wrong') session.open = false
    }
    await checkVisibility(model, real)
  }
  toString = (): string => `Put(#${this.index}, ${show(this.chunk)}, digest: ${this.digest})`
}

class Cancel implements UploadCommand {
  constructor(readonly index: number) {}
  check = (model: Readonly<Model>): boolean => model.sessions.length > 0
  async run(model: Model, real: Real): Promise<void> {
    const at = this.index % model.sessions.length
    const session = model.sessions[at]!
    const answer = await expectSpecAnswer(
      await real.registry.fetch(real.locations[at]!, { method: 'DELETE' }),
      this.toString(),
    )
    if (session.open) expect(answer.status).toBe(204)
    else expectError(answer, 'BLOB_UPLOAD_UNKNOWN', 404, this.toString())
    session.open = false
    await checkVisibility(model, real)
  }
  toString = (): string => `Cancel(#${this.index})`
}

class Status implements UploadCommand {
  constructor(
    readonly index: number,
    readonly otherRepository: boolean,
  ) {}
  check = (model: Readonly<Model>): boolean => model.sessions.length > 0
  async run(model: Model, real: Real): Promise<void> {
    const at = this.index % model.sessions.length
    const session = model.sessions[at]!
    // A session exists only under the repository it was opened for.
    const location = this.otherRepository
      ? real.locations[at]!.replace(`/v2/${REPO}/`, '/v2/other/repo/')
      : real.locations[at]!
    const response = await real.registry.fetch(location)
    const answer = await expectSpecAnswer(response, this.toString())
    if (session.open && !this.otherRepository) {
      expect(answer.status).toBe(204)
      expect(response.headers.get('range')).toBe(`0-${Math.max(session.bytes.byteLength - 1, 0)}`)
    } else expectError(answer, 'BLOB_UPLOAD_UNKNOWN', 404, this.toString())
  }
  toString = (): string => `Status(#${this.index}${this.otherRepository ? ', other repository' : ''})`
}

const commands = [
  fc.constant(new Start()),
  fc
    .tuple(
      fc.nat(),
      bytes(12),
      fc.constantFrom<RangeMode>('exact', 'exact', 'none', 'wrong-start', 'malformed', 'too-long'),
      fc.constantFrom<LengthMode>('none', 'exact', 'wrong'),
    )
    .map(([index, chunk, range, length]) => new Patch(index, chunk, range, length)),
  fc
    .tuple(
      fc.nat(),
      bytes(8),
      fc.constantFrom<DigestMode>('right', 'right', 'wrong', 'missing', 'invalid', 'upper-case'),
    )
    .map(([index, chunk, digest]) => new Put(index, chunk, digest)),
  fc.nat().map((index) => new Cancel(index)),
  fc.tuple(fc.nat(), fc.boolean()).map(([index, other]) => new Status(index, other)),
]

describe('fuzz: upload sequences against a model', () => {
  let registry: FakeRegistry
  beforeAll(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
  })
  afterAll(() => registry.close())

  it('keeps a blob visible exactly when a PUT with its digest succeeded, holding exactly the accepted chunks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), async (sequence) => {
        await registry.reset()
        const setup = async (): Promise<{ model: Model; real: Real }> => ({
          model: { sessions: [], blobs: new Map(), candidates: new Set() },
          real: { registry, locations: [] },
        })
        await fc.asyncModelRun(setup, sequence)
      }),
      { numRuns: RUNS.costly * 3 },
    )
  })
})
