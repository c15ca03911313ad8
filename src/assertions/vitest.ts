import type { FakeRegistry } from '../create-fake-registry.js'
import type { AsymmetricMatcherLike, RequestFilter } from '../journal/journal.js'
import {
  checkAuthenticated,
  checkFollowedChallenge,
  checkNoCredentials,
  type AuthenticatedExpectation,
  type NoCredentialsOptions,
} from './auth.js'
import { checkBlob, type ExpectedBlob } from './blob.js'
import { invalidField, type CheckResult } from './check.js'
import { checkManifest, type ExpectedManifest } from './manifest.js'
import { checkReferrers, type ExpectedReferrers } from './referrers.js'
import { checkRequest } from './requests.js'
import { checkTags, type TagsOptions } from './tags.js'

/**
 * The matchers `fake-oci-registry/vitest` adds to `expect`. The ones that read storage are async:
 * `await` them.
 *
 * @example
 * import 'fake-oci-registry/vitest'
 * await expect(registry).toHaveTags('team/app', ['1'])
 */
export interface RegistryMatchers {
  /**
   * The registry holds the manifest (and it matches `expected`).
   * @example await expect(registry).toHaveManifest('team/app:1', { mediaType: 'application/vnd.oci.image.manifest.v1+json' })
   */
  toHaveManifest(reference: string, expected?: ExpectedManifest): Promise<void>
  /**
   * The repository links the blob (with this size or content).
   * @example await expect(registry).toHaveBlob('team/app', digest, { size: 1024 })
   */
  toHaveBlob(repository: string, digest: string, expected?: ExpectedBlob): Promise<void>
  /**
   * The repository has these tags (at least; exactly with `{ exact: true }`).
   * @example await expect(registry).toHaveTags('team/app', ['1', 'latest'])
   */
  toHaveTags(
    repository: string,
    tags: readonly string[] | string | AsymmetricMatcherLike,
    options?: TagsOptions,
  ): Promise<void>
  /**
   * Manifests refer to the subject (of an artifact type, a count…).
   * @example await expect(registry).toHaveReferrers('team/app:1', { artifactType: 'application/spdx+json' })
   */
  toHaveReferrers(subject: string, expected?: ExpectedReferrers): Promise<void>
  /**
   * The journal holds a request matching the filter.
   * @example expect(registry).toHaveReceivedRequest({ method: 'PUT', path: /\/manifests\/1$/ })
   */
  toHaveReceivedRequest(filter: RequestFilter): void
  /**
   * The journal holds exactly `times` requests matching the filter.
   * @example expect(registry).toHaveReceivedRequestTimes(1, { method: 'POST', resource: 'upload' })
   */
  toHaveReceivedRequestTimes(times: number, filter: RequestFilter): void
  /**
   * A request was let through as this user (with these actions on this repository).
   * @example expect(registry).toHaveAuthenticated('alice', { repository: 'team/app', actions: ['push'] })
   */
  toHaveAuthenticated(user: string, expected?: AuthenticatedExpectation): void
  /**
   * The client answered every challenge (matching the filter) as the token spec says.
   * @example expect(registry).toHaveFollowedChallenge({ resource: 'manifest' })
   */
  toHaveFollowedChallenge(filter?: RequestFilter): void
  /**
   * No request (to this origin) carried an `Authorization` header.
   * @example expect(storageHost).toHaveReceivedNoCredentials()
   */
  toHaveReceivedNoCredentials(options?: NoCredentialsOptions): void
}

/**
 * The implementations handed to `expect.extend`; importing `fake-oci-registry/vitest` registers them.
 *
 * @example
 * import { registryMatchers } from 'fake-oci-registry/vitest'
 * Object.keys(registryMatchers) // ['toHaveManifest', 'toHaveBlob', 'toHaveTags', …]
 */
export const registryMatchers = {
  async toHaveManifest(received: unknown, reference: string, expected?: ExpectedManifest) {
    return resultOf(await checkManifest(received as FakeRegistry, reference, expected))
  },
  async toHaveBlob(received: unknown, repository: string, digest: string, expected?: ExpectedBlob) {
    return resultOf(await checkBlob(received as FakeRegistry, repository, digest, expected))
  },
  async toHaveTags(
    received: unknown,
    repository: string,
    tags: readonly string[] | string | AsymmetricMatcherLike,
    options?: TagsOptions,
  ) {
    return resultOf(await checkTags(received as FakeRegistry, repository, tags, options))
  },
  async toHaveReferrers(received: unknown, subject: string, expected?: ExpectedReferrers) {
    return resultOf(await checkReferrers(received as FakeRegistry, subject, expected))
  },
  toHaveReceivedRequest(received: unknown, filter: RequestFilter) {
    return resultOf(checkRequest(received as FakeRegistry, filter))
  },
  toHaveReceivedRequestTimes(received: unknown, times: number, filter: RequestFilter) {
    if (typeof times !== 'number') {
      throw invalidField(
        'toHaveReceivedRequestTimes',
        'times',
        'the first argument is the number of requests',
        "Pass one such as toHaveReceivedRequestTimes(1, { method: 'PUT' })",
      )
    }
    return resultOf(checkRequest(received as FakeRegistry, filter, { times }))
  },
  toHaveAuthenticated(received: unknown, user: string, expected?: AuthenticatedExpectation) {
    return resultOf(checkAuthenticated(received as FakeRegistry, user, expected))
  },
  toHaveFollowedChallenge(received: unknown, filter?: RequestFilter) {
    return resultOf(checkFollowedChallenge(received as FakeRegistry, filter))
  },
  toHaveReceivedNoCredentials(received: unknown, options?: NoCredentialsOptions) {
    return resultOf(checkNoCredentials(received as FakeRegistry, options))
  },
}

/**
 * What a matcher returns, as every vitest major (3, 4, 5) reads it. Declared here rather than
 * imported: vitest's own name and home for it differ from one major to the next.
 */
interface RegistryMatcherResult {
  pass: boolean
  message: () => string
  actual?: unknown
  expected?: unknown
}

function resultOf(result: CheckResult): RegistryMatcherResult {
  return {
    pass: result.pass,
    message: () => (result.pass ? result.negatedMessage : result.message),
    actual: result.actual,
    expected: result.expected,
  }
}
