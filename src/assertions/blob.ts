import type { FakeRegistry } from '../create-fake-registry.js'
import { isAsymmetricMatcher, matchValue, type AsymmetricMatcherLike, type TextMatch } from '../journal/journal.js'
import { requireDigest, requireRepositoryName } from '../inspect.js'
import { requireKnownKeys, requireOpenRegistry, throwUnlessPassed, type CheckResult } from './check.js'
import { count, formatRequests, formatValue, shortDigest } from './format.js'

/**
 * What `assertBlob` / `toHaveBlob` checks besides presence.
 *
 * @example
 * await assertBlob(registry, 'team/app', blob.digest, { content: /^hello/ })
 */
export interface ExpectedBlob {
  size?: number | AsymmetricMatcherLike
  /** The bytes: exactly these, or text compared as UTF-8 (equal, a RegExp or a matcher). */
  content?: Uint8Array | TextMatch
}

const BLOB_FIELDS = ['size', 'content'] as const

/** Checks that a repository links a blob and, when given, its size and content. */
export async function checkBlob(
  registry: FakeRegistry,
  repository: string,
  digest: string,
  expected?: ExpectedBlob,
): Promise<CheckResult> {
  requireOpenRegistry(registry, 'check a blob in registry')
  const name = requireRepositoryName(repository, 'check a blob of')
  requireDigest(digest, 'check the blob')
  requireKnownKeys(expected, BLOB_FIELDS, 'assertBlob')
  const subject = `${name}@${digest}`
  const blob = await registry.blob(name, digest)
  if (!blob) {
    const stored = await registry.options.storage.statBlob(digest)
    const lines = [
      `Expected repository "${name}" to have blob ${digest}, but it does not link it.`,
      stored
        ? `The registry stores it (${count(stored.size, 'byte')}) for another repository: push it to ${name} too, or mount it (POST /v2/${name}/blobs/uploads/?mount=${digest}&from=<repository>).`
        : 'No repository has it.',
    ]
    const related = registry.requests
      .filter(
        (request) => request.repository === name && (request.resource === 'upload' || request.resource === 'blob'),
      )
      .slice(-5)
    if (related.length > 0)
      lines.push(
        `Blob requests for ${name} in the journal:`,
        formatRequests(related, { title: 'digest', cell: (request) => shortDigest(request.digest) }),
      )
    return {
      pass: false,
      message: lines.join('\n'),
      negatedMessage: '',
      actual: undefined,
      expected: expected ?? 'a blob',
    }
  }
  const negatedMessage = `Expected repository "${name}" not to have blob ${digest}${expected === undefined ? '' : ` matching ${formatValue(expected)}`}, but it links it (${count(blob.size, 'byte')}).`
  if (expected === undefined) return { pass: true, message: '', negatedMessage }
  if (isAsymmetricMatcher(expected)) {
    const summary = { size: blob.size, content: await blob.text() }
    const pass = expected.asymmetricMatch(summary)
    return {
      pass,
      message: `Expected blob ${subject} to match ${formatValue(expected)}, but it is ${formatValue(summary)}.`,
      negatedMessage,
      actual: summary,
      expected,
    }
  }
  const actual: Record<string, unknown> = {}
  const problems: string[] = []
  if (expected.size !== undefined) {
    actual.size = blob.size
    if (!matchValue(blob.size, expected.size))
      problems.push(`size: expected ${formatValue(expected.size)}, stored ${blob.size}`)
  }
  if (expected.content !== undefined) {
    const bytes = await blob.bytes()
    const wanted = expected.content
    if (wanted instanceof Uint8Array) {
      actual.content = bytes
      if (!Buffer.from(bytes).equals(Buffer.from(wanted)))
        problems.push(
          `content: expected ${count(wanted.byteLength, 'byte')}, stored ${count(bytes.byteLength, 'byte')} that differ${firstDifference(bytes, wanted)}`,
        )
    } else {
      const text = new TextDecoder().decode(bytes)
      actual.content = text
      if (!matchValue(text, wanted))
        problems.push(`content: expected ${formatValue(wanted)}, stored ${formatValue(preview(text))}`)
    }
  }
  return {
    pass: problems.length === 0,
    message: [`Expected blob ${subject} to match, but:`, ...problems.map((problem) => `  ${problem}`)].join('\n'),
    negatedMessage,
    actual,
    expected,
  }
}

/**
 * Asserts that a repository links a blob (and its size or content); throws an `AssertionError`
 * that says where the blob is instead.
 *
 * @example
 * await assertBlob(registry, 'team/app', layer.digest, { size: 1024 })
 */
export async function assertBlob(
  registry: FakeRegistry,
  repository: string,
  digest: string,
  expected?: ExpectedBlob,
): Promise<void> {
  throwUnlessPassed(await checkBlob(registry, repository, digest, expected), 'assertBlob', assertBlob)
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const length = Math.min(a.byteLength, b.byteLength)
  for (let index = 0; index < length; index++) if (a[index] !== b[index]) return ` from byte ${index}`
  return a.byteLength === b.byteLength ? '' : ` from byte ${length}`
}

function preview(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}
