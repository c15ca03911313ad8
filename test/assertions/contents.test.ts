import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  assertBlob,
  assertReferrers,
  assertTags,
  createFakeRegistry,
  FakeRegistryError,
  type FakeRegistry,
} from '../../src/index.js'
import { textLayer, type SeededImage } from '../../src/seed.js'
import { pushBlob, pushImageContent, putManifest, sha256 } from '../support/push.js'

const SBOM = 'application/spdx+json'
const SIGNATURE = 'application/vnd.dev.sigstore.bundle.v0.3+json'

describe('assertTags', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    await registry.seed.image('team/app:1', { layers: [textLayer('a.txt', 'a')] })
    await registry.seed.image('team/app:latest', { layers: [textLayer('a.txt', 'a')] })
  })
  afterEach(() => registry.close())

  it('passes when the tags are there (at least these, or exactly with exact)', async () => {
    await assertTags(registry, 'team/app', ['latest'])
    await assertTags(registry, 'team/app', '1')
    await assertTags(registry, 'team/app', ['latest', '1'], { exact: true })
    await assertTags(registry, 'team/app', expect.arrayContaining(['1']))
  })

  it('names the tags that exist, the missing ones, and a failed push of one', async () => {
    const manifest = await pushImageContent(registry, 'team/app')
    await putManifest(registry, 'team/app', '2', manifest, null)
    await expect(assertTags(registry, 'team/app', ['1', '2'])).rejects.toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected team/app to have tags "1", "2", but team/app has tags: 1, latest.
      Missing: 2
      Pushes of the missing tags in the journal:
        #  method  path                      status  error
        3  PUT     /v2/team/app/manifests/2  400     MANIFEST_INVALID]
    `)
  })

  it('names the tags that are not expected with exact', async () => {
    await expect(assertTags(registry, 'team/app', ['1'], { exact: true })).rejects.toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected team/app to have exactly tag "1", but team/app has tags: 1, latest.
      Not expected: latest]
    `)
  })

  it('says when the repository does not exist', async () => {
    await expect(assertTags(registry, 'team/web', ['1'])).rejects.toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected team/web to have tag "1", but team/web has no tags.
      Missing: 1
      Repository "team/web" does not exist; repositories: team/app.]
    `)
  })

  it.each([
    [
      'a repository with a tag',
      'team/app:1',
      ['1'],
      undefined,
      'ERR_INVALID_REFERENCE',
      /^Failed to check the tags of "team\/app:1": it is not a valid repository name/,
    ],
    [
      'tags that are not strings',
      'team/app',
      [1],
      undefined,
      'ERR_INVALID_EXPECTATION',
      /^Failed to use the expectation of assertTags "1": tags are a list of strings/,
    ],
    [
      'an unknown option',
      'team/app',
      ['1'],
      { exactly: true },
      'ERR_INVALID_EXPECTATION',
      /^Failed to use the expectation of assertTags "exactly": assertTags has no field "exactly" to check\. Use only exact\.$/,
    ],
  ])('refuses %s', async (_name, repository, tags, options, code, message) => {
    const error = await assertTags(registry, repository, tags as never, options as never).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(FakeRegistryError)
    expect(error).toMatchObject({ code, message: expect.stringMatching(message) })
  })
})

describe('assertBlob', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
  })
  afterEach(() => registry.close())

  it('passes when the repository links the blob, with its size and content', async () => {
    const blob = await pushBlob(registry, 'team/app', 'hello blob')
    await assertBlob(registry, 'team/app', blob.digest)
    await assertBlob(registry, 'team/app', blob.digest, { size: 10, content: 'hello blob' })
    await assertBlob(registry, 'team/app', blob.digest, { content: /^hello/ })
    await assertBlob(registry, 'team/app', blob.digest, { content: new TextEncoder().encode('hello blob') })
  })

  it('says when the blob is stored for another repository only, with this one’s uploads', async () => {
    const blob = await pushBlob(registry, 'team/other', 'shared bytes')
    await pushBlob(registry, 'team/app', 'something else')
    await expect(assertBlob(registry, 'team/app', blob.digest)).rejects.toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected repository "team/app" to have blob sha256:98aa966a36056043cbb7e279cadf62728507e9101f2db4797e4461345fda7a88, but it does not link it.
      The registry stores it (12 bytes) for another repository: push it to team/app too, or mount it (POST /v2/team/app/blobs/uploads/?mount=sha256:98aa966a36056043cbb7e279cadf62728507e9101f2db4797e4461345fda7a88&from=<repository>).
      Blob requests for team/app in the journal:
        #  method  path                                                     status  error  digest
        2  POST    /v2/team/app/blobs/uploads/?digest=sha256:f41f3fa625ff…  201            sha256:f41f3fa625ff…]
    `)
  })

  it('says when no repository has the blob', async () => {
    await expect(assertBlob(registry, 'team/app', sha256('never pushed'))).rejects.toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected repository "team/app" to have blob sha256:318de017a845687221ece7813c25d086e19496d5860d2b1c3cb910bb386b3a6d, but it does not link it.
      No repository has it.]
    `)
  })

  it('shows the size and content that differ', async () => {
    const blob = await pushBlob(registry, 'team/app', 'hello blob')
    await expect(assertBlob(registry, 'team/app', blob.digest, { size: 11, content: 'hello world' })).rejects
      .toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected blob team/app@sha256:e997afd18e5f6be004fc193aed2c90291e68ab2c7599a62538c935b7fca6ab0f to match, but:
        size: expected 11, stored 10
        content: expected "hello world", stored "hello blob"]
    `)
    await expect(
      assertBlob(registry, 'team/app', blob.digest, { content: new TextEncoder().encode('hello BLOB') }),
    ).rejects.toThrow('content: expected 10 bytes, stored 10 bytes that differ from byte 6')
  })

  it('refuses a malformed digest and an unknown field', async () => {
    await expect(assertBlob(registry, 'team/app', 'sha256:nothex')).rejects.toMatchObject({
      code: 'ERR_INVALID_REFERENCE',
      message:
        'Failed to check the blob "sha256:nothex": it is not a valid digest. Pass one such as \'sha256:\' followed by 64 lower-case hex digits.',
    })
    await expect(assertBlob(registry, 'team/app', sha256('x'), { bytes: 'x' } as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_EXPECTATION',
    })
  })
})

describe('assertReferrers', () => {
  let registry: FakeRegistry
  let image: SeededImage
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    image = await registry.seed.image('team/app:1', { layers: [textLayer('a.txt', 'a')] })
    await registry.seed.artifact('team/app', {
      artifactType: SBOM,
      subject: 'team/app:1',
      files: { 'sbom.json': '{}' },
      annotations: { 'org.example.kind': 'spdx' },
    })
    await registry.seed.artifact('team/app', {
      artifactType: SIGNATURE,
      subject: 'team/app:1',
      files: { 'sig.json': '{}' },
    })
  })
  afterEach(() => registry.close())

  it('passes for referrers of a subject by tag or digest, filtered and counted', async () => {
    await assertReferrers(registry, 'team/app:1')
    await assertReferrers(registry, `team/app@${image.digest}`, { count: 2 })
    await assertReferrers(registry, 'team/app:1', { artifactType: SBOM, count: 1 })
    await assertReferrers(registry, 'team/app:1', { annotations: { 'org.example.kind': 'spdx' }, count: 1 })
    await assertReferrers(registry, 'team/app:1', { artifactType: expect.stringContaining('sigstore') })
    const [first] = await registry.referrers('team/app:1', { artifactType: SBOM })
    await assertReferrers(registry, 'team/app:1', { digests: [first?.digest ?? ''] })
  })

  it('lists every referrer of the subject when none matches', async () => {
    await expect(assertReferrers(registry, 'team/app:1', { artifactType: 'application/vnd.cyclonedx+json' })).rejects
      .toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected team/app:1 (sha256:a55f6ac8a930bbdf2d9e65aba37bd3de97f2a6d295061da1bd8e333a9358ebca) to have referrers with artifactType "application/vnd.cyclonedx+json", but none match.
      All referrers of it:
        digest                artifactType                                   mediaType                                   annotations
        sha256:4911fcd43d5b…  application/spdx+json                          application/vnd.oci.image.manifest.v1+json  { "org.example.kind": "spdx" }
        sha256:6c23a2b0e059…  application/vnd.dev.sigstore.bundle.v0.3+json  application/vnd.oci.image.manifest.v1+json]
    `)
  })

  it('says when the subject is unknown and nothing refers to it', async () => {
    await expect(assertReferrers(registry, 'team/app:2', { count: 1 })).rejects.toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected team/app:2 to have 1 referrer, but none match.
      The subject is not in the registry (referrers may still point at it).
      No manifest refers to it.]
    `)
  })

  it('refuses a count that is not a whole number', async () => {
    await expect(assertReferrers(registry, 'team/app:1', { count: -1 })).rejects.toMatchObject({
      code: 'ERR_INVALID_EXPECTATION',
      message:
        'Failed to use the expectation of assertReferrers "count": count must be a whole number. Pass one such as count: 1.',
    })
  })
})
