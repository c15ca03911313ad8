import { FakeRegistryError } from '../errors/fake-registry-error.js'
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST_V1,
  DOCKER_MANIFEST_V1_SIGNED,
  OCI_INDEX,
  OCI_MANIFEST,
} from '../media-types/constants.js'
import { descriptorOf } from './builders.js'
import type { Descriptor, SeedBlob } from './types.js'

/** What the seeder needs of a registry: its in-process fetch. */
export interface SeedTarget {
  fetch(input: string, init?: RequestInit): Promise<Response>
}

/** Every manifest kind, so a GET is answered with the stored bytes and never rewritten. */
export const ACCEPT_ANY_MANIFEST = [
  OCI_MANIFEST,
  OCI_INDEX,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST_V1_SIGNED,
  DOCKER_MANIFEST_V1,
  '*/*',
].join(', ')

/**
 * A manifest pushed under a tag, or by digest only.
 *
 * @example
 * const { reference, descriptor } = await registry.seed.image('team/app:1')
 * reference // 'team/app:1'
 */
export interface PushedManifest {
  repository: string
  /** The tag it was pushed under, if any. */
  tag?: string
  /** `repository:tag`, or `repository@digest` when untagged. */
  reference: string
  digest: string
  mediaType: string
  size: number
  /** The exact bytes pushed. */
  bytes: Uint8Array
  /** `{ mediaType, digest, size }` (a seeded image adds its `platform`): ready for an index or a `subject`. */
  descriptor: Descriptor
}

/** How a push of `manifest` to `repository` (under `tag`, else by digest) reads back. */
export function pushedManifest(repository: string, tag: string | undefined, manifest: SeedBlob): PushedManifest {
  return {
    repository,
    ...(tag === undefined ? {} : { tag }),
    reference: tag === undefined ? `${repository}@${manifest.digest}` : `${repository}:${tag}`,
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    size: manifest.size,
    bytes: manifest.bytes,
    descriptor: descriptorOf(manifest),
  }
}

/**
 * Pushes a blob the way a client does, with a monolithic `POST ?digest=`; a blob the repository
 * already links is not sent again. `body` may be a stream for large blobs.
 */
export async function pushBlob(
  target: SeedTarget,
  repository: string,
  blob: Omit<SeedBlob, 'bytes'> & { bytes?: Uint8Array },
  body?: BodyInit,
): Promise<void> {
  const head = await target.fetch(`/v2/${repository}/blobs/${blob.digest}`, { method: 'HEAD' })
  if (head.status === 200) return
  const response = await target.fetch(`/v2/${repository}/blobs/uploads/?digest=${blob.digest}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
    body: body ?? (blob.bytes as Uint8Array<ArrayBuffer>),
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  })
  await expectStatus(response, 201, `${repository}@${blob.digest}`, 'push blob')
}

/** Links a blob stored in another repository into `repository` with a cross-repository mount. */
export async function mountBlob(target: SeedTarget, repository: string, from: string, digest: string): Promise<void> {
  const response = await target.fetch(`/v2/${repository}/blobs/uploads/?mount=${digest}&from=${from}`, {
    method: 'POST',
  })
  await expectStatus(response, 201, `${repository}@${digest}`, `mount blob from ${from}`)
}

/** PUTs manifest bytes by tag or digest; returns the digest the registry answered. */
export async function pushManifest(
  target: SeedTarget,
  repository: string,
  reference: string,
  manifest: SeedBlob,
): Promise<string> {
  const response = await target.fetch(`/v2/${repository}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': manifest.mediaType },
    body: manifest.bytes as Uint8Array<ArrayBuffer>,
  })
  await expectStatus(response, 201, `${repository}:${reference}`, 'push manifest')
  return response.headers.get('docker-content-digest') ?? manifest.digest
}

/** The descriptor of a manifest the registry holds, from a HEAD request. */
export async function headManifest(target: SeedTarget, repository: string, reference: string): Promise<Descriptor> {
  const response = await target.fetch(`/v2/${repository}/manifests/${reference}`, {
    method: 'HEAD',
    headers: { accept: ACCEPT_ANY_MANIFEST },
  })
  await expectStatus(response, 200, `${repository}${reference.includes(':') ? '@' : ':'}${reference}`, 'resolve')
  return {
    mediaType: response.headers.get('content-type') ?? '',
    digest: response.headers.get('docker-content-digest') ?? '',
    size: Number(response.headers.get('content-length')),
  }
}

/** Throws a `FakeRegistryError` that quotes the registry's answer when the status is not the expected one. */
export async function expectStatus(response: Response, status: number, subject: string, action: string): Promise<void> {
  if (response.status === status) return
  const body = await response.text().catch(() => '')
  throw new FakeRegistryError('ERR_SEED', {
    action,
    subject,
    reason: `the registry answered ${response.status}${body ? ` ${body.trim()}` : ''}`,
    fix: 'Seed content the registry accepts in its mode, or check the reference and options',
  })
}
