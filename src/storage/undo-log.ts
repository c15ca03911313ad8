import { FakeRegistryError } from '../errors/fake-registry-error.js'
import type { StorageSnapshot } from './storage.js'

/**
 * Snapshots for in-memory state, O(changes): while a snapshot is live, each change records how
 * to undo itself, and `restore` runs those undo steps back to the snapshot's position. Nothing
 * is copied when a snapshot is taken, and nothing is recorded when none exists.
 */
export class UndoLog {
  readonly #kind: string
  #steps: Array<() => void> = []
  // Live snapshots and their positions in `#steps`; a restore kills the ones taken after it.
  #positions = new WeakMap<StorageSnapshot, number>()
  #live = new Set<WeakRef<StorageSnapshot>>()

  constructor(kind: string) {
    this.#kind = kind
  }

  /** True while a snapshot may need undo steps: a change can skip preparing one otherwise. */
  get recording(): boolean {
    return this.#live.size > 0
  }

  /** Records how to undo a change just made, when a snapshot may need it. */
  record(undo: () => void): void {
    if (this.#live.size === 0) return
    this.#steps.push(undo)
    // Snapshots a test dropped are garbage; once none is left, neither are the steps.
    if (this.#steps.length % 4096 === 0) this.#forgetDropped()
  }

  snapshot(): StorageSnapshot {
    const snapshot: StorageSnapshot = Object.freeze({ kind: this.#kind })
    this.#positions.set(snapshot, this.#steps.length)
    this.#live.add(new WeakRef(snapshot))
    return snapshot
  }

  restore(snapshot: StorageSnapshot): void {
    const position = this.#positions.get(snapshot)
    if (position === undefined) {
      throw new FakeRegistryError('ERR_STORAGE', {
        action: 'restore snapshot',
        subject: this.#kind,
        reason: 'it was not taken from this storage, or a restore to an earlier snapshot discarded it',
        fix: 'Restore a snapshot this storage returned from snapshot(), and take later snapshots again after restoring an earlier one',
      })
    }
    while (this.#steps.length > position) (this.#steps.pop() as () => void)()
    for (const ref of this.#live) {
      const live = ref.deref()
      const at = live && this.#positions.get(live)
      if (live === undefined || at === undefined || at > position) {
        if (live) this.#positions.delete(live)
        this.#live.delete(ref)
      }
    }
    // No snapshot left: nothing can ask for the steps any more.
    if (this.#live.size === 0) this.#steps = []
  }

  #forgetDropped(): void {
    for (const ref of this.#live) if (ref.deref() === undefined) this.#live.delete(ref)
    if (this.#live.size === 0) this.#steps = []
  }
}
