import { memoize } from './memo.js'

// Repository names and tags, as distribution-spec §Pulling manifests defines them.
const NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/
/** distribution's reference.NameTotalLengthMax. */
const MAX_NAME_LENGTH = 255

/** True when `name` is a valid repository name (spec regex, at most 255 characters). */
export function isRepositoryName(name: string): boolean {
  return checkName(name)
}

// A test talks to a few repositories many times: each name is matched once.
const checkName = memoize((name: string) => name.length <= MAX_NAME_LENGTH && NAME.test(name), { maxEntries: 256 })

/** True when `tag` is a valid tag. */
export function isTag(tag: string): boolean {
  return TAG.test(tag)
}
