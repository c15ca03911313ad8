// Regression: the referrers listing answered 500 for a referrer whose annotations were not a
// string map.
//
// The bug. Modes that do not validate a pushed manifest (lenient, gitlab-legacy with
// `referrers: true`) store its `annotations` exactly as the client sent them. The referrers
// listing copied them into each descriptor and serialised the index: an annotation value nested
// 10,000 arrays deep overflowed the stack (`RangeError: Maximum call stack size exceeded`, a
// 500 UNKNOWN), and a shallow non-string value produced a descriptor that breaks image-spec
// (annotations are string to string). Found by test/fuzz/manifests.test.ts.
//
// The fix: a listed descriptor carries only the string entries of the annotations, and none
// at all when no entry is a string.
import { afterEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry, type Mode } from '../../src/index.js'
import { MediaTypes, sha256 } from '../support/push.js'

const SUBJECT = `sha256:${'a'.repeat(64)}`

function referrerIndex(annotations: string): string {
  return `{"schemaVersion":2,"mediaType":"${MediaTypes.OI}","manifests":[],"artifactType":"application/x.test","subject":{"mediaType":"${MediaTypes.OM}","digest":"${SUBJECT}","size":1},"annotations":${annotations}}`
}

describe('referrers of a manifest whose annotations are not a string map', () => {
  let registry: FakeRegistry | undefined
  afterEach(() => registry?.close())

  async function pushAndList(
    mode: Mode,
    annotations: string,
  ): Promise<{ status: number; body: unknown; digest: string }> {
    registry = await createFakeRegistry({ transport: 'none', mode, referrers: true })
    const manifest = referrerIndex(annotations)
    const put = await registry.fetch('/v2/team/app/manifests/artifact', {
      method: 'PUT',
      headers: { 'content-type': MediaTypes.OI },
      body: new TextEncoder().encode(manifest),
    })
    expect(put.status).toBe(201)
    const listing = await registry.fetch(`/v2/team/app/referrers/${SUBJECT}`)
    return { status: listing.status, body: await listing.json(), digest: sha256(manifest) }
  }

  it.each<Mode>(['lenient', 'gitlab-legacy'])(
    'lists one with a value nested 10,000 levels deep in %s mode, keeping the string entries',
    async (mode) => {
      const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`
      const { status, body, digest } = await pushAndList(mode, `{"deep":${deep},"kind":"sbom","count":1}`)
      expect(status).toBe(200)
      expect(body).toEqual({
        schemaVersion: 2,
        mediaType: MediaTypes.OI,
        manifests: [
          {
            mediaType: MediaTypes.OI,
            digest,
            size: expect.any(Number),
            artifactType: 'application/x.test',
            annotations: { kind: 'sbom' },
          },
        ],
      })
    },
  )

  it('lists the same descriptor through registry.referrers() as over HTTP', async () => {
    const { body } = await pushAndList('lenient', '{"kind":"sbom","count":1}')
    const listed = (body as { manifests: unknown[] }).manifests
    expect(await registry?.referrers(`team/app@${SUBJECT}`)).toEqual(listed)
  })

  it.each(['{"count":1,"flag":true,"nested":{"a":"b"}}', '["a","b"]', '"text"'])(
    'lists one with annotations %s without any',
    async (annotations) => {
      const { status, body, digest } = await pushAndList('lenient', annotations)
      expect(status).toBe(200)
      expect(body).toEqual({
        schemaVersion: 2,
        mediaType: MediaTypes.OI,
        manifests: [{ mediaType: MediaTypes.OI, digest, size: expect.any(Number), artifactType: 'application/x.test' }],
      })
    },
  )
})
