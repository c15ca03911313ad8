// Manifest PUT in each mode beyond the media-type tables: bad input (each mode answers with its
// own error, never a 500), the size cap (§7), lenient mode's kind detection, options and lighter
// validation (§3, §6.5), and gitlab-legacy's Content-Type parsing, reference check and missing
// referrers API (§4, §6.6).
import { describe, expect, it } from 'vitest'
import type { FakeRegistry, Mode } from '../../src/index.js'
import { blobUnknown, CONFIG, image, invalid, LAYER } from '../support/manifests.js'
import { bytesOf, errorsOf, MediaTypes, pushBlob, sha256 } from '../support/push.js'
import { putManifestBytes } from '../support/payloads.js'
import { useRegistry } from '../support/registry.js'

const { S2, OM, DL, OI, OCI_CONFIG, OCI_LAYER, EMPTY } = MediaTypes
const REPO = 'team/app'
const MODES: readonly Mode[] = ['strict', 'lenient', 'gitlab-legacy']

function put(
  registry: FakeRegistry,
  bytes: Uint8Array,
  contentType: string | null,
  reference = 'v1',
): Promise<Response> {
  const headers: Record<string, string> = contentType === null ? {} : { 'content-type': contentType }
  return registry.fetch(`/v2/${REPO}/manifests/${reference}`, {
    method: 'PUT',
    headers,
    body: bytes as Uint8Array<ArrayBuffer>,
  })
}

// 201, or the detail of a 400 MANIFEST_INVALID.
type Outcome = 201 | string
interface BadInput {
  name: string
  bytes: Uint8Array
  contentType: string | null
  expected: Record<Mode, Outcome>
}

const body = bytesOf(JSON.stringify(image()))
const unmarshal = (reason: string) => `failed to unmarshal manifest payload: ${reason}`
const libtrust = (reason: string) => `error unmarshalling content: ${reason}`
const E8 = 'missing signature key'
const deepArray = bytesOf(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)
const deepField = bytesOf(
  `${JSON.stringify(image()).slice(0, -1)},"deep":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`,
)
const duplicated = bytesOf(`{"mediaType":"${S2}",${JSON.stringify(image()).slice(1)}`)
const badUtf8 = Uint8Array.from([...bytesOf('{"a":"'), 0xff, 0xfe, ...bytesOf('"}')])
const same = (outcome: Outcome): Record<Mode, Outcome> => ({
  strict: outcome,
  lenient: outcome,
  'gitlab-legacy': outcome,
})

// gitlab-legacy decodes with the parser the Content-Type picks: with OM the schema 2 decoder (as
// the other modes), with none the schema 1 parser, which only wants a JSON object with signatures.
const BAD_INPUT: BadInput[] = [
  {
    name: 'an empty body',
    bytes: new Uint8Array(0),
    contentType: OM,
    expected: same(unmarshal('unexpected end of JSON input')),
  },
  {
    name: 'an empty body, no Content-Type',
    bytes: new Uint8Array(0),
    contentType: null,
    expected: {
      strict: unmarshal('unexpected end of JSON input'),
      lenient: unmarshal('unexpected end of JSON input'),
      'gitlab-legacy': libtrust('unexpected end of JSON input'),
    },
  },
  {
    name: 'text that is not JSON',
    bytes: bytesOf('not json'),
    contentType: OM,
    expected: same(unmarshal('invalid JSON')),
  },
  {
    name: 'text that is not JSON, no Content-Type',
    bytes: bytesOf('not json'),
    contentType: null,
    expected: {
      strict: unmarshal('invalid JSON'),
      lenient: unmarshal('invalid JSON'),
      'gitlab-legacy': libtrust('invalid JSON'),
    },
  },
  {
    name: 'a JSON array',
    bytes: bytesOf('[1]'),
    contentType: OM,
    expected: same(unmarshal('the payload is not a JSON object')),
  },
  {
    name: 'a JSON array, no Content-Type',
    bytes: bytesOf('[1]'),
    contentType: null,
    expected: {
      strict: unmarshal('the payload is not a JSON object'),
      lenient: unmarshal('the payload is not a JSON object'),
      'gitlab-legacy': libtrust('json: cannot unmarshal array into Go value of type map[string]json.RawMessage'),
    },
  },
  {
    name: 'a JSON string, no Content-Type',
    bytes: bytesOf('"x"'),
    contentType: null,
    expected: {
      strict: unmarshal('the payload is not a JSON object'),
      lenient: unmarshal('the payload is not a JSON object'),
      'gitlab-legacy': libtrust('json: cannot unmarshal string into Go value of type map[string]json.RawMessage'),
    },
  },
  {
    name: 'JSON null, no Content-Type (Go: an empty map)',
    bytes: bytesOf('null'),
    contentType: null,
    expected: {
      strict: unmarshal('the payload is not a JSON object'),
      lenient: unmarshal('the payload is not a JSON object'),
      'gitlab-legacy': E8,
    },
  },
  {
    name: 'a deeply nested array',
    bytes: deepArray,
    contentType: OM,
    expected: same(unmarshal('the payload is not a JSON object')),
  },
  { name: 'a deeply nested unknown field', bytes: deepField, contentType: OM, expected: same(201) },
  { name: 'invalid UTF-8', bytes: badUtf8, contentType: OM, expected: same(unmarshal('invalid UTF-8')) },
  // Go's decoder reads invalid UTF-8 inside a string as U+FFFD; the schema 1 parser then misses signatures.
  {
    name: 'invalid UTF-8, no Content-Type',
    bytes: badUtf8,
    contentType: null,
    expected: { strict: unmarshal('invalid UTF-8'), lenient: unmarshal('invalid UTF-8'), 'gitlab-legacy': E8 },
  },
  { name: 'duplicate mediaType keys (the last wins)', bytes: duplicated, contentType: OM, expected: same(201) },
  {
    name: 'a numeric mediaType',
    bytes: bytesOf(JSON.stringify(image({ mediaType: 5 }))),
    contentType: OM,
    expected: same(unmarshal('mediaType must be a string')),
  },
  {
    name: 'an object mediaType, no Content-Type',
    bytes: bytesOf(JSON.stringify(image({ mediaType: {} }))),
    contentType: null,
    expected: {
      strict: unmarshal('mediaType must be a string'),
      lenient: unmarshal('mediaType must be a string'),
      'gitlab-legacy': E8,
    },
  },
  // Unparseable Content-Types: strict refuses, lenient ignores, gitlab-legacy answers Go's mime error.
  {
    name: 'Content-Type "application /json"',
    bytes: body,
    contentType: 'application /json',
    expected: {
      strict: 'invalid Content-Type header',
      lenient: 201,
      'gitlab-legacy': 'mime: expected slash after first token',
    },
  },
  {
    name: 'Content-Type "application/"',
    bytes: body,
    contentType: 'application/',
    expected: {
      strict: 'invalid Content-Type header',
      lenient: 201,
      'gitlab-legacy': 'mime: expected token after slash',
    },
  },
  {
    name: 'Content-Type ";"',
    bytes: body,
    contentType: ';',
    expected: { strict: 'invalid Content-Type header', lenient: 201, 'gitlab-legacy': 'mime: no media type' },
  },
  {
    name: 'Content-Type with a parameter without value',
    bytes: body,
    contentType: `${OM}; charset`,
    expected: { strict: 'invalid Content-Type header', lenient: 201, 'gitlab-legacy': 'mime: invalid media parameter' },
  },
  {
    name: 'Content-Type with an unterminated quote',
    bytes: body,
    contentType: `${OM}; a="b`,
    expected: { strict: 'invalid Content-Type header', lenient: 201, 'gitlab-legacy': 'mime: invalid media parameter' },
  },
  {
    name: 'Content-Type with text after the subtype',
    bytes: body,
    contentType: `${OM} x`,
    expected: {
      strict: 'invalid Content-Type header',
      lenient: 201,
      'gitlab-legacy': 'mime: unexpected content after media subtype',
    },
  },
  {
    name: 'Content-Type with a duplicate parameter',
    bytes: body,
    contentType: `${OM}; a=1; A=2`,
    expected: { strict: 201, lenient: 201, 'gitlab-legacy': 'mime: duplicate parameter name' },
  },
  // Go takes a bare token as a media type; unknown, it goes to the schema 1 parser.
  {
    name: 'Content-Type "garbage"',
    bytes: body,
    contentType: 'garbage',
    expected: { strict: 'invalid Content-Type header', lenient: 201, 'gitlab-legacy': E8 },
  },
]

for (const mode of MODES) {
  describe(`${mode} PUT: bad input gets the mode's error, never a 500`, () => {
    const { registry } = useRegistry({ mode, verifyReferences: 'none' })

    it.each(BAD_INPUT)('$name', async ({ bytes, contentType, expected }) => {
      const response = await put(registry(), bytes, contentType)
      const outcome = expected[mode]
      if (outcome === 201) {
        expect(response.status).toBe(201)
        // An ignored Content-Type is no Content-Type: lenient mode sends no Warning for it.
        expect(response.headers.get('warning')).toBeNull()
        const fetched = await registry().fetch(`/v2/${REPO}/manifests/v1`, { headers: { accept: OM } })
        // Byte for byte, but not with toEqual: it walks a 300 KB array element by element for seconds.
        const stored = Buffer.from(await fetched.arrayBuffer())
        expect(stored.equals(bytes), `stored ${stored.byteLength} bytes, sent ${bytes.byteLength}`).toBe(true)
        return
      }
      expect(response.status).toBe(400)
      expect(await errorsOf(response)).toEqual(invalid(outcome))
    })
  })
}

describe('PUT: the size cap per mode (§7)', () => {
  const padded = (size: number) => {
    const text = JSON.stringify(image())
    return `${text}${' '.repeat(size - Buffer.byteLength(text))}`
  }
  for (const { mode, status, detail } of [
    { mode: 'strict', status: 413, detail: 'manifest body exceeds maximum allowed size of 4194304 bytes' },
    { mode: 'lenient', status: 413, detail: 'manifest body exceeds maximum allowed size of 4194304 bytes' },
    { mode: 'gitlab-legacy', status: 400, detail: 'http: request body too large' },
  ] as const) {
    describe(mode, () => {
      const { registry } = useRegistry({ mode, verifyReferences: 'none' })
      it(`accepts exactly 4194304 bytes and answers one more with ${status}`, async () => {
        expect((await putManifestBytes(registry(), REPO, 'big', padded(4194304), OM)).status).toBe(201)
        const response = await putManifestBytes(registry(), REPO, 'big', padded(4194305), OM)
        expect(response.status).toBe(status)
        expect(await errorsOf(response)).toEqual(invalid(detail))
      })
    })
  }
  describe('gitlab-legacy with maxManifestBytes: 1000', () => {
    const { registry } = useRegistry({ mode: 'gitlab-legacy', maxManifestBytes: 1000, verifyReferences: 'none' })
    it('answers 1001 bytes with 400 whatever the Content-Type', async () => {
      for (const contentType of [OM, null]) {
        const response = await putManifestBytes(registry(), REPO, 'big', padded(1001), contentType)
        expect(response.status).toBe(400)
        expect(await errorsOf(response)).toEqual(invalid('http: request body too large'))
      }
    })
  })
})

describe('lenient PUT: the kind from the body (§3 step 4)', () => {
  const { registry } = useRegistry({ mode: 'lenient', verifyReferences: 'none' })
  const index = { schemaVersion: 2, manifests: [] }

  it.each([
    {
      name: 'no mediaType, manifests and config (CVE-2021-41190)',
      document: { ...image({ mediaType: undefined }), manifests: [] },
      detail: 'ocimanifest: expected manifest but found index',
    },
    {
      name: 'no mediaType, manifests and layers',
      document: { ...index, layers: [] },
      detail: 'ocimanifest: expected manifest but found index',
    },
    {
      name: 'mediaType OM with manifests',
      document: image({ manifests: [] }),
      detail: 'ocimanifest: expected manifest but found index',
    },
    {
      name: 'mediaType OI with config',
      document: { ...index, mediaType: OI, config: CONFIG },
      detail: 'index: expected index but found manifest',
    },
    {
      name: 'mediaType DL with layers',
      document: { ...index, mediaType: DL, layers: [] },
      detail: 'index: expected index but found manifest',
    },
    {
      name: 'no mediaType, neither manifests nor config',
      document: { schemaVersion: 2, layers: [LAYER] },
      detail: 'unable to determine manifest type',
    },
    { name: 'an empty object', document: {}, detail: 'unable to determine manifest type' },
    {
      name: 'a mediaType that is not a media type',
      document: image({ mediaType: 'not a type' }),
      detail: `mediaType in manifest should be '${S2}' not 'not a type'`,
    },
    {
      name: 'schemaVersion 3',
      document: image({ schemaVersion: 3 }),
      detail: 'unrecognized manifest schema version 3',
    },
    {
      name: 'a schema 1 mediaType with schemaVersion 2',
      document: image({ mediaType: 'application/vnd.docker.distribution.manifest.v1+json' }),
      detail: 'unrecognized manifest schema version 2',
    },
  ])('refuses $name', async ({ document, detail }) => {
    const response = await putManifestBytes(registry(), REPO, 'v1', JSON.stringify(document), OM)
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual(invalid(detail))
  })

  it.each([
    {
      name: 'an unsigned schema 1 body as V1',
      document: { schemaVersion: 1, name: REPO, tag: 'x', fsLayers: [], history: [] },
      stored: 'application/vnd.docker.distribution.manifest.v1+json',
    },
    {
      name: 'an opaque type without schemaVersion (ORAS artifact manifest)',
      document: { mediaType: 'application/vnd.cncf.oras.artifact.manifest.v1+json', blobs: 'anything' },
      stored: 'application/vnd.cncf.oras.artifact.manifest.v1+json',
    },
    {
      name: 'an opaque type with upper case, kept as written',
      document: { mediaType: 'application/X-Custom+json' },
      stored: 'application/X-Custom+json',
    },
  ])('stores $name', async ({ document, stored }) => {
    const text = JSON.stringify(document)
    const response = await putManifestBytes(registry(), REPO, 'v1', text, null)
    expect(response.status).toBe(201)
    const fetched = await registry().fetch(`/v2/${REPO}/manifests/v1`)
    expect(fetched.headers.get('content-type')).toBe(stored)
    expect(await fetched.text()).toBe(text)
  })

  it('compares Content-Type without parameters and case, and names it bare in the Warning', async () => {
    const text = JSON.stringify(image())
    expect(
      (await putManifestBytes(registry(), REPO, 'v1', text, `${OM.toUpperCase()}; charset=utf-8`)).headers.get(
        'warning',
      ),
    ).toBeNull()
    const response = await putManifestBytes(registry(), REPO, 'v2', text, `Application/JSON; charset=utf-8`)
    expect(response.headers.get('warning')).toBe(
      `299 - "Content-Type application/json does not match manifest type ${OM}; stored as ${OM}"`,
    )
  })
})

describe('lenient PUT: schema1 and unknownManifestTypes', () => {
  const schema1 = JSON.stringify({ schemaVersion: 1, name: REPO, tag: 'x', fsLayers: [], history: [], signatures: [] })
  const unknown = JSON.stringify(image({ mediaType: 'application/vnd.foo.manifest.v1+json' }))

  describe('schema1: false', () => {
    const { registry } = useRegistry({ mode: 'lenient', schema1: false, verifyReferences: 'none' })
    it('refuses schema 1 with "manifest type unsupported", whatever the Content-Type', async () => {
      for (const contentType of [null, 'application/vnd.docker.distribution.manifest.v1+prettyjws', OM]) {
        const response = await putManifestBytes(registry(), REPO, 'v1', schema1, contentType)
        expect(response.status).toBe(400)
        expect(await errorsOf(response)).toEqual(invalid('manifest type unsupported'))
      }
    })
  })

  describe('unknownManifestTypes: false', () => {
    const { registry } = useRegistry({ mode: 'lenient', unknownManifestTypes: false, verifyReferences: 'none' })
    it('refuses an unknown mediaType as the default parser does, E1(U)', async () => {
      const response = await putManifestBytes(registry(), REPO, 'v1', unknown, 'application/vnd.foo.manifest.v1+json')
      expect(response.status).toBe(400)
      expect(await errorsOf(response)).toEqual(
        invalid(`mediaType in manifest should be '${S2}' not 'application/vnd.foo.manifest.v1+json'`),
      )
    })
  })
})

describe('lenient PUT: lighter validation (§6.5)', () => {
  const { registry, storage } = useRegistry({ mode: 'lenient' })

  it('checks the blobs of an image, not the children of an index (verifyReferences: blobs)', async () => {
    const missing = sha256('missing child')
    const sparse = JSON.stringify({
      schemaVersion: 2,
      mediaType: OI,
      manifests: [{ mediaType: OM, digest: missing, size: 5 }],
    })
    expect((await putManifestBytes(registry(), REPO, 'sparse', sparse, OI)).status).toBe(201)
    const response = await putManifestBytes(registry(), REPO, 'image', JSON.stringify(image()), OM)
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual([blobUnknown(CONFIG.digest), blobUnknown(LAYER.digest)])
  })

  it('checks the blobSum of a schema 1 body as a blob', async () => {
    const layer = await pushBlob(registry(), REPO, 'a layer')
    const missing = sha256('missing layer')
    const schema1 = (blobSum: string) =>
      JSON.stringify({ schemaVersion: 1, name: REPO, tag: 'x', fsLayers: [{ blobSum }], history: [] })
    expect((await putManifestBytes(registry(), REPO, 'v1', schema1(layer.digest), null)).status).toBe(201)
    const response = await putManifestBytes(registry(), REPO, 'v1', schema1(missing), null)
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual([blobUnknown(missing)])
  })

  it('accepts what strict refuses: sizes that differ, any urls, data, empty config without artifactType, descriptors without mediaType', async () => {
    const config = await pushBlob(registry(), REPO, '{}', EMPTY)
    const layer = await pushBlob(registry(), REPO, 'a layer')
    const document = {
      schemaVersion: 2,
      mediaType: OM,
      config: { ...config, size: 99, data: 'not base64' },
      layers: [
        { digest: layer.digest, size: layer.size },
        { mediaType: OCI_LAYER, digest: sha256('elsewhere'), size: 1, urls: ['not a uri'] },
      ],
    }
    const text = JSON.stringify(document)
    expect((await putManifestBytes(registry(), REPO, 'v1', text, OM)).status).toBe(201)
    expect(await (await registry().fetch(`/v2/${REPO}/manifests/v1`)).text()).toBe(text)
  })

  it.each([
    {
      name: 'a config without digest',
      document: image({ config: { mediaType: OCI_CONFIG, size: 1 } }),
      detail: 'config.digest must be a valid digest',
    },
    {
      name: 'a layer with a negative size',
      document: image({ layers: [{ ...LAYER, size: -1 }] }),
      detail: 'layers[0].size must be a non-negative integer',
    },
    { name: 'no layers', document: image({ layers: undefined }), detail: 'layers is required and must be an array' },
    {
      name: 'an index entry that is not an object',
      document: { schemaVersion: 2, mediaType: OI, manifests: ['x'] },
      detail: 'manifests[0] must be a descriptor object',
    },
    {
      name: 'manifests that is not an array',
      document: { schemaVersion: 2, mediaType: DL, manifests: {} },
      detail: 'manifests is required and must be an array',
    },
    {
      name: 'a subject without size',
      document: image({ subject: { digest: sha256('s') } }),
      detail: 'subject.size must be a non-negative integer',
    },
    {
      name: 'fsLayers with a bad blobSum',
      document: { schemaVersion: 1, fsLayers: [{ blobSum: 'x' }] },
      detail: 'fsLayers[0].blobSum must be a valid digest',
    },
  ])('still refuses $name', async ({ document, detail }) => {
    const response = await putManifestBytes(registry(), REPO, 'v1', JSON.stringify(document), null)
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual(invalid(detail))
  })

  it('answers OCI-Subject and records the subject for the referrers API', async () => {
    const subject = { mediaType: OM, digest: sha256('subject'), size: 7 }
    const config = await pushBlob(registry(), REPO, '{}', EMPTY)
    const text = JSON.stringify({ schemaVersion: 2, mediaType: OM, config, layers: [], subject })
    const response = await putManifestBytes(registry(), REPO, 'sig', text, OM)
    expect(response.status).toBe(201)
    expect(response.headers.get('oci-subject')).toBe(subject.digest)
    expect((await storage().listReferrers(REPO, subject.digest)).map((referrer) => referrer.digest)).toEqual([
      sha256(text),
    ])
  })
})

describe('gitlab-legacy PUT: references, subject and referrers (§4, §6.6)', () => {
  const subject = { mediaType: OM, digest: sha256('subject'), size: 7 }

  describe('defaults', () => {
    const { registry } = useRegistry({ mode: 'gitlab-legacy' })

    it('checks blobs and index children, each missing digest once', async () => {
      const child = sha256('child')
      const list = JSON.stringify({
        schemaVersion: 2,
        mediaType: OI,
        manifests: [{ mediaType: OM, digest: child, size: 5 }],
      })
      expect(await errorsOf(await putManifestBytes(registry(), REPO, 'v1', list, OI))).toEqual([blobUnknown(child)])
      expect(await errorsOf(await putManifestBytes(registry(), REPO, 'v1', JSON.stringify(image()), OM))).toEqual([
        blobUnknown(CONFIG.digest),
        blobUnknown(LAYER.digest),
      ])
    })

    it('exempts any descriptor with urls and does not compare sizes', async () => {
      const config = await pushBlob(registry(), REPO, '{}', OCI_CONFIG)
      const document = image({
        config: { ...config, size: 1234 },
        layers: [{ ...LAYER, urls: ['https://layers.test/l'] }],
      })
      expect((await putManifestBytes(registry(), REPO, 'v1', JSON.stringify(document), OM)).status).toBe(201)
    })

    it('refuses a descriptor of the wrong JSON type, as Go decoding did', async () => {
      const response = await putManifestBytes(
        registry(),
        REPO,
        'v1',
        JSON.stringify(image({ layers: [{ digest: 5 }] })),
        OM,
      )
      expect(await errorsOf(response)).toEqual(
        invalid('failed to unmarshal manifest payload: layers[0].digest must be a string'),
      )
    })

    it('has no referrers API: referrers resolves to false and a push with a subject gets no OCI-Subject', async () => {
      expect(registry().options.referrers).toBe(false)
      const config = await pushBlob(registry(), REPO, '{}', EMPTY)
      const response = await putManifestBytes(
        registry(),
        REPO,
        'sig',
        JSON.stringify({ schemaVersion: 2, mediaType: OM, config, layers: [], subject }),
        OM,
      )
      expect(response.status).toBe(201)
      expect(response.headers.get('oci-subject')).toBeNull()
      // 404, so that clients fall back to the referrers tag schema (sha256-<hex>).
      const path = `/v2/${REPO}/referrers/${subject.digest}`
      const referrers = await registry().fetch(path)
      expect(referrers.status).toBe(404)
      expect(await errorsOf(referrers)).toEqual([
        { code: 'UNSUPPORTED', message: 'route not part of the distribution API', detail: { path } },
      ])
    })
  })

  describe('with referrers: true', () => {
    const { registry } = useRegistry({ mode: 'gitlab-legacy', referrers: true })
    it('sends OCI-Subject: the option, not the mode, decides', async () => {
      const config = await pushBlob(registry(), REPO, '{}', EMPTY)
      const response = await putManifestBytes(
        registry(),
        REPO,
        'sig',
        JSON.stringify({ schemaVersion: 2, mediaType: OM, config, layers: [], subject }),
        OM,
      )
      expect(response.headers.get('oci-subject')).toBe(subject.digest)
    })
  })
})
