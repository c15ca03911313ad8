import { createDigester, type Digester } from '../leaf/digest.js'

/**
 * The sha256 state of each open upload session and how many bytes it has hashed, so an upload's
 * digest is computed while its body streams in, and a state that no longer matches the
 * session's size is never used. The uploads handlers are its only writers; the registry only `clear()`s it
 * when storage changes under it (reset, restore). A session missing here (storage that outlived
 * the process, a cleared table) is rehashed from its bytes, so forgetting is always safe.
 *
 * @example
 * const digesters = new UploadDigesters()
 * digesters.start(upload.id)
 * digesters.keep(upload.id, digester, 42)
 * digesters.get(upload.id)?.digester.digest() // 'sha256:…'
 */
export class UploadDigesters {
  #byId = new Map<string, { digester: Digester; size: number }>()

  /** A fresh digester for a new, empty session. */
  start(id: string): Digester {
    const digester = createDigester()
    this.#byId.set(id, { digester, size: 0 })
    return digester
  }

  /** The session's state and the number of bytes it has hashed. */
  get(id: string): { digester: Digester; size: number } | undefined {
    return this.#byId.get(id)
  }

  /** Keeps `digester`, having hashed `size` bytes, as the session's state (after a chunk, or a rehash). */
  keep(id: string, digester: Digester, size: number): void {
    this.#byId.set(id, { digester, size })
  }

  /** Drops one session's state: it ended, or its state may no longer match its bytes. */
  forget(id: string): void {
    this.#byId.delete(id)
  }

  /** Drops every session's state. */
  clear(): void {
    this.#byId.clear()
  }
}
