import { createDigester, type Digester } from '../leaf/digest.js'

/**
 * The sha256 state of each open upload session, so an upload's digest is computed while its
 * body streams in. The uploads handlers are its only writers; the registry only `clear()`s it
 * when storage changes under it (reset, restore). A session missing here (storage that outlived
 * the process, a cleared table) is rehashed from its bytes, so forgetting is always safe.
 *
 * @example
 * const digesters = new UploadDigesters()
 * digesters.start(upload.id).update(bytes)
 * digesters.get(upload.id)?.digest() // 'sha256:…'
 */
export class UploadDigesters {
  #byId = new Map<string, Digester>()

  /** A fresh digester for a new session, from its first byte. */
  start(id: string): Digester {
    const digester = createDigester()
    this.#byId.set(id, digester)
    return digester
  }

  get(id: string): Digester | undefined {
    return this.#byId.get(id)
  }

  /** Keeps `digester` as the session's state (after a chunk, or a rehash). */
  keep(id: string, digester: Digester): void {
    this.#byId.set(id, digester)
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
