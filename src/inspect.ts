import { concatBytes } from './leaf/bytes.js'
import { isRepositoryName, isTag } from './leaf/names.js'
import { parseDigest } from './leaf/digest.js'
import { FakeRegistryError } from './errors/fake-registry-error.js'
import { referrerDescriptorOf, type ReferrerDescriptor } from './api/referrer-descriptor.js'
import type { Storage } from './storage/storage.js'

/** An image reference read by the inspection helpers: a repository and a tag, a digest, or both. */
export interface ImageReference {
  repository: string
  tag?: string
  digest?: string
}

/**
 * A manifest as the registry holds it (`registry.manifest(ref)`).
 *
 * @example
 * const manifest = await registry.manifest('team/app:1')
 * manifest?.mediaType // 'application/vnd.oci.image.manifest.v1+json'
 */
export interface InspectedManifest {
  repository: string
  /** The tag it was looked up by, if any. */
  tag?: string
  digest: string
  /** The stored kind, served as `Content-Type`. */
  mediaType: string
  size: number
  /** The exact bytes pushed. */
  bytes: Uint8Array
  /** The bytes parsed as JSON; undefined when they are not JSON. */
  body: unknown
  /** The `subject.digest` of an image-spec manifest. */
  subject?: string
  /** The artifact type a referrers listing reports. */
  artifactType?: string
  /** The top-level annotations. */
  annotations?: Record<string, string>
}

/**
 * A blob a repository links (`registry.blob(repo, digest)`); its bytes are read on demand.
 *
 * @example
 * const blob = await registry.blob('team/app', layer.digest)
 * await blob?.bytes() // the exact bytes pushed
 */
export interface InspectedBlob {
  repository: string
  digest: string
  size: number
  bytes(): Promise<Uint8Array>
  text(): Promise<string>
}

/** One manifest whose `subject` is the one asked for, exactly as the referrers API lists it. */
export type InspectedReferrer = ReferrerDescriptor

/**
 * Reads `team/app:1`, `team/app@sha256:…`, `team/app:1@sha256:…`, optionally prefixed with the
 * registry's host (`registry.ref(…)`). Misuse is a `FakeRegistryError` ERR_INVALID_REFERENCE.
 */
export function parseImageReference(input: unknown, host: string, action: string): ImageReference {
  const fail = (reason: string): FakeRegistryError =>
    invalidReference(action, input, reason, "Pass one such as 'team/app:1' or 'team/app@sha256:…'")
  if (typeof input !== 'string' || input.length === 0) throw fail('a reference is a non-empty string')
  const reference = splitReference(input.startsWith(`${host}/`) ? input.slice(host.length + 1) : input)
  const { repository, tag, digest } = reference
  if (!isRepositoryName(repository))
    throw fail(`"${repository}" is not a valid repository name (lower-case path components)`)
  if (tag !== undefined && !isTag(tag)) throw fail(`"${tag}" is not a valid tag`)
  if (digest !== undefined && !parseDigest(digest)) throw fail(`"${digest}" is not a valid digest (algorithm:hex)`)
  if (tag === undefined && digest === undefined) throw fail('it names no tag and no digest')
  return reference
}

/**
 * `name[:tag][@digest]` split into its parts, nothing validated: the digest follows the first
 * `@`, and a tag is a `:` after the last `/` (one before it belongs to a registry host's port).
 */
export function splitReference(text: string): ImageReference {
  const at = text.indexOf('@')
  const named = at === -1 ? text : text.slice(0, at)
  const colon = named.lastIndexOf(':')
  const tagged = colon > named.lastIndexOf('/')
  const reference: ImageReference = { repository: tagged ? named.slice(0, colon) : named }
  if (tagged) reference.tag = named.slice(colon + 1)
  if (at !== -1) reference.digest = text.slice(at + 1)
  return reference
}

/** Checks a repository name given to an inspection helper. */
export function requireRepositoryName(input: unknown, action: string): string {
  if (typeof input === 'string' && isRepositoryName(input)) return input
  throw invalidReference(
    action,
    input,
    'it is not a valid repository name',
    "Pass one such as 'team/app', with no tag or digest",
  )
}

/** Checks a digest given to an inspection helper. */
export function requireDigest(input: unknown, action: string): string {
  if (typeof input === 'string' && parseDigest(input)) return input
  throw invalidReference(
    action,
    input,
    'it is not a valid digest',
    "Pass one such as 'sha256:' followed by 64 lower-case hex digits",
  )
}

/** The manifest a reference names (a digest wins over a tag), or undefined. */
export async function inspectManifest(
  storage: Storage,
  reference: ImageReference,
): Promise<InspectedManifest | undefined> {
  const digest = await resolveDigest(storage, reference)
  const stored = digest === undefined ? undefined : await storage.getManifest(reference.repository, digest)
  if (!stored) return undefined
  const manifest: InspectedManifest = {
    repository: reference.repository,
    digest: stored.digest,
    mediaType: stored.mediaType,
    size: stored.bytes.byteLength,
    bytes: stored.bytes,
    body: parseJson(stored.bytes),
  }
  if (reference.tag !== undefined) manifest.tag = reference.tag
  if (stored.subject !== undefined) manifest.subject = stored.subject
  if (stored.artifactType !== undefined) manifest.artifactType = stored.artifactType
  if (stored.annotations !== undefined) manifest.annotations = stored.annotations
  return manifest
}

/** The repository's tags in code-point order; empty for an unknown repository. */
export async function inspectTags(storage: Storage, repository: string): Promise<string[]> {
  return (await storage.listTags(repository)) ?? []
}

/** The blob when the repository links it, or undefined. */
export async function inspectBlob(
  storage: Storage,
  repository: string,
  digest: string,
): Promise<InspectedBlob | undefined> {
  if (!(await storage.isBlobLinked(repository, digest))) return undefined
  const info = await storage.statBlob(digest)
  if (!info) return undefined
  const bytes = async (): Promise<Uint8Array> => readAll((await storage.readBlob(digest)) ?? [])
  return { repository, digest, size: info.size, bytes, text: async () => new TextDecoder().decode(await bytes()) }
}

/** The manifests whose subject is the referenced manifest, in push order. */
export async function inspectReferrers(storage: Storage, subject: ImageReference): Promise<InspectedReferrer[]> {
  const digest = await resolveDigest(storage, subject)
  if (digest === undefined) return []
  return (await storage.listReferrers(subject.repository, digest)).map(referrerDescriptorOf)
}

// A digest wins over a tag: `team/app:1@sha256:…` names that manifest whatever the tag holds now.
async function resolveDigest(storage: Storage, reference: ImageReference): Promise<string | undefined> {
  if (reference.digest !== undefined) return reference.digest
  return reference.tag === undefined ? undefined : storage.resolveTag(reference.repository, reference.tag)
}

function invalidReference(action: string, input: unknown, reason: string, fix: string): FakeRegistryError {
  return new FakeRegistryError('ERR_INVALID_REFERENCE', { action, subject: String(input), reason, fix })
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown
  } catch {
    return undefined
  }
}

async function readAll(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return concatBytes(parts)
}
