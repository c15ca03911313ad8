// The contract every Storage backend honours, as one vitest suite a backend's test file runs
// with its own factory. It speaks only the Storage interface (never a backend's internals), so a
// new backend proves itself by adding one file: describeStorageContract('name', () => make()).
import { randomUUID } from 'node:crypto'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Storage, StoredManifest } from '../../src/index.js'
import { computeDigest } from '../../src/seed.js'

/** Makes a new, empty storage; called before every test. */
export type MakeStorage = () => Storage | Promise<Storage>

const encoder = new TextEncoder()
const decoder = new TextDecoder()

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'

function digestOf(text: string, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return computeDigest(encoder.encode(text), algorithm)
}

async function* chunksOf(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield encoder.encode(part)
}

/** A client that sends `parts` and then drops the connection. */
async function* abortedAfter(error: Error, ...parts: string[]): AsyncIterable<Uint8Array> {
  yield* chunksOf(...parts)
  throw error
}

/** The bytes of a stream as text, or undefined when there is no stream. */
async function textOf(chunks: AsyncIterable<Uint8Array> | undefined): Promise<string | undefined> {
  if (!chunks) return undefined
  const received: Uint8Array[] = []
  for await (const chunk of chunks) received.push(chunk)
  return decoder.decode(Buffer.concat(received))
}

/** Stores a blob the only way storage receives one: an upload session, appended and committed. */
async function storeBlob(storage: Storage, repository: string, ...parts: string[]): Promise<string> {
  const digest = digestOf(parts.join(''))
  const upload = await storage.createUpload(repository)
  await storage.appendUpload(upload.id, chunksOf(...parts))
  await storage.commitUpload(upload.id, digest)
  return digest
}

function manifest(text: string, fields: Partial<StoredManifest> = {}): StoredManifest {
  return { digest: digestOf(text), mediaType: OCI_MANIFEST, bytes: encoder.encode(text), ...fields }
}

// The interface's fields only, bytes as text: a backend may hand back a Buffer or a plain
// Uint8Array, and may keep fields of its own beside these.
function comparable(stored: StoredManifest | undefined): unknown {
  if (!stored) return undefined
  const { digest, mediaType, bytes, subject, artifactType, annotations } = stored
  return { digest, mediaType, bytes: decoder.decode(bytes), subject, artifactType, annotations }
}

/**
 * Registers the storage contract suite for one backend. `makeStorage` must give a new, empty
 * storage each time; the suite calls `open()` first when the backend has it, as the registry does.
 *
 * @example
 * describeStorageContract('memory', () => memoryStorage())
 */
export function describeStorageContract(name: string, makeStorage: MakeStorage): void {
  describe(`Storage contract: ${name}`, () => {
    let storage: Storage
    beforeEach(async () => {
      storage = await makeStorage()
      await storage.open?.()
    })

    it('has a kind to name it in messages', () => {
      expect(typeof storage.kind).toBe('string')
      expect(storage.kind.length).toBeGreaterThan(0)
    })

    describe('blobs', () => {
      it('knows nothing of a digest never stored', async () => {
        expect(await storage.statBlob(digestOf('never stored'))).toBeUndefined()
        expect(await storage.readBlob(digestOf('never stored'))).toBeUndefined()
        expect(await storage.readBlob(digestOf('never stored'), { start: 0, end: 0 })).toBeUndefined()
      })

      it('stores a committed upload under its digest, with its size and exact bytes', async () => {
        const digest = await storeBlob(storage, 'team/app', 'hello', ' ', 'world')
        expect(await storage.statBlob(digest)).toEqual({ digest, size: 11 })
        expect(await textOf(await storage.readBlob(digest))).toBe('hello world')
      })

      it.each([
        { range: { start: 0, end: 0 }, text: 'h' },
        { range: { start: 0, end: 10 }, text: 'hello world' },
        { range: { start: 4, end: 7 }, text: 'o wo' },
        { range: { start: 5, end: 5 }, text: ' ' },
        { range: { start: 6, end: 10 }, text: 'world' },
        { range: { start: 10, end: 10 }, text: 'd' },
        { range: { start: 1, end: 9 }, text: 'ello worl' },
      ])('reads the inclusive range $range.start-$range.end across chunk boundaries', async ({ range, text }) => {
        const digest = await storeBlob(storage, 'team/app', 'hello', ' ', 'world')
        expect(await textOf(await storage.readBlob(digest, range))).toBe(text)
      })

      it('stores an empty blob', async () => {
        const digest = await storeBlob(storage, 'team/app')
        expect(await storage.statBlob(digest)).toEqual({ digest, size: 0 })
        expect(await textOf(await storage.readBlob(digest))).toBe('')
      })

      it('stores a sha512 blob under its own algorithm', async () => {
        const upload = await storage.createUpload('team/app')
        await storage.appendUpload(upload.id, chunksOf('five hundred and twelve'))
        const digest = digestOf('five hundred and twelve', 'sha512')
        expect(await storage.commitUpload(upload.id, digest)).toEqual({ digest, size: 23 })
        expect(await textOf(await storage.readBlob(digest))).toBe('five hundred and twelve')
        expect(await storage.isBlobLinked('team/app', digest)).toBe(true)
        expect(await storage.statBlob(digestOf('five hundred and twelve'))).toBeUndefined()
      })

      it('keeps a blob of many chunks byte for byte, and reads a range in its middle', async () => {
        const parts = Array.from({ length: 64 }, (_, index) => `${String(index).padStart(2, '0')}:${'x'.repeat(1021)}`)
        const whole = parts.join('')
        const digest = await storeBlob(storage, 'team/app', ...parts)
        expect(await storage.statBlob(digest)).toEqual({ digest, size: whole.length })
        expect(await textOf(await storage.readBlob(digest))).toBe(whole)
        expect(await textOf(await storage.readBlob(digest, { start: 1020, end: 5000 }))).toBe(whole.slice(1020, 5001))
      })

      it('keeps one blob per digest when two repositories upload the same bytes', async () => {
        const first = await storeBlob(storage, 'team/a', 'same bytes')
        const second = await storeBlob(storage, 'team/b', 'same', ' bytes')
        expect(second).toBe(first)
        expect(await storage.statBlob(first)).toEqual({ digest: first, size: 10 })
        expect(await textOf(await storage.readBlob(first))).toBe('same bytes')
        expect(await storage.isBlobLinked('team/a', first)).toBe(true)
        expect(await storage.isBlobLinked('team/b', first)).toBe(true)
      })
    })

    describe('links', () => {
      it('links a blob to the repositories that uploaded or mounted it, and no other', async () => {
        const digest = await storeBlob(storage, 'team/source', 'layer')
        expect(await storage.isBlobLinked('team/source', digest)).toBe(true)
        expect(await storage.isBlobLinked('team/target', digest)).toBe(false)
        expect(await storage.isBlobLinked('team', digest)).toBe(false)
        await storage.linkBlob('team/target', digest)
        expect(await storage.isBlobLinked('team/target', digest)).toBe(true)
      })

      it('links idempotently: a second link changes nothing and one unlink removes it', async () => {
        const digest = await storeBlob(storage, 'team/app', 'layer')
        await storage.linkBlob('team/app', digest)
        expect(await storage.isBlobLinked('team/app', digest)).toBe(true)
        expect(await storage.unlinkBlob('team/app', digest)).toBe(true)
        expect(await storage.isBlobLinked('team/app', digest)).toBe(false)
      })

      it('links nothing when the blob is not stored, and says so', async () => {
        const digest = `sha256:${'0'.repeat(64)}`
        expect(await storage.linkBlob('team/app', digest)).toBe(false)
        expect(await storage.isBlobLinked('team/app', digest)).toBe(false)
        expect(await storage.hasRepository('team/app')).toBe(false)
      })

      it('unlinks from one repository only, reporting whether there was a link', async () => {
        const digest = await storeBlob(storage, 'team/a', 'shared layer')
        await storage.linkBlob('team/b', digest)
        expect(await storage.unlinkBlob('team/a', digest)).toBe(true)
        expect(await storage.unlinkBlob('team/a', digest)).toBe(false)
        expect(await storage.isBlobLinked('team/a', digest)).toBe(false)
        expect(await storage.isBlobLinked('team/b', digest)).toBe(true)
        expect(await textOf(await storage.readBlob(digest))).toBe('shared layer')
      })

      it('answers false for a repository it has never seen', async () => {
        const digest = await storeBlob(storage, 'team/app', 'layer')
        expect(await storage.isBlobLinked('no/such/repo', digest)).toBe(false)
        expect(await storage.unlinkBlob('no/such/repo', digest)).toBe(false)
      })
    })

    describe('uploads', () => {
      it('opens an empty session for a repository, each with its own id', async () => {
        const first = await storage.createUpload('team/app')
        const second = await storage.createUpload('team/app')
        expect(first).toEqual({ id: expect.any(String), repository: 'team/app', size: 0 })
        expect(first.id.length).toBeGreaterThan(0)
        expect(second.id).not.toBe(first.id)
        expect(await storage.getUpload(first.id)).toEqual(first)
        expect(await textOf(await storage.readUpload(first.id))).toBe('')
      })

      it('knows nothing of an id it never issued', async () => {
        const id = randomUUID()
        expect(await storage.getUpload(id)).toBeUndefined()
        expect(await storage.readUpload(id)).toBeUndefined()
        expect(await storage.appendUpload(id, chunksOf('data'))).toBeUndefined()
        expect(await storage.commitUpload(id, digestOf('data'))).toBeUndefined()
        expect(await storage.deleteUpload(id)).toBe(false)
        expect(await storage.statBlob(digestOf('data'))).toBeUndefined()
      })

      it('appends chunk streams in order and reports the new size', async () => {
        const upload = await storage.createUpload('team/app')
        expect(await storage.appendUpload(upload.id, chunksOf('ab', 'c'))).toEqual({
          id: upload.id,
          repository: 'team/app',
          size: 3,
        })
        expect(await storage.appendUpload(upload.id, chunksOf())).toEqual({
          id: upload.id,
          repository: 'team/app',
          size: 3,
        })
        expect(await storage.appendUpload(upload.id, chunksOf('def'))).toEqual({
          id: upload.id,
          repository: 'team/app',
          size: 6,
        })
        expect(await storage.getUpload(upload.id)).toEqual({ id: upload.id, repository: 'team/app', size: 6 })
        expect(await textOf(await storage.readUpload(upload.id))).toBe('abcdef')
      })

      it('keeps sessions apart', async () => {
        const first = await storage.createUpload('team/app')
        const second = await storage.createUpload('team/other')
        await storage.appendUpload(first.id, chunksOf('first'))
        await storage.appendUpload(second.id, chunksOf('second'))
        expect(await textOf(await storage.readUpload(first.id))).toBe('first')
        expect(await textOf(await storage.readUpload(second.id))).toBe('second')
        expect(await storage.getUpload(second.id)).toEqual({ id: second.id, repository: 'team/other', size: 6 })
      })

      it('appends all or nothing: a stream that throws leaves the session as it was', async () => {
        const upload = await storage.createUpload('team/app')
        await storage.appendUpload(upload.id, chunksOf('kept'))
        const aborted = new Error('client went away')
        await expect(storage.appendUpload(upload.id, abortedAfter(aborted, 'lost', ' bytes'))).rejects.toBe(aborted)
        expect(await storage.getUpload(upload.id)).toEqual({ id: upload.id, repository: 'team/app', size: 4 })
        expect(await textOf(await storage.readUpload(upload.id))).toBe('kept')

        // The session goes on from where it stood, and commits only the bytes that arrived whole.
        expect(await storage.appendUpload(upload.id, chunksOf(' going'))).toEqual({
          id: upload.id,
          repository: 'team/app',
          size: 10,
        })
        const digest = digestOf('kept going')
        expect(await storage.commitUpload(upload.id, digest)).toEqual({ digest, size: 10 })
        expect(await textOf(await storage.readBlob(digest))).toBe('kept going')
      })

      it('appends all or nothing on a first chunk stream too', async () => {
        const upload = await storage.createUpload('team/app')
        await expect(storage.appendUpload(upload.id, abortedAfter(new Error('reset'), 'partial'))).rejects.toThrow(
          'reset',
        )
        expect(await storage.getUpload(upload.id)).toEqual({ id: upload.id, repository: 'team/app', size: 0 })
        expect(await textOf(await storage.readUpload(upload.id))).toBe('')
        expect(await storage.hasRepository('team/app')).toBe(false)
      })

      it('commits a session into a linked blob and ends it', async () => {
        const upload = await storage.createUpload('team/app')
        await storage.appendUpload(upload.id, chunksOf('layer ', 'bytes'))
        const digest = digestOf('layer bytes')
        expect(await storage.commitUpload(upload.id, digest)).toEqual({ digest, size: 11 })
        expect(await storage.isBlobLinked('team/app', digest)).toBe(true)
        expect(await storage.isBlobLinked('team/other', digest)).toBe(false)
        expect(await storage.getUpload(upload.id)).toBeUndefined()
        expect(await storage.readUpload(upload.id)).toBeUndefined()
        expect(await storage.appendUpload(upload.id, chunksOf('more'))).toBeUndefined()
        expect(await storage.commitUpload(upload.id, digest)).toBeUndefined()
        expect(await storage.deleteUpload(upload.id)).toBe(false)
        expect(await textOf(await storage.readBlob(digest))).toBe('layer bytes')
      })

      it('cancels a session: its bytes never become a blob', async () => {
        const upload = await storage.createUpload('team/app')
        await storage.appendUpload(upload.id, chunksOf('abandoned'))
        expect(await storage.deleteUpload(upload.id)).toBe(true)
        expect(await storage.deleteUpload(upload.id)).toBe(false)
        expect(await storage.getUpload(upload.id)).toBeUndefined()
        expect(await storage.readUpload(upload.id)).toBeUndefined()
        expect(await storage.appendUpload(upload.id, chunksOf('late'))).toBeUndefined()
        expect(await storage.commitUpload(upload.id, digestOf('abandoned'))).toBeUndefined()
        expect(await storage.statBlob(digestOf('abandoned'))).toBeUndefined()
      })

      it('makes no repository visible while a session is open', async () => {
        const upload = await storage.createUpload('team/app')
        await storage.appendUpload(upload.id, chunksOf('pending'))
        expect(await storage.hasRepository('team/app')).toBe(false)
        expect(await storage.listRepositories()).toEqual([])
        expect(await storage.listTags('team/app')).toBeUndefined()
      })
    })

    describe('manifests', () => {
      it('stores a manifest per repository with its bytes, kind and referrer fields', async () => {
        const full = manifest('{"full":true}', {
          subject: digestOf('subject'),
          artifactType: 'application/vnd.example',
          annotations: { a: '1', b: '2' },
        })
        const bare = manifest('{"bare":true}', { mediaType: OCI_INDEX })
        await storage.putManifest('team/app', full)
        await storage.putManifest('team/app', bare)
        expect(comparable(await storage.getManifest('team/app', full.digest))).toEqual(comparable(full))
        const stored = await storage.getManifest('team/app', bare.digest)
        expect(comparable(stored)).toEqual(comparable(bare))
        expect([stored?.subject, stored?.artifactType, stored?.annotations]).toEqual([undefined, undefined, undefined])
      })

      it('knows nothing of a manifest another repository holds, or of an unknown repository', async () => {
        const image = manifest('{"image":1}')
        await storage.putManifest('team/app', image)
        expect(await storage.getManifest('team/other', image.digest)).toBeUndefined()
        expect(await storage.getManifest('team', image.digest)).toBeUndefined()
        expect(await storage.getManifest('team/app', digestOf('never pushed'))).toBeUndefined()
        expect(await storage.getManifest('no/such/repo', image.digest)).toBeUndefined()
      })

      it('accepts the same manifest pushed twice', async () => {
        const image = manifest('{"image":1}', { subject: digestOf('subject') })
        await storage.putManifest('team/app', image)
        await storage.putManifest('team/app', image)
        expect(comparable(await storage.getManifest('team/app', image.digest))).toEqual(comparable(image))
        expect((await storage.listReferrers('team/app', digestOf('subject'))).map((m) => m.digest)).toEqual([
          image.digest,
        ])
      })

      it('deletes a manifest and every tag that points to it, and nothing else', async () => {
        const doomed = manifest('{"doomed":1}')
        const kept = manifest('{"kept":1}')
        const layer = await storeBlob(storage, 'team/app', 'layer')
        await storage.putManifest('team/app', doomed)
        await storage.putManifest('team/app', kept)
        await storage.putManifest('team/other', doomed)
        await storage.setTag('team/app', 'v1', doomed.digest)
        await storage.setTag('team/app', 'latest', doomed.digest)
        await storage.setTag('team/app', 'stable', kept.digest)
        await storage.setTag('team/other', 'v1', doomed.digest)

        expect(await storage.deleteManifest('team/app', doomed.digest)).toBe(true)
        expect(await storage.deleteManifest('team/app', doomed.digest)).toBe(false)
        expect(await storage.getManifest('team/app', doomed.digest)).toBeUndefined()
        expect(await storage.resolveTag('team/app', 'v1')).toBeUndefined()
        expect(await storage.resolveTag('team/app', 'latest')).toBeUndefined()
        expect(await storage.listTags('team/app')).toEqual(['stable'])
        expect(comparable(await storage.getManifest('team/app', kept.digest))).toEqual(comparable(kept))
        expect(comparable(await storage.getManifest('team/other', doomed.digest))).toEqual(comparable(doomed))
        expect(await storage.resolveTag('team/other', 'v1')).toBe(doomed.digest)
        expect(await storage.isBlobLinked('team/app', layer)).toBe(true)
      })

      it('answers false when deleting from an unknown repository', async () => {
        expect(await storage.deleteManifest('no/such/repo', digestOf('x'))).toBe(false)
      })
    })

    describe('referrers', () => {
      const subject = digestOf('the subject')
      const sbom = manifest('{"sbom":1}', {
        subject,
        artifactType: 'application/vnd.example.sbom',
        annotations: { kind: 'sbom' },
      })
      const signature = manifest('{"signature":1}', { subject, artifactType: 'application/vnd.example.signature' })
      const index = manifest('{"index":1}', { mediaType: OCI_INDEX, subject })
      const unrelated = manifest('{"unrelated":1}', {
        subject: digestOf('another subject'),
        artifactType: 'application/vnd.example.sbom',
      })
      const plain = manifest('{"plain":1}')

      it('lists the manifests whose subject is the digest, in push order, with all their fields', async () => {
        for (const stored of [sbom, plain, unrelated, signature, index]) await storage.putManifest('team/app', stored)
        const referrers = await storage.listReferrers('team/app', subject)
        expect(referrers.map(comparable)).toEqual([sbom, signature, index].map(comparable))
      })

      it('lists only the repository asked about', async () => {
        await storage.putManifest('team/app', sbom)
        await storage.putManifest('team/other', signature)
        expect((await storage.listReferrers('team/app', subject)).map((m) => m.digest)).toEqual([sbom.digest])
        expect((await storage.listReferrers('team/other', subject)).map((m) => m.digest)).toEqual([signature.digest])
        expect(await storage.listReferrers('team', subject)).toEqual([])
      })

      it('answers an empty list for an unknown repository or a subject nothing refers to', async () => {
        await storage.putManifest('team/app', plain)
        expect(await storage.listReferrers('no/such/repo', subject)).toEqual([])
        expect(await storage.listReferrers('team/app', subject)).toEqual([])
        expect(await storage.listReferrers('team/app', plain.digest)).toEqual([])
      })

      it('stops listing a referrer once it is deleted', async () => {
        for (const stored of [sbom, signature, index]) await storage.putManifest('team/app', stored)
        await storage.deleteManifest('team/app', signature.digest)
        expect((await storage.listReferrers('team/app', subject)).map((m) => m.digest)).toEqual([
          sbom.digest,
          index.digest,
        ])
      })
    })

    describe('tags', () => {
      const one = manifest('{"one":1}')
      const two = manifest('{"two":2}')

      it('resolves a tag to its digest, per repository', async () => {
        await storage.putManifest('team/app', one)
        await storage.putManifest('team/other', two)
        await storage.setTag('team/app', 'latest', one.digest)
        await storage.setTag('team/other', 'latest', two.digest)
        expect(await storage.resolveTag('team/app', 'latest')).toBe(one.digest)
        expect(await storage.resolveTag('team/other', 'latest')).toBe(two.digest)
        expect(await storage.resolveTag('team/app', 'missing')).toBeUndefined()
        expect(await storage.resolveTag('no/such/repo', 'latest')).toBeUndefined()
      })

      it('moves a tag that is set again', async () => {
        await storage.putManifest('team/app', one)
        await storage.putManifest('team/app', two)
        await storage.setTag('team/app', 'latest', one.digest)
        await storage.setTag('team/app', 'latest', two.digest)
        expect(await storage.resolveTag('team/app', 'latest')).toBe(two.digest)
        expect(await storage.listTags('team/app')).toEqual(['latest'])
      })

      it('deletes a tag only: the manifest and the other tags stay', async () => {
        await storage.putManifest('team/app', one)
        await storage.setTag('team/app', 'v1', one.digest)
        await storage.setTag('team/app', 'latest', one.digest)
        expect(await storage.deleteTag('team/app', 'v1')).toBe(true)
        expect(await storage.deleteTag('team/app', 'v1')).toBe(false)
        expect(await storage.deleteTag('no/such/repo', 'v1')).toBe(false)
        expect(await storage.resolveTag('team/app', 'v1')).toBeUndefined()
        expect(await storage.resolveTag('team/app', 'latest')).toBe(one.digest)
        expect(comparable(await storage.getManifest('team/app', one.digest))).toEqual(comparable(one))
      })

      it('lists tags in code-point order: digits, upper case, underscore, lower case', async () => {
        await storage.putManifest('team/app', one)
        for (const tag of ['v9', 'latest', 'v10', '1.0', 'V2', '_tmp', 'A-1', 'a.b', 'a-b', 'a_b'])
          await storage.setTag('team/app', tag, one.digest)
        expect(await storage.listTags('team/app')).toEqual([
          '1.0',
          'A-1',
          'V2',
          '_tmp',
          'a-b',
          'a.b',
          'a_b',
          'latest',
          'v10',
          'v9',
        ])
      })

      it('lists no tags for a repository with untagged manifests, and undefined for an unknown one', async () => {
        await storage.putManifest('team/app', one)
        expect(await storage.listTags('team/app')).toEqual([])
        expect(await storage.listTags('no/such/repo')).toBeUndefined()
      })

      it('lists what is left after a manifest deletion', async () => {
        await storage.putManifest('team/app', one)
        await storage.putManifest('team/app', two)
        await storage.setTag('team/app', 'a', one.digest)
        await storage.setTag('team/app', 'b', two.digest)
        await storage.setTag('team/app', 'c', one.digest)
        await storage.deleteManifest('team/app', one.digest)
        expect(await storage.listTags('team/app')).toEqual(['b'])
      })
    })

    describe('repositories', () => {
      it('has none when empty', async () => {
        expect(await storage.listRepositories()).toEqual([])
        expect(await storage.hasRepository('team/app')).toBe(false)
      })

      it('shows a repository that holds a blob link or a manifest, in code-point order', async () => {
        await storeBlob(storage, 'ab', 'one')
        const digest = await storeBlob(storage, 'a/b', 'two')
        await storage.linkBlob('a', digest)
        await storage.putManifest('a-b', manifest('{"m":1}'))
        expect(await storage.listRepositories()).toEqual(['a', 'a-b', 'a/b', 'ab'])
        for (const repository of ['a', 'a-b', 'a/b', 'ab']) expect(await storage.hasRepository(repository)).toBe(true)
        expect(await storage.hasRepository('b')).toBe(false)
      })

      it('keeps nested names apart: team/app does not make team visible, nor the reverse', async () => {
        await storeBlob(storage, 'team/app', 'nested')
        expect(await storage.hasRepository('team/app')).toBe(true)
        expect(await storage.hasRepository('team')).toBe(false)
        expect(await storage.listRepositories()).toEqual(['team/app'])
        await storeBlob(storage, 'team', 'parent')
        expect(await storage.listRepositories()).toEqual(['team', 'team/app'])
        expect(await storage.hasRepository('team/app/sub')).toBe(false)
      })

      it('hides a repository once it holds neither links nor manifests', async () => {
        const image = manifest('{"image":1}')
        const layer = await storeBlob(storage, 'team/app', 'layer')
        await storage.putManifest('team/app', image)
        await storage.setTag('team/app', 'v1', image.digest)

        await storage.unlinkBlob('team/app', layer)
        expect(await storage.hasRepository('team/app')).toBe(true)
        expect(await storage.listRepositories()).toEqual(['team/app'])

        await storage.deleteManifest('team/app', image.digest)
        expect(await storage.hasRepository('team/app')).toBe(false)
        expect(await storage.listRepositories()).toEqual([])
      })

      it('hides a repository whose only link is removed', async () => {
        const layer = await storeBlob(storage, 'team/app', 'layer')
        await storage.unlinkBlob('team/app', layer)
        expect(await storage.hasRepository('team/app')).toBe(false)
        expect(await storage.listRepositories()).toEqual([])
      })
    })

    describe('clear', () => {
      it('drops blobs, links, uploads, manifests, tags and repositories, and stays usable', async () => {
        const subject = digestOf('subject')
        const layer = await storeBlob(storage, 'team/app', 'layer')
        const image = manifest('{"image":1}', { subject })
        await storage.putManifest('team/app', image)
        await storage.setTag('team/app', 'v1', image.digest)
        const upload = await storage.createUpload('team/app')
        await storage.appendUpload(upload.id, chunksOf('pending'))

        await storage.clear()
        expect(await storage.statBlob(layer)).toBeUndefined()
        expect(await storage.readBlob(layer)).toBeUndefined()
        expect(await storage.isBlobLinked('team/app', layer)).toBe(false)
        expect(await storage.getUpload(upload.id)).toBeUndefined()
        expect(await storage.readUpload(upload.id)).toBeUndefined()
        expect(await storage.getManifest('team/app', image.digest)).toBeUndefined()
        expect(await storage.listReferrers('team/app', subject)).toEqual([])
        expect(await storage.resolveTag('team/app', 'v1')).toBeUndefined()
        expect(await storage.listTags('team/app')).toBeUndefined()
        expect(await storage.listRepositories()).toEqual([])
        expect(await storage.hasRepository('team/app')).toBe(false)

        const again = await storeBlob(storage, 'team/app', 'layer')
        expect(again).toBe(layer)
        expect(await textOf(await storage.readBlob(layer))).toBe('layer')
        expect(await storage.listRepositories()).toEqual(['team/app'])
      })
    })

    // Optional methods: a backend without them is still a Storage, so their tests skip there.
    describe('optional methods', () => {
      it('opens again without harm', async (context) => {
        if (!storage.open) return context.skip('this backend has no open()')
        await storage.open()
        await storeBlob(storage, 'team/app', 'after open')
        await storage.open()
        expect(await textOf(await storage.readBlob(digestOf('after open')))).toBe('after open')
      })

      it('restores a snapshot: content as it was, later content gone, open uploads ended', async (context) => {
        if (!storage.snapshot || !storage.restore) return context.skip('this backend has no snapshot()/restore()')
        const subject = digestOf('subject')
        const layer = await storeBlob(storage, 'team/app', 'layer')
        const one = manifest('{"one":1}', { subject, artifactType: 'application/vnd.example' })
        const two = manifest('{"two":2}')
        await storage.putManifest('team/app', one)
        await storage.putManifest('team/app', two)
        await storage.setTag('team/app', 'v1', one.digest)
        const snapshot = await storage.snapshot()
        expect(snapshot.kind).toBe(storage.kind)

        const later = await storeBlob(storage, 'team/later', 'later layer')
        await storage.deleteManifest('team/app', one.digest)
        await storage.setTag('team/app', 'v2', two.digest)
        await storage.unlinkBlob('team/app', layer)
        const upload = await storage.createUpload('team/app')

        await storage.restore(snapshot)
        expect(await storage.listRepositories()).toEqual(['team/app'])
        expect(await storage.isBlobLinked('team/app', layer)).toBe(true)
        expect(await textOf(await storage.readBlob(layer))).toBe('layer')
        expect(await storage.isBlobLinked('team/later', later)).toBe(false)
        expect(comparable(await storage.getManifest('team/app', one.digest))).toEqual(comparable(one))
        expect(await storage.listTags('team/app')).toEqual(['v1'])
        expect(await storage.resolveTag('team/app', 'v1')).toBe(one.digest)
        expect((await storage.listReferrers('team/app', subject)).map((m) => m.digest)).toEqual([one.digest])
        expect(await storage.getUpload(upload.id)).toBeUndefined()

        // A snapshot restores as often as asked, whatever happened in between.
        await storage.clear()
        await storage.restore(snapshot)
        expect(await storage.resolveTag('team/app', 'v1')).toBe(one.digest)
        expect(await textOf(await storage.readBlob(layer))).toBe('layer')
      })

      it('collects the blobs no repository links, and keeps the linked ones', async (context) => {
        if (!storage.garbageCollect) return context.skip('this backend has no garbageCollect()')
        const kept = await storeBlob(storage, 'team/a', 'kept')
        const shared = await storeBlob(storage, 'team/a', 'shared')
        await storage.linkBlob('team/b', shared)
        const orphans = [
          await storeBlob(storage, 'team/a', 'orphan one'),
          await storeBlob(storage, 'team/b', 'orphan two'),
        ]
        await storage.unlinkBlob('team/a', orphans[0]!)
        await storage.unlinkBlob('team/b', orphans[1]!)
        await storage.unlinkBlob('team/a', shared)

        expect(await storage.garbageCollect()).toEqual({ blobs: [...orphans].sort() })
        for (const digest of orphans) expect(await storage.statBlob(digest)).toBeUndefined()
        expect(await textOf(await storage.readBlob(kept))).toBe('kept')
        expect(await textOf(await storage.readBlob(shared))).toBe('shared')
        expect(await storage.garbageCollect()).toEqual({ blobs: [] })
      })
    })
  })
}
