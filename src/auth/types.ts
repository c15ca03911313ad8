// The auth option's shapes; defaults and validation live in options.ts with every other option.
import type { AuthShape } from '../profiles/registry-profile.js'

/** How the registry asks for credentials: `Basic realm=…`, or `Bearer realm=…` and a token endpoint. */
export type AuthScheme = 'basic' | 'bearer'

/** What a request without credentials (or an anonymous token) may do: nothing, or pull any repository. */
export type AnonymousAccess = 'none' | 'pull'

/**
 * The `auth` option of `createFakeRegistry`: users, what they may do, and how the registry asks.
 * Defaults are in `DEFAULTS.auth`; docs/auth.md shows every exchange.
 *
 * @example
 * await createFakeRegistry({
 *   auth: {
 *     users: { alice: 'secret', bob: 'hunter2' },
 *     permissions: { bob: ['repository:team/*:pull'] },
 *     anonymous: 'pull',
 *   },
 * })
 */
export interface AuthOptions {
  /** 'bearer' (default): Docker/OCI token flow with a token endpoint at `<url><realmPath>`. 'basic': HTTP Basic on every request. */
  scheme?: AuthScheme
  /**
   * Path of the token endpoint on the registry's origin, which the challenge's realm names. Default
   * '/token', or the profile's ('/v2/auth' for Quay…). Under `/v2/` it is one segment, so it never
   * hides an API route.
   */
  realmPath?: string
  /** User names and their passwords. */
  users?: Readonly<Record<string, string>>
  /** 'none' (default): every request needs a user. 'pull': anyone may pull any repository. */
  anonymous?: AnonymousAccess
  /**
   * What each user may do, as scopes whose names may hold `*` (any characters, `/` included):
   * `'repository:team/*:pull,push'`, `'repository:*:*'`, `'registry:catalog:*'`. A user left out
   * may do only what anonymous requests may. Default (no `permissions`): every user may do
   * everything.
   */
  permissions?: Readonly<Record<string, readonly string[]>>
  /** Lifetime of an access token in seconds. Default 300, as Docker Hub. */
  tokenTtlSeconds?: number
  /**
   * The `service` of the challenge, the token request and the tokens' audience. Default
   * 'fake-oci-registry', or the profile's. `'<host>'` stands for the host each request was sent to
   * (`127.0.0.1:5000`), as the `gar`, `acr` and `quay` profiles name their registry's host.
   */
  service?: string
  /**
   * The answer to a valid credential without the access a request needs: 401 (default) with
   * `error="insufficient_scope"`, hiding whether the repository exists, as distribution and
   * Docker Hub; or 403 `DENIED`, as GHCR and zot.
   */
  forbiddenStatus?: 401 | 403
}

/** One permission rule: a resource type, a name pattern and the actions it allows. */
export interface PermissionRule {
  /** The rule as written, for messages. */
  source: string
  type: string
  name: RegExp
  actions: readonly string[]
}

/**
 * What a registry's challenges and token answers look like beyond the auth option's fields: a
 * profile's auth shape (docs/profiles.md), or the fake's own, distribution's.
 */
export type ResolvedAuthShape = Readonly<
  Required<
    Pick<
      AuthShape,
      | 'serviceOnBase'
      | 'basicRealm'
      | 'basicService'
      | 'baseStatus'
      | 'baseAnswer'
      | 'unknownRepository'
      | 'notAllowed'
      | 'deniedChallenge'
      | 'basicOnRegistry'
      | 'tokenFields'
      | 'emptyAccessToken'
      | 'issuedAt'
      | 'unknownService'
      | 'loginRefusal'
      | 'tokenPost'
    >
  > &
    Pick<AuthShape, 'baseScope' | 'schemeWord' | 'unauthorizedMessage'>
>

/** The auth option with its defaults applied. */
export interface ResolvedAuthOptions {
  scheme: AuthScheme
  realmPath: string
  users: ReadonlyMap<string, string>
  anonymous: AnonymousAccess
  /** Rules per user; undefined: every user may do everything. */
  permissions: ReadonlyMap<string, readonly PermissionRule[]> | undefined
  tokenTtlSeconds: number
  /** The service; `'<host>'` in it stands for the host each request was sent to. */
  service: string
  forbiddenStatus: 401 | 403
  /** The profile's auth shape, or distribution's without a profile. */
  shape: ResolvedAuthShape
}

/**
 * How a request's credential fared: `granted`, or why not (`missing`: none was sent or not of
 * the registry's scheme; `invalid`: a wrong password, a forged or malformed token; `expired`: a
 * token past its `exp`; `insufficient`: a valid credential without the access needed). The
 * token endpoint records `issued` or `refused`.
 */
export type AuthOutcome = 'granted' | 'missing' | 'invalid' | 'expired' | 'insufficient' | 'issued' | 'refused'

/**
 * What the journal records of a request's credential.
 *
 * @example
 * registry.requests.last()?.auth // { user: 'alice', scheme: 'bearer', asked: ['repository:team/app:pull,push'], granted: [...], outcome: 'granted' }
 */
export interface AuthFacts {
  /** The user the credential names; null for none or an anonymous token. */
  user: string | null
  /** The scheme of the `Authorization` header, lower-case ('basic', 'bearer', …); null when there was none. */
  scheme: string | null
  /** The scopes the request needed (or, at the token endpoint, asked for). */
  asked: string[]
  /** Of those, the ones the credential holds (at the token endpoint: the scopes of the token issued). */
  granted: string[]
  outcome: AuthOutcome
  /**
   * The error told to the client: the challenge's `invalid_token` or `insufficient_scope`, the
   * token endpoint's OAuth2 error (`invalid_grant`…), `invalid_credentials` for a wrong password
   * there, `denied` for a scope an anonymous client may not have (GHCR's 403), `post_refused` for
   * a profile's refused POST.
   */
  error?: string
  /** At the token endpoint, the POST form's `grant_type`. */
  grantType?: string
}

/** Where the authority leaves its facts for the journal. */
export interface AuthFactsSink {
  auth?: AuthFacts
}
