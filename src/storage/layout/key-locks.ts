/**
 * Serialises asynchronous tasks by key: a task starts once every earlier task with its key has
 * settled. The key `'*'` waits for and blocks every key, for work that spans the whole storage.
 */
export class KeyLocks {
  #tails = new Map<string, Promise<unknown>>()

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = key === '*' ? Promise.all(this.#tails.values()) : Promise.all([this.#tails.get(key), this.#tails.get('*')])
    const run = previous.then(task, task)
    const settled = run.catch(() => undefined)
    this.#tails.set(key, settled)
    // A key nobody queued behind is dropped, so the map holds only keys in use.
    void settled.then(() => {
      if (this.#tails.get(key) === settled) this.#tails.delete(key)
    })
    return run
  }
}
