import { FakeRegistryError } from '../errors/fake-registry-error.js'
import type { GarbageCollection, Storage, StorageSnapshot } from './storage.js'

/** Captures the registry's content through its storage's optional `snapshot()`. */
export function takeSnapshot(storage: Storage): Promise<StorageSnapshot> {
  if (!storage.snapshot || !storage.restore)
    throw unsupported(storage, 'take a snapshot of', 'snapshot() and restore()')
  return storage.snapshot()
}

/** Puts back a snapshot's content, after checking it comes from this kind of storage. */
export async function restoreSnapshot(storage: Storage, snapshot: StorageSnapshot): Promise<void> {
  if (!storage.restore) throw unsupported(storage, 'restore a snapshot into', 'restore()')
  if (typeof snapshot !== 'object' || snapshot === null || snapshot.kind !== storage.kind) {
    throw new FakeRegistryError('ERR_STORAGE', {
      action: 'restore a snapshot into',
      subject: storage.kind,
      reason: `the snapshot ${typeof snapshot === 'object' && snapshot !== null ? `comes from ${snapshot.kind} storage` : 'is not one'}`,
      fix: "Pass what this registry's snapshot() returned",
    })
  }
  await storage.restore(snapshot)
}

/** Removes blobs no repository links, when the storage can. */
export function collectGarbage(storage: Storage): Promise<GarbageCollection> {
  if (!storage.garbageCollect) throw unsupported(storage, 'collect garbage in', 'garbageCollect()')
  return storage.garbageCollect()
}

function unsupported(storage: Storage, action: string, methods: string): FakeRegistryError {
  return new FakeRegistryError('ERR_STORAGE', {
    action,
    subject: `${storage.kind} storage`,
    reason: `the storage does not implement the optional ${methods}`,
    fix: 'Use memoryStorage(), memfsStorage() or directoryStorage(), or add the methods to the custom storage (docs/storage.md)',
  })
}
