// Small builders and push helpers shared by the tests: they speak the HTTP API the way a
// client does, so every test that uses them also exercises the upload and manifest routes.
import { createHash } from 'node:crypto'
import type { FakeRegistry } from '../../src/index.js'

export const MediaTypes = {
  S2: 'application/vnd.docker.distribution.manifest.v2+json',
  OM: 'application/vnd.oci.image.manifest.v1+json',
  DL: 'application/vnd.docker.distribution.manifest.list.v2+json',
  OI: 'application/vnd.oci.image.index.v1+json',
  OCI_CONFIG: 'application/vnd.oci.image.config.v1+json',
  OCI_LAYER: 'application/vnd.oci.image.layer.v1.tar+gzip',
  DOCKER_CONFIG: 'application/vnd.docker.container.image.v1+json',
  DOCKER_LAYER: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  EMPTY: 'application/vnd.oci.empty.v1+json',
} as const

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  [key: string]: unknown
}

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

export function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}

/** Pushes a blob with a monolithic POST ?digest= upload; returns its descriptor. */
export async function pushBlob(
  registry: FakeRegistry,
  repository: string,
  content: Uint8Array | string,
  mediaType: string = MediaTypes.OCI_LAYER,
): Promise<Descriptor> {
  const bytes = typeof content === 'string' ? bytesOf(content) : content
  const digest = sha256(bytes)
  const response = await registry.fetch(`/v2/${repository}/blobs/uploads/?digest=${digest}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) },
    body: bytes as Uint8Array<ArrayBuffer>,
  })
  if (response.status !== 201)
    throw new Error(`pushBlob ${repository} ${digest}: ${response.status} ${await response.text()}`)
  return { mediaType, digest, size: bytes.byteLength }
}

/** Pushes a small config blob and `layerCount` layers, returns an OCI (or Docker) image manifest body. */
export async function pushImageContent(
  registry: FakeRegistry,
  repository: string,
  options: { layers?: string[]; docker?: boolean } = {},
): Promise<Record<string, unknown>> {
  const docker = options.docker ?? false
  const config = await pushBlob(
    registry,
    repository,
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
    docker ? MediaTypes.DOCKER_CONFIG : MediaTypes.OCI_CONFIG,
  )
  const layers: Descriptor[] = []
  for (const layer of options.layers ?? ['layer one'])
    layers.push(await pushBlob(registry, repository, layer, docker ? MediaTypes.DOCKER_LAYER : MediaTypes.OCI_LAYER))
  return { schemaVersion: 2, mediaType: docker ? MediaTypes.S2 : MediaTypes.OM, config, layers }
}

/** PUTs a manifest; returns the response. `contentType: null` sends no Content-Type. */
export async function putManifest(
  registry: FakeRegistry,
  repository: string,
  reference: string,
  body: unknown,
  contentType: string | null = MediaTypes.OM,
): Promise<Response> {
  // Bytes, not a string: Fetch would add `Content-Type: text/plain` to a string body.
  const bytes = bytesOf(typeof body === 'string' ? body : JSON.stringify(body)) as Uint8Array<ArrayBuffer>
  const headers: Record<string, string> = {}
  if (contentType !== null) headers['content-type'] = contentType
  return registry.fetch(`/v2/${repository}/manifests/${reference}`, { method: 'PUT', headers, body: bytes })
}

/** The parsed error envelope of a response. */
export async function errorsOf(
  response: Response,
): Promise<Array<{ code: string; message: string; detail?: unknown }>> {
  const body = (await response.json()) as { errors: Array<{ code: string; message: string; detail?: unknown }> }
  return body.errors
}
