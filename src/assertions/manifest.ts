import type { FakeRegistry } from '../create-fake-registry.js'
import { isAsymmetricMatcher, matchValue, type AsymmetricMatcherLike, type TextMatch } from '../core/journal.js'
import { parseImageReference, type ImageReference, type InspectedManifest } from '../inspect.js'
import { assertExpectedKeys, assertOpenRegistry, invalidField, throwUnlessPassed, type CheckResult } from './check.js'
import { count, formatList, formatRequests, formatTable, formatValue, shortDigest } from './format.js'

/** A platform: `'linux/arm64/v8'`, or fields of an OCI platform object (a subset). */
export type PlatformMatch =
  | string
  | { os?: TextMatch; architecture?: TextMatch; variant?: TextMatch; 'os.version'?: TextMatch; 'os.features'?: readonly string[] | AsymmetricMatcherLike }
  | AsymmetricMatcherLike

/** Fields of a descriptor to check (a subset: fields left out are not checked). */
export interface ExpectedDescriptor {
  mediaType?: TextMatch
  digest?: TextMatch
  size?: number | AsymmetricMatcherLike
  artifactType?: TextMatch
  annotations?: Record<string, TextMatch> | AsymmetricMatcherLike
  platform?: PlatformMatch
  urls?: readonly string[] | AsymmetricMatcherLike
}

/** A list of descriptors: how many, or each one's fields in order, or a matcher for the whole list. */
export type ExpectedDescriptors = number | ReadonlyArray<ExpectedDescriptor | AsymmetricMatcherLike> | AsymmetricMatcherLike

/**
 * What `assertManifest` / `toHaveManifest` checks; every field is optional and objects are
 * subsets. Texts compare equal, or with a RegExp or an asymmetric matcher (`expect.stringContaining`).
 */
export interface ExpectedManifest {
  /** The stored media type (what a GET answers as `Content-Type`). */
  mediaType?: TextMatch
  digest?: TextMatch
  /** Bytes of the manifest. */
  size?: number | AsymmetricMatcherLike
  /** The artifact type a referrers listing reports: `artifactType`, else the config's media type. */
  artifactType?: TextMatch
  /** Annotations that must be present with these values; others may exist. */
  annotations?: Record<string, TextMatch> | AsymmetricMatcherLike
  config?: ExpectedDescriptor | AsymmetricMatcherLike
  layers?: ExpectedDescriptors
  /** The children of an index. */
  manifests?: ExpectedDescriptors
  /** The platforms of an index's children, in any order: `['linux/amd64', 'linux/arm64/v8']`. */
  platforms?: ReadonlyArray<PlatformMatch> | AsymmetricMatcherLike
  /** The platform of an image, read from its config blob: `'linux/arm64'`. */
  platform?: PlatformMatch
  /** The subject's digest, or fields of the subject descriptor. */
  subject?: TextMatch | ExpectedDescriptor
}

const MANIFEST_FIELDS = ['mediaType', 'digest', 'size', 'artifactType', 'annotations', 'config', 'layers', 'manifests', 'platforms', 'platform', 'subject'] as const

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

/**
 * Checks that the registry holds the manifest a reference names and, when given, that it matches
 * `expected`. The result explains what the registry really holds.
 */
export async function checkManifest(registry: FakeRegistry, reference: string, expected?: ExpectedManifest): Promise<CheckResult> {
  assertOpenRegistry(registry, 'check a manifest in registry')
  const parsed = parseImageReference(reference, registry.host, 'check the manifest')
  validateExpected(expected)
  const name = display(parsed)
  const manifest = await registry.manifest(reference)
  if (!manifest) {
    return {
      pass: false,
      message: await missingManifestMessage(registry, parsed, name),
      negatedMessage: '',
      actual: undefined,
      expected: expected ?? 'a manifest',
    }
  }
  const stored = `${manifest.mediaType} ${manifest.digest} (${count(manifest.size, 'byte')})`
  const matching = expected === undefined ? '' : ` matching ${formatValue(expected)}`
  const negatedMessage = `Expected registry not to have manifest ${name}${matching}, but it holds ${stored}.`
  if (expected === undefined) return { pass: true, message: '', negatedMessage }
  if (isAsymmetricMatcher(expected)) {
    const summary = await summaryOf(registry, manifest)
    const pass = expected.asymmetricMatch(summary)
    return { pass, message: `Expected manifest ${name} to match ${formatValue(expected)}, but it holds ${formatValue(summary)}.`, negatedMessage, actual: summary, expected }
  }
  const { differences, actual } = await compare(registry, manifest, expected)
  const pass = differences.length === 0
  const message = [
    `Expected manifest ${name} to match, but ${differences.length === 1 ? '1 field differs' : `${differences.length} fields differ`}.`,
    `Stored: ${stored}`,
    ...differences.flatMap((difference) => ['', difference.field, ...difference.lines.map((line) => `  ${line}`)]),
  ].join('\n')
  return { pass, message, negatedMessage, actual, expected }
}

/**
 * Asserts that the registry holds a manifest (and that it matches `expected`); throws an
 * `AssertionError` whose message shows what the registry holds instead.
 *
 * @example
 * await assertManifest(registry, 'team/app:1', { mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: 2 })
 */
export async function assertManifest(registry: FakeRegistry, reference: string, expected?: ExpectedManifest): Promise<void> {
  throwUnlessPassed(await checkManifest(registry, reference, expected), 'assertManifest', assertManifest)
}

function validateExpected(expected: ExpectedManifest | undefined): void {
  assertExpectedKeys(expected, MANIFEST_FIELDS, 'assertManifest')
  if (expected === undefined || isAsymmetricMatcher(expected)) return
  for (const field of ['layers', 'manifests'] as const) {
    const value: unknown = expected[field]
    if (value === undefined || Array.isArray(value) || isAsymmetricMatcher(value) || (typeof value === 'number' && Number.isInteger(value) && value >= 0)) continue
    throw invalidField('assertManifest', field, `${field} must be a count, a list of descriptor fields, or an asymmetric matcher`, `Pass one such as ${field}: 2 or ${field}: [{ mediaType: '…' }]`)
  }
  const { platforms } = expected
  if (platforms !== undefined && !Array.isArray(platforms) && !isAsymmetricMatcher(platforms)) {
    throw invalidField('assertManifest', 'platforms', 'platforms must be a list', "Pass one such as platforms: ['linux/amd64', 'linux/arm64']")
  }
}

function display(reference: ImageReference): string {
  return `${reference.repository}${reference.tag === undefined ? '' : `:${reference.tag}`}${reference.digest === undefined ? '' : `@${reference.digest}`}`
}

async function missingManifestMessage(registry: FakeRegistry, reference: ImageReference, name: string): Promise<string> {
  const { repository } = reference
  const lines: string[] = []
  if (!(await registry.options.storage.hasRepository(repository))) {
    const repositories = await registry.options.storage.listRepositories()
    lines.push(`Expected registry to have manifest ${name}, but repository "${repository}" does not exist.`)
    lines.push(repositories.length === 0 ? 'The registry is empty.' : `Repositories: ${formatList(repositories)}`)
  } else {
    const tags = await registry.tags(repository)
    const why = reference.digest === undefined ? `has no tag "${reference.tag ?? ''}"` : `has no manifest ${reference.digest}`
    lines.push(`Expected registry to have manifest ${name}, but repository "${repository}" ${why}.`)
    if (tags.length === 0) lines.push(`${repository} has no tags.`)
    else {
      const rows: string[][] = []
      for (const tag of tags) {
        const tagged = await registry.manifest(`${repository}:${tag}`)
        rows.push([tag, tagged?.mediaType ?? '', shortDigest(tagged?.digest)])
      }
      lines.push(`Tags of ${repository}:`, formatTable(['tag', 'mediaType', 'digest'], rows))
    }
  }
  const pushes = registry.requests
    .filter((request) => request.method === 'PUT' && request.resource === 'manifest' && request.repository === repository)
    .filter((request) => reference.tag === undefined || request.reference === reference.tag || request.digest === reference.digest)
    .slice(-5)
  if (pushes.length > 0) lines.push(`Manifest pushes to ${repository} in the journal:`, formatRequests(pushes))
  return lines.join('\n')
}

async function compare(registry: FakeRegistry, manifest: InspectedManifest, expected: ExpectedManifest): Promise<{ differences: Difference[]; actual: Record<string, unknown> }> {
  const body = (typeof manifest.body === 'object' && manifest.body !== null ? manifest.body : {}) as Record<string, unknown>
  const differences: Difference[] = []
  const actual: Record<string, unknown> = {}
  const simple = (field: string, stored: unknown, wanted: unknown, extra: string[] = []): void => {
    actual[field] = stored
    if (!matchValue(stored, wanted)) differences.push({ field, lines: [`expected  ${formatValue(wanted)}`, `stored    ${formatValue(stored)}`, ...extra] })
  }
  if (expected.mediaType !== undefined) simple('mediaType', manifest.mediaType, expected.mediaType, pushHint(registry, manifest))
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
      else lines.push(`stored    ${count(entries.length, 'annotation')}:`, ...formatTable(['key', 'value'], entries.map(([key, value]) => [key, formatValue(value)])).split('\n'))
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
    const stored = children.map((child) => (child.platform === undefined ? '(none)' : platformText(child.platform)))
    actual.platforms = stored
    if (!platformsMatch(children, expected.platforms)) {
      differences.push({ field: 'platforms', lines: [`expected  ${formatValue(expected.platforms)} (in any order)`, `stored    ${formatValue(stored)}`, ...descriptorTable(children, true)] })
    }
  }
  if (expected.platform !== undefined) {
    const platform = await imagePlatform(registry, manifest, body)
    actual.platform = platform === undefined ? undefined : platformText(platform)
    if (platform === undefined || !platformMatches(platform, expected.platform)) {
      const stored = platform === undefined ? `none (${platformAbsence(manifest, body)})` : formatValue(platformText(platform))
      differences.push({ field: 'platform', lines: [`expected  ${formatValue(expected.platform)}`, `stored    ${stored}`] })
    }
  }
  if (expected.subject !== undefined) {
    const subject = body.subject as Descriptor | undefined
    const wanted = expected.subject
    const stored = typeof wanted === 'object' && !(wanted instanceof RegExp) && !isAsymmetricMatcher(wanted) ? subject : subject?.digest
    simple('subject', stored, wanted, subject === undefined ? ['the manifest has no subject'] : [])
  }
  return { differences, actual }
}

// The mediaType a push stored comes from its Content-Type and body; naming both tells a client
// author which of the two was wrong.
function pushHint(registry: FakeRegistry, manifest: InspectedManifest): string[] {
  const push = registry.requests.last((request) => request.method === 'PUT' && request.resource === 'manifest' && request.repository === manifest.repository && request.digest === manifest.digest && request.response.status === 201)
  if (!push) return ['(not pushed through the journal: seeded, or recorded before requests.clear())']
  const contentType = push.headers['content-type']
  const bodyType = (push.manifest as { mediaType?: unknown } | undefined)?.mediaType
  return [
    `pushed by request #${push.id} (PUT ${push.path}) with Content-Type ${contentType === undefined ? '(none)' : formatValue(contentType)}` +
      (typeof bodyType === 'string' ? ` and body mediaType ${formatValue(bodyType)}` : ' and no mediaType in the body'),
  ]
}

function compareDescriptors(field: string, stored: Descriptor[] | undefined, wanted: ExpectedDescriptors): Difference | undefined {
  const noun = field === 'layers' ? 'layer' : 'manifest'
  if (typeof wanted === 'number') {
    if (stored?.length === wanted) return undefined
    return { field, lines: [`expected  ${count(wanted, noun)}`, `stored    ${stored === undefined ? `no ${field} field` : `${count(stored.length, noun)}${stored.length > 0 ? ':' : ''}`}`, ...descriptorTable(stored ?? [], field === 'manifests')] }
  }
  if (matchValue(stored, wanted)) return undefined
  const lines = [`expected  ${formatValue(wanted)}`]
  if (stored === undefined) lines.push(`stored    no ${field} field`)
  else {
    lines.push(`stored    ${count(stored.length, noun)}${stored.length > 0 ? ':' : ''}`, ...descriptorTable(stored, field === 'manifests'))
    if (Array.isArray(wanted)) {
      if (wanted.length !== stored.length) lines.push(`expected ${count(wanted.length, noun)}, stored ${stored.length}`)
      else {
        const first = wanted.findIndex((item, index) => !matchValue(stored[index], item))
        if (first !== -1) lines.push(`first difference at #${first}: expected ${formatValue(wanted[first])}`)
      }
    }
  }
  return { field, lines }
}

function descriptorTable(descriptors: readonly Descriptor[], withPlatform: boolean): string[] {
  if (descriptors.length === 0) return []
  const header = ['#', 'mediaType', 'digest', 'size']
  if (withPlatform) header.push('platform')
  const rows = descriptors.map((descriptor, index) => {
    const row = [String(index), String(descriptor.mediaType ?? ''), shortDigest(descriptor.digest), String(descriptor.size ?? '')]
    if (withPlatform) row.push(descriptor.platform === undefined ? '' : platformText(descriptor.platform))
    return row
  })
  return formatTable(header, rows).split('\n')
}

function platformText(platform: Record<string, unknown>): string {
  const parts = [platform.os, platform.architecture, platform.variant].filter((part) => typeof part === 'string' && part !== '')
  return parts.join('/')
}

function platformMatches(platform: Record<string, unknown>, wanted: PlatformMatch): boolean {
  if (typeof wanted === 'string') return platformText(platform) === wanted
  if (isAsymmetricMatcher(wanted)) return wanted.asymmetricMatch(platformText(platform)) || wanted.asymmetricMatch(platform)
  return matchValue(platform, wanted)
}

function platformsMatch(children: readonly Descriptor[], wanted: ReadonlyArray<PlatformMatch> | AsymmetricMatcherLike): boolean {
  if (isAsymmetricMatcher(wanted)) return wanted.asymmetricMatch(children.map((child) => (child.platform === undefined ? '(none)' : platformText(child.platform))))
  if (wanted.length !== children.length) return false
  const unused = [...children]
  return wanted.every((platform) => {
    const index = unused.findIndex((child) => child.platform !== undefined && platformMatches(child.platform, platform))
    if (index === -1) return false
    unused.splice(index, 1)
    return true
  })
}

async function imagePlatform(registry: FakeRegistry, manifest: InspectedManifest, body: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
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
async function summaryOf(registry: FakeRegistry, manifest: InspectedManifest): Promise<Record<string, unknown>> {
  const body = (typeof manifest.body === 'object' && manifest.body !== null ? manifest.body : {}) as Record<string, unknown>
  const summary: Record<string, unknown> = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size, annotations: body.annotations ?? {} }
  if (manifest.artifactType !== undefined) summary.artifactType = manifest.artifactType
  for (const field of ['config', 'layers', 'manifests', 'subject'] as const) if (body[field] !== undefined) summary[field] = body[field]
  if (Array.isArray(body.manifests)) summary.platforms = (body.manifests as Descriptor[]).map((child) => (child.platform === undefined ? '(none)' : platformText(child.platform)))
  const platform = await imagePlatform(registry, manifest, body)
  if (platform !== undefined) summary.platform = platformText(platform)
  return summary
}
