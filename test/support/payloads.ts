// The payload rows R1..R8 of the media-type spec, built on content pushed through the HTTP API:
// a config and a layer blob, and two child manifests (one Docker, one OCI) for the index rows.
import type { FakeRegistry } from '../../src/index.js'
import { MediaTypes, pushBlob, sha256 } from './push.js'

/** `application/vnd.foo.manifest.v1+json`, the unknown type of the seeds (`U`). */
export const UNKNOWN_TYPE = 'application/vnd.foo.manifest.v1+json'

export type PayloadRow = 'R1' | 'R2' | 'R3' | 'R4' | 'R5' | 'R6' | 'R7' | 'R8'

export interface Payloads {
  /** Each row's body as the exact text pushed. */
  bodies: Record<PayloadRow, string>
  /** A Docker image and an OCI image (empty layers) the index rows point to, pushed by digest. */
  dockerChild: { digest: string; size: number }
  ociChild: { digest: string; size: number }
}

/**
 * Pushes what the rows reference into `repository` and returns the bodies: two blobs, and two
 * child manifests by digest for R3, R4 and R7, so every row passes the reference check.
 */
export async function pushPayloadContent(registry: FakeRegistry, repository: string): Promise<Payloads> {
  const ociConfig = await pushBlob(
    registry,
    repository,
    '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
    MediaTypes.OCI_CONFIG,
  )
  const ociLayer = await pushBlob(registry, repository, 'layer one', MediaTypes.OCI_LAYER)
  const dockerConfig = { ...ociConfig, mediaType: MediaTypes.DOCKER_CONFIG }
  const dockerLayer = { ...ociLayer, mediaType: MediaTypes.DOCKER_LAYER }
  const amd64 = { architecture: 'amd64', os: 'linux' }

  // The children differ from R1 and R2 (no layers), so no row's body is stored before it is pushed.
  const dockerChildBody = JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.S2,
    config: dockerConfig,
    layers: [],
  })
  const ociChildBody = JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OM, config: ociConfig, layers: [] })
  const dockerChild = { digest: sha256(dockerChildBody), size: Buffer.byteLength(dockerChildBody) }
  const ociChild = { digest: sha256(ociChildBody), size: Buffer.byteLength(ociChildBody) }
  for (const [body, type, child] of [
    [dockerChildBody, MediaTypes.S2, dockerChild],
    [ociChildBody, MediaTypes.OM, ociChild],
  ] as const) {
    const response = await putManifestBytes(registry, repository, child.digest, body, type)
    if (response.status !== 201)
      throw new Error(`push child ${child.digest}: ${response.status} ${await response.text()}`)
  }
  const ociEntries = [{ mediaType: MediaTypes.OM, ...ociChild, platform: amd64 }]
  const bodies: Record<PayloadRow, string> = {
    R1: JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.S2, config: dockerConfig, layers: [dockerLayer] }),
    R2: JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OM, config: ociConfig, layers: [ociLayer] }),
    R3: JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.DL,
      manifests: [{ mediaType: MediaTypes.S2, ...dockerChild, platform: amd64 }],
    }),
    R4: JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OI, manifests: ociEntries }),
    R5: JSON.stringify({ schemaVersion: 2, mediaType: UNKNOWN_TYPE, config: ociConfig, layers: [ociLayer] }),
    R6: JSON.stringify({ schemaVersion: 2, config: ociConfig, layers: [ociLayer] }),
    // Seed A's document: an index with no mediaType, as buildah pushes it.
    R7: JSON.stringify({ schemaVersion: 2, manifests: ociEntries }),
    R8: JSON.stringify({
      schemaVersion: 1,
      name: repository,
      tag: 'latest',
      architecture: 'amd64',
      fsLayers: [{ blobSum: ociLayer.digest }],
      history: [{ v1Compatibility: '{"id":"1"}' }],
      signatures: [
        {
          header: { jwk: { crv: 'P-256', kty: 'EC', x: 'AAAA', y: 'AAAA' }, alg: 'ES256' },
          signature: 'AAAA',
          protected: 'AAAA',
        },
      ],
    }),
  }
  return { bodies, dockerChild, ociChild }
}

/**
 * PUTs a manifest body as bytes. Unlike a string body, for which Fetch adds
 * `Content-Type: text/plain;charset=UTF-8`, bytes leave the header truly absent when
 * `contentType` is null.
 */
export function putManifestBytes(
  registry: FakeRegistry,
  repository: string,
  reference: string,
  body: string,
  contentType: string | null,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers)
  if (contentType !== null) headers.set('content-type', contentType)
  return registry.fetch(`/v2/${repository}/manifests/${reference}`, {
    ...init,
    method: 'PUT',
    headers,
    body: new TextEncoder().encode(body),
  })
}
