import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { errorsOf, pushBlob, sha256 } from '../support/push.js'

const REPO = 'team/app'
// Pushed in three PATCHes, so ranged reads cross the chunk boundaries storage keeps.
const CHUNKS = ['abc', 'defg', 'hij'] as const
const CONTENT = CHUNKS.join('')
const DIGEST = sha256(CONTENT)
const EMPTY_DIGEST = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

async function pushChunked(registry: FakeRegistry, repository: string, chunks: readonly string[]): Promise<string> {
  const started = await registry.fetch(`/v2/${repository}/blobs/uploads/`, { method: 'POST' })
  let location = started.headers.get('location') ?? ''
  let offset = 0
  for (const chunk of chunks) {
    const end = offset + chunk.length - 1
    const patched = await registry.fetch(location, {
      method: 'PATCH',
      headers: { 'content-range': `${offset}-${end}`, 'content-length': String(chunk.length) },
      body: chunk,
    })
    expect(patched.status).toBe(202)
    location = patched.headers.get('location') ?? ''
    offset = end + 1
  }
  const digest = sha256(chunks.join(''))
  const put = await registry.fetch(`${location}?digest=${digest}`, { method: 'PUT' })
  expect(put.status).toBe(201)
  return digest
}

function headersOf(response: Response): Record<string, string> {
  return Object.fromEntries(response.headers)
}

describe('GET and HEAD /v2/<name>/blobs/<digest>', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    await pushChunked(registry, REPO, CHUNKS)
  })
  afterEach(() => registry.close())

  it('answers GET with 200, the exact bytes and the blob headers', async () => {
    const response = await registry.fetch(`/v2/${REPO}/blobs/${DIGEST}`)
    expect(response.status).toBe(200)
    expect(headersOf(response)).toEqual({
      'accept-ranges': 'bytes',
      'cache-control': 'max-age=31536000',
      'content-length': '10',
      'content-type': 'application/octet-stream',
      'docker-content-digest': DIGEST,
      'docker-distribution-api-version': 'registry/2.0',
      etag: `"${DIGEST}"`,
    })
    expect(await response.text()).toBe(CONTENT)
  })

  it('answers HEAD with the same headers and no body', async () => {
    const response = await registry.fetch(`/v2/${REPO}/blobs/${DIGEST}`, { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe('10')
    expect(response.headers.get('docker-content-digest')).toBe(DIGEST)
    expect(response.headers.get('etag')).toBe(`"${DIGEST}"`)
    expect(await response.text()).toBe('')
  })

  it.each<[string, number, string | null, string]>([
    ['bytes=0-0', 206, 'bytes 0-0/10', 'a'],
    ['bytes=0-2', 206, 'bytes 0-2/10', 'abc'],
    ['bytes=2-5', 206, 'bytes 2-5/10', 'cdef'],
    ['bytes=2-8', 206, 'bytes 2-8/10', 'cdefghi'],
    ['bytes=3-6', 206, 'bytes 3-6/10', 'defg'],
    ['bytes=7-', 206, 'bytes 7-9/10', 'hij'],
    ['bytes=9-', 206, 'bytes 9-9/10', 'j'],
    ['bytes=5-100', 206, 'bytes 5-9/10', 'fghij'],
    ['bytes=-4', 206, 'bytes 6-9/10', 'ghij'],
    ['bytes=-100', 206, 'bytes 0-9/10', CONTENT],
    ['BYTES=1-1', 206, 'bytes 1-1/10', 'b'],
    // malformed or multi-range: ignored, the whole blob
    ['bytes=5-2', 200, null, CONTENT],
    ['bytes=abc', 200, null, CONTENT],
    ['bytes=-', 200, null, CONTENT],
    ['bytes 0-1', 200, null, CONTENT],
    ['items=0-1', 200, null, CONTENT],
    ['bytes=0-1,3-4', 200, null, CONTENT],
  ])('answers Range %j with %i, Content-Range %j and the selected bytes', async (range, status, contentRange, body) => {
    const response = await registry.fetch(`/v2/${REPO}/blobs/${DIGEST}`, { headers: { range } })
    expect(response.status).toBe(status)
    expect(response.headers.get('content-range')).toBe(contentRange)
    expect(response.headers.get('content-length')).toBe(String(body.length))
    expect(response.headers.get('accept-ranges')).toBe('bytes')
    expect(await response.text()).toBe(body)
  })

  it('answers a ranged HEAD with 206 headers and no body', async () => {
    const response = await registry.fetch(`/v2/${REPO}/blobs/${DIGEST}`, {
      method: 'HEAD',
      headers: { range: 'bytes=2-5' },
    })
    expect(response.status).toBe(206)
    expect(response.headers.get('content-range')).toBe('bytes 2-5/10')
    expect(response.headers.get('content-length')).toBe('4')
    expect(await response.text()).toBe('')
  })

  it.each(['bytes=10-', 'bytes=10-20', 'bytes=-0', 'bytes=99999999999999999999-'])(
    'answers the unsatisfiable Range %j with 416, Content-Range bytes */10 and the envelope',
    async (range) => {
      const response = await registry.fetch(`/v2/${REPO}/blobs/${DIGEST}`, { headers: { range } })
      expect(response.status).toBe(416)
      expect(response.headers.get('content-range')).toBe('bytes */10')
      expect(response.headers.get('content-type')).toBe('application/json')
      expect(await errorsOf(response)).toEqual([
        { code: 'SIZE_INVALID', message: 'requested range not satisfiable', detail: { range, size: 10 } },
      ])
    },
  )

  it.each<[string, number]>([
    [`"${DIGEST}"`, 304],
    [`W/"${DIGEST}"`, 304],
    ['*', 304],
    [`"sha256:${'0'.repeat(64)}", "${DIGEST}"`, 304],
    [`"sha256:${'0'.repeat(64)}"`, 200],
    [DIGEST, 200],
  ])('answers If-None-Match %j with %i', async (ifNoneMatch, status) => {
    const response = await registry.fetch(`/v2/${REPO}/blobs/${DIGEST}`, { headers: { 'if-none-match': ifNoneMatch } })
    expect(response.status).toBe(status)
    expect(response.headers.get('etag')).toBe(`"${DIGEST}"`)
    expect(await response.text()).toBe(status === 304 ? '' : CONTENT)
  })

  it('evaluates If-None-Match before Range', async () => {
    const response = await registry.fetch(`/v2/${REPO}/blobs/${DIGEST}`, {
      headers: { 'if-none-match': `"${DIGEST}"`, range: 'bytes=0-1' },
    })
    expect(response.status).toBe(304)
    expect(response.headers.get('content-range')).toBeNull()
  })

  it.each([
    'sha256:abc',
    `sha256:${'A'.repeat(64)}`,
    `sha256:${'g'.repeat(64)}`,
    `sha256:${'a'.repeat(63)}`,
    `sha512:${'a'.repeat(64)}`,
    `sha384:${'a'.repeat(96)}`,
    `md5:${'a'.repeat(32)}`,
    'latest',
    'sha256',
    `SHA256:${'a'.repeat(64)}`,
    'a%20b',
  ])(
    'answers GET, HEAD and DELETE of the malformed or unsupported digest %j with 400 DIGEST_INVALID',
    async (digest) => {
      for (const method of ['GET', 'HEAD', 'DELETE']) {
        const response = await registry.fetch(`/v2/${REPO}/blobs/${digest}`, { method })
        expect(response.status, method).toBe(400)
        // The path parameter is percent-decoded once: the detail names the digest it spells.
        const detail = { digest: decodeURIComponent(digest) }
        if (method !== 'HEAD')
          expect(await errorsOf(response)).toEqual([
            { code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content', detail },
          ])
      }
    },
  )

  it('answers 404 BLOB_UNKNOWN for a blob stored nowhere', async () => {
    const digest = sha256('absent')
    const response = await registry.fetch(`/v2/${REPO}/blobs/${digest}`)
    expect(response.status).toBe(404)
    expect(await errorsOf(response)).toEqual([
      { code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: { digest } },
    ])
    const head = await registry.fetch(`/v2/${REPO}/blobs/${digest}`, { method: 'HEAD' })
    expect(head.status).toBe(404)
    expect(await head.text()).toBe('')
  })

  it('answers 404 BLOB_UNKNOWN for a blob stored in another repository only', async () => {
    const response = await registry.fetch(`/v2/team/other/blobs/${DIGEST}`)
    expect(response.status).toBe(404)
    expect((await errorsOf(response))[0]?.code).toBe('BLOB_UNKNOWN')
  })

  it('serves a zero-length blob, and answers 416 to any int-range of it', async () => {
    await pushBlob(registry, REPO, '')
    const response = await registry.fetch(`/v2/${REPO}/blobs/${EMPTY_DIGEST}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe('0')
    expect(response.headers.get('docker-content-digest')).toBe(EMPTY_DIGEST)
    expect(await response.text()).toBe('')

    const ranged = await registry.fetch(`/v2/${REPO}/blobs/${EMPTY_DIGEST}`, { headers: { range: 'bytes=0-' } })
    expect(ranged.status).toBe(416)
    expect(ranged.headers.get('content-range')).toBe('bytes */0')
    const suffix = await registry.fetch(`/v2/${REPO}/blobs/${EMPTY_DIGEST}`, { headers: { range: 'bytes=-5' } })
    expect(suffix.status).toBe(200)
    expect(await suffix.text()).toBe('')
  })

  it('serves a blob pushed under a sha512 digest', async () => {
    const digest = `sha512:${createHash('sha512').update('sha512 content').digest('hex')}`
    const pushed = await registry.fetch(`/v2/${REPO}/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      body: 'sha512 content',
    })
    expect(pushed.status).toBe(201)
    const response = await registry.fetch(`/v2/${REPO}/blobs/${digest}`, { headers: { range: 'bytes=7-' } })
    expect(response.status).toBe(206)
    expect(response.headers.get('docker-content-digest')).toBe(digest)
    expect(await response.text()).toBe('content')
  })

  it('streams a large blob pushed in many chunks byte for byte', async () => {
    const chunks = Array.from({ length: 40 }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(1000 + i))
    const digest = await pushChunked(registry, REPO, chunks)
    const whole = chunks.join('')
    const response = await registry.fetch(`/v2/${REPO}/blobs/${digest}`)
    expect(await response.text()).toBe(whole)
    const ranged = await registry.fetch(`/v2/${REPO}/blobs/${digest}`, { headers: { range: 'bytes=999-5000' } })
    expect(ranged.headers.get('content-range')).toBe(`bytes 999-5000/${whole.length}`)
    expect(await ranged.text()).toBe(whole.slice(999, 5001))
  })
})

describe('DELETE /v2/<name>/blobs/<digest>', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
  })
  afterEach(() => registry.close())

  it('answers 202 with Docker-Content-Digest and unlinks only this repository', async () => {
    await pushBlob(registry, 'team/a', CONTENT)
    await pushBlob(registry, 'team/b', CONTENT)

    const response = await registry.fetch(`/v2/team/a/blobs/${DIGEST}`, { method: 'DELETE' })
    expect(response.status).toBe(202)
    expect(response.headers.get('docker-content-digest')).toBe(DIGEST)
    expect(response.headers.get('content-length')).toBe('0')
    expect(await response.text()).toBe('')

    expect((await registry.fetch(`/v2/team/a/blobs/${DIGEST}`, { method: 'HEAD' })).status).toBe(404)
    const kept = await registry.fetch(`/v2/team/b/blobs/${DIGEST}`)
    expect(kept.status).toBe(200)
    expect(await kept.text()).toBe(CONTENT)
  })

  it('answers 404 BLOB_UNKNOWN for a blob this repository does not link, and for a second delete', async () => {
    await pushBlob(registry, 'team/b', CONTENT)
    const foreign = await registry.fetch(`/v2/team/a/blobs/${DIGEST}`, { method: 'DELETE' })
    expect(foreign.status).toBe(404)
    expect(await errorsOf(foreign)).toEqual([
      { code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: { digest: DIGEST } },
    ])

    expect((await registry.fetch(`/v2/team/b/blobs/${DIGEST}`, { method: 'DELETE' })).status).toBe(202)
    const again = await registry.fetch(`/v2/team/b/blobs/${DIGEST}`, { method: 'DELETE' })
    expect(again.status).toBe(404)
    expect((await errorsOf(again))[0]?.code).toBe('BLOB_UNKNOWN')
  })

  it('answers 405 UNSUPPORTED with Allow when deletes are disabled, and keeps the blob', async () => {
    await using disabled = await createFakeRegistry({ transport: 'none', deletes: false })
    await pushBlob(disabled, REPO, CONTENT)
    const response = await disabled.fetch(`/v2/${REPO}/blobs/${DIGEST}`, { method: 'DELETE' })
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('GET, HEAD')
    expect(await errorsOf(response)).toEqual([
      {
        code: 'UNSUPPORTED',
        message: 'The operation is unsupported.',
        detail: 'deletes are disabled: createFakeRegistry({ deletes: true }) enables them',
      },
    ])
    expect((await disabled.fetch(`/v2/${REPO}/blobs/${DIGEST}`, { method: 'HEAD' })).status).toBe(200)
  })

  // Deletes are refused as a method before the digest is judged, as they are for manifests.
  it.each([`sha256:${'0'.repeat(64)}`, 'sha256:x', 'md5:abc'])(
    'answers DELETE of %s with 405 UNSUPPORTED when deletes are disabled',
    async (digest) => {
      await using disabled = await createFakeRegistry({ transport: 'none', deletes: false })
      const response = await disabled.fetch(`/v2/${REPO}/blobs/${digest}`, { method: 'DELETE' })
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe('GET, HEAD')
      expect(await errorsOf(response)).toEqual([
        {
          code: 'UNSUPPORTED',
          message: 'The operation is unsupported.',
          detail: 'deletes are disabled: createFakeRegistry({ deletes: true }) enables them',
        },
      ])
    },
  )
})

describe('blobs over the http transport', () => {
  it('streams full and ranged reads through a loopback socket', async () => {
    await using registry = await createFakeRegistry({ transport: 'http' })
    await pushChunked(registry, REPO, CHUNKS)
    const full = await fetch(`${registry.url}/v2/${REPO}/blobs/${DIGEST}`)
    expect(full.status).toBe(200)
    expect(full.headers.get('content-length')).toBe('10')
    expect(await full.text()).toBe(CONTENT)

    const ranged = await fetch(`${registry.url}/v2/${REPO}/blobs/${DIGEST}`, { headers: { range: 'bytes=2-8' } })
    expect(ranged.status).toBe(206)
    expect(ranged.headers.get('content-range')).toBe('bytes 2-8/10')
    expect(await ranged.text()).toBe('cdefghi')

    const head = await fetch(`${registry.url}/v2/${REPO}/blobs/${DIGEST}`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe('10')

    const unsatisfiable = await fetch(`${registry.url}/v2/${REPO}/blobs/${DIGEST}`, { headers: { range: 'bytes=10-' } })
    expect(unsatisfiable.status).toBe(416)
    expect(unsatisfiable.headers.get('content-range')).toBe('bytes */10')
    expect((await errorsOf(unsatisfiable))[0]?.code).toBe('SIZE_INVALID')
  })
})
