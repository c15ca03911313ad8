import type { Mode, VerifyReferences } from './index.js'
import type { BlobRedirect, Quirks, RateLimit } from './quirks.js'

/**
 * How a real registry asks for credentials, as data for the auth code to read: the challenge it
 * sends, where its token endpoint lives, and how it answers a client that may not see a
 * repository. Each field's source is a row of docs/profiles.md.
 */
export interface AuthShape {
  /** The scheme of `WWW-Authenticate`: Bearer with a token endpoint, or Basic on every request (ECR). */
  scheme: 'bearer' | 'basic'
  /** Path of the token endpoint on the registry's origin (Bearer only): '/token', '/oauth2/token', '/v2/auth'… */
  realmPath?: string
  /**
   * The challenge's `service`; `<host>` stands for the host the request was sent to, which GAR,
   * ACR and Quay name; undefined: the fake's own (Artifactory, whose service nobody has recorded).
   */
  service?: string
  /** Whether the `/v2/` challenge carries `service` (GAR: not, and its token endpoint does without). */
  serviceOnBase: boolean
  /** A `scope` the `/v2/` challenge carries although no repository is named (GHCR's placeholder). */
  baseScope?: string
  /** The realm of a Basic challenge; `<host>` stands for the host the request was sent to (ECR). */
  basicRealm?: string
  /** Whether a Basic challenge carries the `service` too (ECR). */
  basicService?: boolean
  /**
   * 'lower': zot's `/v2/` challenge, a lower-case scheme and an unquoted realm (`basic realm=zot`,
   * `bearer realm=<url>`), sent on every 200 `/v2/`. Other challenges keep the usual form.
   */
  schemeWord?: 'lower'
  /** Status of `/v2/` without credentials when anonymous clients may pull (zot: 200). */
  baseStatus: 200 | 401
  /**
   * Who answers `/v2/`: 'refuse' (the default), a client without a credential gets the 401 error
   * envelope; 'handler' (Quay), the `/v2/` handler answers every request with its own body
   * (`quirks.baseBody`), 401 without a credential, and its challenge on the 401 and on the 200.
   */
  baseAnswer?: 'refuse' | 'handler'
  /** What an anonymous client gets for a repository that does not exist or is private. */
  unknownRepository: 'insufficient-scope-401' | 'unauthorized-401' | 'token-403' | 'denied-403'
  /** What an authenticated client without the right gets. */
  notAllowed: 'insufficient-scope-401' | 'unauthorized-401' | 'basic-401' | 'denied-403'
  /** Whether a 403 DENIED still carries the Basic challenge (zot). */
  deniedChallenge?: boolean
  /**
   * The message of `UNAUTHORIZED` when a registry request is refused, whose `detail` then holds no
   * access records (Quay's: 'access to the requested resource is not authorized'). Undefined:
   * distribution's 'authentication required' with the access records.
   */
  unauthorizedMessage?: string
  /** Whether Basic credentials are taken on registry requests besides tokens (Harbor, whose challenge asks for them). */
  basicOnRegistry?: boolean
  /** Fields of the token endpoint's JSON answer to GET, in the registry's order. */
  tokenFields: ReadonlyArray<'token' | 'access_token' | 'expires_in' | 'issued_at'>
  /** Whether `access_token` is sent as an empty string (Harbor). */
  emptyAccessToken?: boolean
  /**
   * How `issued_at` is written: 'milliseconds' (`2018-04-10T09:34:39.000Z`, the default);
   * 'nanoseconds' as Go's `time.RFC3339Nano` writes them, up to nine fraction digits with trailing
   * zeros dropped (Docker Hub: `2022-11-01T06:11:20.10593176Z`); 'seconds' as Go's `time.RFC3339`
   * writes them, no fraction (Harbor: `2022-11-01T06:11:20Z`).
   */
  issuedAt?: 'milliseconds' | 'nanoseconds' | 'seconds'
  /**
   * The token endpoint's answer to a `service` that is not the registry's (missing included):
   * 'oauth', 400 with an OAuth2 error body (the default); 'harbor', 400 `text/plain`
   * `Unable to handle service: <service>`, only the first `service` read.
   */
  unknownService?: 'oauth' | 'harbor'
  /**
   * The token endpoint's answer to a wrong password: 'envelope', 401 UNAUTHORIZED with a Basic
   * challenge (the default); 'empty', 401 with no body and no challenge (Harbor); 'quay', 401
   * UNAUTHORIZED "Invalid Username or Password" ("Specified credentials are invalid" for a
   * credential that is not a Basic pair) with Quay's Bearer challenge; 'gitlab', 401 with Rails'
   * JSON, GitLab's "HTTP Basic: Access denied. …" and no challenge.
   */
  loginRefusal?: 'envelope' | 'empty' | 'quay' | 'gitlab'
  /** Lifetime of a token in seconds; sent as `expires_in` when `tokenFields` has it (Quay's lives 3600 s unsaid). */
  expiresIn?: number
  /**
   * A POST to the token endpoint: 'supported', or the status refusing it (Quay 405, GCR 404,
   * Artifactory 401; ACR 400 for `grant_type=password` only, its refresh grant works).
   */
  tokenPost?: 'supported' | 400 | 401 | 404 | 405
  /** Whether the registry lets anonymous clients pull public images. */
  anonymousPull: boolean
}

/** Options a profile sets; explicit options given to `createFakeRegistry` win over them. */
export interface ProfileOptions {
  mode?: Mode
  referrers?: boolean
  deletes?: boolean
  automaticMount?: boolean
  verifyReferences?: VerifyReferences
  quirks?: Quirks
  rateLimit?: RateLimit
  blobRedirect?: BlobRedirect
}

/**
 * A real registry's observable behaviour: options, quirks, limits and its auth shape, each one
 * cited by its row in docs/profiles.md (`cites`: behaviour → row label).
 */
export interface RegistryProfile {
  readonly name: string
  /** What the profile imitates, for messages and docs. */
  readonly title: string
  readonly options: Readonly<ProfileOptions>
  readonly auth: Readonly<AuthShape>
  /** For each behaviour the profile sets, the docs/profiles.md row that says why. */
  readonly cites: Readonly<Record<string, string>>
}
