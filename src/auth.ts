// The 'fake-oci-registry/auth' entry: assertions over what the registry made of clients'
// credentials (the vitest matchers' twins, which throw node's AssertionError) and the types of
// the auth option and the journal's auth records. docs/auth.md shows them at work.
export {
  assertAuthenticated,
  assertFollowedChallenge,
  assertNoCredentials,
  type AuthenticatedExpectation,
  type NoCredentialsOptions,
} from './assertions/auth.js'
export type { AnonymousAccess, AuthOptions, AuthOutcome, AuthScheme } from './auth/types.js'
export type { AuthMatch, RecordedAuth } from './journal/journal.js'
