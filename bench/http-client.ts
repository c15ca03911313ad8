// One small registry client over an undici Pool, the same for the fake and the reference
// registry, so a comparison measures the servers and not two different clients.
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { Pool } from 'undici'

/** The manifest calls of a round trip, over any transport. */
export interface ManifestClient {
  putManifest(repository: string, reference: string, body: string, mediaType: string): Promise<void>
  /** GETs a manifest and returns its byte length. */
  getManifest(repository: string, reference: string, accept: string): Promise<number>
}

export interface BenchClient extends ManifestClient {
  /** POST a session, then PUT the whole body with ?digest=: the upload every registry supports. */
  pushBlob(
    repository: string,
    body: Uint8Array | AsyncIterable<Uint8Array>,
    digest: string,
    size: number,
  ): Promise<void>
  close(): Promise<void>
}

export function createBenchClient(url: string, connections = 8): BenchClient {
  const pool = new Pool(url, { connections })
  return {
    async pushBlob(repository, body, digest, size) {
      const start = await pool.request({ path: `/v2/${repository}/blobs/uploads/`, method: 'POST' })
      await start.body.text()
      const location = start.headers.location
      if (start.statusCode !== 202 || typeof location !== 'string')
        throw new Error(`upload start answered ${start.statusCode}`)
      const target = new URL(location, url)
      target.searchParams.set('digest', digest)
      const put = await pool.request({
        path: `${target.pathname}${target.search}`,
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
        body: body instanceof Uint8Array ? body : Readable.from(body),
      })
      const text = await put.body.text()
      if (put.statusCode !== 201) throw new Error(`upload put answered ${put.statusCode}: ${text}`)
    },
    async putManifest(repository, reference, body, mediaType) {
      const response = await pool.request({
        path: `/v2/${repository}/manifests/${reference}`,
        method: 'PUT',
        headers: { 'content-type': mediaType },
        body,
      })
      const text = await response.body.text()
      if (response.statusCode !== 201) throw new Error(`manifest put answered ${response.statusCode}: ${text}`)
    },
    async getManifest(repository, reference, accept) {
      const response = await pool.request({
        path: `/v2/${repository}/manifests/${reference}`,
        method: 'GET',
        headers: { accept },
      })
      const bytes = await response.body.arrayBuffer()
      if (response.statusCode !== 200) throw new Error(`manifest get answered ${response.statusCode}`)
      return bytes.byteLength
    },
    close: () => pool.close(),
  }
}

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}
