import type { FakeRegistry } from '../create-fake-registry.js'
import { isAsymmetricMatcher, type AsymmetricMatcherLike } from '../journal/journal.js'
import { requireRepositoryName } from '../inspect.js'
import { requireKnownKeys, requireOpenRegistry, invalidField, throwUnlessPassed, type CheckResult } from './check.js'
import { formatList, formatRequests, formatValue } from './format.js'

/**
 * How `assertTags` / `toHaveTags` compares.
 *
 * @example
 * await assertTags(registry, 'team/app', ['1', 'latest'], { exact: true })
 */
export interface TagsOptions {
  /** true: the repository has exactly these tags and no others. Default false: at least these. */
  exact?: boolean
}

/**
 * Checks that a repository has the tags (all of them; with `exact`, no others), or that its
 * tag list matches an asymmetric matcher.
 */
export async function checkTags(
  registry: FakeRegistry,
  repository: string,
  tags: readonly string[] | string | AsymmetricMatcherLike,
  options: TagsOptions = {},
): Promise<CheckResult> {
  requireOpenRegistry(registry, 'check the tags in registry')
  const name = requireRepositoryName(repository, 'check the tags of')
  requireKnownKeys(options, ['exact'], 'assertTags')
  const wanted = typeof tags === 'string' ? [tags] : tags
  if (!isAsymmetricMatcher(wanted) && (!Array.isArray(wanted) || !wanted.every((tag) => typeof tag === 'string'))) {
    throw invalidField(
      'assertTags',
      String(tags),
      'tags are a list of strings',
      "Pass one such as ['1', 'latest'], or an asymmetric matcher",
    )
  }
  const stored = await registry.tags(name)
  const has = `${name} has ${stored.length === 0 ? 'no tags' : `tags: ${formatList(stored)}`}`
  if (isAsymmetricMatcher(wanted)) {
    return {
      pass: wanted.asymmetricMatch(stored),
      message: `Expected the tags of ${name} to match ${formatValue(wanted)}, but ${has}.`,
      negatedMessage: `Expected the tags of ${name} not to match ${formatValue(wanted)}, but ${has}.`,
      actual: stored,
      expected: wanted,
    }
  }
  const missing = wanted.filter((tag) => !stored.includes(tag))
  const extra = options.exact ? stored.filter((tag) => !wanted.includes(tag)) : []
  const what = `${options.exact ? 'exactly ' : ''}${wanted.length === 1 ? 'tag' : 'tags'} ${formatList(
    wanted.map((tag) => JSON.stringify(tag)),
    'none',
  )}`
  const lines = [`Expected ${name} to have ${what}, but ${has}.`]
  if (missing.length > 0) lines.push(`Missing: ${formatList(missing)}`)
  if (extra.length > 0) lines.push(`Not expected: ${formatList(extra)}`)
  if (!(await registry.options.storage.hasRepository(name))) {
    const repositories = await registry.options.storage.listRepositories()
    lines.push(
      `Repository "${name}" does not exist; ${repositories.length === 0 ? 'the registry is empty' : `repositories: ${formatList(repositories)}`}.`,
    )
  }
  const pushes = registry.requests
    .filter(
      (request) =>
        request.method === 'PUT' &&
        request.resource === 'manifest' &&
        request.repository === name &&
        missing.includes(request.reference ?? ''),
    )
    .slice(-5)
  if (pushes.length > 0) lines.push('Pushes of the missing tags in the journal:', formatRequests(pushes))
  return {
    pass: missing.length === 0 && extra.length === 0,
    message: lines.join('\n'),
    negatedMessage: `Expected ${name} not to have ${what}, but ${has}.`,
    actual: options.exact ? stored : stored.filter((tag) => wanted.includes(tag)),
    expected: [...wanted],
  }
}

/**
 * Asserts that a repository has these tags (at least; exactly with `{ exact: true }`); throws an
 * `AssertionError` listing the tags that exist.
 *
 * @example
 * await assertTags(registry, 'team/app', ['1', 'latest'])
 */
export async function assertTags(
  registry: FakeRegistry,
  repository: string,
  tags: readonly string[] | string | AsymmetricMatcherLike,
  options?: TagsOptions,
): Promise<void> {
  throwUnlessPassed(await checkTags(registry, repository, tags, options), 'assertTags', assertTags)
}
