/**
 * Serialises asynchronous tasks of one storage. A keyed task starts once every earlier task
 * holding one of its keys, and every earlier exclusive task, has settled; it takes all of its
 * keys at once, so tasks never wait on each other in a circle. An exclusive task (clear,
 * restore, snapshot, garbage collection) starts once every earlier keyed task has settled, and
 * every later task waits for it.
 *
 * A streaming task (an upload's append, as long as its client sends) holds its key but is not
 * waited for by exclusive tasks, so a stalled client cannot hold up a reset: it must cope with
 * what it works on disappearing under it.
 */
export class KeyLocks {
  #tails = new Map<string, Promise<void>>()
  #exclusive: Promise<void> = Promise.resolve()
  // Keyed tasks, queued or running, that the next exclusive task waits for.
  #pending = new Set<Promise<void>>()

  /** Runs `task` holding `keys`; `streaming` keeps exclusive tasks from waiting for it. */
  run<T>(keys: string | readonly string[], task: () => Promise<T>, options: { streaming?: boolean } = {}): Promise<T> {
    const held = typeof keys === 'string' ? [keys] : [...new Set(keys)]
    const previous = Promise.all([this.#exclusive, ...held.map((key) => this.#tails.get(key))])
    const run = previous.then(task)
    const settled = run.then(noop, noop)
    for (const key of held) this.#tails.set(key, settled)
    if (!options.streaming) {
      this.#pending.add(settled)
      void settled.then(() => this.#pending.delete(settled))
    }
    // A key nobody queued behind is dropped, so the map holds only keys in use.
    void settled.then(() => {
      for (const key of held) if (this.#tails.get(key) === settled) this.#tails.delete(key)
    })
    return run
  }

  /** Runs `task` alone among the tasks that are not streaming. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = Promise.all([this.#exclusive, ...this.#pending]).then(task)
    this.#exclusive = run.then(noop, noop)
    return run
  }
}

function noop(): void {}
