import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, memoryStorage, type FakeRegistry } from '../../src/index.js'
import { errorsOf, pushBlob, sha256 } from '../support/push.js'

const REPO = 'team/app'
const EMPTY_DIGEST = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
const UPLOAD_PATH = /^\/v2\/team\/app\/blobs\/uploads\/([0-9a-f-]{36})$/

function sha512(text: string): string {
  return `sha512:${createHash('sha512').update(text).digest('hex')}`
}

/** A request body that sends `text`, then fails as a client that drops the connection. */
function failingBody(text: string): ReadableStream<Uint8Array> {
  let sent = false
  // Erroring in the pull after the one that enqueued: an error in the same call would discard
  // the queued bytes before the registry read them.
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) controller.error(new Error('connection reset by client'))
      else controller.enqueue(new TextEncoder().encode(text))
      sent = true
    },
  })
}

// A streamed body needs `duplex: 'half'`, which TypeScript's RequestInit does not declare yet.
function streamed(method: string, body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}): RequestInit {
  return { method, body, headers, duplex: 'half' } as RequestInit
}

async function startSession(registry: FakeRegistry, repository = REPO): Promise<string> {
  const response = await registry.fetch(`/v2/${repository}/blobs/uploads/`, { method: 'POST' })
  expect(response.status).toBe(202)
  return response.headers.get('location') ?? ''
}

async function patch(
  registry: FakeRegistry,
  location: string,
  chunk: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return registry.fetch(location, {
    method: 'PATCH',
    headers: { 'content-type': 'application/octet-stream', ...headers },
    body: chunk,
  })
}

async function status(registry: FakeRegistry, location: string): Promise<Response> {
  return registry.fetch(location)
}

/** A session that already holds `chunk`. */
async function sessionWith(registry: FakeRegistry, chunk: string): Promise<string> {
  const location = await startSession(registry)
  await patch(registry, location, chunk)
  return location
}

async function blobStatus(registry: FakeRegistry, digest: string, repository = REPO): Promise<number> {
  return (await registry.fetch(`/v2/${repository}/blobs/${digest}`, { method: 'HEAD' })).status
}

async function blobText(registry: FakeRegistry, digest: string): Promise<string> {
  return (await registry.fetch(`/v2/${REPO}/blobs/${digest}`)).text()
}

/** Every header of a 201 that stored a blob. */
function createdHeaders(digest: string): Record<string, string> {
  return {
    'content-length': '0',
    'docker-content-digest': digest,
    'docker-distribution-api-version': 'registry/2.0',
    location: `/v2/${REPO}/blobs/${digest}`,
  }
}

/** Every header of a 202 that opened or advanced a session. */
function acceptedHeaders(id: string | undefined, location: string, range: string): Record<string, string | undefined> {
  return {
    'content-length': '0',
    'docker-distribution-api-version': 'registry/2.0',
    'docker-upload-uuid': id,
    location,
    range,
  }
}

function digestInvalid(detail: unknown): Array<{ code: string; message: string; detail: unknown }> {
  return [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content', detail }]
}

describe('blob uploads', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
  })
  afterEach(() => registry.close())

  describe('POST /v2/<name>/blobs/uploads/ (session)', () => {
    it('answers 202 with Location, Docker-Upload-UUID, Range 0-0 and no body', async () => {
      const response = await registry.fetch(`/v2/${REPO}/blobs/uploads/`, {
        method: 'POST',
        headers: { 'content-length': '0' },
      })
      expect(response.status).toBe(202)
      const location = response.headers.get('location') ?? ''
      const id = UPLOAD_PATH.exec(location)?.[1]
      expect(id).toBeDefined()
      expect(Object.fromEntries(response.headers)).toEqual(acceptedHeaders(id, location, '0-0'))
      expect(await response.text()).toBe('')
    })

    it('accepts the route without its trailing slash and gives every session its own id', async () => {
      const first = await registry.fetch(`/v2/${REPO}/blobs/uploads`, { method: 'POST' })
      const second = await registry.fetch(`/v2/${REPO}/blobs/uploads/`, { method: 'POST' })
      expect(first.status).toBe(202)
      expect(first.headers.get('location')).toMatch(UPLOAD_PATH)
      expect(first.headers.get('docker-upload-uuid')).not.toBe(second.headers.get('docker-upload-uuid'))
    })
  })

  describe('GET /v2/<name>/blobs/uploads/<uuid> (status)', () => {
    it('answers 204 with Range, Location and Docker-Upload-UUID', async () => {
      const location = await startSession(registry)
      const id = UPLOAD_PATH.exec(location)?.[1]
      const fresh = await status(registry, location)
      expect(fresh.status).toBe(204)
      expect(Object.fromEntries(fresh.headers)).toEqual({
        'docker-distribution-api-version': 'registry/2.0',
        'docker-upload-uuid': id,
        location,
        range: '0-0',
      })
      await patch(registry, location, 'abcde')
      expect((await status(registry, location)).headers.get('range')).toBe('0-4')
    })
  })

  describe('chunked upload: POST, PATCH…, PUT', () => {
    it('appends chunks in order, reports Range after each, and commits with the last chunk in PUT', async () => {
      let location = await startSession(registry)
      const id = UPLOAD_PATH.exec(location)?.[1]
      const steps: Array<[string, Record<string, string>, string]> = [
        ['abc', { 'content-range': '0-2', 'content-length': '3' }, '0-2'],
        ['defg', {}, '0-6'],
        ['', {}, '0-6'],
        ['hi', { 'content-range': '7-8' }, '0-8'],
      ]
      for (const [chunk, headers, range] of steps) {
        const response = await patch(registry, location, chunk, headers)
        expect(response.status).toBe(202)
        expect(Object.fromEntries(response.headers)).toEqual(acceptedHeaders(id, location, range))
        expect(await response.text()).toBe('')
        location = response.headers.get('location') ?? ''
      }
      const digest = sha256('abcdefghij')
      const put = await registry.fetch(`${location}?digest=${digest}`, {
        method: 'PUT',
        headers: { 'content-range': '9-9', 'content-length': '1' },
        body: 'j',
      })
      expect(put.status).toBe(201)
      expect(Object.fromEntries(put.headers)).toEqual(createdHeaders(digest))
      expect(await put.text()).toBe('')

      const blob = await registry.fetch(`/v2/${REPO}/blobs/${digest}`)
      expect(await blob.text()).toBe('abcdefghij')
      const ended = await status(registry, location)
      expect(ended.status).toBe(404)
      expect(await errorsOf(ended)).toEqual([
        { code: 'BLOB_UPLOAD_UNKNOWN', message: 'blob upload unknown to registry', detail: { uuid: id } },
      ])
    })

    it('commits with an empty PUT after the last PATCH', async () => {
      const location = await sessionWith(registry, 'first ')
      await patch(registry, location, 'second')
      const digest = sha256('first second')
      const put = await registry.fetch(`${location}?digest=${digest}`, { method: 'PUT' })
      expect(put.status).toBe(201)
      expect(await blobText(registry, digest)).toBe('first second')
    })

    it('commits a whole blob sent in the PUT (POST then PUT)', async () => {
      const location = await startSession(registry)
      const digest = sha256('monolithic body')
      const put = await registry.fetch(`${location}?digest=${digest}`, {
        method: 'PUT',
        headers: { 'content-length': '15' },
        body: 'monolithic body',
      })
      expect(put.status).toBe(201)
      expect(put.headers.get('docker-content-digest')).toBe(digest)
      expect(await blobText(registry, digest)).toBe('monolithic body')
    })

    it('commits a zero-length blob from a session with no chunks', async () => {
      const location = await startSession(registry)
      const put = await registry.fetch(`${location}?digest=${EMPTY_DIGEST}`, { method: 'PUT' })
      expect(put.status).toBe(201)
      const head = await registry.fetch(`/v2/${REPO}/blobs/${EMPTY_DIGEST}`, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.headers.get('content-length')).toBe('0')
    })

    it('verifies a sha512 digest by rereading the session', async () => {
      const location = await sessionWith(registry, 'five ')
      await patch(registry, location, 'twelve')
      const digest = sha512('five twelve')
      const put = await registry.fetch(`${location}?digest=${digest}`, { method: 'PUT' })
      expect(put.status).toBe(201)
      expect(put.headers.get('location')).toBe(`/v2/${REPO}/blobs/${digest}`)
      expect(await blobText(registry, digest)).toBe('five twelve')
    })

    it('verifies every digest when several are given, and stores the blob under the first', async () => {
      const location = await startSession(registry)
      const put = await registry.fetch(`${location}?digest=${sha256('both')}&digest=${sha512('both')}`, {
        method: 'PUT',
        body: 'both',
      })
      expect(put.status).toBe(201)
      expect(put.headers.get('docker-content-digest')).toBe(sha256('both'))

      const other = await startSession(registry)
      const wrong = await registry.fetch(`${other}?digest=${sha256('both')}&digest=${sha512('neither')}`, {
        method: 'PUT',
        body: 'both',
      })
      expect(wrong.status).toBe(400)
      expect(await errorsOf(wrong)).toEqual(digestInvalid({ expected: sha512('neither'), actual: sha512('both') }))
    })

    it('rebuilds the digest state of a session this process did not start (storage that outlived it)', async () => {
      const storage = memoryStorage()
      await using first = await createFakeRegistry({ transport: 'none', storage })
      const location = await startSession(first)
      await patch(first, location, 'carried ')
      await using second = await createFakeRegistry({ transport: 'none', storage })
      expect((await patch(second, location, 'over')).headers.get('range')).toBe('0-11')
      const digest = sha256('carried over')
      expect((await second.fetch(`${location}?digest=${digest}`, { method: 'PUT' })).status).toBe(201)
      expect(await blobText(second, digest)).toBe('carried over')
    })
  })

  describe('out-of-order and malformed chunks', () => {
    it.each<[string, Record<string, string>, string, string]>([
      ['restarts at 0', { 'content-range': '0-1' }, 'de', 'the next chunk must start at byte 3'],
      ['leaves a gap', { 'content-range': '4-5' }, 'de', 'the next chunk must start at byte 3'],
      ['overlaps', { 'content-range': '2-3' }, 'de', 'the next chunk must start at byte 3'],
      ['is reversed', { 'content-range': '4-3' }, 'de', 'Content-Range must be <start>-<end>, both inclusive'],
      [
        'uses the HTTP unit',
        { 'content-range': 'bytes 3-4/5' },
        'de',
        'Content-Range must be <start>-<end>, both inclusive',
      ],
      [
        'uses the Range syntax',
        { 'content-range': 'bytes=3-4' },
        'de',
        'Content-Range must be <start>-<end>, both inclusive',
      ],
      ['has no end', { 'content-range': '3-' }, 'de', 'Content-Range must be <start>-<end>, both inclusive'],
      ['is not numeric', { 'content-range': 'x-y' }, 'de', 'Content-Range must be <start>-<end>, both inclusive'],
      [
        'disagrees with Content-Length',
        { 'content-range': '3-4', 'content-length': '3' },
        'de',
        'Content-Range covers 2 bytes but Content-Length is 3',
      ],
      [
        'covers more than the body',
        { 'content-range': '3-5' },
        'de',
        'Content-Range covers 3 bytes but the body has 2',
      ],
      ['covers less than the body', { 'content-range': '3-3' }, 'de', 'Content-Range covers 1 byte but the body has 2'],
    ])(
      'answers a chunk that %s with 416, the Range to resume from, and no change',
      async (_, headers, chunk, reason) => {
        const location = await startSession(registry)
        const id = UPLOAD_PATH.exec(location)?.[1]
        await patch(registry, location, 'abc')

        const response = await patch(registry, location, chunk, headers)
        expect(response.status).toBe(416)
        expect(response.headers.get('range')).toBe('0-2')
        expect(response.headers.get('location')).toBe(location)
        expect(response.headers.get('docker-upload-uuid')).toBe(id)
        expect(await errorsOf(response)).toEqual([
          {
            code: 'BLOB_UPLOAD_INVALID',
            message: 'blob upload invalid',
            detail: { contentRange: headers['content-range'], reason },
          },
        ])

        // The session is as it was, digest state included: resume and commit.
        expect((await status(registry, location)).headers.get('range')).toBe('0-2')
        expect((await patch(registry, location, 'de', { 'content-range': '3-4' })).status).toBe(202)
        const digest = sha256('abcde')
        expect((await registry.fetch(`${location}?digest=${digest}`, { method: 'PUT' })).status).toBe(201)
        expect(await blobText(registry, digest)).toBe('abcde')
      },
    )

    it('answers 416 to a PUT whose final chunk is out of order, and keeps the session', async () => {
      const location = await sessionWith(registry, 'abc')
      const put = await registry.fetch(`${location}?digest=${sha256('abcde')}`, {
        method: 'PUT',
        headers: { 'content-range': '5-6' },
        body: 'de',
      })
      expect(put.status).toBe(416)
      expect(put.headers.get('range')).toBe('0-2')
      expect((await status(registry, location)).status).toBe(204)
    })

    it.each<[string, Record<string, string>, string, unknown]>([
      ['a Content-Length larger than the body', { 'content-length': '5' }, 'abc', { contentLength: 5, received: 3 }],
      // The body arrives as one chunk: reading stops at it, with 3 bytes received.
      ['a Content-Length smaller than the body', { 'content-length': '1' }, 'abc', { contentLength: 1, received: 3 }],
      ['a malformed Content-Length', { 'content-length': 'three' }, 'abc', { contentLength: 'three' }],
    ])('answers a PATCH with %s with 400 SIZE_INVALID and no change', async (_, headers, chunk, detail) => {
      const location = await sessionWith(registry, 'xy')
      const response = await patch(registry, location, chunk, headers)
      expect(response.status).toBe(400)
      expect(await errorsOf(response)).toEqual([
        { code: 'SIZE_INVALID', message: 'provided length did not match content length', detail },
      ])
      expect((await status(registry, location)).headers.get('range')).toBe('0-1')
    })
  })

  describe('a request body that fails midway (client abort)', () => {
    it('answers a PATCH with 400 BLOB_UPLOAD_INVALID and leaves the session as it was', async () => {
      const location = await sessionWith(registry, 'kept')
      const response = await registry.fetch(location, streamed('PATCH', failingBody('lost')))
      expect(response.status).toBe(400)
      expect(await errorsOf(response)).toEqual([
        {
          code: 'BLOB_UPLOAD_INVALID',
          message: 'blob upload invalid',
          detail: 'the request body failed: connection reset by client',
        },
      ])
      expect((await status(registry, location)).headers.get('range')).toBe('0-3')
      // The digest state rolled back too: the stored bytes still verify.
      expect((await registry.fetch(`${location}?digest=${sha256('kept')}`, { method: 'PUT' })).status).toBe(201)
    })

    it('answers a final PUT with 400 BLOB_UPLOAD_INVALID, stores nothing, and keeps the session', async () => {
      const location = await sessionWith(registry, 'kept')
      const digest = sha256('keptlost')
      const response = await registry.fetch(`${location}?digest=${digest}`, streamed('PUT', failingBody('lost')))
      expect(response.status).toBe(400)
      expect((await errorsOf(response))[0]?.code).toBe('BLOB_UPLOAD_INVALID')
      expect(await blobStatus(registry, digest)).toBe(404)
      expect((await status(registry, location)).headers.get('range')).toBe('0-3')
    })

    it('answers a monolithic POST with 400 BLOB_UPLOAD_INVALID and stores nothing', async () => {
      const digest = sha256('lost')
      const response = await registry.fetch(
        `/v2/${REPO}/blobs/uploads/?digest=${digest}`,
        streamed('POST', failingBody('lost')),
      )
      expect(response.status).toBe(400)
      expect((await errorsOf(response))[0]?.code).toBe('BLOB_UPLOAD_INVALID')
      expect(await blobStatus(registry, digest)).toBe(404)
    })
  })

  describe('PUT ?digest= errors', () => {
    it('answers a missing digest with 400 DIGEST_INVALID and keeps the session for a retry', async () => {
      const location = await sessionWith(registry, 'abc')
      const response = await registry.fetch(location, { method: 'PUT', body: 'def' })
      expect(response.status).toBe(400)
      expect(await errorsOf(response)).toEqual(digestInvalid('digest missing'))
      // The body of the rejected PUT was not appended.
      expect((await status(registry, location)).headers.get('range')).toBe('0-2')
      expect((await registry.fetch(`${location}?digest=${sha256('abc')}`, { method: 'PUT' })).status).toBe(201)
    })

    it.each([
      '',
      'sha256:abc',
      `sha256:${'A'.repeat(64)}`,
      `sha384:${'a'.repeat(96)}`,
      `md5:${'a'.repeat(32)}`,
      'sha256',
      'not a digest',
    ])(
      'answers the malformed or unsupported digest %j with 400 DIGEST_INVALID and keeps the session',
      async (digest) => {
        const location = await sessionWith(registry, 'abc')
        const response = await registry.fetch(`${location}?digest=${encodeURIComponent(digest)}`, {
          method: 'PUT',
          body: 'def',
        })
        expect(response.status).toBe(400)
        expect(await errorsOf(response)).toEqual(digestInvalid({ digest }))
        expect((await status(registry, location)).headers.get('range')).toBe('0-2')
      },
    )

    it.each([
      ['sha256', sha256('something else')],
      ['sha512', sha512('something else')],
    ])('answers a %s mismatch with 400 DIGEST_INVALID, ends the session and stores nothing', async (_, digest) => {
      const location = await sessionWith(registry, 'abc')
      const response = await registry.fetch(`${location}?digest=${digest}`, { method: 'PUT', body: 'def' })
      expect(response.status).toBe(400)
      const actual = digest.startsWith('sha512:') ? sha512('abcdef') : sha256('abcdef')
      expect(await errorsOf(response)).toEqual(digestInvalid({ expected: digest, actual }))
      expect((await status(registry, location)).status).toBe(404)
      expect(await blobStatus(registry, digest)).toBe(404)
      expect(await blobStatus(registry, sha256('abcdef'))).toBe(404)
    })
  })

  describe('POST ?digest= (monolithic)', () => {
    it('answers 201 with Location and Docker-Content-Digest and stores the bytes', async () => {
      const digest = sha256('one request')
      const response = await registry.fetch(`/v2/${REPO}/blobs/uploads/?digest=${digest}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'content-length': '11' },
        body: 'one request',
      })
      expect(response.status).toBe(201)
      expect(Object.fromEntries(response.headers)).toEqual(createdHeaders(digest))
      expect(await blobText(registry, digest)).toBe('one request')
    })

    it('stores a zero-length blob sent with no body', async () => {
      const response = await registry.fetch(`/v2/${REPO}/blobs/uploads/?digest=${EMPTY_DIGEST}`, { method: 'POST' })
      expect(response.status).toBe(201)
      expect(await blobStatus(registry, EMPTY_DIGEST)).toBe(200)
    })

    it('answers a digest mismatch with 400 DIGEST_INVALID and stores nothing', async () => {
      const digest = sha256('expected')
      const response = await registry.fetch(`/v2/${REPO}/blobs/uploads/?digest=${digest}`, {
        method: 'POST',
        body: 'actual',
      })
      expect(response.status).toBe(400)
      expect(await errorsOf(response)).toEqual(digestInvalid({ expected: digest, actual: sha256('actual') }))
      expect(await blobStatus(registry, digest)).toBe(404)
      expect(await blobStatus(registry, sha256('actual'))).toBe(404)
      expect(await registry.fetch('/v2/_catalog').then((r) => r.status)).not.toBe(500)
    })

    it.each(['', 'sha256:abc', `sha256:${'G'.repeat(64)}`, `sha384:${'a'.repeat(96)}`, 'nope'])(
      'answers the malformed or unsupported digest %j with 400 DIGEST_INVALID',
      async (digest) => {
        const response = await registry.fetch(`/v2/${REPO}/blobs/uploads/?digest=${encodeURIComponent(digest)}`, {
          method: 'POST',
          body: 'abc',
        })
        expect(response.status).toBe(400)
        expect(await errorsOf(response)).toEqual(digestInvalid({ digest }))
        expect(await blobStatus(registry, sha256('abc'))).toBe(404)
      },
    )

    it('answers a body longer than Content-Length with 400 SIZE_INVALID and stores nothing', async () => {
      const digest = sha256('abcdef')
      const response = await registry.fetch(`/v2/${REPO}/blobs/uploads/?digest=${digest}`, {
        method: 'POST',
        headers: { 'content-length': '3' },
        body: 'abcdef',
      })
      expect(response.status).toBe(400)
      expect((await errorsOf(response))[0]?.code).toBe('SIZE_INVALID')
      expect(await blobStatus(registry, digest)).toBe(404)
    })
  })

  describe('POST ?mount= (cross-repository mount)', () => {
    const digest = sha256('shared layer')
    beforeEach(async () => {
      await pushBlob(registry, 'team/source', 'shared layer')
    })

    it('links a blob from another repository: 201 with Location and Docker-Content-Digest', async () => {
      const response = await registry.fetch(`/v2/${REPO}/blobs/uploads/?mount=${digest}&from=team/source`, {
        method: 'POST',
        headers: { 'content-length': '0' },
      })
      expect(response.status).toBe(201)
      expect(Object.fromEntries(response.headers)).toEqual(createdHeaders(digest))
      expect(await blobText(registry, digest)).toBe('shared layer')
      // Each repository now holds its own link: deleting one leaves the other.
      expect((await registry.fetch(`/v2/team/source/blobs/${digest}`, { method: 'DELETE' })).status).toBe(202)
      expect(await blobStatus(registry, digest)).toBe(200)
    })

    it('mounts automatically without from when the blob is stored in any repository', async () => {
      const response = await registry.fetch(`/v2/${REPO}/blobs/uploads/?mount=${digest}`, { method: 'POST' })
      expect(response.status).toBe(201)
      expect(response.headers.get('location')).toBe(`/v2/${REPO}/blobs/${digest}`)
      expect(await blobStatus(registry, digest)).toBe(200)
    })

    it('opens a session (202) for a mount without from when automaticMount is off', async () => {
      await using strictMounts = await createFakeRegistry({ transport: 'none', automaticMount: false })
      await pushBlob(strictMounts, 'team/source', 'shared layer')
      const response = await strictMounts.fetch(`/v2/${REPO}/blobs/uploads/?mount=${digest}`, { method: 'POST' })
      expect(response.status).toBe(202)
      expect(response.headers.get('location')).toMatch(UPLOAD_PATH)
      expect(await blobStatus(strictMounts, digest)).toBe(404)
      // With from, the mount is explicit and still honoured.
      const explicit = await strictMounts.fetch(`/v2/${REPO}/blobs/uploads/?mount=${digest}&from=team/source`, {
        method: 'POST',
      })
      expect(explicit.status).toBe(201)
    })

    it.each<[string, string]>([
      ['the source does not link the blob', `mount=${digest}&from=team/elsewhere`],
      ['the blob is stored nowhere', `mount=${sha256('absent')}&from=team/source`],
      ['the blob is stored nowhere (no from)', `mount=${sha256('absent')}`],
      ['from is not a repository name', `mount=${digest}&from=Team/Source`],
      ['from is empty', `mount=${digest}&from=`],
      ['the digest is malformed', `mount=sha256:abc&from=team/source`],
      ['the digest algorithm is unsupported', `mount=sha384:${'a'.repeat(96)}&from=team/source`],
      ['the digest is empty', 'mount=&from=team/source'],
    ])('falls back to a new session (202) when %s', async (_, query) => {
      const response = await registry.fetch(`/v2/${REPO}/blobs/uploads/?${query}`, { method: 'POST' })
      expect(response.status).toBe(202)
      const location = response.headers.get('location') ?? ''
      expect(location).toMatch(UPLOAD_PATH)
      expect(response.headers.get('range')).toBe('0-0')
      expect(await blobStatus(registry, digest)).toBe(404)
      // The session is a real one.
      expect((await status(registry, location)).status).toBe(204)
    })

    it('falls back to a monolithic upload when the mount fails and a digest is given', async () => {
      const own = sha256('own bytes')
      const response = await registry.fetch(`/v2/${REPO}/blobs/uploads/?mount=${own}&from=team/source&digest=${own}`, {
        method: 'POST',
        body: 'own bytes',
      })
      expect(response.status).toBe(201)
      expect(await blobText(registry, own)).toBe('own bytes')
    })
  })

  describe('DELETE /v2/<name>/blobs/uploads/<uuid> (cancel)', () => {
    it('answers 204 and leaves nothing visible', async () => {
      const location = await startSession(registry)
      const id = UPLOAD_PATH.exec(location)?.[1]
      await patch(registry, location, 'abandoned')
      const response = await registry.fetch(location, { method: 'DELETE' })
      expect(response.status).toBe(204)
      expect(response.headers.get('docker-upload-uuid')).toBe(id)
      expect(await response.text()).toBe('')

      for (const method of ['GET', 'PATCH', 'DELETE']) {
        const after = await registry.fetch(location, { method })
        expect(after.status, method).toBe(404)
        expect((await errorsOf(after))[0]?.code, method).toBe('BLOB_UPLOAD_UNKNOWN')
      }
      const put = await registry.fetch(`${location}?digest=${sha256('abandoned')}`, { method: 'PUT' })
      expect(put.status).toBe(404)
      expect(await blobStatus(registry, sha256('abandoned'))).toBe(404)
    })
  })

  describe('unknown sessions', () => {
    it.each([
      'f47ac10b-58cc-4372-a567-0e02b2c3d479',
      'not-a-session',
      '.hidden',
      'a%20b',
      'a%2Fb',
      'a;b',
      'x'.repeat(300),
      '%00',
    ])('answers GET, PATCH, PUT and DELETE of the session %j with 404 BLOB_UPLOAD_UNKNOWN', async (uuid) => {
      for (const method of ['GET', 'PATCH', 'PUT', 'DELETE']) {
        const query = method === 'PUT' ? `?digest=${sha256('x')}` : ''
        const response = await registry.fetch(`/v2/${REPO}/blobs/uploads/${uuid}${query}`, {
          method,
          ...(method === 'PATCH' || method === 'PUT' ? { body: 'x' } : {}),
        })
        expect(response.status, method).toBe(404)
        // The path parameter is percent-decoded once: the detail names the session id it spells.
        const detail = { uuid: decodeURIComponent(uuid) }
        expect(await errorsOf(response), method).toEqual([
          { code: 'BLOB_UPLOAD_UNKNOWN', message: 'blob upload unknown to registry', detail },
        ])
      }
    })

    it('answers a session used under another repository with 404 BLOB_UPLOAD_UNKNOWN and leaves it untouched', async () => {
      const location = await sessionWith(registry, 'abc')
      const foreign = location.replace('/team/app/', '/team/other/')
      for (const method of ['GET', 'PATCH', 'PUT', 'DELETE']) {
        const response = await registry.fetch(method === 'PUT' ? `${foreign}?digest=${sha256('abc')}` : foreign, {
          method,
          ...(method === 'PATCH' ? { body: 'def' } : {}),
        })
        expect(response.status, method).toBe(404)
        expect((await errorsOf(response))[0]?.code, method).toBe('BLOB_UPLOAD_UNKNOWN')
      }
      expect(await blobStatus(registry, sha256('abc'), 'team/other')).toBe(404)
      expect((await status(registry, location)).headers.get('range')).toBe('0-2')
      expect((await registry.fetch(`${location}?digest=${sha256('abc')}`, { method: 'PUT' })).status).toBe(201)
    })
  })

  it('never answers 500 to a sweep of bad upload requests', async () => {
    const location = await startSession(registry)
    const paths = [
      location,
      `${location}?digest=`,
      `${location}?digest=sha256:zz`,
      `/v2/${REPO}/blobs/uploads/`,
      `/v2/${REPO}/blobs/uploads/?mount=x&from=..`,
      `/v2/${REPO}/blobs/uploads/%ff`,
    ]
    const headerSets: Array<Record<string, string>> = [
      {},
      { 'content-range': '-1-5' },
      { 'content-range': '99999999999999999999-99999999999999999999' },
      { 'content-length': '-1' },
      { 'content-length': '1e3' },
      { 'content-range': '0-0', 'content-length': '0' },
    ]
    for (const path of paths) {
      for (const method of ['GET', 'POST', 'PATCH', 'PUT', 'DELETE']) {
        for (const headers of headerSets) {
          const hasBody = method !== 'GET'
          const response = await registry.fetch(path, { method, headers, ...(hasBody ? { body: 'xyz' } : {}) })
          expect(response.status, `${method} ${path} ${JSON.stringify(headers)}`).toBeLessThan(500)
          await response.arrayBuffer()
        }
      }
    }
  })
})

describe('uploads over the http transport', () => {
  it('takes a chunked upload through a loopback socket, 416 included', async () => {
    await using registry = await createFakeRegistry({ transport: 'http' })
    const started = await fetch(`${registry.url}/v2/${REPO}/blobs/uploads/`, { method: 'POST' })
    expect(started.status).toBe(202)
    let location = started.headers.get('location') ?? ''
    const first = await fetch(`${registry.url}${location}`, {
      method: 'PATCH',
      headers: { 'content-range': '0-4' },
      body: 'hello',
    })
    expect(first.status).toBe(202)
    expect(first.headers.get('range')).toBe('0-4')
    location = first.headers.get('location') ?? ''

    const outOfOrder = await fetch(`${registry.url}${location}`, {
      method: 'PATCH',
      headers: { 'content-range': '9-14' },
      body: ' world',
    })
    expect(outOfOrder.status).toBe(416)
    expect(outOfOrder.headers.get('range')).toBe('0-4')
    await outOfOrder.arrayBuffer()

    const digest = sha256('hello world')
    const put = await fetch(`${registry.url}${location}?digest=${digest}`, {
      method: 'PUT',
      headers: { 'content-range': '5-10' },
      body: ' world',
    })
    expect(put.status).toBe(201)
    expect(put.headers.get('location')).toBe(`/v2/${REPO}/blobs/${digest}`)
    expect(await (await fetch(`${registry.url}/v2/${REPO}/blobs/${digest}`)).text()).toBe('hello world')
  })

  it('streams a multi-megabyte monolithic upload and verifies it', async () => {
    await using registry = await createFakeRegistry({ transport: 'http' })
    const bytes = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) % 251)
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    const response = await fetch(`${registry.url}/v2/${REPO}/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      body: bytes,
    })
    expect(response.status).toBe(201)
    const back = new Uint8Array(await (await fetch(`${registry.url}/v2/${REPO}/blobs/${digest}`)).arrayBuffer())
    expect(back.byteLength).toBe(bytes.byteLength)
    expect(Buffer.compare(back, bytes)).toBe(0)
  })
})
