import type { RegistryClock } from '../leaf/clock.js'
import type { ResolvedOptions } from '../options.js'
import type { Profile } from '../profiles/index.js'
import type { Storage } from '../storage/storage.js'
import type { OpenUploads } from './open-uploads.js'
import type { UploadDigesters } from './upload-digesters.js'
import type { RequestFacts, RequestParams } from '../journal/journal.js'
import type { PageTokens } from './page-tokens.js'

/** What every resource handler is given besides the request. */
export interface RegistryContext {
  readonly options: ResolvedOptions
  /** The mode's rules, built once from its options when the registry was created. */
  readonly profile: Profile
  readonly storage: Storage
  /**
   * The sha256 state of each open upload session and how many bytes it has hashed, so the digest
   * is computed while the body streams in. A session missing here (storage that outlived the
   * process), or whose size moved on, is rehashed from its bytes.
   */
  readonly uploadDigesters: UploadDigesters
  /** The open upload sessions, capped in number and expiring when unused (see docs/limits.md). */
  readonly openUploads: OpenUploads
  /** The registry's clock (`registry.clock`): signed-URL lifetimes and rate-limit windows read it. */
  readonly clock: RegistryClock
  /** Opaque page tokens under the registry's own key: a token from another registry does not open. */
  readonly pageTokens: PageTokens
  /** With `blobRedirect`: signs the storage-origin URL a blob GET or HEAD is redirected to. */
  blobUrls?: BlobUrlSigner
}

/** Signs a blob's URL on the storage origin for one method (`blobRedirect`, docs/profiles.md). */
export interface BlobUrlSigner {
  sign(name: string, digest: string, method: 'GET' | 'HEAD'): string
}

/** Path parameters captured by the route table; which ones are set depends on the route. */
export type RouteParams = RequestParams

/**
 * The parameters `keys` that a handler's route always captures, as strings. The route table
 * guarantees them, so a missing one is a bug in the table and fails here, not as `undefined`
 * further on.
 *
 * @example
 * const { name, digest } = routeParams(params, 'name', 'digest')
 */
export function routeParams<K extends keyof RouteParams>(
  params: RouteParams,
  ...keys: K[]
): Required<Pick<RouteParams, K>> {
  for (const key of keys) if (params[key] === undefined) throw new TypeError(`route without its ${key} parameter`)
  return params as Required<Pick<RouteParams, K>>
}

/** One routed request. */
export interface RouteInput {
  request: Request
  url: URL
  params: RouteParams
  context: RegistryContext
  /** Facts a handler adds to the request's journal record (the parsed manifest of a PUT); absent when not recording. */
  facts?: RequestFacts
}

/** A resource handler: one HTTP method on one route. Throws `OciError` for API errors. */
export type RouteHandler = (input: RouteInput) => Promise<Response> | Response
