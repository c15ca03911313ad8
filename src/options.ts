import { FakeRegistryError } from './errors/fake-registry-error.js'
import { memoryStorage } from './storage/memory.js'
import type { Storage } from './storage/storage.js'

/** How the registry is reached. */
export type Transport = 'http' | 'none'

/** Manifest media-type behaviour (see docs/media-types.md). */
export type Mode = 'strict'

/** Which references a pushed manifest must have in the repository. */
export type VerifyReferences = 'all' | 'blobs' | 'none'

/**
 * Options of `createFakeRegistry`. Every default lives in `DEFAULTS` below.
 *
 * @example
 * await createFakeRegistry({ transport: 'http', port: 0, mode: 'strict' })
 */
export interface FakeRegistryOptions {
  /** 'http' (default): node:http on `host`:`port`. 'none': no socket; use `registry.fetch`. */
  transport?: Transport
  /** Interface for the http transport. Default '127.0.0.1': never reachable from outside. */
  host?: string
  /** Port for the http transport; 0 (default) picks a free ephemeral port. */
  port?: number
  /** The registry's origin when no socket serves it (`transport: 'none'`). */
  origin?: string
  /** Manifest media-type mode. Default 'strict'. */
  mode?: Mode
  /** Where content lives. Default: a new `memoryStorage()`. */
  storage?: Storage
  /** Largest manifest body accepted, in bytes. Default 4194304 (4 MiB), as distribution. */
  maxManifestBytes?: number
  /** Whether DELETE of manifests, tags and blobs is allowed. Default true. */
  deleteEnabled?: boolean
  /** Whether the referrers API and `OCI-Subject` are served. Default true. */
  referrers?: boolean
  /** Strict mode: reject a `Content-Type` no parser knows instead of using the default one. Default false. */
  rejectUnknownContentType?: boolean
  /** Which references of a pushed manifest must exist. Default 'all' in strict mode. */
  verifyReferences?: VerifyReferences
}

/** Options with every default applied. */
export interface ResolvedOptions {
  transport: Transport
  host: string
  port: number
  origin: string
  mode: Mode
  storage: Storage
  maxManifestBytes: number
  deleteEnabled: boolean
  referrers: boolean
  rejectUnknownContentType: boolean
  verifyReferences: VerifyReferences
}

/** Every default in one place. */
export const DEFAULTS = {
  transport: 'http',
  host: '127.0.0.1',
  port: 0,
  // `.invalid` never resolves (RFC 6761), so a request that escapes interception fails at once.
  origin: 'http://registry.fake-oci.invalid',
  mode: 'strict',
  maxManifestBytes: 4 * 1024 * 1024,
  deleteEnabled: true,
  referrers: true,
  rejectUnknownContentType: false,
  verifyReferences: 'all',
} as const satisfies Omit<ResolvedOptions, 'storage'>

const TRANSPORTS: readonly Transport[] = ['http', 'none']
const MODES: readonly Mode[] = ['strict']
const VERIFY_REFERENCES: readonly VerifyReferences[] = ['all', 'blobs', 'none']
const KNOWN_OPTIONS = new Set<string>([...Object.keys(DEFAULTS), 'storage'])

/**
 * Validates options at the boundary and applies the defaults. Misuse is a `FakeRegistryError`
 * with code `ERR_INVALID_OPTION` that names the option and the accepted values.
 */
export function resolveOptions(options: FakeRegistryOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalid('options', String(options), 'they must be an object', 'Pass an object such as { mode: "strict" }, or nothing')
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw invalid('options', key, 'it is not an option of createFakeRegistry', `Use one of: ${[...KNOWN_OPTIONS].join(', ')}`)
    }
  }
  const resolved: ResolvedOptions = {
    transport: oneOf('transport', options.transport ?? DEFAULTS.transport, TRANSPORTS),
    host: nonEmptyString('host', options.host ?? DEFAULTS.host),
    port: port(options.port ?? DEFAULTS.port),
    origin: origin(options.origin ?? DEFAULTS.origin),
    mode: oneOf('mode', options.mode ?? DEFAULTS.mode, MODES),
    storage: storage(options.storage) ?? memoryStorage(),
    maxManifestBytes: positiveInteger('maxManifestBytes', options.maxManifestBytes ?? DEFAULTS.maxManifestBytes),
    deleteEnabled: boolean('deleteEnabled', options.deleteEnabled ?? DEFAULTS.deleteEnabled),
    referrers: boolean('referrers', options.referrers ?? DEFAULTS.referrers),
    rejectUnknownContentType: boolean('rejectUnknownContentType', options.rejectUnknownContentType ?? DEFAULTS.rejectUnknownContentType),
    verifyReferences: oneOf('verifyReferences', options.verifyReferences ?? DEFAULTS.verifyReferences, VERIFY_REFERENCES),
  }
  return resolved
}

function invalid(option: string, value: string, reason: string, fix: string): FakeRegistryError {
  return new FakeRegistryError('ERR_INVALID_OPTION', { action: `use option ${option}`, subject: value, reason, fix })
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
  throw invalid(name, String(value), `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`, `Pass one of them, or leave ${name} out for '${String((DEFAULTS as Record<string, unknown>)[name])}'`)
}

function boolean(name: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value
  throw invalid(name, String(value), `${name} must be true or false`, `Pass a boolean, or leave ${name} out`)
}

function nonEmptyString(name: string, value: unknown): string {
  if (typeof value === 'string' && value.length > 0) return value
  throw invalid(name, String(value), `${name} must be a non-empty string`, `Pass an address such as '127.0.0.1' or '::1'`)
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value
  throw invalid(name, String(value), `${name} must be a positive whole number of bytes`, `Pass a number such as 4194304`)
}

function port(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535) return value
  throw invalid('port', String(value), 'a port is a whole number from 0 to 65535', 'Pass 0 for a free ephemeral port, or a number such as 5000')
}

function origin(value: unknown): string {
  let url: URL | undefined
  try {
    url = typeof value === 'string' ? new URL(value) : undefined
  } catch {
    url = undefined
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:') && url.pathname === '/' && !url.search) return url.origin
  throw invalid('origin', String(value), 'an origin is an http or https URL with no path', "Pass one such as 'https://registry.test'")
}

function storage(value: unknown): Storage | undefined {
  if (value === undefined) return undefined
  const candidate = value as Partial<Storage> | null
  if (candidate && typeof candidate === 'object' && typeof candidate.statBlob === 'function' && typeof candidate.putManifest === 'function') {
    return value as Storage
  }
  throw invalid('storage', String(value), 'it does not implement the Storage interface', 'Pass memoryStorage(), or an object with the methods of Storage')
}
