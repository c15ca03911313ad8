import type { FakeRegistry } from '../create-fake-registry.js'
import { matchValue, type AsymmetricMatcherLike, type TextMatch } from '../journal/journal.js'
import { parseImageReference, type InspectedReferrer } from '../inspect.js'
import { requireKnownKeys, requireOpenRegistry, invalidField, throwUnlessPassed, type CheckResult } from './check.js'
import { count, formatTable, formatValue, shortDigest } from './format.js'

/**
 * Which referrers `assertReferrers` / `toHaveReferrers` looks for.
 *
 * @example
 * await assertReferrers(registry, 'team/app:1', { annotations: { 'org.example.kind': 'sbom' }, count: 1 })
 */
export interface ExpectedReferrers {
  /** Only referrers of this artifact type count. */
  artifactType?: TextMatch
  /** Only referrers with these annotations (a subset) count. */
  annotations?: Record<string, TextMatch> | AsymmetricMatcherLike
  /** Exactly this many must count. Default: at least one. */
  count?: number
  /** These digests must be among the ones that count. */
  digests?: readonly string[]
}

const REFERRER_FIELDS = ['artifactType', 'annotations', 'count', 'digests'] as const

/** Checks that manifests refer to a subject (`team/app:1`, `team/app@sha256:…`). */
export async function checkReferrers(
  registry: FakeRegistry,
  subject: string,
  expected: ExpectedReferrers = {},
): Promise<CheckResult> {
  requireOpenRegistry(registry, 'check the referrers in registry')
  const parsed = parseImageReference(subject, registry.host, 'check the referrers of')
  requireKnownKeys(expected, REFERRER_FIELDS, 'assertReferrers')
  if (expected.count !== undefined && !(Number.isInteger(expected.count) && expected.count >= 0)) {
    throw invalidField('assertReferrers', 'count', 'count must be a whole number', 'Pass one such as count: 1')
  }
  if (expected.digests !== undefined && !Array.isArray(expected.digests)) {
    throw invalidField('assertReferrers', 'digests', 'digests must be a list', "Pass one such as digests: ['sha256:…']")
  }
  const all = await registry.referrers(subject)
  const counted = all.filter((referrer) => matches(referrer, expected))
  const missingDigests = (expected.digests ?? []).filter(
    (digest) => !counted.some((referrer) => referrer.digest === digest),
  )
  const countOk =
    expected.count === undefined
      ? counted.length > 0 || expected.digests !== undefined
      : counted.length === expected.count
  const pass = countOk && missingDigests.length === 0
  const which = describe(expected)
  const wanted = expected.count === undefined ? `referrers${which}` : `${count(expected.count, 'referrer')}${which}`
  const target = await registry.manifest(subject)
  const subjectText = parsed.digest === undefined && target ? `${subject} (${target.digest})` : subject
  const verb = counted.length === 1 ? 'matches' : 'match'
  const lines = [
    `Expected ${subjectText} to have ${wanted}, but ${counted.length === 0 ? 'none' : counted.length} ${verb}.`,
  ]
  if (missingDigests.length > 0) lines.push(`Missing digests: ${missingDigests.join(', ')}`)
  if (!target) lines.push(`The subject is not in the registry (referrers may still point at it).`)
  lines.push(all.length === 0 ? 'No manifest refers to it.' : `All referrers of it:\n${table(all)}`)
  return {
    pass,
    message: lines.join('\n'),
    negatedMessage: `Expected ${subjectText} not to have ${wanted}, but ${count(counted.length, 'referrer')} ${verb}:\n${table(counted)}`,
    actual: counted.map(({ digest, artifactType }) => ({ digest, artifactType })),
    expected,
  }
}

/**
 * Asserts that manifests refer to a subject (filtered by artifact type or annotations, a count,
 * digests); throws an `AssertionError` listing the subject's referrers.
 *
 * @example
 * await assertReferrers(registry, 'team/app:1', { artifactType: 'application/spdx+json', count: 1 })
 */
export async function assertReferrers(
  registry: FakeRegistry,
  subject: string,
  expected?: ExpectedReferrers,
): Promise<void> {
  throwUnlessPassed(await checkReferrers(registry, subject, expected), 'assertReferrers', assertReferrers)
}

function matches(referrer: InspectedReferrer, expected: ExpectedReferrers): boolean {
  if (expected.artifactType !== undefined && !matchValue(referrer.artifactType, expected.artifactType)) return false
  if (expected.annotations !== undefined && !matchValue(referrer.annotations ?? {}, expected.annotations)) return false
  return true
}

function describe(expected: ExpectedReferrers): string {
  const parts: string[] = []
  if (expected.artifactType !== undefined) parts.push(`artifactType ${formatValue(expected.artifactType)}`)
  if (expected.annotations !== undefined) parts.push(`annotations ${formatValue(expected.annotations)}`)
  if (expected.digests !== undefined) parts.push(`digests ${formatValue(expected.digests)}`)
  return parts.length === 0 ? '' : ` with ${parts.join(' and ')}`
}

function table(referrers: readonly InspectedReferrer[]): string {
  return formatTable(
    ['digest', 'artifactType', 'mediaType', 'annotations'],
    referrers.map((referrer) => [
      shortDigest(referrer.digest),
      referrer.artifactType ?? '',
      referrer.mediaType,
      referrer.annotations === undefined ? '' : formatValue(referrer.annotations),
    ]),
  )
}
