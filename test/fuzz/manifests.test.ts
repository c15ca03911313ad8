// Random manifest bodies and Content-Types in every mode: a refused push is a 4xx envelope and
// leaves nothing; an accepted one serves exactly the bytes pushed.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, MODES, type FakeRegistry, type StorageSnapshot } from '../../src/index.js'
import { MediaTypes, pushBlob, sha256, type Descriptor } from '../support/push.js'
import { anyDigest, expectSpecAnswer, printable, RUNS } from './support.js'

const MANIFEST_TYPES = [
  MediaTypes.OM,
  MediaTypes.OI,
  MediaTypes.S2,
  MediaTypes.DL,
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.oci.artifact.manifest.v1+json',
]

const contentType = fc.oneof(
  fc.constantFrom(...MANIFEST_TYPES),
  fc
    .tuple(
      fc.constantFrom(...MANIFEST_TYPES),
      fc.constantFrom('; charset=utf-8', ';charset=latin1', '; q=0.5', ';', '; a="b;c"', '; =x', ', text/plain'),
    )
    .map(([t, p]) => `${t}${p}`),
  fc.constantFrom(...MANIFEST_TYPES).map((t) => t.toUpperCase()),
  fc.constantFrom(
    'application/json',
    'text/plain',
    'application/octet-stream',
    '*/*',
    'application/',
    '/json',
    'application',
    '',
  ),
  printable,
)

/** The blobs seeded in each registry, so some random descriptors point at content that exists. */
interface Seeded {
  config: Descriptor
  layer: Descriptor
}

function descriptor(seeded: Seeded): fc.Arbitrary<unknown> {
  const wellFormed = fc.constantFrom(seeded.config, seeded.layer, { ...seeded.layer, size: seeded.layer.size + 1 })
  return fc.oneof(
    { weight: 3, arbitrary: wellFormed },
    {
      weight: 2,
      arbitrary: fc.record(
        {
          mediaType: fc.oneof(fc.string(), fc.constantFrom(...MANIFEST_TYPES), fc.anything()),
          digest: fc.oneof(anyDigest, fc.anything()),
          size: fc.oneof(fc.integer(), fc.double(), fc.anything()),
        },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: fc.anything() },
  )
}

/**
 * One push: the body and the Content-Type sent with it. Printed as a short preview in
 * counterexamples, since a 10k-deep body as a byte list is unreadable.
 */
class Push {
  constructor(
    readonly body: Uint8Array<ArrayBuffer>,
    readonly contentType: string | undefined,
  ) {}

  [fc.toStringMethod](): string {
    const text = new TextDecoder().decode(this.body)
    const preview =
      text.length > 400 ? `${text.slice(0, 300)}…(${this.body.byteLength} bytes)…${text.slice(-60)}` : text
    return `Push(${JSON.stringify(this.contentType)}, ${JSON.stringify(preview)})`
  }
}

/** A JSON value nested `depth` levels deep: `[[[…]]]` or `{"a":{"a":…}}`. */
function deep(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
}

function manifestBody(seeded: Seeded): fc.Arbitrary<Uint8Array<ArrayBuffer>> {
  const text = (value: fc.Arbitrary<unknown>): fc.Arbitrary<Uint8Array<ArrayBuffer>> =>
    value.map((v) => new TextEncoder().encode(JSON.stringify(v) ?? 'undefined'))
  const shaped = fc.record(
    {
      schemaVersion: fc.oneof(fc.constantFrom(1, 2, 3, '2', 2.0000001, -2, null), fc.anything()),
      mediaType: fc.oneof(fc.constantFrom(...MANIFEST_TYPES), fc.string(), fc.anything()),
      artifactType: fc.oneof(fc.string(), fc.anything()),
      config: descriptor(seeded),
      layers: fc.oneof(fc.array(descriptor(seeded), { maxLength: 3 }), fc.anything()),
      manifests: fc.oneof(
        fc.array(fc.oneof(descriptor(seeded), fc.record({ platform: fc.anything() })), { maxLength: 3 }),
        fc.anything(),
      ),
      subject: descriptor(seeded),
      annotations: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.anything()),
      fsLayers: fc.anything(),
      signatures: fc.anything(),
    },
    { requiredKeys: [] },
  )
  const nestedField = fc
    .tuple(
      fc.constantFrom('layers', 'manifests', 'config', 'subject', 'annotations', 'mediaType'),
      fc.constantFrom<'array' | 'object'>('array', 'object'),
    )
    .map(([field, kind]) =>
      new TextEncoder().encode(`{"schemaVersion":2,"mediaType":"${MediaTypes.OM}","${field}":${deep(10_000, kind)}}`),
    )
  // The last size is above the default 4 MiB cap: 413, or 400 in gitlab-legacy.
  const huge = fc
    .tuple(fc.constantFrom('mediaType', 'artifactType', 'x'), fc.constantFrom(100_000, 1_000_000, 4_200_000))
    .map(([field, size]) =>
      new TextEncoder().encode(
        JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OM, [field]: 'x'.repeat(size) }),
      ),
    )
  return fc.oneof(
    { weight: 4, arbitrary: text(shaped) },
    { weight: 2, arbitrary: text(fc.jsonValue()) },
    { weight: 1, arbitrary: text(fc.anything()) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('array', 'object').map((kind) => new TextEncoder().encode(deep(10_000, kind))),
    },
    { weight: 1, arbitrary: nestedField },
    { weight: 1, arbitrary: huge },
    // Invalid UTF-8 inside and around JSON: lone continuation bytes, overlong forms, surrogates.
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => new Uint8Array(b)) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom([0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff, 0xfe], [0xef, 0xbb, 0xbf])
        .map(
          (junk) =>
            new Uint8Array([
              ...new TextEncoder().encode(`{"schemaVersion":2,"mediaType":"${MediaTypes.OM}","x":"`),
              ...junk,
              ...new TextEncoder().encode('"}'),
            ]),
        ),
    },
  )
}

const DEEP_MARK = 'deeply-nested-array:'

/** A JSON value of a type a field should not have, or deeply nested, or huge. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1.5,
    2 ** 53,
    '',
    'x',
    [],
    {},
    [[]],
    { digest: 1 },
    '\u0000',
    'a\nb',
    ' x ',
    'sha256:é',
    '😀',
  ),
  fc.jsonValue({ maxDepth: 3 }),
  // A placeholder: JSON.stringify would itself overflow the stack on 10k levels, so the nesting is spliced into the text.
  fc.constantFrom(200, 10_000).map((depth) => `${DEEP_MARK}${depth}`),
  fc.constant('x'.repeat(70_000)),
)

/** Where a mutation lands in a valid document. */
const FIELD_PATHS = [
  ['schemaVersion'],
  ['mediaType'],
  ['artifactType'],
  ['config'],
  ['config', 'mediaType'],
  ['config', 'digest'],
  ['config', 'size'],
  ['config', 'urls'],
  ['config', 'data'],
  ['layers'],
  ['layers', 0],
  ['layers', 0, 'digest'],
  ['layers', 0, 'size'],
  ['layers', 0, 'urls'],
  ['layers', 0, 'annotations'],
  ['manifests'],
  ['manifests', 0],
  ['manifests', 0, 'platform'],
  ['manifests', 0, 'platform', 'os'],
  ['manifests', 0, 'digest'],
  ['subject'],
  ['subject', 'digest'],
  ['subject', 'mediaType'],
  ['annotations'],
  ['annotations', 'k'],
  ['fsLayers'],
  ['signatures'],
] as const

type Json = Record<string | number, unknown>

/** Sets (or, with `remove`, deletes) the value at `path`, creating containers on the way. */
function mutate(document: Json, path: readonly (string | number)[], value: unknown, remove: boolean): void {
  let target: Json = document
  for (const key of path.slice(0, -1)) {
    const next = target[key]
    if (typeof next !== 'object' || next === null) target[key] = typeof key === 'number' ? [] : {}
    target = target[key] as Json
  }
  const last = path.at(-1)!
  if (remove) delete target[last]
  else target[last] = value
}

/** Valid documents of every kind the registry knows, each then broken in 0 to 3 places. */
function mutatedManifest(
  seeded: Seeded,
  child: Descriptor,
): fc.Arbitrary<{ body: Uint8Array<ArrayBuffer>; mediaType: string }> {
  const subject = { mediaType: MediaTypes.OM, digest: child.digest, size: child.size }
  const bases: Array<{ mediaType: string; document: Json }> = [
    {
      mediaType: MediaTypes.OM,
      document: { schemaVersion: 2, mediaType: MediaTypes.OM, config: seeded.config, layers: [seeded.layer] },
    },
    {
      mediaType: MediaTypes.S2,
      document: { schemaVersion: 2, mediaType: MediaTypes.S2, config: seeded.config, layers: [seeded.layer] },
    },
    {
      mediaType: MediaTypes.OI,
      document: {
        schemaVersion: 2,
        mediaType: MediaTypes.OI,
        manifests: [{ ...child, platform: { os: 'linux', architecture: 'amd64' } }],
      },
    },
    {
      mediaType: MediaTypes.DL,
      document: { schemaVersion: 2, mediaType: MediaTypes.DL, manifests: [{ ...child, mediaType: MediaTypes.S2 }] },
    },
    {
      mediaType: MediaTypes.OM,
      document: {
        schemaVersion: 2,
        mediaType: MediaTypes.OM,
        artifactType: 'application/x.fuzz',
        config: { ...seeded.config, mediaType: MediaTypes.EMPTY },
        layers: [seeded.layer],
        subject,
        annotations: { a: 'b' },
      },
    },
    {
      mediaType: MediaTypes.OI,
      document: {
        schemaVersion: 2,
        mediaType: MediaTypes.OI,
        manifests: [],
        subject,
        artifactType: 'application/x.fuzz',
      },
    },
  ]
  const mutation = fc.tuple(fc.constantFrom(...FIELD_PATHS), wrongValue, fc.boolean())
  return fc
    .tuple(
      fc.constantFrom(...bases),
      fc.array(mutation, { maxLength: 3 }),
      fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: contentType }),
    )
    .map(([base, mutations, type]) => {
      const document = structuredClone(base.document)
      for (const [path, value, remove] of mutations) mutate(document, path, value, remove)
      const text = JSON.stringify(document).replace(new RegExp(`"${DEEP_MARK}(\\d+)"`, 'g'), (_, depth: string) =>
        deep(Number(depth), 'array'),
      )
      return { body: new TextEncoder().encode(text), mediaType: type ?? base.mediaType }
    })
}

const VARIANTS = MODES.flatMap((mode) => [
  { mode, options: {} },
  // Nothing checked against storage, and the referrers API on: more pushes get all the way through.
  { mode, options: { verifyReferences: 'none', referrers: true } as const },
])

describe.each(VARIANTS)('fuzz: manifest bodies in $mode mode $options', ({ mode, options }) => {
  let registry: FakeRegistry
  let seeded: Seeded
  let child: Descriptor
  let snapshot: StorageSnapshot
  beforeAll(async () => {
    registry = await createFakeRegistry({ transport: 'none', mode, ...options })
    const config = await pushBlob(registry, 'team/app', '{"architecture":"amd64","os":"linux"}', MediaTypes.OCI_CONFIG)
    const layer = await pushBlob(registry, 'team/app', 'layer', MediaTypes.OCI_LAYER)
    seeded = { config, layer }
    // An index child every mode stores: a Docker schema 2 image.
    const image = JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.S2,
      config: { ...config, mediaType: MediaTypes.DOCKER_CONFIG },
      layers: [{ ...layer, mediaType: MediaTypes.DOCKER_LAYER }],
    })
    const pushed = await registry.fetch('/v2/team/app/manifests/child', {
      method: 'PUT',
      headers: { 'content-type': MediaTypes.S2 },
      body: new TextEncoder().encode(image),
    })
    expect(pushed.status).toBe(201)
    child = { mediaType: MediaTypes.S2, digest: sha256(image), size: Buffer.byteLength(image) }
    snapshot = await registry.snapshot()
  })
  afterAll(() => registry.close())

  it('answers any body and Content-Type with 201 serving exactly those bytes, or a 4xx that leaves nothing', async () => {
    // Built once the seeded descriptors exist.
    const push = fc.constant(null).chain(() =>
      fc.oneof(
        fc
          .tuple(manifestBody(seeded), fc.option(contentType, { nil: undefined }))
          .map(([body, type]) => new Push(body, type)),
        mutatedManifest(seeded, child).map(({ body, mediaType }) => new Push(body, mediaType)),
      ),
    )
    await fc.assert(
      fc.asyncProperty(push, fc.boolean(), async ({ body, contentType: type }, byDigest) => {
        await registry.restore(snapshot)
        const digest = sha256(body)
        const headers: Record<string, string> = {}
        if (type !== undefined) headers['content-type'] = type
        const context = {
          mode,
          options,
          type,
          byDigest,
          body: new TextDecoder().decode(body.subarray(0, 300)),
          size: body.byteLength,
        }
        const put = await registry.fetch(`/v2/team/app/manifests/${byDigest ? digest : 'fuzzed'}`, {
          method: 'PUT',
          headers,
          body,
        })
        const answer = await expectSpecAnswer(put, context)
        expect([201, 400, 413], JSON.stringify(context)).toContain(answer.status)
        const byTag = await registry.fetch('/v2/team/app/manifests/fuzzed', { headers: { accept: '*/*' } })
        const stored = await registry.fetch(`/v2/team/app/manifests/${digest}`, { headers: { accept: '*/*' } })
        if (answer.status !== 201) {
          // Nothing half-written: neither the tag nor the digest may serve anything.
          expect(byTag.status, JSON.stringify(context)).toBe(404)
          expect(stored.status, JSON.stringify(context)).toBe(404)
          return
        }
        expect(put.headers.get('docker-content-digest')).toBe(digest)
        const served = await expectSpecAnswer(stored, context)
        // Exact bytes, unless the mode's pull rules refuse to serve the stored kind: gitlab-legacy
        // stores an OCI index it then cannot serve (seed A), with MANIFEST_INVALID.
        if (served.status === 200) expect(served.body).toEqual(body)
        else expect(['MANIFEST_UNKNOWN', 'MANIFEST_INVALID'], JSON.stringify(context)).toContain(served.errors[0]?.code)
        // Whatever was stored, listing it as a referrer works too.
        const subject = put.headers.get('oci-subject')
        if (subject !== null) {
          const referrers = await expectSpecAnswer(await registry.fetch(`/v2/team/app/referrers/${subject}`), context)
          expect(referrers.status, JSON.stringify(context)).toBe(200)
          const index = JSON.parse(new TextDecoder().decode(referrers.body)) as {
            manifests: Array<{ digest: string; annotations?: unknown }>
          }
          const listed = index.manifests.find((entry) => entry.digest === digest)
          expect(listed, JSON.stringify(context)).toBeDefined()
          for (const value of Object.values(listed?.annotations ?? {})) expect(typeof value).toBe('string')
        }
      }),
      { numRuns: RUNS.medium },
    )
  })

  it('answers a push whose subject digest is any string, and lists what it stored as a referrer', async () => {
    const subjectDigest = fc.oneof(
      anyDigest,
      fc.constantFrom('a\nb', 'sha256:\r', '\u0000', '😀', ' sha256:x ', 'sha256:é'),
    )
    await fc.assert(
      fc.asyncProperty(subjectDigest, fc.constantFrom(MediaTypes.OM, MediaTypes.OI), async (subject, kind) => {
        // Modes that do not validate descriptors (gitlab-legacy) with `referrers: true` once
        // copied any string into `OCI-Subject`, and a value headers cannot hold made a 500.
        await registry.restore(snapshot)
        const fields =
          kind === MediaTypes.OM
            ? { config: { ...seeded.config, mediaType: MediaTypes.EMPTY }, layers: [seeded.layer] }
            : { manifests: [] }
        const document = {
          schemaVersion: 2,
          mediaType: kind,
          artifactType: 'application/x.fuzz',
          ...fields,
          subject: { mediaType: MediaTypes.OM, digest: subject, size: 1 },
        }
        const body = new TextEncoder().encode(JSON.stringify(document))
        const context = { mode, options, subject, kind }
        const put = await registry.fetch('/v2/team/app/manifests/fuzzed', {
          method: 'PUT',
          headers: { 'content-type': kind },
          body,
        })
        const answer = await expectSpecAnswer(put, context)
        expect([201, 400], JSON.stringify(context)).toContain(answer.status)
        const listing = await registry.fetch(`/v2/team/app/referrers/${encodeURIComponent(subject)}`)
        const referrers = await expectSpecAnswer(listing, context)
        if (referrers.status === 200) {
          const index = JSON.parse(new TextDecoder().decode(referrers.body)) as { manifests: unknown[] }
          expect(Array.isArray(index.manifests)).toBe(true)
        }
      }),
      { numRuns: RUNS.medium },
    )
  })
})
