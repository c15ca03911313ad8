// Upload sessions are capped and expire: a client that opens sessions without end, or leaves
// them, must not grow the registry without end. Time is moved with a fake clock, never waited for.
import { randomUUID } from 'node:crypto'
import { readdir, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { DEFAULTS } from '../../src/options.js'
import { createFakeRegistry, directoryStorage, memoryStorage, type FakeRegistry } from '../../src/index.js'
import { makeTempDir, removeLayout } from '../support/oci-layout.js'
import { bytesOf, errorsOf, sha256 } from '../support/push.js'

const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await removeLayout(dir)
})
afterEach(() => {
  vi.useRealTimers()
})

async function open(registry: FakeRegistry): Promise<Response> {
  return registry.fetch('/v2/team/app/blobs/uploads/', { method: 'POST' })
}

async function answer(response: Response): Promise<{ status: number; code?: string }> {
  const code = response.status >= 400 ? (await errorsOf(response))[0]?.code : undefined
  return code === undefined ? { status: response.status } : { status: response.status, code }
}

describe('upload session limits', () => {
  it('has defaults that bound sessions and let an honest upload pause for minutes', () => {
    expect({ maxUploadSessions: DEFAULTS.maxUploadSessions, uploadTimeoutMs: DEFAULTS.uploadTimeoutMs }).toEqual({
      maxUploadSessions: 10_000,
      uploadTimeoutMs: 900_000,
    })
  })

  it('refuses a session beyond maxUploadSessions with 429, until one ends', async () => {
    await using registry = await createFakeRegistry({ transport: 'none', maxUploadSessions: 2 })
    const first = await open(registry)
    expect((await open(registry)).status).toBe(202)
    const refused = await open(registry)
    expect(await answer(refused.clone())).toEqual({ status: 429, code: 'TOOMANYREQUESTS' })
    expect(refused.headers.get('retry-after')).toBe(String(DEFAULTS.uploadTimeoutMs / 1000))
    const bytes = bytesOf('monolithic')
    expect(
      (
        await registry.fetch(`/v2/team/app/blobs/uploads/?digest=${sha256(bytes)}`, {
          method: 'POST',
          body: bytes as Uint8Array<ArrayBuffer>,
        })
      ).status,
    ).toBe(429)
    expect((await registry.fetch(first.headers.get('location') as string, { method: 'DELETE' })).status).toBe(204)
    expect((await open(registry)).status).toBe(202)
  })

  it('frees a slot when a session is completed', async () => {
    await using registry = await createFakeRegistry({ transport: 'none', maxUploadSessions: 1 })
    const location = (await open(registry)).headers.get('location') as string
    const bytes = bytesOf('completed')
    expect(
      (
        await registry.fetch(`${location}?digest=${sha256(bytes)}`, {
          method: 'PUT',
          body: bytes as Uint8Array<ArrayBuffer>,
        })
      ).status,
    ).toBe(201)
    expect((await open(registry)).status).toBe(202)
  })

  it('ends a session unused for longer than uploadTimeoutMs, and drops its bytes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const storage = memoryStorage()
    await using registry = await createFakeRegistry({ transport: 'none', storage, uploadTimeoutMs: 60_000 })
    const location = (await open(registry)).headers.get('location') as string
    const id = location.split('/').at(-1) as string
    expect((await registry.fetch(location, { method: 'PATCH', body: 'some bytes' })).status).toBe(202)
    vi.setSystemTime(Date.now() + 60_000)
    // Used exactly the timeout ago: still open.
    expect((await registry.fetch(location)).status).toBe(204)
    vi.setSystemTime(Date.now() + 60_001)
    expect(await answer(await registry.fetch(location))).toEqual({ status: 404, code: 'BLOB_UPLOAD_UNKNOWN' })
    expect(await storage.getUpload(id)).toBeUndefined()
  })

  it('expires sessions on the registry clock, so registry.clock.advance ends them without waiting', async () => {
    const storage = memoryStorage()
    await using registry = await createFakeRegistry({ transport: 'none', storage, uploadTimeoutMs: 60_000 })
    const location = (await open(registry)).headers.get('location') as string
    expect((await registry.fetch(location, { method: 'PATCH', body: 'some bytes' })).status).toBe(202)
    registry.clock.advance(60_001)
    expect(await answer(await registry.fetch(location))).toEqual({ status: 404, code: 'BLOB_UPLOAD_UNKNOWN' })
    expect(await storage.getUpload(location.split('/').at(-1) as string)).toBeUndefined()
  })

  it('ends expired sessions when a new one opens, so they no longer count', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const storage = memoryStorage()
    await using registry = await createFakeRegistry({
      transport: 'none',
      storage,
      maxUploadSessions: 1,
      uploadTimeoutMs: 1000,
    })
    const abandoned = (await open(registry)).headers.get('location') as string
    expect((await open(registry)).status).toBe(429)
    vi.setSystemTime(Date.now() + 1001)
    expect((await open(registry)).status).toBe(202)
    expect(await storage.getUpload(abandoned.split('/').at(-1) as string)).toBeUndefined()
  })
})

describe('upload sessions left in a storage directory', () => {
  it('are removed at start when half-made, unreadable, foreign or older than uploadTimeoutMs; a recent one resumes', async () => {
    const root = await makeTempDir('fake-oci-sessions-')
    dirs.push(root)
    let recent: string
    let old: string
    {
      await using registry = await createFakeRegistry({ transport: 'none', storage: directoryStorage(root) })
      recent = (await open(registry)).headers.get('location') as string
      old = (await open(registry)).headers.get('location') as string
      expect((await registry.fetch(recent, { method: 'PATCH', body: 'resume me' })).status).toBe(202)
    }
    const uploads = join(root, '.uploads')
    const oldId = old.split('/').at(-1) as string
    const longAgo = new Date(Date.now() - 120_000)
    await utimes(join(uploads, oldId), longAgo, longAgo)
    await utimes(join(uploads, `${oldId}.json`), longAgo, longAgo)
    const dataOnly = randomUUID()
    const metaOnly = randomUUID()
    const unreadable = randomUUID()
    await writeFile(join(uploads, dataOnly), 'bytes of a session whose metadata was never written')
    await writeFile(join(uploads, `${metaOnly}.json`), JSON.stringify({ repository: 'team/app' }))
    await writeFile(join(uploads, unreadable), '')
    await writeFile(join(uploads, `${unreadable}.json`), '{not json')
    await writeFile(join(uploads, 'notes.txt'), 'not a session')

    await using registry = await createFakeRegistry({
      transport: 'none',
      storage: directoryStorage(root),
      uploadTimeoutMs: 60_000,
    })
    const recentId = recent.split('/').at(-1) as string
    expect((await readdir(uploads)).sort()).toEqual([recentId, `${recentId}.json`].sort())
    const status = await registry.fetch(recent)
    expect({ status: status.status, range: status.headers.get('range') }).toEqual({ status: 204, range: '0-8' })
    expect(await answer(await registry.fetch(old))).toEqual({ status: 404, code: 'BLOB_UPLOAD_UNKNOWN' })
  })
})
