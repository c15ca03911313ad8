// Concurrent operations on one registry, with the interleaving forced by hooks and barriers
// (never by timing): whatever order they run in, a 201 means the blob is served under its
// digest with exactly the bytes checked, now and after a restart.
import { afterAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { BACKENDS } from '../support/backends.js'
import { barrier, feedableBody, hookStorage, observed } from '../support/hooks.js'
import { makeTempDir, removeLayout } from '../support/oci-layout.js'
import { bytesOf, errorsOf, sha256 } from '../support/push.js'

const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await removeLayout(dir)
})

async function tempDir(): Promise<string> {
  const dir = await makeTempDir('fake-oci-races-')
  dirs.push(dir)
  return dir
}

async function openSession(registry: FakeRegistry, repository: string): Promise<string> {
  const response = await registry.fetch(`/v2/${repository}/blobs/uploads/`, { method: 'POST' })
  expect(response.status).toBe(202)
  return response.headers.get('location') as string
}

async function blobBytes(registry: FakeRegistry, repository: string, digest: string): Promise<{ status: number; bytes: Uint8Array }> {
  const response = await registry.fetch(`/v2/${repository}/blobs/${digest}`)
  return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()) }
}

describe.each(BACKENDS)('%s storage under concurrent requests', (kind, makeStorage) => {
  it('never stores a session that grew during a body-less PUT under the digest the PUT checked', async () => {
    const dir = await tempDir()
    const a = bytesOf('first chunk, complete')
    const b = [bytesOf('second chunk, part one;'), bytesOf(' part two')]
    const chunkTaken = barrier()
    const commitCalled = barrier()
    const storage = hookStorage(makeStorage(dir), {
      appendUpload: (next, id, chunks) => next(id, observed(chunks, () => chunkTaken.open())),
      commitUpload: (next) => {
        commitCalled.open()
        return next()
      },
    })
    const registry = await createFakeRegistry({ transport: 'none', storage })
    const location = await openSession(registry, 'team/app')
    const first = await registry.fetch(location, { method: 'PATCH', headers: { 'content-range': `0-${a.byteLength - 1}` }, body: a as Uint8Array<ArrayBuffer> })
    expect(first.status).toBe(202)

    // A second PATCH takes its first bytes, and is still streaming when the PUT arrives.
    const body = feedableBody()
    const patching = registry.fetch(location, { method: 'PATCH', body: body.stream, duplex: 'half' } as RequestInit)
    body.push(b[0]!)
    await chunkTaken.promise
    const putting = registry.fetch(`${location}?digest=${sha256(a)}`, { method: 'PUT' })
    await commitCalled.promise
    body.push(b[1]!)
    body.end()
    const [patched, put] = await Promise.all([patching, putting])

    const served = await blobBytes(registry, 'team/app', sha256(a))
    if (put.status === 201) {
      // The PUT won: the session closed with what it checked, and the PATCH found it gone.
      expect(served).toEqual({ status: 200, bytes: a })
      expect(patched.status).toBe(404)
    } else {
      // The PATCH won: the PUT checked the session as it then was, and it no longer matched.
      expect({ status: put.status, code: (await errorsOf(put))[0]?.code }).toEqual({ status: 400, code: 'DIGEST_INVALID' })
      expect(patched.status).toBe(202)
      expect(served.status).toBe(404)
    }
    await registry.close()
    if (kind === 'directory') {
      await using restarted = await createFakeRegistry({ transport: 'none', storage: makeStorage(dir) })
      expect(await blobBytes(restarted, 'team/app', sha256(a))).toEqual(served)
    }
  })
})

