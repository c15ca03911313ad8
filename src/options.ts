import { parsePermission } from './auth/permissions.js'
import type {
  AnonymousAccess,
  AuthOptions,
  AuthScheme,
  PermissionRule,
  ResolvedAuthOptions,
  ResolvedAuthShape,
} from './auth/types.js'
import { FakeRegistryError } from './errors/fake-registry-error.js'
import {
  createProfile,
  MODE_OPTION_NAMES,
  modeDefaults,
  MODES,
  type Mode,
  type ModeOptions,
  type Profile,
  type VerifyReferences,
} from './profiles/index.js'
import { memoryStorage } from './storage/memory.js'
import type { Storage } from './storage/storage.js'
import type {
  BlobRedirect,
  Quirks,
  RateLimit,
  ResolvedBlobRedirect,
  ResolvedQuirks,
  ResolvedRateLimit,
} from './profiles/quirks.js'
import type { AuthShape, ProfileOptions } from './profiles/registry-profile.js'
import { REGISTRY_PROFILE_NAMES, registryProfile, type RegistryProfileName } from './profiles/registries/index.js'

export { MODES } from './profiles/index.js'
export type { Mode, ModeOptions, VerifyReferences } from './profiles/index.js'
export type { RegistryProfileName } from './profiles/registries/index.js'
export type { BlobRedirect, Quirks, RateLimit } from './profiles/quirks.js'

/** How the registry is reached. */
export type Transport = 'http' | 'msw' | 'none'

export type { AnonymousAccess, AuthOptions, AuthScheme } from './auth/types.js'

/**
 * Options of `createFakeRegistry`. Every default lives in `DEFAULTS` below, or (the options
 * marked so) in the mode's profile. Boolean options name a feature of the registry and `true`
 * turns it on; the CLI turns one off with `--no-<name>` (docs/options.md).
 *
 * @example
 * await createFakeRegistry({ transport: 'http', port: 0, mode: 'strict' })
 */
export interface FakeRegistryOptions extends ModeOptions {
  /**
   * 'http' (default): node:http on `host`:`port`. 'msw': no socket; a process-wide MSW server
   * (msw must be installed) answers requests to `origin`. 'none': no socket; use
   * `registry.fetch`, `registry.dispatcher`, or `registryHandlers` from 'fake-oci-registry/msw'.
   */
  transport?: Transport
  /** Interface for the http transport. Default '127.0.0.1': never reachable from outside. */
  host?: string
  /** Port for the http transport; 0 (default) picks a free ephemeral port. */
  port?: number
  /**
   * http transport only: serve https with a CA and a certificate for `localhost`, `127.0.0.1`
   * and `::1` made at start; clients trust `registry.ca`. Default false.
   */
  tls?: boolean
  /** Users, permissions and the challenge scheme; see docs/auth.md. Default: no auth, anyone may do anything. */
  auth?: AuthOptions
  /** The registry's origin when no socket serves it (`transport: 'msw'` or 'none'); http or https. */
  origin?: string
  /** Manifest media-type mode: 'strict' (default), 'lenient' or 'gitlab-legacy'; see docs/media-types.md. */
  mode?: Mode
  /** Where content lives. Default: a new `memoryStorage()`. */
  storage?: Storage
  /** Largest manifest body accepted, in bytes. Default 4194304 (4 MiB), as distribution. Above it: 413, or 400 in gitlab-legacy. */
  maxManifestBytes?: number
  /** Whether DELETE of manifests, tags and blobs is served; false answers 405 UNSUPPORTED. Default true. */
  deletes?: boolean
  /**
   * Whether `POST …/blobs/uploads/?mount=<digest>` without `from` links a blob the registry
   * stores in any repository (201) instead of opening a session (202). Default true.
   */
  automaticMount?: boolean
  /** Whether the referrers API and `OCI-Subject` are served. Default: the mode's; true, false in gitlab-legacy. */
  referrers?: boolean
  /**
   * Which references of a pushed manifest must exist in the repository. Default: the mode's;
   * 'all' in strict and gitlab-legacy, 'blobs' (index children unchecked) in lenient.
   */
  verifyReferences?: VerifyReferences
  /** Requests `registry.requests` keeps before dropping the oldest. Default 10000. */
  journalMaxEntries?: number
  /** Approximate bytes the journal's records may hold before the oldest are dropped. Default 67108864 (64 MiB). */
  journalMaxBytes?: number
  /**
   * Largest manifest PUT body the journal keeps, to show as `manifest`; a larger or refused one is
   * only summarised (`manifestSummary`). Default 262144 (256 KiB).
   */
  journalMaxManifestBytes?: number
  /** http transport: milliseconds a client has to send a request's headers, else 408. Default 10000. */
  headersTimeoutMs?: number
  /** http transport: milliseconds a client has to send a whole request, body included. Default 300000 (5 minutes). */
  requestTimeoutMs?: number
  /**
   * http transport: milliseconds a connection may stay silent (before its first request, between
   * requests, or while one is served) before it is closed. Default 30000.
   */
  idleTimeoutMs?: number
  /** http transport: connections served at once; more are closed as they arrive. Default 512. */
  maxConnections?: number
  /** http transport: connections the kernel may queue before they are accepted (capped by the system). Default 2048. */
  listenBacklog?: number
  /** Upload sessions open at once; a new one beyond is refused with 429 TOOMANYREQUESTS. Default 10000. */
  maxUploadSessions?: number
  /**
   * Milliseconds an upload session may go unused before it expires (ended, its bytes dropped);
   * sessions left by an earlier process are removed at start once this old. Default 900000 (15 minutes).
   */
  uploadTimeoutMs?: number
  /**
   * A real registry to imitate: its quirks, rate limit, blob redirects, media-type mode and auth
   * shape (docs/profiles.md). Options you pass win over the profile's.
   */
  profile?: RegistryProfileName
  /** Departures from the spec that real registries make; see `Quirks` and docs/profiles.md. */
  quirks?: Quirks
  /** Docker Hub's pull limit on manifest GETs, counted on the registry's clock; false: none (default). */
  rateLimit?: RateLimit | false
  /** Blob GET and HEAD answered 307 to a second origin that serves signed URLs; false: none (default). */
  blobRedirect?: BlobRedirect | false
  /**
   * The registry's clock in milliseconds (rate-limit windows, signed-URL lifetimes). Default
   * `Date.now`; `registry.clock.advance(ms)` moves it forward on top of this.
   */
  now?: () => number
}

/** Options with every default applied; the mode's own options live in its profile. */
export interface ResolvedOptions {
  transport: Transport
  host: string
  port: number
  tls: boolean
  /** Undefined when the registry asks for no credentials. */
  auth: ResolvedAuthOptions | undefined
  origin: string
  mode: Mode
  storage: Storage
  maxManifestBytes: number
  deletes: boolean
  automaticMount: boolean
  referrers: boolean
  verifyReferences: VerifyReferences
  journalMaxEntries: number
  journalMaxBytes: number
  journalMaxManifestBytes: number
  headersTimeoutMs: number
  requestTimeoutMs: number
  idleTimeoutMs: number
  maxConnections: number
  listenBacklog: number
  maxUploadSessions: number
  uploadTimeoutMs: number
  profile: RegistryProfileName | undefined
  quirks: Readonly<ResolvedQuirks>
  rateLimit: Readonly<ResolvedRateLimit> | undefined
  blobRedirect: Readonly<ResolvedBlobRedirect> | undefined
  now: () => number
}

/** The quirks' defaults: the fake's own, spec-following answers. */
export const DEFAULT_QUIRKS: Readonly<ResolvedQuirks> = Object.freeze({
  tagsPageSize: undefined,
  tagsMaxPageSize: undefined,
  catalogPageSize: undefined,
  catalogMaxPageSize: undefined,
  pageSizeAboveMax: 'clamp',
  catalogPageSizeAboveMax: undefined,
  tagsIgnoreN: false,
  tagsIgnoreLast: false,
  opaqueLast: false,
  tagsPageToken: false,
  catalogPageToken: false,
  linkHeader: true,
  linkOrderBy: false,
  linkQueryOrder: 'n-last',
  malformedPageSize: 'refuse',
  listContentType: 'application/json',
  digestOnTagGet: true,
  digestTags: false,
  baseBody: 'object',
  catalog: true,
  singlePostUpload: true,
  crossMount: true,
  patchStatus: 202,
  frozenUploadRange: false,
  outOfOrderChunk: 'reject',
  uploadState: false,
  deleteByTag: 'allow',
  immutableTags: false,
  // Node's Headers hold lower-case names, and that is how they reach the wire.
  headerCase: 'lower',
  apiVersionHeader: true,
  errorEnvelope: 'oci',
  malformedDigestReference: 'digest-invalid',
})

/** A rate limit's defaults: Docker Hub's anonymous pull limit (100 per 6 h) and its abuse limit's answer. */
export const DEFAULT_RATE_LIMIT: Readonly<ResolvedRateLimit> = Object.freeze({
  limit: 100,
  windowMs: 21_600_000,
  source: '127.0.0.1',
  abuseLimit: undefined,
  abuseWindowMs: 60_000,
  retryAfterSeconds: 60,
})

/** A blob redirect's defaults: distribution's S3 driver signs URLs for 20 minutes. */
export const DEFAULT_BLOB_REDIRECT: Readonly<ResolvedBlobRedirect> = Object.freeze({
  ttlMs: 20 * 60_000,
  // '': with no socket, `blobs.` before the registry's own host (`http://blobs.registry.fake-oci.invalid`),
  // so it never resolves either and two registries never share it; over http, a second listener.
  origin: '',
})

/** Every default in one place (frozen: a default cannot change under a running suite). */
export const DEFAULTS = Object.freeze({
  transport: 'http',
  host: '127.0.0.1',
  port: 0,
  tls: false,
  // The fields of the auth option; auth itself is off unless the option is given.
  auth: Object.freeze({
    scheme: 'bearer',
    realmPath: '/token',
    anonymous: 'none',
    tokenTtlSeconds: 300,
    service: 'fake-oci-registry',
    forbiddenStatus: 401,
    // distribution's challenges (htpasswd's realm is the fake's name) and token server.
    shape: Object.freeze({
      serviceOnBase: true,
      basicRealm: 'fake-oci-registry',
      basicService: false,
      baseStatus: 401,
      baseAnswer: 'refuse',
      unknownRepository: 'insufficient-scope-401',
      notAllowed: 'insufficient-scope-401',
      deniedChallenge: false,
      basicOnRegistry: false,
      tokenFields: Object.freeze(['token', 'access_token', 'expires_in', 'issued_at'] as const),
      emptyAccessToken: false,
      issuedAt: 'milliseconds',
      unknownService: 'oauth',
      loginRefusal: 'envelope',
      tokenPost: 'supported',
    } satisfies ResolvedAuthShape),
  } as const),
  // `.invalid` never resolves (RFC 6761), so a request that escapes interception fails at once.
  origin: 'http://registry.fake-oci.invalid',
  mode: 'strict',
  maxManifestBytes: 4 * 1024 * 1024,
  deletes: true,
  automaticMount: true,
  // Bounds of the journal: a test process keeps it, so refused or huge pushes must not grow it.
  journalMaxEntries: 10_000,
  journalMaxBytes: 64 * 1024 * 1024,
  journalMaxManifestBytes: 256 * 1024,
  // Connection limits of the http transport: short enough that a client which opens connections
  // and sends nothing (or drips its headers) is cut in seconds, long enough for any honest test.
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 300_000,
  idleTimeoutMs: 30_000,
  maxConnections: 512,
  listenBacklog: 2048,
  // Upload sessions: each costs storage, and one no client uses any more would stay for good.
  maxUploadSessions: 10_000,
  uploadTimeoutMs: 15 * 60_000,
  profile: undefined,
  rateLimit: undefined,
  blobRedirect: undefined,
  // Looked up on each call, so a test's fake timers (vi.setSystemTime) move the registry's clock too.
  now: () => Date.now(),
  // referrers and verifyReferences: the mode decides (`modeDefaults(mode)`); the mode's own
  // options: its profile file.
} as const satisfies Omit<ResolvedOptions, 'storage' | 'auth' | 'referrers' | 'verifyReferences' | 'quirks'> & {
  auth: Omit<ResolvedAuthOptions, 'users' | 'permissions'>
})

const TRANSPORTS: readonly Transport[] = ['http', 'msw', 'none']
const VERIFY_REFERENCES: readonly VerifyReferences[] = ['all', 'blobs', 'none']
/** The name of every option of `createFakeRegistry`, for validation, the CLI and the docs' naming table. */
export const OPTION_NAMES: readonly string[] = Object.freeze([
  ...Object.keys(DEFAULTS),
  'storage',
  'referrers',
  'verifyReferences',
  'quirks',
  ...MODE_OPTION_NAMES,
])
const KNOWN_OPTIONS: ReadonlySet<string> = new Set(OPTION_NAMES)
// Names the options had before the naming table (docs/options.md), so old code gets pointed at the new one.
const RENAMED: Readonly<Record<string, string>> = {
  deleteEnabled: 'deletes',
  rejectUnknownContentType: 'unknownContentTypes (the opposite: false rejects)',
  allowSchema1: 'schema1',
  acceptUnknownManifestTypes: 'unknownManifestTypes',
}

/** The options in force and the profile of their mode, built once per registry. */
export interface RegistrySetup {
  options: ResolvedOptions
  profile: Profile
}

/**
 * Validates options at the boundary, applies the defaults and builds the mode's profile. Misuse
 * is a `FakeRegistryError` with code `ERR_INVALID_OPTION` that names the option and the accepted
 * values; an option only other modes read is refused with the modes that read it.
 *
 * @example
 * resolveOptions({ mode: 'lenient', schema1: false }).options.verifyReferences // 'blobs'
 */
export function resolveOptions(options: FakeRegistryOptions = {}): RegistrySetup {
  if (typeof options !== 'object' || options === null) {
    throw new FakeRegistryError('ERR_INVALID_OPTION', {
      action: 'read the options',
      subject: String(options),
      reason: 'they must be an object',
      fix: 'Pass an object such as { mode: "strict" }, or nothing',
    })
  }
  for (const key of Object.keys(options)) {
    if (KNOWN_OPTIONS.has(key)) continue
    const renamed = Object.hasOwn(RENAMED, key) ? `; it is now ${RENAMED[key]}` : ''
    throw new FakeRegistryError('ERR_INVALID_OPTION', {
      action: 'use option',
      subject: key,
      reason: `it is not an option of createFakeRegistry${renamed}`,
      fix: `Use one of: ${[...KNOWN_OPTIONS].join(', ')}`,
    })
  }
  const profileName =
    options.profile === undefined ? undefined : oneOf('profile', options.profile, REGISTRY_PROFILE_NAMES, 'none')
  // The profile's options sit under the ones given: an explicit option always wins.
  const base: ProfileOptions = profileName === undefined ? {} : registryProfile(profileName)!.options
  const given = options
  options = { ...base, ...options }
  const mode = oneOf('mode', options.mode ?? DEFAULTS.mode, MODES)
  const defaults = modeDefaults(mode)
  const resolved: ResolvedOptions = {
    transport: oneOf('transport', options.transport ?? DEFAULTS.transport, TRANSPORTS),
    host: nonEmptyString('host', options.host ?? DEFAULTS.host),
    port: port(options.port ?? DEFAULTS.port),
    tls: boolean('tls', options.tls ?? DEFAULTS.tls),
    auth: auth(
      options.auth === undefined || profileName === undefined
        ? options.auth
        : { ...profileAuth(registryProfile(profileName)!.auth), ...options.auth },
      profileName === undefined ? undefined : registryProfile(profileName)!.auth,
    ),
    origin: origin(options.origin ?? DEFAULTS.origin),
    mode,
    storage: storage(options.storage) ?? memoryStorage(),
    maxManifestBytes: positiveInteger(
      'maxManifestBytes',
      options.maxManifestBytes ?? DEFAULTS.maxManifestBytes,
      'bytes',
    ),
    deletes: boolean('deletes', options.deletes ?? DEFAULTS.deletes),
    automaticMount: boolean('automaticMount', options.automaticMount ?? DEFAULTS.automaticMount),
    referrers: boolean('referrers', options.referrers ?? defaults.referrers),
    verifyReferences: oneOf(
      'verifyReferences',
      options.verifyReferences ?? defaults.verifyReferences,
      VERIFY_REFERENCES,
      defaults.verifyReferences,
    ),
    journalMaxEntries: limit(options, 'journalMaxEntries', 'requests'),
    journalMaxBytes: limit(options, 'journalMaxBytes', 'bytes'),
    journalMaxManifestBytes: limit(options, 'journalMaxManifestBytes', 'bytes'),
    headersTimeoutMs: limit(options, 'headersTimeoutMs', 'milliseconds'),
    requestTimeoutMs: limit(options, 'requestTimeoutMs', 'milliseconds'),
    idleTimeoutMs: limit(options, 'idleTimeoutMs', 'milliseconds'),
    maxConnections: limit(options, 'maxConnections', 'connections'),
    listenBacklog: limit(options, 'listenBacklog', 'connections'),
    maxUploadSessions: limit(options, 'maxUploadSessions', 'sessions'),
    uploadTimeoutMs: limit(options, 'uploadTimeoutMs', 'milliseconds'),
    profile: profileName,
    quirks: resolveQuirks(base.quirks, given.quirks),
    rateLimit: resolveSection('rateLimit', base.rateLimit, given.rateLimit, DEFAULT_RATE_LIMIT, RATE_LIMIT_CHECKS),
    blobRedirect: resolveSection(
      'blobRedirect',
      base.blobRedirect,
      given.blobRedirect,
      DEFAULT_BLOB_REDIRECT,
      BLOB_REDIRECT_CHECKS,
    ),
    now: clock(options.now ?? DEFAULTS.now),
  }
  if (resolved.headersTimeoutMs > resolved.requestTimeoutMs) {
    throw invalid(
      'headersTimeoutMs',
      String(resolved.headersTimeoutMs),
      `the headers cannot take longer than the whole request (requestTimeoutMs ${resolved.requestTimeoutMs})`,
      'Pass a headersTimeoutMs at most requestTimeoutMs',
    )
  }
  if (resolved.blobRedirect?.origin === '') {
    const registry = new URL(resolved.origin)
    resolved.blobRedirect = Object.freeze({
      ...resolved.blobRedirect,
      origin: `${registry.protocol}//blobs.${registry.host}`,
    })
  }
  if (resolved.tls && resolved.transport !== 'http') {
    throw invalid(
      'tls',
      'true',
      `tls applies to the http transport, and transport is '${resolved.transport}'`,
      "Leave tls out and pass an https origin such as 'https://registry.test'",
    )
  }
  return { options: resolved, profile: createProfile(mode, options as Readonly<Record<string, unknown>>) }
}

function invalid(option: string, value: string, reason: string, fix: string): FakeRegistryError {
  return new FakeRegistryError('ERR_INVALID_OPTION', { action: `use option ${option}`, subject: value, reason, fix })
}

function oneOf<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: unknown = (DEFAULTS as Record<string, unknown>)[name],
): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
  throw invalid(
    name,
    String(value),
    `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`,
    `Pass one of them, or leave ${name} out for '${String(fallback)}'`,
  )
}

function boolean(name: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value
  throw invalid(name, String(value), `${name} must be true or false`, `Pass a boolean, or leave ${name} out`)
}

function nonEmptyString(name: string, value: unknown): string {
  if (typeof value === 'string' && value.length > 0) return value
  throw invalid(
    name,
    String(value),
    `${name} must be a non-empty string`,
    `Pass an address such as '127.0.0.1' or '::1'`,
  )
}

type LimitOption =
  | 'journalMaxEntries'
  | 'journalMaxBytes'
  | 'journalMaxManifestBytes'
  | 'headersTimeoutMs'
  | 'requestTimeoutMs'
  | 'idleTimeoutMs'
  | 'maxConnections'
  | 'listenBacklog'
  | 'maxUploadSessions'
  | 'uploadTimeoutMs'

/** A limit option (docs/limits.md): the given positive whole number, or its default. */
function limit(options: FakeRegistryOptions, name: LimitOption, unit: string): number {
  return positiveInteger(name, options[name] ?? DEFAULTS[name], unit)
}

function positiveInteger(name: string, value: unknown, unit?: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value
  const example = (DEFAULTS as Record<string, unknown>)[name] ?? 100
  const of = unit === undefined ? '' : ` of ${unit}`
  throw invalid(
    name,
    String(value),
    `${name} must be a positive whole number${of}`,
    `Pass a number such as ${String(example)}`,
  )
}

function port(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535) return value
  throw invalid(
    'port',
    String(value),
    'a port is a whole number from 0 to 65535',
    'Pass 0 for a free ephemeral port, or a number such as 5000',
  )
}

function origin(value: unknown): string {
  const parsed = parseOrigin(value)
  if (parsed) return parsed
  throw invalid(
    'origin',
    String(value),
    'an origin is an http or https URL with no path',
    "Pass one such as 'https://registry.test'",
  )
}

/** The origin of an http(s) URL that has no path, query or fragment beyond `/`; else undefined. */
export function parseOrigin(value: unknown): string | undefined {
  let url: URL
  try {
    if (typeof value !== 'string') return undefined
    url = new URL(value)
  } catch {
    return undefined
  }
  const bare = url.pathname === '/' && !url.search && !url.hash
  return (url.protocol === 'http:' || url.protocol === 'https:') && bare ? url.origin : undefined
}

function storage(value: unknown): Storage | undefined {
  if (value === undefined) return undefined
  if (isStorage(value)) return value
  throw invalid(
    'storage',
    String(value),
    'it does not implement the Storage interface',
    'Pass memoryStorage(), or an object with the methods of Storage',
  )
}

function isStorage(value: unknown): value is Storage {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Partial<Storage>
  return typeof candidate.statBlob === 'function' && typeof candidate.putManifest === 'function'
}

type Check = (name: string, value: unknown) => unknown

const optionalCount: Check = (name, value) => (value === undefined ? undefined : positiveInteger(name, value))
const choice =
  (...allowed: readonly unknown[]): Check =>
  (name, value) => {
    if (allowed.includes(value)) return value
    throw invalid(
      name,
      String(value),
      `${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
      `Pass one of them, or leave ${name} out`,
    )
  }

const PAGE_SIZE_ABOVE_MAX = choice('clamp', 'distribution', 'ecr', 'quay')

const QUIRK_CHECKS: Readonly<Record<keyof ResolvedQuirks, Check>> = {
  tagsPageSize: optionalCount,
  tagsMaxPageSize: optionalCount,
  catalogPageSize: optionalCount,
  catalogMaxPageSize: optionalCount,
  pageSizeAboveMax: PAGE_SIZE_ABOVE_MAX,
  catalogPageSizeAboveMax: (name, value) => (value === undefined ? undefined : PAGE_SIZE_ABOVE_MAX(name, value)),
  tagsIgnoreN: boolean,
  tagsIgnoreLast: boolean,
  opaqueLast: boolean,
  tagsPageToken: boolean,
  catalogPageToken: boolean,
  linkHeader: boolean,
  linkOrderBy: boolean,
  linkQueryOrder: choice('n-last', 'sorted'),
  malformedPageSize: choice('refuse', 'default-page'),
  listContentType: choice('application/json', 'application/json; charset=utf-8'),
  digestOnTagGet: boolean,
  digestTags: boolean,
  baseBody: choice('object', 'empty', 'true'),
  catalog: boolean,
  singlePostUpload: boolean,
  crossMount: boolean,
  patchStatus: choice(201, 202),
  frozenUploadRange: boolean,
  outOfOrderChunk: choice('reject', 'append'),
  uploadState: boolean,
  deleteByTag: choice('allow', 'digest-invalid', 'unsupported'),
  immutableTags: choice(false, 'ecr', 'harbor'),
  headerCase: choice('lower', 'canonical'),
  apiVersionHeader: boolean,
  errorEnvelope: choice('oci', 'harbor', 'quay'),
  malformedDigestReference: choice('digest-invalid', 'internal-error'),
}

const RATE_LIMIT_CHECKS: Readonly<Record<keyof ResolvedRateLimit, Check>> = {
  limit: positiveInteger,
  windowMs: positiveInteger,
  source: nonEmptyString,
  abuseLimit: optionalCount,
  abuseWindowMs: positiveInteger,
  retryAfterSeconds: positiveInteger,
}

const BLOB_REDIRECT_CHECKS: Readonly<Record<keyof ResolvedBlobRedirect, Check>> = {
  ttlMs: positiveInteger,
  origin: (_name, value) => (value === '' ? '' : origin(value)),
}

/** The quirks in force: defaults, then the profile's, then the ones given. Unknown keys are refused with the list of known ones. */
function resolveQuirks(fromProfile: Quirks | undefined, given: Quirks | undefined): ResolvedQuirks {
  const merged = { ...DEFAULT_QUIRKS, ...fromProfile, ...checkedKeys('quirks', given, QUIRK_CHECKS) }
  for (const [key, check] of Object.entries(QUIRK_CHECKS)) check(`quirks.${key}`, merged[key as keyof ResolvedQuirks])
  // ECR refuses a token it cannot read, Quay starts over: one list cannot do both.
  const pageToken = merged.tagsPageToken ? 'tagsPageToken' : merged.catalogPageToken ? 'catalogPageToken' : undefined
  if (merged.opaqueLast && pageToken) {
    throw invalid(
      'quirks',
      'opaqueLast',
      `quirks.opaqueLast and quirks.${pageToken} answer a token they cannot read differently (refused, or the first page)`,
      `Turn one of them off, as in quirks: { ${pageToken}: false }`,
    )
  }
  return Object.freeze(merged)
}

/** An optional section (`rateLimit`, `blobRedirect`): off unless the profile or the options turn it on; false turns it off. */
function resolveSection<T extends object>(
  name: string,
  fromProfile: Partial<T> | undefined,
  given: Partial<T> | false | undefined,
  defaults: Readonly<T>,
  checks: Readonly<Record<keyof T, Check>>,
): Readonly<T> | undefined {
  if (given === false) return undefined
  if (given === undefined && fromProfile === undefined) return undefined
  const merged = { ...defaults, ...fromProfile, ...checkedKeys(name, given, checks) } as T
  for (const [key, check] of Object.entries(checks) as Array<[keyof T & string, Check]>)
    merged[key] = check(`${name}.${key}`, merged[key]) as T[keyof T & string]
  return Object.freeze(merged)
}

function checkedKeys<T extends object>(
  name: string,
  given: T | undefined,
  checks: Readonly<Record<string, Check>>,
): T | undefined {
  if (given === undefined) return undefined
  if (typeof given !== 'object' || given === null) {
    throw invalid(
      name,
      String(given),
      `${name} must be an object`,
      `Pass an object with some of: ${Object.keys(checks).join(', ')}`,
    )
  }
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(checks, key))
      throw invalid(name, key, `it is not a key of ${name}`, `Use one of: ${Object.keys(checks).join(', ')}`)
  }
  return given
}

function clock(value: unknown): () => number {
  if (typeof value === 'function') return value as () => number
  throw invalid(
    'now',
    String(value),
    'now must be a function that returns milliseconds',
    'Pass one such as () => Date.now(), or leave now out',
  )
}

const AUTH_SCHEMES: readonly AuthScheme[] = ['basic', 'bearer']
/** Every value of `auth.anonymous`, for the CLI's `--anonymous`. */
export const ANONYMOUS_ACCESS: readonly AnonymousAccess[] = ['none', 'pull']
const AUTH_KEYS = new Set<string>([
  'scheme',
  'realmPath',
  'users',
  'anonymous',
  'permissions',
  'tokenTtlSeconds',
  'service',
  'forbiddenStatus',
])

function auth(value: AuthOptions | undefined, shape: Readonly<AuthShape> | undefined): ResolvedAuthOptions | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(
      'auth',
      String(value),
      'auth must be an object',
      "Pass one such as { users: { alice: 'secret' } }, or leave auth out",
    )
  }
  for (const key of Object.keys(value)) {
    if (!AUTH_KEYS.has(key))
      throw invalid('auth', key, 'it is not a field of the auth option', `Use one of: ${[...AUTH_KEYS].join(', ')}`)
  }
  const defaults = DEFAULTS.auth
  const users = authUsers(value.users)
  const forbiddenStatus = value.forbiddenStatus ?? defaults.forbiddenStatus
  if (forbiddenStatus !== 401 && forbiddenStatus !== 403) {
    throw invalid(
      'auth.forbiddenStatus',
      String(forbiddenStatus),
      'auth.forbiddenStatus must be 401 or 403',
      'Pass 403 for DENIED, or leave it out for 401',
    )
  }
  const tokenTtlSeconds = value.tokenTtlSeconds ?? defaults.tokenTtlSeconds
  if (!(typeof tokenTtlSeconds === 'number' && Number.isSafeInteger(tokenTtlSeconds) && tokenTtlSeconds > 0)) {
    throw invalid(
      'auth.tokenTtlSeconds',
      String(tokenTtlSeconds),
      'auth.tokenTtlSeconds must be a positive whole number of seconds',
      'Pass one such as 300',
    )
  }
  const service = value.service ?? defaults.service
  if (typeof service !== 'string' || !/^[\x21-\x7e]+$/.test(service) || /["\\]/.test(service)) {
    throw invalid(
      'auth.service',
      String(service),
      'auth.service must be printable ASCII without spaces, quotes or backslashes',
      "Pass one such as 'registry.test'",
    )
  }
  return {
    scheme: oneOf('auth.scheme', value.scheme ?? defaults.scheme, AUTH_SCHEMES, defaults.scheme),
    realmPath: realmPath(value.realmPath ?? defaults.realmPath),
    users,
    anonymous: oneOf('auth.anonymous', value.anonymous ?? defaults.anonymous, ANONYMOUS_ACCESS, defaults.anonymous),
    permissions: authPermissions(value.permissions, users),
    tokenTtlSeconds,
    service,
    forbiddenStatus,
    shape: shape === undefined ? defaults.shape : resolveAuthShape(shape),
  }
}

// Path characters a client copies from a realm as they are: no query, no escapes, no empty or dot segment.
const REALM_PATH = /^(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9._~-]+)+$/

// A realm path may sit under /v2/ (GAR's /v2/token, Quay's /v2/auth) only as one segment other than
// _catalog: every API route under /v2/ is /v2/, /v2/_catalog or has a repository name and a suffix.
function realmPath(value: unknown): string {
  if (typeof value !== 'string' || value.length > 256 || !REALM_PATH.test(value)) {
    throw invalid(
      'auth.realmPath',
      String(value),
      'auth.realmPath must be an absolute path whose segments hold letters, digits and ._~- only',
      "Pass one such as '/token'",
    )
  }
  const segments = value.split('/').slice(1)
  if (segments[0] === 'v2' && (segments.length !== 2 || segments[1] === '_catalog')) {
    throw invalid(
      'auth.realmPath',
      value,
      'under /v2/ the token endpoint would hide an API route unless it is one segment other than _catalog',
      "Pass one such as '/v2/token', or a path outside /v2/",
    )
  }
  return value
}

function authUsers(value: unknown): Map<string, string> {
  const users = new Map<string, string>()
  if (value === undefined) return users
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(
      'auth.users',
      String(value),
      'auth.users maps user names to passwords',
      "Pass one such as { alice: 'secret' }",
    )
  }
  for (const [user, password] of Object.entries(value)) {
    // RFC 7617: a user name cannot hold a colon, and an empty user or password is refused on the wire.
    if (user === '' || user.includes(':') || [...user].some((char) => char < ' ' || char === '\u007f')) {
      throw invalid(
        'auth.users',
        user,
        'a user name is non-empty, without colons or control characters',
        "Pass one such as 'alice'",
      )
    }
    if (typeof password !== 'string' || password === '') {
      throw invalid(
        'auth.users',
        user,
        "the user's password is not a non-empty string",
        "Pass one such as { alice: 'secret' }",
      )
    }
    users.set(user, password)
  }
  return users
}

function authPermissions(
  value: unknown,
  users: ReadonlyMap<string, string>,
): Map<string, PermissionRule[]> | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(
      'auth.permissions',
      String(value),
      'auth.permissions maps user names to lists of scopes',
      "Pass one such as { alice: ['repository:team/*:pull,push'] }",
    )
  }
  const permissions = new Map<string, PermissionRule[]>()
  for (const [user, rules] of Object.entries(value)) {
    if (!users.has(user))
      throw invalid(
        'auth.permissions',
        user,
        'it is not one of auth.users',
        'Add the user to auth.users, or remove its permissions',
      )
    if (!Array.isArray(rules))
      throw invalid(
        'auth.permissions',
        user,
        "the user's permissions are not a list of scopes",
        "Pass one such as ['repository:team/*:pull']",
      )
    permissions.set(
      user,
      rules.map((rule: unknown) => {
        const parsed = typeof rule === 'string' ? parsePermission(rule) : 'a permission is a string'
        if (typeof parsed === 'string')
          throw invalid(
            'auth.permissions',
            String(rule),
            parsed,
            "Write it as type:name:actions, such as 'repository:team/*:pull,push'",
          )
        return parsed
      }),
    )
  }
  return permissions
}

/**
 * The auth option's fields a profile's auth shape decides (docs/profiles.md, "challenge and
 * token"): they apply once `auth` is given, under the fields given there. The rest of the shape
 * has no field of its own and comes with the profile (`resolveAuthShape`).
 */
function profileAuth(shape: Readonly<AuthShape>): AuthOptions {
  return {
    scheme: shape.scheme,
    ...(shape.realmPath === undefined ? {} : { realmPath: shape.realmPath }),
    anonymous: shape.anonymousPull ? 'pull' : 'none',
    forbiddenStatus: shape.notAllowed === 'denied-403' ? 403 : 401,
    ...(shape.service === undefined ? {} : { service: shape.service }),
    ...(shape.expiresIn === undefined ? {} : { tokenTtlSeconds: shape.expiresIn }),
  }
}

/** A profile's auth shape with distribution's answer wherever the profile leaves a part out. */
function resolveAuthShape(shape: Readonly<AuthShape>): ResolvedAuthShape {
  const defaults = DEFAULTS.auth.shape
  return Object.freeze({
    serviceOnBase: shape.serviceOnBase,
    basicRealm: shape.basicRealm ?? defaults.basicRealm,
    basicService: shape.basicService ?? defaults.basicService,
    baseStatus: shape.baseStatus,
    baseAnswer: shape.baseAnswer ?? defaults.baseAnswer,
    unknownRepository: shape.unknownRepository,
    notAllowed: shape.notAllowed,
    deniedChallenge: shape.deniedChallenge ?? defaults.deniedChallenge,
    basicOnRegistry: shape.basicOnRegistry ?? defaults.basicOnRegistry,
    // A Basic registry (ECR, zot) has no token endpoint: given scheme 'bearer', the fake's own answers.
    tokenFields: shape.tokenFields.length > 0 ? shape.tokenFields : defaults.tokenFields,
    emptyAccessToken: shape.emptyAccessToken ?? defaults.emptyAccessToken,
    issuedAt: shape.issuedAt ?? defaults.issuedAt,
    unknownService: shape.unknownService ?? defaults.unknownService,
    loginRefusal: shape.loginRefusal ?? defaults.loginRefusal,
    tokenPost: shape.tokenPost ?? defaults.tokenPost,
    ...(shape.baseScope === undefined ? {} : { baseScope: shape.baseScope }),
    ...(shape.schemeWord === undefined ? {} : { schemeWord: shape.schemeWord }),
    ...(shape.unauthorizedMessage === undefined ? {} : { unauthorizedMessage: shape.unauthorizedMessage }),
  })
}
