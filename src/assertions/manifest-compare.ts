import type { FakeRegistry } from '../create-fake-registry.js'
import { isAsymmetricMatcher, matchValue, type AsymmetricMatcherLike } from '../journal/journal.js'
import type { InspectedManifest } from '../inspect.js'
import { count, formatTable, formatValue, shortDigest } from './format.js'
import type { ExpectedDescriptors, ExpectedManifest, PlatformMatch } from './manifest-types.js'

// The field-by-field half of `checkManifest`: what a held manifest is, set against what a test
// expected, as the lines a failure message shows.

/** One field that differs, with the lines that explain how. */
interface Difference {
  field: string
  lines: string[]
}

interface Descriptor {
  mediaType?: string
  digest?: string
  size?: number
  platform?: Record<string, unknown>
  [key: string]: unknown
}

/** The fields of `expected` that the manifest does not match, and what it holds for each. */
export async function compare(
  registry: FakeRegistry,
  manifest: InspectedManifest,
  expected: ExpectedManifest,
): Promise<{ differences: Difference[]; actual: Record<string, unknown> }> {
  const body = bodyOf(manifest)
  const differences: Difference[] = []
  const actual: Record<string, unknown> = {}
  const simple = (field: string, stored: unknown, wanted: unknown, extra: string[] = []): void => {
    actual[field] = stored
    if (!matchValue(stored, wanted))
      differences.push({
        field,
        lines: [`expected  ${formatValue(wanted)}`, `stored    ${formatValue(stored)}`, ...extra],
      })
  }
  if (expected.mediaType !== undefined)
    simple('mediaType', manifest.mediaType, expected.mediaType, pushHint(registry, manifest))
  if (expected.digest !== undefined) simple('digest', manifest.digest, expected.digest)
  if (expected.size !== undefined) simple('size', manifest.size, expected.size)
  if (expected.artifactType !== undefined) simple('artifactType', manifest.artifactType, expected.artifactType)
  if (expected.annotations !== undefined) {
    const stored = (body.annotations ?? {}) as Record<string, string>
    actual.annotations = stored
    if (!matchValue(stored, expected.annotations)) {
      const lines = [`expected  ${formatValue(expected.annotations)} (a subset)`]
      const entries = Object.entries(stored)
      if (entries.length === 0) lines.push('stored    no annotations')
      else
        lines.push(
          `stored    ${count(entries.length, 'annotation')}:`,
          ...formatTable(
            ['key', 'value'],
            entries.map(([key, value]) => [key, formatValue(value)]),
          ).split('\n'),
        )
      differences.push({ field: 'annotations', lines })
    }
  }
  if (expected.config !== undefined) simple('config', body.config, expected.config)
  for (const field of ['layers', 'manifests'] as const) {
    const wanted = expected[field]
    if (wanted === undefined) continue
    const stored = Array.isArray(body[field]) ? (body[field] as Descriptor[]) : undefined
    const difference = compareDescriptors(field, stored, wanted)
    actual[field] = typeof wanted === 'number' ? stored?.length : stored
    if (difference) differences.push(difference)
  }
  if (expected.platforms !== undefined) {
    const children = Array.isArray(body.manifests) ? (body.manifests as Descriptor[]) : []
    const stored = childPlatforms(children)
    actual.platforms = stored
    if (!platformsMatch(children, expected.platforms)) {
      differences.push({
        field: 'platforms',
        lines: [
          `expected  ${formatValue(expected.platforms)} (in any order)`,
          `stored    ${formatValue(stored)}`,
          ...descriptorTable(children, true),
        ],
      })
    }
  }
  if (expected.platform !== undefined) {
    const platform = await imagePlatform(registry, manifest, body)
    actual.platform = platform === undefined ? undefined : platformText(platform)
    if (platform === undefined || !platformMatches(platform, expected.platform)) {
      const stored =
        platform === undefined ? `none (${platformAbsence(manifest, body)})` : formatValue(platformText(platform))
      differences.push({
        field: 'platform',
        lines: [`expected  ${formatValue(expected.platform)}`, `stored    ${stored}`],
      })
    }
  }
  if (expected.subject !== undefined) {
    const subject = body.subject as Descriptor | undefined
    const wanted = expected.subject
    const stored =
      typeof wanted === 'object' && !(wanted instanceof RegExp) && !isAsymmetricMatcher(wanted)
        ? subject
        : subject?.digest
    simple('subject', stored, wanted, subject === undefined ? ['the manifest has no subject'] : [])
  }
  return { differences, actual }
}

// The mediaType a push stored comes from its Content-Type and body; naming both tells a client
// author which of the two was wrong.
function pushHint(registry: FakeRegistry, manifest: InspectedManifest): string[] {
  const push = registry.requests.last(
    (request) =>
      request.method === 'PUT' &&
      request.resource === 'manifest' &&
      request.repository === manifest.repository &&
      request.digest === manifest.digest &&
      request.response.status === 201,
  )
  if (!push) return ['(not pushed through the journal: seeded, or recorded before requests.clear())']
  const contentType = push.headers['content-type']
  const bodyType = (push.manifest as { mediaType?: unknown } | undefined)?.mediaType ?? push.manifestSummary?.mediaType
  return [
    `pushed by request #${push.id} (PUT ${push.path}) with Content-Type ${contentType === undefined ? '(none)' : formatValue(contentType)}` +
      (typeof bodyType === 'string' ? ` and body mediaType ${formatValue(bodyType)}` : ' and no mediaType in the body'),
  ]
}

function compareDescriptors(
  field: string,
  stored: Descriptor[] | undefined,
  wanted: ExpectedDescriptors,
): Difference | undefined {
  const noun = field === 'layers' ? 'layer' : 'manifest'
  if (typeof wanted === 'number') {
    if (stored?.length === wanted) return undefined
    return { field, lines: [`expected  ${count(wanted, noun)}`, ...storedDescriptors(field, noun, stored)] }
  }
  if (matchValue(stored, wanted)) return undefined
  const lines = [`expected  ${formatValue(wanted)}`, ...storedDescriptors(field, noun, stored)]
  if (stored !== undefined && Array.isArray(wanted)) {
    if (wanted.length !== stored.length) lines.push(`expected ${count(wanted.length, noun)}, stored ${stored.length}`)
    else {
      const first = wanted.findIndex((item, index) => !matchValue(stored[index], item))
      if (first !== -1) lines.push(`first difference at #${first}: expected ${formatValue(wanted[first])}`)
    }
  }
  return { field, lines }
}

function storedDescriptors(field: string, noun: string, stored: readonly Descriptor[] | undefined): string[] {
  if (stored === undefined) return [`stored    no ${field} field`]
  return [
    `stored    ${count(stored.length, noun)}${stored.length > 0 ? ':' : ''}`,
    ...descriptorTable(stored, field === 'manifests'),
  ]
}

function descriptorTable(descriptors: readonly Descriptor[], withPlatform: boolean): string[] {
  if (descriptors.length === 0) return []
  const header = ['#', 'mediaType', 'digest', 'size']
  if (withPlatform) header.push('platform')
  const rows = descriptors.map((descriptor, index) => {
    const row = [
      String(index),
      String(descriptor.mediaType ?? ''),
      shortDigest(descriptor.digest),
      String(descriptor.size ?? ''),
    ]
    if (withPlatform) row.push(descriptor.platform === undefined ? '' : platformText(descriptor.platform))
    return row
  })
  return formatTable(header, rows).split('\n')
}

// An index's children as `os/architecture[/variant]`, `(none)` for a child without a platform.
function childPlatforms(children: readonly Descriptor[]): string[] {
  return children.map((child) => (child.platform === undefined ? '(none)' : platformText(child.platform)))
}

function platformText(platform: Record<string, unknown>): string {
  const parts = [platform.os, platform.architecture, platform.variant].filter(
    (part) => typeof part === 'string' && part !== '',
  )
  return parts.join('/')
}

function platformMatches(platform: Record<string, unknown>, wanted: PlatformMatch): boolean {
  if (typeof wanted === 'string') return platformText(platform) === wanted
  if (isAsymmetricMatcher(wanted))
    return wanted.asymmetricMatch(platformText(platform)) || wanted.asymmetricMatch(platform)
  return matchValue(platform, wanted)
}

function platformsMatch(
  children: readonly Descriptor[],
  wanted: ReadonlyArray<PlatformMatch> | AsymmetricMatcherLike,
): boolean {
  if (isAsymmetricMatcher(wanted)) return wanted.asymmetricMatch(childPlatforms(children))
  if (wanted.length !== children.length) return false
  const unused = [...children]
  return wanted.every((platform) => {
    const index = unused.findIndex((child) => child.platform !== undefined && platformMatches(child.platform, platform))
    if (index === -1) return false
    unused.splice(index, 1)
    return true
  })
}

function bodyOf(manifest: InspectedManifest): Record<string, unknown> {
  return (typeof manifest.body === 'object' && manifest.body !== null ? manifest.body : {}) as Record<string, unknown>
}

async function imagePlatform(
  registry: FakeRegistry,
  manifest: InspectedManifest,
  body: Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> {
  const config = body.config as Descriptor | undefined
  if (typeof config?.digest !== 'string') return undefined
  const blob = await registry.blob(manifest.repository, config.digest).catch(() => undefined)
  if (!blob) return undefined
  try {
    const parsed = JSON.parse(await blob.text()) as unknown
    if (typeof parsed !== 'object' || parsed === null) return undefined
    const { os, architecture, variant } = parsed as Record<string, unknown>
    if (typeof os !== 'string' || typeof architecture !== 'string') return undefined
    return typeof variant === 'string' ? { os, architecture, variant } : { os, architecture }
  } catch {
    return undefined
  }
}

function platformAbsence(manifest: InspectedManifest, body: Record<string, unknown>): string {
  if (Array.isArray(body.manifests)) return `${manifest.mediaType} is an index: check platforms instead`
  if (body.config === undefined) return 'the manifest has no config'
  return 'the config blob names no os and architecture'
}

/** The manifest in the shape an asymmetric matcher given as the whole expectation sees. */
export async function summaryOf(registry: FakeRegistry, manifest: InspectedManifest): Promise<Record<string, unknown>> {
  const body = bodyOf(manifest)
  const summary: Record<string, unknown> = {
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: manifest.size,
    annotations: body.annotations ?? {},
  }
  if (manifest.artifactType !== undefined) summary.artifactType = manifest.artifactType
  for (const field of ['config', 'layers', 'manifests', 'subject'] as const)
    if (body[field] !== undefined) summary[field] = body[field]
  if (Array.isArray(body.manifests)) summary.platforms = childPlatforms(body.manifests as Descriptor[])
  const platform = await imagePlatform(registry, manifest, body)
  if (platform !== undefined) summary.platform = platformText(platform)
  return summary
}
