// snapshot()/restore() on the registry: the per-test isolation pattern, on every backend that
// has it, and the errors for a storage without it or a snapshot that cannot be restored.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  createFakeRegistry,
  FakeRegistryError,
  memoryStorage,
  type FakeRegistry,
  type StorageSnapshot,
} from '../../src/index.js'
import { memfsStorage } from '../../src/memfs.js'
import { BACKENDS } from '../support/backends.js'
import { makeTempDir, removeLayout } from '../support/oci-layout.js'

describe.each(BACKENDS)('per-test isolation with snapshot/restore on %s storage', (_name, makeStorage) => {
  let dir: string
  let registry: FakeRegistry
  let seeded: StorageSnapshot
  beforeAll(async () => {
    dir = await makeTempDir('fake-oci-snapshot-')
    registry = await createFakeRegistry({ transport: 'none', storage: makeStorage(dir) })
    await registry.seed.image('team/app:1')
    seeded = await registry.snapshot()
  })
  afterAll(async () => {
    await registry.close()
    await removeLayout(dir)
  })
  beforeEach(() => registry.restore(seeded))

  const tags = async (): Promise<unknown> => (await registry.fetch('/v2/team/app/tags/list')).json()

  // The two tests change the same content in opposite ways; each sees only the seeded state.
  it('sees the seeded content, then adds a tag', async () => {
    expect(await tags()).toEqual({ name: 'team/app', tags: ['1'] })
    await registry.seed.image('team/app:2', { layers: ['two'] })
    expect(await tags()).toEqual({ name: 'team/app', tags: ['1', '2'] })
  })

  it('sees the seeded content, then deletes it all', async () => {
    expect(await tags()).toEqual({ name: 'team/app', tags: ['1'] })
    await registry.reset()
    expect(await (await registry.fetch('/v2/_catalog')).json()).toEqual({ repositories: [] })
  })

  it('ends uploads that were open when restoring', async () => {
    const post = await registry.fetch('/v2/team/app/blobs/uploads/', { method: 'POST' })
    await registry.restore(seeded)
    expect((await registry.fetch(post.headers.get('location') as string)).status).toBe(404)
  })
})

describe('snapshot errors', () => {
  it('names the storage when it has no snapshot support', async () => {
    // A custom storage: memory's methods, without the optional snapshot() and restore().
    const inner = memoryStorage()
    const storage = new Proxy(inner, {
      get(target, key) {
        if (key === 'snapshot' || key === 'restore') return undefined
        if (key === 'kind') return 'custom'
        const value: unknown = Reflect.get(target, key, target)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    await using registry = await createFakeRegistry({ transport: 'none', storage })
    const error = await registry.snapshot().then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(FakeRegistryError)
    expect((error as FakeRegistryError).message).toBe(
      'Failed to take a snapshot of "custom storage": the storage does not implement the optional snapshot() and restore(). Use memoryStorage(), memfsStorage() or directoryStorage(), or add the methods to the custom storage (docs/storage.md).',
    )
  })

  it('refuses a snapshot of another storage kind, and one an earlier restore discarded', async () => {
    await using memory = await createFakeRegistry({ transport: 'none' })
    await using memfs = await createFakeRegistry({ transport: 'none', storage: memfsStorage() })
    const fromMemfs = await memfs.snapshot()
    await expect(memory.restore(fromMemfs)).rejects.toThrow(
      'Failed to restore a snapshot into "memory": the snapshot comes from memfs storage. Pass what this registry\'s snapshot() returned.',
    )

    const early = await memory.snapshot()
    await memory.seed.image('team/app:1')
    const late = await memory.snapshot()
    await memory.restore(early)
    await expect(memory.restore(late)).rejects.toThrow(
      'it was not taken from this storage, or a restore to an earlier snapshot discarded it',
    )
    expect(await (await memory.fetch('/v2/_catalog')).json()).toEqual({ repositories: [] })
  })

  it('restores nested snapshots on memory storage to each one’s content', async () => {
    await using registry = await createFakeRegistry({ transport: 'none' })
    const empty = await registry.snapshot()
    await registry.seed.image('team/app:1')
    const one = await registry.snapshot()
    await registry.seed.image('team/app:2', { layers: ['two'] })
    await registry.fetch('/v2/team/app/manifests/1', { method: 'DELETE' })
    expect(await (await registry.fetch('/v2/team/app/tags/list')).json()).toEqual({ name: 'team/app', tags: ['2'] })
    await registry.restore(one)
    expect(await (await registry.fetch('/v2/team/app/tags/list')).json()).toEqual({ name: 'team/app', tags: ['1'] })
    await registry.restore(empty)
    expect(await (await registry.fetch('/v2/_catalog')).json()).toEqual({ repositories: [] })
  })
})
