// What the GET/HEAD content-negotiation suites (strict mode, and lenient and gitlab-legacy) share:
// one stored manifest of each kind, the Accept headers as a client sends them, and the exact
// answers: a manifest served, or an error envelope.
import { expect } from 'vitest'
import type { FakeRegistry } from '../../src/index.js'
import { putManifestBytes } from './payloads.js'
import { bytesOf, MediaTypes, pushBlob, sha256 } from './push.js'

const { S2, OM, DL, OI } = MediaTypes

/**
 * A stored manifest: a Docker image (S2, and the arm64 and amd64 children of the lists), an OCI
 * image (OM), a Docker list (DL), an OCI index (OI), and two documents without mediaType: an
 * image (R6) and an index (R7, seed A's).
 */
export type Stored = 'S2' | 'OM' | 'DL' | 'OI' | 'R6' | 'R7' | 'amd64' | 'arm64'

/** An entry of the list and the indexes: one of the two Docker children, under a platform. */
export interface ListEntry {
  child: 'arm64' | 'amd64'
  platform: Record<string, string>
}

/**
 * Pushes a Docker config and layer, then each manifest of `pushAs`, in its order, by tag (the key
 * in lower case) with the Content-Type it maps to. The list and the indexes hold `entries`.
 * Returns every body, pushed or not.
 */
export async function pushNegotiationContent(
  registry: FakeRegistry,
  repository: string,
  entries: readonly ListEntry[],
  pushAs: Partial<Record<Stored, string>>,
): Promise<Record<Stored, string>> {
  const config = await pushBlob(registry, repository, '{"architecture":"amd64","os":"linux"}', MediaTypes.DOCKER_CONFIG)
  const layer = await pushBlob(registry, repository, 'layer', MediaTypes.DOCKER_LAYER)
  const ociConfig = { ...config, mediaType: MediaTypes.OCI_CONFIG }
  const image = (which: string) =>
    JSON.stringify({ schemaVersion: 2, mediaType: S2, config, layers: [layer], annotations: { which } })
  const children = { arm64: image('arm64'), amd64: image('amd64') }
  const manifests = entries.map(({ child, platform }) => ({
    mediaType: S2,
    digest: sha256(children[child]),
    size: Buffer.byteLength(children[child]),
    platform,
  }))
  const bodies: Record<Stored, string> = {
    ...children,
    S2: image('plain'),
    OM: JSON.stringify({ schemaVersion: 2, mediaType: OM, config: ociConfig, layers: [] }),
    DL: JSON.stringify({ schemaVersion: 2, mediaType: DL, manifests }),
    OI: JSON.stringify({ schemaVersion: 2, mediaType: OI, manifests }),
    R6: JSON.stringify({ schemaVersion: 2, config: ociConfig, layers: [] }),
    R7: JSON.stringify({ schemaVersion: 2, manifests }),
  }
  for (const [key, contentType] of Object.entries(pushAs) as Array<[Stored, string]>) {
    const response = await putManifestBytes(registry, repository, key.toLowerCase(), bodies[key], contentType)
    if (response.status !== 201) throw new Error(`push ${key}: ${response.status} ${await response.text()}`)
  }
  return bodies
}

export function acceptHeaders(accept: readonly string[]): Headers {
  // One line per item, as the conformance suite sends them; Headers joins them with ", ".
  const headers = new Headers()
  for (const item of accept) headers.append('accept', item)
  return headers
}

/** 200 with the kind, length, digest and ETag of `body`; GET with its exact bytes, HEAD with none. */
export async function expectServed(
  response: Response,
  method: 'GET' | 'HEAD',
  body: string,
  contentType: string,
): Promise<void> {
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toBe(contentType)
  expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)))
  expect(response.headers.get('docker-content-digest')).toBe(sha256(body))
  expect(response.headers.get('etag')).toBe(`"${sha256(body)}"`)
  expect(new Uint8Array(await response.arrayBuffer())).toEqual(method === 'GET' ? bytesOf(body) : new Uint8Array(0))
}

/** `status` with the envelope of this one error: GET with it, HEAD with its length and no body. */
export async function expectRefused(
  response: Response,
  method: 'GET' | 'HEAD',
  status: number,
  error: { code: string; message: string },
): Promise<void> {
  const body = `${JSON.stringify({ errors: [error] })}\n`
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/json')
  expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)))
  expect(await response.text()).toBe(method === 'GET' ? body : '')
}
