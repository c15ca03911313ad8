// Manifest PUT/GET/HEAD/DELETE in strict mode, beyond the media-type table: references, digests,
// tags, the size cap, decoding, field validation (media-type spec §6), storage for the referrers
// API, and deletes.
import { createHash } from 'node:crypto'
import { beforeEach, describe, expect, it } from 'vitest'
import { blobUnknown, CONFIG, image, invalid, LAYER, type Json } from '../support/manifests.js'
import { bytesOf, errorsOf, MediaTypes, pushBlob, sha256 } from '../support/push.js'
import { putManifestBytes } from '../support/payloads.js'
import { useRegistry } from '../support/registry.js'

const { S2, OM, DL, OI, OCI_CONFIG, OCI_LAYER, EMPTY } = MediaTypes
const REPO = 'team/app'

const index = (patch: Json = {}): Json => ({
  schemaVersion: 2,
  mediaType: OI,
  manifests: [{ mediaType: OM, digest: sha256('child'), size: 5 }],
  ...patch,
})

describe('PUT: reference, digest and tags', () => {
  const { registry } = useRegistry({ verifyReferences: 'none' })
  const body = JSON.stringify(image())
  const digest = sha256(body)

  it('answers 201 with Location, Docker-Content-Digest, Content-Length 0 and no body; GET returns the bytes', async () => {
    const response = await putManifestBytes(registry(), REPO, 'v1', body, OM)
    expect(response.status).toBe(201)
    expect(Object.fromEntries(response.headers)).toEqual({
      location: `/v2/${REPO}/manifests/${digest}`,
      'docker-content-digest': digest,
      'content-length': '0',
      'docker-distribution-api-version': 'registry/2.0',
    })
    expect(await response.text()).toBe('')
    const fetched = await registry().fetch(`/v2/${REPO}/manifests/v1`, { headers: { accept: OM } })
    expect(await fetched.text()).toBe(body)
  })

  it.each([
    { name: 'a tag starting with a dash', reference: '-tag', status: 400, errors: invalid('invalid tag') },
    { name: 'a tag of 129 characters', reference: 't'.repeat(129), status: 400, errors: invalid('invalid tag') },
    { name: 'a tag with a dot first', reference: '.tag', status: 400, errors: invalid('invalid tag') },
    {
      name: 'a short sha256',
      reference: 'sha256:abc',
      status: 400,
      errors: [
        {
          code: 'DIGEST_INVALID',
          message: 'provided digest did not match uploaded content',
          detail: { digest: 'sha256:abc' },
        },
      ],
    },
    {
      name: 'upper-case hex',
      reference: `sha256:${'A'.repeat(64)}`,
      status: 400,
      errors: [
        {
          code: 'DIGEST_INVALID',
          message: 'provided digest did not match uploaded content',
          detail: { digest: `sha256:${'A'.repeat(64)}` },
        },
      ],
    },
    {
      name: 'blake3 (not supported)',
      reference: `blake3:${'a'.repeat(64)}`,
      status: 400,
      errors: [
        {
          code: 'DIGEST_INVALID',
          message: 'provided digest did not match uploaded content',
          detail: { digest: `blake3:${'a'.repeat(64)}` },
        },
      ],
    },
    {
      name: 'a grammar error',
      reference: 'sha256:ab:cd',
      status: 400,
      errors: [
        {
          code: 'DIGEST_INVALID',
          message: 'provided digest did not match uploaded content',
          detail: { digest: 'sha256:ab:cd' },
        },
      ],
    },
  ])('refuses $name', async ({ reference, status, errors }) => {
    const response = await putManifestBytes(registry(), REPO, reference, body, OM)
    expect(response.status).toBe(status)
    expect(await errorsOf(response)).toEqual(errors)
  })

  it('refuses an invalid repository name with 400 NAME_INVALID', async () => {
    const response = await putManifestBytes(registry(), 'Team/App', 'v1', body, OM)
    expect(response.status).toBe(400)
    expect((await errorsOf(response))[0]?.code).toBe('NAME_INVALID')
  })

  it('answers 400 DIGEST_INVALID when the body does not match the digest (conformance bad-digest-image)', async () => {
    const response = await putManifestBytes(registry(), REPO, digest, `${body}  `, OM)
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual([
      {
        code: 'DIGEST_INVALID',
        message: 'provided digest did not match uploaded content',
        detail: { expected: digest, computed: sha256(`${body}  `) },
      },
    ])
    expect((await registry().fetch(`/v2/${REPO}/manifests/${digest}`, { headers: { accept: OM } })).status).toBe(404)
  })

  it('pushes by a sha512 digest and echoes it', async () => {
    const sha512 = `sha512:${createHash('sha512').update(body).digest('hex')}`
    const response = await putManifestBytes(registry(), REPO, sha512, body, OM)
    expect(response.status).toBe(201)
    expect(response.headers.get('docker-content-digest')).toBe(sha512)
    expect(response.headers.get('location')).toBe(`/v2/${REPO}/manifests/${sha512}`)
  })

  it('moves an existing tag on a push by tag', async () => {
    const other = JSON.stringify(image({ annotations: { v: '2' } }))
    await putManifestBytes(registry(), REPO, 'latest', body, OM)
    expect((await putManifestBytes(registry(), REPO, 'latest', other, OM)).status).toBe(201)
    const fetched = await registry().fetch(`/v2/${REPO}/manifests/latest`, { headers: { accept: OM } })
    expect(fetched.headers.get('docker-content-digest')).toBe(sha256(other))
    expect(await fetched.text()).toBe(other)
    expect((await registry().fetch(`/v2/${REPO}/manifests/${digest}`, { headers: { accept: OM } })).status).toBe(200)
  })

  it('creates the ?tag= tags of a push by digest and sends OCI-Tag for each', async () => {
    const response = await putManifestBytes(registry(), REPO, `${digest}?tag=a&tag=b.1&tag=a`, body, OM)
    expect(response.status).toBe(201)
    expect(response.headers.get('oci-tag')).toBe('a, b.1')
    for (const tag of ['a', 'b.1']) {
      const fetched = await registry().fetch(`/v2/${REPO}/manifests/${tag}`, { headers: { accept: OM } })
      expect(fetched.headers.get('docker-content-digest')).toBe(digest)
    }
  })

  it.each([
    {
      name: 'a tag parameter on a push by tag',
      reference: 'v1?tag=a',
      detail: 'the tag parameter is only allowed on a push by digest',
    },
    { name: 'an invalid tag parameter', reference: `${digest}?tag=-a`, detail: 'invalid tag' },
    { name: 'an empty tag parameter', reference: `${digest}?tag=`, detail: 'invalid tag' },
  ])('refuses $name with 400 MANIFEST_INVALID and stores nothing', async ({ reference, detail }) => {
    const response = await putManifestBytes(registry(), REPO, reference, body, OM)
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual(invalid(detail))
    expect((await registry().fetch(`/v2/${REPO}/manifests/${digest}`, { headers: { accept: OM } })).status).toBe(404)
  })
})

describe('PUT: the size cap', () => {
  /** An OM body padded with spaces to exactly `size` bytes. */
  const padded = (size: number) => {
    const text = JSON.stringify(image())
    return `${text}${' '.repeat(size - Buffer.byteLength(text))}`
  }

  describe('default maxManifestBytes (4194304)', () => {
    const { registry } = useRegistry({ verifyReferences: 'none' })
    it('accepts a body of exactly 4194304 bytes', async () => {
      expect((await putManifestBytes(registry(), REPO, 'big', padded(4194304), OM)).status).toBe(201)
    })
    it('answers one byte more with 413 MANIFEST_INVALID', async () => {
      const response = await putManifestBytes(registry(), REPO, 'big', padded(4194305), OM)
      expect(response.status).toBe(413)
      expect(await errorsOf(response)).toEqual(invalid('manifest body exceeds maximum allowed size of 4194304 bytes'))
    })
  })

  describe('maxManifestBytes: 1000', () => {
    const { registry } = useRegistry({ verifyReferences: 'none', maxManifestBytes: 1000 })
    it('accepts exactly 1000 bytes and refuses 1001 with the cap in the detail', async () => {
      expect((await putManifestBytes(registry(), REPO, 'a', padded(1000), OM)).status).toBe(201)
      const response = await putManifestBytes(registry(), REPO, 'b', padded(1001), OM)
      expect(response.status).toBe(413)
      expect(await errorsOf(response)).toEqual(invalid('manifest body exceeds maximum allowed size of 1000 bytes'))
    })

    it('stops reading an endless body once it passes the cap', async () => {
      let pulls = 0
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulls += 1
          controller.enqueue(new Uint8Array(300).fill(32))
        },
      })
      const response = await registry().fetch(`/v2/${REPO}/manifests/x`, {
        method: 'PUT',
        headers: { 'content-type': OM },
        body: endless,
        duplex: 'half',
      } as RequestInit)
      expect(response.status).toBe(413)
      expect(pulls).toBeLessThan(10)
    })

    it('refuses a declared Content-Length above the cap without reading', async () => {
      const response = await registry().fetch(`/v2/${REPO}/manifests/x`, {
        method: 'PUT',
        headers: { 'content-type': OM, 'content-length': '5000' },
        body: new TextEncoder().encode('{}'),
      })
      expect(response.status).toBe(413)
    })
  })
})

describe('PUT: Content-Type and decoding', () => {
  const { registry } = useRegistry({ verifyReferences: 'none' })
  const body = JSON.stringify(image())

  it.each([
    { name: 'parameters', contentType: `${OM}; charset="utf-8"; x=y`, stored: OM },
    { name: 'upper case', contentType: 'Application/VND.OCI.Image.Manifest.V1+JSON', stored: OM },
    { name: 'surrounding whitespace', contentType: `  ${OM}  `, stored: OM },
    { name: 'a trailing semicolon', contentType: `${OM};`, stored: OM },
  ])('reads a Content-Type with $name', async ({ contentType, stored }) => {
    expect((await putManifestBytes(registry(), REPO, 'v1', body, contentType)).status).toBe(201)
    const fetched = await registry().fetch(`/v2/${REPO}/manifests/v1`, { headers: { accept: OM } })
    expect(fetched.headers.get('content-type')).toBe(stored)
  })

  it.each([
    { name: 'no slash', contentType: 'garbage' },
    { name: 'an empty subtype', contentType: 'application/' },
    { name: 'a bad parameter', contentType: `${OM}; charset` },
    { name: 'an unterminated quote', contentType: `${OM}; a="b` },
    { name: 'a space inside', contentType: 'application /json' },
  ])('refuses a Content-Type with $name: 400 invalid Content-Type header', async ({ contentType }) => {
    const response = await putManifestBytes(registry(), REPO, 'v1', body, contentType)
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual(invalid('invalid Content-Type header'))
  })

  it.each([
    'application/vnd.docker.distribution.manifest.v1+prettyjws',
    'application/vnd.docker.distribution.manifest.v1+json',
  ])('refuses the schema 1 Content-Type %s: manifest type unsupported', async (contentType) => {
    const response = await putManifestBytes(registry(), REPO, 'v1', body, contentType)
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual(invalid('manifest type unsupported'))
  })

  const unmarshal = (reason: string) => invalid(`failed to unmarshal manifest payload: ${reason}`)
  it.each([
    { name: 'an empty body', bytes: new Uint8Array(0), errors: unmarshal('unexpected end of JSON input') },
    { name: 'text that is not JSON', bytes: bytesOf('not json'), errors: unmarshal('invalid JSON') },
    { name: 'truncated JSON', bytes: bytesOf(body.slice(0, 20)), errors: unmarshal('invalid JSON') },
    { name: 'a JSON array', bytes: bytesOf('[1]'), errors: unmarshal('the payload is not a JSON object') },
    { name: 'JSON null', bytes: bytesOf('null'), errors: unmarshal('the payload is not a JSON object') },
    { name: 'a JSON string', bytes: bytesOf('"x"'), errors: unmarshal('the payload is not a JSON object') },
    {
      name: 'invalid UTF-8',
      bytes: Uint8Array.from([...bytesOf('{"a":"'), 0xff, 0xfe, ...bytesOf('"}')]),
      errors: unmarshal('invalid UTF-8'),
    },
    {
      name: 'a byte order mark',
      bytes: Uint8Array.from([0xef, 0xbb, 0xbf, ...bytesOf(body)]),
      errors: unmarshal('invalid JSON'),
    },
    {
      name: 'a numeric mediaType',
      bytes: bytesOf(JSON.stringify(image({ mediaType: 5 }))),
      errors: unmarshal('mediaType must be a string'),
    },
    {
      name: 'a string schemaVersion',
      bytes: bytesOf(JSON.stringify(image({ schemaVersion: '2' }))),
      errors: unmarshal('schemaVersion must be an integer'),
    },
    {
      name: 'no schemaVersion',
      bytes: bytesOf(JSON.stringify(image({ schemaVersion: undefined }))),
      errors: invalid('unrecognized manifest schema version 0'),
    },
    {
      name: 'schemaVersion 3',
      bytes: bytesOf(JSON.stringify(image({ schemaVersion: 3 }))),
      errors: invalid('unrecognized manifest schema version 3'),
    },
  ])('refuses $name with 400 MANIFEST_INVALID', async ({ bytes, errors }) => {
    const response = await registry().fetch(`/v2/${REPO}/manifests/v1`, {
      method: 'PUT',
      headers: { 'content-type': OM },
      body: bytes as Uint8Array<ArrayBuffer>,
    })
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual(errors)
  })

  it('treats "mediaType": null as absent, as Go does', async () => {
    expect(
      (await putManifestBytes(registry(), REPO, 'v1', JSON.stringify(image({ mediaType: null })), OM)).status,
    ).toBe(201)
  })

  it('keeps a deeply nested unknown field and the exact bytes (no crash)', async () => {
    const deep = `${JSON.stringify(image()).slice(0, -1)},"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}`
    expect((await putManifestBytes(registry(), REPO, 'deep', deep, OM)).status).toBe(201)
    expect(await (await registry().fetch(`/v2/${REPO}/manifests/deep`, { headers: { accept: OM } })).text()).toBe(deep)
  })

  it('takes the last of duplicate keys, as JSON.parse and Go do, and stores both', async () => {
    const duplicated = `{"mediaType":"${S2}",${JSON.stringify(image()).slice(1)}`
    expect((await putManifestBytes(registry(), REPO, 'dup', duplicated, OM)).status).toBe(201)
    const fetched = await registry().fetch(`/v2/${REPO}/manifests/dup`, { headers: { accept: OM } })
    expect(fetched.headers.get('content-type')).toBe(OM)
    expect(await fetched.text()).toBe(duplicated)
  })
})

describe('PUT: field validation (strict, §6.2–6.3)', () => {
  const { registry } = useRegistry({ verifyReferences: 'none' })
  const data = Buffer.from('config').toString('base64')

  it.each([
    // image manifests
    { name: 'no config', body: image({ config: undefined }), detail: 'config is required' },
    { name: 'config null', body: image({ config: null }), detail: 'config is required' },
    { name: 'config a string', body: image({ config: 'x' }), detail: 'config must be a descriptor object' },
    { name: 'no layers', body: image({ layers: undefined }), detail: 'layers is required and must be an array' },
    { name: 'layers an object', body: image({ layers: {} }), detail: 'layers is required and must be an array' },
    { name: 'a layer that is null', body: image({ layers: [null] }), detail: 'layers[0] must be a descriptor object' },
    {
      name: 'config without mediaType',
      body: image({ config: { ...CONFIG, mediaType: undefined } }),
      detail: 'config.mediaType must be a media type (RFC 6838)',
    },
    {
      name: 'a layer mediaType without slash',
      body: image({ layers: [{ ...LAYER, mediaType: 'nope' }] }),
      detail: 'layers[0].mediaType must be a media type (RFC 6838)',
    },
    {
      name: 'a short sha256 digest',
      body: image({ layers: [LAYER, { ...LAYER, digest: 'sha256:abc' }] }),
      detail: 'layers[1].digest must be a valid digest',
    },
    {
      name: 'upper-case hex',
      body: image({ config: { ...CONFIG, digest: CONFIG.digest.toUpperCase().replace('SHA256', 'sha256') } }),
      detail: 'config.digest must be a valid digest',
    },
    {
      name: 'no digest',
      body: image({ config: { ...CONFIG, digest: undefined } }),
      detail: 'config.digest must be a valid digest',
    },
    {
      name: 'a negative size',
      body: image({ config: { ...CONFIG, size: -1 } }),
      detail: 'config.size must be a non-negative integer',
    },
    {
      name: 'a fractional size',
      body: image({ config: { ...CONFIG, size: 1.5 } }),
      detail: 'config.size must be a non-negative integer',
    },
    {
      name: 'a string size',
      body: image({ config: { ...CONFIG, size: '6' } }),
      detail: 'config.size must be a non-negative integer',
    },
    {
      name: 'a relative url',
      body: image({ layers: [{ ...LAYER, urls: ['/relative'] }] }),
      detail: 'layers[0].urls must be an array of absolute URIs',
    },
    {
      name: 'urls a string',
      body: image({ layers: [{ ...LAYER, urls: 'https://x.test/' }] }),
      detail: 'layers[0].urls must be an array of absolute URIs',
    },
    {
      name: 'a numeric descriptor annotation',
      body: image({ config: { ...CONFIG, annotations: { a: 1 } } }),
      detail: 'config.annotations must map strings to strings',
    },
    {
      name: 'data that is not base64',
      body: image({ config: { ...CONFIG, data: '!!' } }),
      detail: 'config.data must be base64',
    },
    {
      name: 'data of another size',
      body: image({ config: { ...CONFIG, size: 7, data } }),
      detail: 'config.data does not match size',
    },
    {
      name: 'data of another digest',
      body: image({ config: { ...CONFIG, data: Buffer.from('CONFIG').toString('base64') } }),
      detail: 'config.data does not match digest',
    },
    {
      name: 'a descriptor artifactType that is not a media type',
      body: image({ config: { ...CONFIG, artifactType: 'x' } }),
      detail: 'config.artifactType must be a media type (RFC 6838)',
    },
    {
      name: 'an artifactType that is not a media type',
      body: image({ artifactType: 'x' }),
      detail: 'artifactType must be a media type (RFC 6838)',
    },
    {
      name: 'numeric annotations',
      body: image({ annotations: { a: 1 } }),
      detail: 'annotations must map strings to strings',
    },
    {
      name: 'annotations an array',
      body: image({ annotations: ['a'] }),
      detail: 'annotations must map strings to strings',
    },
    {
      name: 'a subject with a bad digest',
      body: image({ subject: { mediaType: OM, digest: 'sha256:x', size: 1 } }),
      detail: 'subject.digest must be a valid digest',
    },
    {
      name: 'the empty config without artifactType',
      body: image({ config: { mediaType: EMPTY, digest: sha256('{}'), size: 2 } }),
      detail: `artifactType must be set when config.mediaType is ${EMPTY}`,
    },
    // indexes
    {
      name: 'an index without manifests',
      body: index({ manifests: undefined }),
      detail: 'manifests is required and must be an array',
    },
    {
      name: 'an index entry without size',
      body: index({ manifests: [{ mediaType: OM, digest: sha256('child') }] }),
      detail: 'manifests[0].size must be a non-negative integer',
    },
    {
      name: 'a platform without architecture',
      body: index({ manifests: [{ mediaType: OM, digest: sha256('child'), size: 5, platform: { os: 'linux' } }] }),
      detail: 'manifests[0].platform must have the strings architecture and os',
    },
    {
      name: 'a platform that is a string',
      body: index({ manifests: [{ mediaType: OM, digest: sha256('child'), size: 5, platform: 'linux/amd64' }] }),
      detail: 'manifests[0].platform must have the strings architecture and os',
    },
    {
      name: 'an index artifactType that is not a media type',
      body: index({ artifactType: 'x' }),
      detail: 'artifactType must be a media type (RFC 6838)',
    },
  ])('refuses $name', async ({ body, detail }) => {
    const response = await putManifestBytes(registry(), REPO, 'v1', JSON.stringify(body), body.mediaType as string)
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual(invalid(detail))
  })

  it.each([
    { name: 'empty layers', body: image({ layers: [] }) },
    {
      name: 'unknown config and layer media types',
      body: image({
        config: { ...CONFIG, mediaType: 'application/x-foo' },
        layers: [{ ...LAYER, mediaType: 'application/x-bar+tar' }],
      }),
    },
    { name: 'an unknown artifactType', body: image({ artifactType: 'application/x-unknown' }) },
    { name: 'a digest of an unknown algorithm', body: image({ layers: [{ ...LAYER, digest: 'foo+bar:AbC=' }] }) },
    {
      name: 'absolute urls',
      body: image({ layers: [{ ...LAYER, urls: ['https://example.com/a%20b?x=1#f', 'urn:isbn:1'] }] }),
    },
    { name: 'matching data', body: image({ config: { ...CONFIG, data } }) },
    {
      name: 'the empty config with artifactType',
      body: image({
        artifactType: 'application/x-sbom',
        config: { mediaType: EMPTY, digest: sha256('{}'), size: 2, data: 'e30=' },
      }),
    },
    { name: 'unknown top-level fields (conformance custom-fields)', body: image({ custom: { nested: [1, 2] } }) },
    {
      name: 'null optional fields',
      body: image({ annotations: null, subject: null, config: { ...CONFIG, urls: null, annotations: null } }),
    },
    { name: 'an empty index', body: index({ manifests: [] }) },
    {
      name: 'an index entry of unknown media type',
      body: index({ manifests: [{ mediaType: 'application/x-child', digest: sha256('child'), size: 5 }] }),
    },
    {
      name: 'an index entry with platform and variant',
      body: index({
        manifests: [
          {
            mediaType: OM,
            digest: sha256('child'),
            size: 5,
            platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          },
        ],
      }),
    },
  ])('accepts $name', async ({ body }) => {
    const text = JSON.stringify(body)
    expect((await putManifestBytes(registry(), REPO, 'v1', text, body.mediaType as string)).status).toBe(201)
    expect(
      await (await registry().fetch(`/v2/${REPO}/manifests/v1`, { headers: { accept: `${OM}, ${OI}` } })).text(),
    ).toBe(text)
  })
})

describe('PUT: subject, OCI-Subject and what the referrers API reads', () => {
  const subject = { mediaType: OM, digest: sha256('missing subject'), size: 15 }
  const { registry, storage } = useRegistry({ verifyReferences: 'none' })

  it.each([
    {
      name: 'an image with artifactType',
      body: image({ subject, artifactType: 'application/x-sig', annotations: { a: 'b' } }),
      stored: { artifactType: 'application/x-sig', annotations: { a: 'b' } },
    },
    {
      name: 'an image without artifactType (config.mediaType)',
      body: image({ subject }),
      stored: { artifactType: OCI_CONFIG },
    },
    {
      name: 'an index with artifactType',
      body: index({ subject, artifactType: 'application/x-idx' }),
      stored: { artifactType: 'application/x-idx' },
    },
    { name: 'an index without artifactType (none)', body: index({ subject, annotations: {} }), stored: {} },
  ])('stores $name and answers OCI-Subject; the subject need not exist', async ({ body, stored }) => {
    const text = JSON.stringify(body)
    const response = await putManifestBytes(registry(), REPO, 'sig', text, body.mediaType as string)
    expect(response.status).toBe(201)
    expect(response.headers.get('oci-subject')).toBe(subject.digest)
    expect(await storage().listReferrers(REPO, subject.digest)).toEqual([
      { digest: sha256(text), mediaType: body.mediaType, bytes: bytesOf(text), subject: subject.digest, ...stored },
    ])
  })

  it('records no subject for a Docker manifest and sends no OCI-Subject', async () => {
    const body = image({ mediaType: S2, subject })
    const response = await putManifestBytes(registry(), REPO, 'docker', JSON.stringify(body), S2)
    expect(response.status).toBe(201)
    expect(response.headers.get('oci-subject')).toBeNull()
    expect(await storage().listReferrers(REPO, subject.digest)).toEqual([])
  })

  describe('with referrers: false', () => {
    const { registry: plain } = useRegistry({ verifyReferences: 'none', referrers: false })
    it('sends no OCI-Subject', async () => {
      const response = await putManifestBytes(plain(), REPO, 'sig', JSON.stringify(image({ subject })), OM)
      expect(response.status).toBe(201)
      expect(response.headers.get('oci-subject')).toBeNull()
    })
  })
})

describe('PUT: references must exist in the repository (verifyReferences: all)', () => {
  const { registry } = useRegistry()
  const pushImage = async (repository: string, layerCount = 1) => {
    const config = await pushBlob(registry(), repository, '{"os":"linux"}', OCI_CONFIG)
    const layers = []
    for (let i = 0; i < layerCount; i += 1) layers.push(await pushBlob(registry(), repository, `layer ${i}`, OCI_LAYER))
    return image({ config, layers })
  }

  it('accepts an image whose blobs are linked here', async () => {
    expect((await putManifestBytes(registry(), REPO, 'v1', JSON.stringify(await pushImage(REPO)), OM)).status).toBe(201)
  })

  it('lists every missing digest once, in order, as MANIFEST_BLOB_UNKNOWN', async () => {
    const missing = (name: string) => ({ mediaType: OCI_LAYER, digest: sha256(name), size: name.length })
    const body = image({
      config: { ...missing('cfg'), mediaType: OCI_CONFIG },
      layers: [missing('one'), missing('two'), missing('one')],
    })
    const response = await putManifestBytes(registry(), REPO, 'v1', JSON.stringify(body), OM)
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual([
      blobUnknown(sha256('cfg')),
      blobUnknown(sha256('one')),
      blobUnknown(sha256('two')),
    ])
    expect((await registry().fetch(`/v2/${REPO}/manifests/v1`, { headers: { accept: OM } })).status).toBe(404)
  })

  it('does not see blobs linked only in another repository', async () => {
    const body = await pushImage('other/repo')
    const response = await putManifestBytes(registry(), REPO, 'v1', JSON.stringify(body), OM)
    expect(response.status).toBe(400)
    expect((await errorsOf(response)).map((error) => error.code)).toEqual([
      'MANIFEST_BLOB_UNKNOWN',
      'MANIFEST_BLOB_UNKNOWN',
    ])
  })

  it('refuses a descriptor whose size differs from the stored blob', async () => {
    const body = await pushImage(REPO)
    const layer = (body.layers as Array<{ digest: string; size: number }>)[0]!
    layer.size += 1
    const response = await putManifestBytes(registry(), REPO, 'v1', JSON.stringify(body), OM)
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual(invalid(`descriptor size mismatch for ${layer.digest}`))
  })

  it.each([
    {
      name: 'an OCI nondistributable layer with urls',
      layer: {
        mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
        urls: ['https://example.com/l'],
      },
      status: 201,
    },
    {
      name: 'a +zstd nondistributable layer with urls',
      layer: {
        mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
        urls: ['https://example.com/l'],
      },
      status: 201,
    },
    {
      name: 'a Docker foreign layer with urls',
      layer: {
        mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
        urls: ['https://example.com/l'],
      },
      status: 201,
    },
    {
      name: 'a nondistributable layer without urls',
      layer: { mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar' },
      status: 400,
    },
    {
      name: 'a nondistributable layer with empty urls',
      layer: { mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar', urls: [] },
      status: 400,
    },
    {
      name: 'a regular layer with urls',
      layer: { mediaType: OCI_LAYER, urls: ['https://example.com/l'] },
      status: 400,
    },
  ])('$name: $status', async ({ layer, status }) => {
    const body = await pushImage(REPO, 0)
    const foreign = { digest: sha256('elsewhere'), size: 9, ...layer }
    const response = await putManifestBytes(registry(), REPO, 'v1', JSON.stringify({ ...body, layers: [foreign] }), OM)
    expect(response.status).toBe(status)
    if (status === 400) expect(await errorsOf(response)).toEqual([blobUnknown(foreign.digest)])
  })

  it('accepts an index whose children are manifests or blobs here, refuses one whose child is missing', async () => {
    const child = JSON.stringify(await pushImage(REPO))
    expect((await putManifestBytes(registry(), REPO, sha256(child), child, OM)).status).toBe(201)
    const cache = await pushBlob(registry(), REPO, 'buildkit cache blob', 'application/vnd.buildkit.cacheconfig.v0')
    const entries = [{ mediaType: OM, digest: sha256(child), size: Buffer.byteLength(child) }, cache]
    expect(
      (await putManifestBytes(registry(), REPO, 'idx', JSON.stringify(index({ manifests: entries })), OI)).status,
    ).toBe(201)

    const missing = { mediaType: OM, digest: sha256('no such child'), size: 13 }
    const response = await putManifestBytes(
      registry(),
      REPO,
      'idx2',
      JSON.stringify(index({ manifests: [...entries, missing] })),
      OI,
    )
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual([blobUnknown(missing.digest)])
  })

  it('refuses an index child whose size differs from the stored manifest', async () => {
    const child = JSON.stringify(await pushImage(REPO))
    await putManifestBytes(registry(), REPO, sha256(child), child, OM)
    const entry = { mediaType: OM, digest: sha256(child), size: Buffer.byteLength(child) + 1 }
    const response = await putManifestBytes(registry(), REPO, 'idx', JSON.stringify(index({ manifests: [entry] })), OI)
    expect(await errorsOf(response)).toEqual(invalid(`descriptor size mismatch for ${entry.digest}`))
  })

  it('never checks the subject', async () => {
    const body = { ...(await pushImage(REPO)), subject: { mediaType: OM, digest: sha256('absent'), size: 6 } }
    expect((await putManifestBytes(registry(), REPO, 'sig', JSON.stringify(body), OM)).status).toBe(201)
  })

  it('counts a digest of an algorithm the registry cannot compute as missing', async () => {
    const body = { ...(await pushImage(REPO, 0)), layers: [{ mediaType: OCI_LAYER, digest: 'foo:bar', size: 1 }] }
    expect(await errorsOf(await putManifestBytes(registry(), REPO, 'v1', JSON.stringify(body), OM))).toEqual([
      blobUnknown('foo:bar'),
    ])
  })
})

describe('PUT: verifyReferences blobs and none', () => {
  const missingChild = index({ manifests: [{ mediaType: OM, digest: sha256('absent'), size: 6 }] })
  const missingBlobs = image()

  describe('blobs', () => {
    const { registry } = useRegistry({ verifyReferences: 'blobs' })
    it('skips index children but checks image blobs', async () => {
      expect((await putManifestBytes(registry(), REPO, 'idx', JSON.stringify(missingChild), OI)).status).toBe(201)
      expect((await putManifestBytes(registry(), REPO, 'img', JSON.stringify(missingBlobs), OM)).status).toBe(400)
    })
  })

  describe('none', () => {
    const { registry } = useRegistry({ verifyReferences: 'none' })
    it('checks nothing', async () => {
      expect((await putManifestBytes(registry(), REPO, 'idx', JSON.stringify(missingChild), OI)).status).toBe(201)
      expect((await putManifestBytes(registry(), REPO, 'img', JSON.stringify(missingBlobs), OM)).status).toBe(201)
    })
  })
})

describe('DELETE /v2/<name>/manifests/<reference>', () => {
  const { registry } = useRegistry({ verifyReferences: 'none' })
  const body = JSON.stringify(image())
  const digest = sha256(body)
  const get = (reference: string) => registry().fetch(`/v2/${REPO}/manifests/${reference}`, { headers: { accept: OM } })
  beforeEach(async () => {
    for (const tag of ['a', 'b']) await putManifestBytes(registry(), REPO, tag, body, OM)
  })

  it('deletes a manifest by digest with its tags: 202, Content-Length 0', async () => {
    const response = await registry().fetch(`/v2/${REPO}/manifests/${digest}`, { method: 'DELETE' })
    expect(response.status).toBe(202)
    expect(response.headers.get('content-length')).toBe('0')
    expect(await response.text()).toBe('')
    for (const reference of [digest, 'a', 'b']) expect((await get(reference)).status).toBe(404)
  })

  it('deletes only the tag by tag', async () => {
    expect((await registry().fetch(`/v2/${REPO}/manifests/a`, { method: 'DELETE' })).status).toBe(202)
    expect(await errorsOf(await get('a'))).toEqual([
      { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { tag: 'a' } },
    ])
    expect((await get('b')).status).toBe(200)
    expect((await get(digest)).status).toBe(200)
  })

  it.each([
    {
      name: 'an unknown tag',
      path: `/v2/${REPO}/manifests/zzz`,
      status: 404,
      error: { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { tag: 'zzz' } },
    },
    {
      name: 'a malformed tag',
      path: `/v2/${REPO}/manifests/-a`,
      status: 404,
      error: { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { tag: '-a' } },
    },
    {
      name: 'an unknown digest',
      path: `/v2/${REPO}/manifests/${sha256('x')}`,
      status: 404,
      error: { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { digest: sha256('x') } },
    },
    {
      name: 'a malformed digest',
      path: `/v2/${REPO}/manifests/sha256:x`,
      status: 400,
      error: {
        code: 'DIGEST_INVALID',
        message: 'provided digest did not match uploaded content',
        detail: { digest: 'sha256:x' },
      },
    },
    {
      name: 'an unknown repository',
      path: `/v2/no/repo/manifests/a`,
      status: 404,
      error: { code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name: 'no/repo' } },
    },
  ])('answers $name with $status $error.code', async ({ path, status, error }) => {
    const response = await registry().fetch(path, { method: 'DELETE' })
    expect(response.status).toBe(status)
    expect(await errorsOf(response)).toEqual([error])
  })

  describe('with deletes: false', () => {
    const { registry: locked } = useRegistry({ verifyReferences: 'none', deletes: false })
    it.each(['a', digest])(
      'answers DELETE of %s with 405 UNSUPPORTED and Allow, and keeps the manifest',
      async (reference) => {
        await putManifestBytes(locked(), REPO, 'a', body, OM)
        const response = await locked().fetch(`/v2/${REPO}/manifests/${reference}`, { method: 'DELETE' })
        expect(response.status).toBe(405)
        expect(response.headers.get('allow')).toBe('GET, HEAD, PUT')
        expect(await errorsOf(response)).toEqual([
          {
            code: 'UNSUPPORTED',
            message: 'The operation is unsupported.',
            detail: 'deletes are disabled: createFakeRegistry({ deletes: true }) enables them',
          },
        ])
        expect((await locked().fetch(`/v2/${REPO}/manifests/a`, { headers: { accept: OM } })).status).toBe(200)
      },
    )
  })
})

describe('PUT of kinds that need no Accept: a Docker list', () => {
  const { registry } = useRegistry({ verifyReferences: 'none' })
  it('stores a DL and serves it by digest as DL', async () => {
    const body = JSON.stringify({ schemaVersion: 2, mediaType: DL, manifests: [] })
    expect((await putManifestBytes(registry(), REPO, sha256(body), body, DL)).status).toBe(201)
    const fetched = await registry().fetch(`/v2/${REPO}/manifests/${sha256(body)}`)
    expect(fetched.headers.get('content-type')).toBe(DL)
    expect(await fetched.text()).toBe(body)
  })
})
