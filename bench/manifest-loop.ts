// The manifest round trip every subject runs: PUT of a new OCI manifest by tag, then GET of it,
// `concurrency` at a time until a deadline. The same body for every client, so a comparison
// measures the servers.
import type { ManifestClient } from './http-client.js'
import { sha256 } from './http-client.js'

const OM = 'application/vnd.oci.image.manifest.v1+json'

/** The config and layer blobs every manifest references: push them to each server first. */
export const manifestBlobs = {
  config: Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })),
  layer: Buffer.from('bench layer'),
}

const descriptor = (mediaType: string, bytes: Buffer) => ({ mediaType, digest: sha256(bytes), size: bytes.byteLength })

let next = 0

/** Round trips per second through `client` for `seconds`, `concurrency` at a time. */
export async function manifestRoundTrips(
  client: ManifestClient,
  repository: string,
  seconds: number,
  concurrency: number,
): Promise<number> {
  let done = 0
  const deadline = performance.now() + seconds * 1000
  const worker = async () => {
    while (performance.now() < deadline) {
      // Unique across calls, so every PUT stores a new manifest under a new tag.
      const i = next++
      const body = JSON.stringify({
        schemaVersion: 2,
        mediaType: OM,
        config: descriptor('application/vnd.oci.image.config.v1+json', manifestBlobs.config),
        layers: [descriptor('application/vnd.oci.image.layer.v1.tar+gzip', manifestBlobs.layer)],
        annotations: { 'bench.iteration': String(i) },
      })
      await client.putManifest(repository, `t${i}`, body, OM)
      await client.getManifest(repository, `t${i}`, OM)
      done++
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  return done / ((performance.now() - started) / 1000)
}
