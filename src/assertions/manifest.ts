import type { FakeRegistry } from '../create-fake-registry.js'
import { isAsymmetricMatcher } from '../journal/journal.js'
import { parseImageReference, type ImageReference } from '../inspect.js'
import { requireKnownKeys, requireOpenRegistry, invalidField, throwUnlessPassed, type CheckResult } from './check.js'
import { count, formatList, formatRequests, formatTable, formatValue, shortDigest } from './format.js'
import { compare, summaryOf } from './manifest-compare.js'
import type { ExpectedManifest } from './manifest-types.js'

export type { ExpectedDescriptor, ExpectedDescriptors, ExpectedManifest, PlatformMatch } from './manifest-types.js'

const MANIFEST_FIELDS = [
  'mediaType',
  'digest',
  'size',
  'artifactType',
  'annotations',
  'config',
  'layers',
  'manifests',
  'platforms',
  'platform',
  'subject',
] as const

/**
 * Checks that the registry holds the manifest a reference names and, when given, that it matches
 * `expected`. The result explains what the registry really holds.
 */
export async function checkManifest(
  registry: FakeRegistry,
  reference: string,
  expected?: ExpectedManifest,
): Promise<CheckResult> {
  requireOpenRegistry(registry, 'check a manifest in registry')
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
    return {
      pass,
      message: `Expected manifest ${name} to match ${formatValue(expected)}, but it holds ${formatValue(summary)}.`,
      negatedMessage,
      actual: summary,
      expected,
    }
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
export async function assertManifest(
  registry: FakeRegistry,
  reference: string,
  expected?: ExpectedManifest,
): Promise<void> {
  throwUnlessPassed(await checkManifest(registry, reference, expected), 'assertManifest', assertManifest)
}

function validateExpected(expected: ExpectedManifest | undefined): void {
  requireKnownKeys(expected, MANIFEST_FIELDS, 'assertManifest')
  if (expected === undefined || isAsymmetricMatcher(expected)) return
  for (const field of ['layers', 'manifests'] as const) {
    const value: unknown = expected[field]
    if (
      value === undefined ||
      Array.isArray(value) ||
      isAsymmetricMatcher(value) ||
      (typeof value === 'number' && Number.isInteger(value) && value >= 0)
    )
      continue
    throw invalidField(
      'assertManifest',
      field,
      `${field} must be a count, a list of descriptor fields, or an asymmetric matcher`,
      `Pass one such as ${field}: 2 or ${field}: [{ mediaType: '…' }]`,
    )
  }
  const { platforms } = expected
  if (platforms !== undefined && !Array.isArray(platforms) && !isAsymmetricMatcher(platforms)) {
    throw invalidField(
      'assertManifest',
      'platforms',
      'platforms must be a list',
      "Pass one such as platforms: ['linux/amd64', 'linux/arm64']",
    )
  }
}

function display(reference: ImageReference): string {
  return `${reference.repository}${reference.tag === undefined ? '' : `:${reference.tag}`}${reference.digest === undefined ? '' : `@${reference.digest}`}`
}

async function missingManifestMessage(
  registry: FakeRegistry,
  reference: ImageReference,
  name: string,
): Promise<string> {
  const { repository } = reference
  const lines: string[] = []
  if (!(await registry.options.storage.hasRepository(repository))) {
    const repositories = await registry.options.storage.listRepositories()
    lines.push(`Expected registry to have manifest ${name}, but repository "${repository}" does not exist.`)
    lines.push(repositories.length === 0 ? 'The registry is empty.' : `Repositories: ${formatList(repositories)}`)
  } else {
    const tags = await registry.tags(repository)
    const why =
      reference.digest === undefined ? `has no tag "${reference.tag ?? ''}"` : `has no manifest ${reference.digest}`
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
    .filter(
      (request) => request.method === 'PUT' && request.resource === 'manifest' && request.repository === repository,
    )
    .filter(
      (request) =>
        reference.tag === undefined || request.reference === reference.tag || request.digest === reference.digest,
    )
    .slice(-5)
  if (pushes.length > 0) lines.push(`Manifest pushes to ${repository} in the journal:`, formatRequests(pushes))
  return lines.join('\n')
}
