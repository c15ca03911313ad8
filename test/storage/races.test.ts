// Concurrent operations on one registry, with the interleaving forced by hooks and barriers
// (never by timing): whatever order they run in, a 201 means the blob is served under its
// digest with exactly the bytes checked, now and after a restart.
import { Volume } from 'memfs'
import { afterAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { memfsStorage } from '../../src/memfs.js'
import { BACKENDS } from '../support/backends.js'
import { barrier, feedableBody, hookStorage, observed, type Barrier } from '../support/hooks.js'
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

async function blobBytes(
  registry: FakeRegistry,
  repository: string,
  digest: string,
): Promise<{ status: number; bytes: Uint8Array }> {
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
      appendUpload: (next, id, chunks) =>
        next(
          id,
          observed(chunks, () => chunkTaken.open()),
        ),
      commitUpload: (next) => {
        commitCalled.open()
        return next()
      },
    })
    const registry = await createFakeRegistry({ transport: 'none', storage })
    const location = await openSession(registry, 'team/app')
    const first = await registry.fetch(location, {
      method: 'PATCH',
      headers: { 'content-range': `0-${a.byteLength - 1}` },
      body: a as Uint8Array<ArrayBuffer>,
    })
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
      expect({ status: put.status, code: (await errorsOf(put))[0]?.code }).toEqual({
        status: 400,
        code: 'DIGEST_INVALID',
      })
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

/**
 * A memfs volume whose `promises.<method>` waits, the first time `when` holds for a call, until
 * the test opens `release`; `reached` opens once that call is made (after it, with `after`).
 */
function pauseVolume(
  volume: Volume,
  method: 'rename' | 'open',
  when: (path: string) => boolean,
  options: { after?: boolean } = {},
): { reached: Barrier; release: Barrier } {
  const reached = barrier()
  const release = barrier()
  const promises = volume.promises as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
  const original = promises[method]!.bind(volume.promises)
  promises[method] = async (...args: unknown[]) => {
    const path = String(args[method === 'rename' ? 1 : 0])
    const pause = !reached.opened && when(path)
    if (pause && !options.after) {
      reached.open()
      await release.promise
    }
    const result = await original(...args)
    if (pause && options.after) {
      reached.open()
      await release.promise
    }
    return result
  }
  return { reached, release }
}

describe('garbage collection during pushes (layout storage over a memfs volume)', () => {
  it('never removes a blob between its move into the store and its link', async () => {
    const volume = new Volume()
    const { reached, release } = pauseVolume(volume, 'rename', (to) => to.startsWith('/registry/.blobs/'), {
      after: true,
    })
    await using registry = await createFakeRegistry({ transport: 'none', storage: memfsStorage(volume) })
    const bytes = bytesOf('pushed while collecting')
    const pushing = registry.fetch(`/v2/team/app/blobs/uploads/?digest=${sha256(bytes)}`, {
      method: 'POST',
      body: bytes as Uint8Array<ArrayBuffer>,
    })
    await reached.promise
    const collecting = registry.garbageCollect()
    release.open()
    const [pushed, collected] = await Promise.all([pushing, collecting])
    expect(pushed.status).toBe(201)
    expect(collected.blobs).not.toContain(sha256(bytes))
    expect(await blobBytes(registry, 'team/app', sha256(bytes))).toEqual({ status: 200, bytes })
  })
})

describe.each(BACKENDS)('garbage collection during a mount (%s)', (_kind, makeStorage) => {
  it('opens a session instead of linking a blob collected after the mount found it', async () => {
    const bytes = bytesOf('unlinked, then mounted')
    const digest = sha256(bytes)
    // The hook needs the registry the storage goes into: it is set once that exists.
    const collector: { registry?: FakeRegistry } = {}
    const storage = hookStorage(makeStorage(await tempDir()), {
      linkBlob: async (next, repository) => {
        if (repository === 'team/b') await collector.registry?.garbageCollect()
        return next()
      },
    })
    const registry = await createFakeRegistry({ transport: 'none', storage })
    collector.registry = registry
    const pushed = await registry.fetch(`/v2/team/a/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      body: bytes as Uint8Array<ArrayBuffer>,
    })
    expect(pushed.status).toBe(201)
    expect((await registry.fetch(`/v2/team/a/blobs/${digest}`, { method: 'DELETE' })).status).toBe(202)
    const mounted = await registry.fetch(`/v2/team/b/blobs/uploads/?mount=${digest}`, { method: 'POST' })
    expect(mounted.status).toBe(202)
    expect((await blobBytes(registry, 'team/b', digest)).status).toBe(404)
    await registry.close()
  })
})

describe('reset and restore during traffic (layout storage over a memfs volume)', () => {
  it('lets a write that has begun finish before reset empties the storage', async () => {
    const volume = new Volume()
    const { reached, release } = pauseVolume(volume, 'rename', (to) => to.endsWith('/team/app/.fake-oci-registry.json'))
    await using registry = await createFakeRegistry({ transport: 'none', storage: memfsStorage(volume) })
    const bytes = bytesOf('written during a reset')
    const pushing = registry.fetch(`/v2/team/app/blobs/uploads/?digest=${sha256(bytes)}`, {
      method: 'POST',
      body: bytes as Uint8Array<ArrayBuffer>,
    })
    await reached.promise
    const resetting = registry.reset()
    release.open()
    const [pushed] = await Promise.all([pushing, resetting])
    expect(pushed.status).toBe(201)
    // Emptied after the push, and usable: the next push and its read work.
    expect(await registry.tags('team/app')).toEqual([])
    expect((await registry.fetch('/v2/_catalog').then((response) => response.json())) as unknown).toEqual({
      repositories: [],
    })
    const again = bytesOf('after the reset')
    expect(
      (
        await registry.fetch(`/v2/team/app/blobs/uploads/?digest=${sha256(again)}`, {
          method: 'POST',
          body: again as Uint8Array<ArrayBuffer>,
        })
      ).status,
    ).toBe(201)
    expect(await blobBytes(registry, 'team/app', sha256(again))).toEqual({ status: 200, bytes: again })
  })

  it.each(['reset', 'restore'] as const)(
    'does not wait for an upload still streaming on %s, and ends its session',
    async (operation) => {
      const volume = new Volume()
      const chunkTaken = barrier()
      const storage = hookStorage(memfsStorage(volume), {
        appendUpload: (next, id, chunks) =>
          next(
            id,
            observed(chunks, () => chunkTaken.open()),
          ),
      })
      await using registry = await createFakeRegistry({ transport: 'none', storage })
      const snapshot = await registry.snapshot()
      const location = await openSession(registry, 'team/app')
      const body = feedableBody()
      const patching = registry.fetch(location, { method: 'PATCH', body: body.stream, duplex: 'half' } as RequestInit)
      body.push(bytesOf('a chunk that never ends'))
      await chunkTaken.promise
      // Resolves while the client is still sending: a stalled upload never holds up isolation.
      await (operation === 'reset' ? registry.reset() : registry.restore(snapshot))
      body.push(bytesOf(', until now'))
      body.end()
      const patched = await patching
      expect({ status: patched.status, code: (await errorsOf(patched))[0]?.code }).toEqual({
        status: 404,
        code: 'BLOB_UPLOAD_UNKNOWN',
      })
      expect(volume.readdirSync('/registry/.uploads')).toEqual([])
    },
    10_000,
  )
})
