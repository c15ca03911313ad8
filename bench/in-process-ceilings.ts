// What an in-process client could reach with no registry at all, as references for the
// in-process rows: the bare server's work (a Map, sha256, JSON.parse) called directly, and
// `undici.request` through a dispatcher that does that work and answers at once. A registry in
// process cannot beat either; how close it comes is its own cost.
import { createHash } from 'node:crypto'
import { Dispatcher } from 'undici'
import type { ManifestClient } from './http-client.js'

interface Stored {
  bytes: Buffer
  digest: string
}

/** The bare server's work for a manifest PUT: parse, hash, store under the tag and the digest. */
function storeManifest(manifests: Map<string, Stored>, path: string, bytes: Buffer): string {
  JSON.parse(bytes.toString('utf8'))
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
  const stored = { bytes, digest }
  manifests.set(path, stored)
  manifests.set(digest, stored)
  return digest
}

/** The manifest calls as plain function calls doing the bare server's work: no HTTP, no Fetch, no registry. */
export function bareWorkClient(): ManifestClient {
  const manifests = new Map<string, Stored>()
  const path = (repository: string, reference: string) => `/v2/${repository}/manifests/${reference}`
  return {
    async putManifest(repository, reference, body) {
      storeManifest(manifests, path(repository, reference), Buffer.from(body))
    },
    async getManifest(repository, reference) {
      const stored = manifests.get(path(repository, reference))
      if (!stored) throw new Error(`no manifest at ${path(repository, reference)}`)
      // A copy, as a client gets its own bytes from any transport.
      return Buffer.from(stored.bytes).byteLength
    },
  }
}

/** An undici dispatcher that does the bare server's work and answers at once, through the handler's callbacks. */
export class AnsweringDispatcher extends Dispatcher {
  #manifests = new Map<string, Stored>()

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const legacy = handler as Required<
      Pick<Dispatcher.DispatchHandler, 'onConnect' | 'onHeaders' | 'onData' | 'onComplete'>
    >
    queueMicrotask(() => {
      legacy.onConnect(() => {})
      if (options.method === 'PUT') {
        const body = options.body
        const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body as Uint8Array)
        const digest = storeManifest(this.#manifests, options.path, bytes)
        legacy.onHeaders(201, [Buffer.from('docker-content-digest'), Buffer.from(digest)], () => {}, 'Created')
      } else {
        const stored = this.#manifests.get(options.path)
        if (!stored) throw new Error(`no manifest at ${options.path}`)
        legacy.onHeaders(200, [Buffer.from('content-type'), Buffer.from('application/json')], () => {}, 'OK')
        legacy.onData(Buffer.from(stored.bytes))
      }
      legacy.onComplete([])
    })
    return true
  }
}
