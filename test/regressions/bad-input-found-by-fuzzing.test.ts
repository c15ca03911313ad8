// Regressions found by the property tests in test/fuzz/: each once answered 500 UNKNOWN.
import { describe, expect, it } from 'vitest'
import { createFakeRegistry } from '../../src/index.js'
import { errorsOf, MediaTypes, pushImageContent } from '../support/push.js'

describe('bad input that once reached the core as a 500', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty'])(
    'answers the method %j with 405 UNSUPPORTED, not a crash',
    async (method) => {
      await using registry = await createFakeRegistry({ transport: 'none' })
      const response = await registry.fetch('/v2/', { method })
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe('GET, HEAD')
      expect((await errorsOf(response))[0]?.code).toBe('UNSUPPORTED')
    },
  )

  it('answers a manifest body stream that fails mid-way with 400 MANIFEST_INVALID and stores nothing', async () => {
    await using registry = await createFakeRegistry({ transport: 'none' })
    const manifest = new TextEncoder().encode(JSON.stringify(await pushImageContent(registry, 'team/app')))
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(manifest.subarray(0, 10))
        controller.error(new Error('connection reset by peer'))
      },
    })
    const response = await registry.fetch('/v2/team/app/manifests/broken', {
      method: 'PUT',
      headers: { 'content-type': MediaTypes.OM },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(400)
    expect(await errorsOf(response)).toEqual([
      {
        code: 'MANIFEST_INVALID',
        message: 'manifest invalid',
        detail: 'failed to read manifest payload: connection reset by peer',
      },
    ])
    expect((await registry.fetch('/v2/team/app/manifests/broken', { headers: { accept: MediaTypes.OM } })).status).toBe(
      404,
    )
  })

  it('stores no subject, and sends no OCI-Subject, for a subject digest that is not a digest (gitlab-legacy with referrers)', async () => {
    await using registry = await createFakeRegistry({ transport: 'none', mode: 'gitlab-legacy', referrers: true })
    const image = await pushImageContent(registry, 'team/app')
    const body = JSON.stringify({ ...image, subject: { mediaType: MediaTypes.OM, digest: 'a\nb', size: 1 } })
    const response = await registry.fetch('/v2/team/app/manifests/odd-subject', {
      method: 'PUT',
      headers: { 'content-type': MediaTypes.OM },
      body: new TextEncoder().encode(body),
    })
    expect(response.status).toBe(201)
    expect(response.headers.get('oci-subject')).toBeNull()
  })
})
