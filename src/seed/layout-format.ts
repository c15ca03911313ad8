import { join } from 'node:path'
import { parseSupportedDigest } from '../leaf/digest.js'
import { misuse } from './builders.js'

// The OCI image layout as both directions read it: `index.json`, descriptors and
// `blobs/<algorithm>/<hex>`.

/** The annotation that names a manifest in an OCI layout's `index.json`. */
export const REF_NAME = 'org.opencontainers.image.ref.name'

/** A descriptor as a layout (or a manifest in it) holds it: nothing trusted yet. */
export interface LayoutDescriptor {
  mediaType?: string
  digest?: string
  size?: number
  urls?: unknown
  annotations?: Record<string, unknown>
}

/** The digest of a descriptor, checked before it names a file. */
export function layoutDigest(dir: string, descriptor: LayoutDescriptor): string {
  const digest = parseSupportedDigest(String(descriptor?.digest))?.digest
  if (digest === undefined)
    throw misuse(
      'import layout',
      dir,
      `a descriptor has no sha256 or sha512 digest: ${JSON.stringify(descriptor)}`,
      'Repair the layout',
    )
  return digest
}

/** Where a layout keeps the blob of a checked digest. */
export function blobPath(dir: string, digest: string): string {
  const [algorithm, hex] = digest.split(':') as [string, string]
  return join(dir, 'blobs', algorithm, hex)
}

/** The config and layers of an image manifest: the blobs it needs beside it. */
export function referencedBlobs(document: Record<string, unknown>): LayoutDescriptor[] {
  return [...asDescriptors(document.config === undefined ? [] : [document.config]), ...asDescriptors(document.layers)]
}

/** The object entries of a descriptor list; anything else is no list. */
export function asDescriptors(value: unknown): LayoutDescriptor[] {
  return Array.isArray(value)
    ? (value.filter((item) => typeof item === 'object' && item !== null) as LayoutDescriptor[])
    : []
}

/** The bytes as a JSON object; `{}` for anything else, so bytes that are not a JSON manifest reference nothing. */
export function parseObject(bytes: Uint8Array): Record<string, unknown> {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as unknown
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
