/**
 * Switches that make the registry answer as a real one does where it departs from the spec.
 * Each defaults (`DEFAULT_QUIRKS` in options.ts) to the fake's own, spec-following answer; a named
 * `profile` turns on the ones its registry has. docs/profiles.md says which registry does what,
 * and where that fact comes from.
 *
 * @example
 * await createFakeRegistry({ quirks: { tagsPageSize: 100, opaqueLast: true } }) // ECR's tag lists
 */
export interface Quirks {
  /** Tags on a page when the request has no `n`, with a `Link` to the next; undefined: every tag (ECR: 100). */
  tagsPageSize?: number | undefined
  /** Largest `n` a tag list takes; above it `pageSizeAboveMax` answers (ECR: 1000, Quay: 100). */
  tagsMaxPageSize?: number | undefined
  /** Repositories on a catalog page when the request has no `n`; undefined: every repository. */
  catalogPageSize?: number | undefined
  /** Largest `n` the catalog takes (distribution: 1000). */
  catalogMaxPageSize?: number | undefined
  /**
   * The answer to an `n` above the maximum: 'clamp' (a page of the maximum, distribution 3's tags),
   * 'distribution' (400 PAGINATION_NUMBER_INVALID), 'ecr' (405 UNSUPPORTED "Invalid parameter at
   * 'maxResults'…"), 'quay' (413 TOO_MANY_TAGS_REQUESTED). The catalog's too, unless
   * `catalogPageSizeAboveMax` says otherwise.
   */
  pageSizeAboveMax?: PageSizeAboveMax
  /**
   * The catalog's answer to an `n` above `catalogMaxPageSize` where it differs from the tag list's
   * (Quay: 'clamp', a page of 100 without a word, while its tag list answers 413); undefined:
   * `pageSizeAboveMax`.
   */
  catalogPageSizeAboveMax?: PageSizeAboveMax | undefined
  /** Tag lists ignore `n` (distribution 2.8, GAR, ACR). */
  tagsIgnoreN?: boolean
  /** Tag lists ignore `last` (distribution 2.8, GAR). */
  tagsIgnoreLast?: boolean
  /** `last` in a `Link` is an opaque token, and a `last` that is not one is refused (ECR's NextToken). */
  opaqueLast?: boolean
  /**
   * Tag lists page with an encrypted `next_page` token in `Link` (`?next_page=<token>&n=<n>`) instead
   * of `last`; a token read from `next_page` (else `last`) that does not decrypt, a tag name among
   * them, starts again at the first page (Quay before May 2024). Not with `opaqueLast`.
   */
  tagsPageToken?: boolean
  /** The catalog pages with `next_page` tokens as `tagsPageToken` describes (Quay). Not with `opaqueLast`. */
  catalogPageToken?: boolean
  /** Whether tag-list pages carry a `Link` to the next page (distribution 2.8 and GAR send none); catalog pages always do. */
  linkHeader?: boolean
  /** `Link` puts `last` before `n` and ends with an empty `orderby=`: `?last=<last>&n=<n>&orderby=` (ACR). */
  linkOrderBy?: boolean
  /**
   * The order of the `Link` query: 'n-last' (`?n=<n>&last=<last>`), or 'sorted' (`?last=<last>&n=<n>`),
   * the keys in order as Go's `url.Values.Encode` writes them (distribution, Harbor, GitLab).
   * `linkOrderBy` and the page tokens keep their own order.
   */
  linkQueryOrder?: LinkQueryOrder
  /**
   * An `n` that is not a whole number: 'refuse' (400), or 'default-page' (distribution 2.8), the
   * list answered as without `n`, and so a negative `n` or one past Go's int64 too.
   */
  malformedPageSize?: MalformedPageSize
  /** `Content-Type` of tag lists and the catalog: distribution 2.8 adds `; charset=utf-8`. */
  listContentType?: 'application/json' | 'application/json; charset=utf-8'
  /** Whether a manifest GET by tag carries `Docker-Content-Digest` (ECR omits it; HEAD keeps it). */
  digestOnTagGet?: boolean
  /** A tag `sha256-<hex>` that does not exist resolves to the manifest `sha256:<hex>` (GitLab). */
  digestTags?: boolean
  /**
   * The body of a 200 `/v2/`: 'object', `{}` as distribution writes it; 'empty', no bytes at all,
   * still `Content-Type: application/json` (zot); 'true', the text `true` as Flask writes it,
   * `Content-Type: text/html; charset=utf-8` (Quay, whose 401 `/v2/` carries it too).
   */
  baseBody?: 'object' | 'empty' | 'true'
  /** Whether `/v2/_catalog` is served (Docker Hub: not). */
  catalog?: boolean
  /** Whether `POST …/uploads/?digest=` with the body stores the blob at once; false opens a session (202). */
  singlePostUpload?: boolean
  /** Whether a cross-repository mount links the blob (201); false answers every mount with a session (202). */
  crossMount?: boolean
  /** Status of an accepted PATCH: 202 as the spec says, 201 as ECR answers. */
  patchStatus?: 201 | 202
  /** The `Range` of PATCH answers stops at the end of the first chunk, though later bytes are stored (ECR). */
  frozenUploadRange?: boolean
  /** A PATCH whose `Content-Range` does not continue the session: 'reject' (416) or 'append' (202, distribution 2.8). */
  outOfOrderChunk?: 'reject' | 'append'
  /**
   * Upload `Location`s carry the session's offset in `_state`, and a request whose `_state` is behind
   * the session answers 404 BLOB_UPLOAD_UNKNOWN (distribution 2.8).
   */
  uploadState?: boolean
  /** DELETE of a manifest by tag: 'allow', 'digest-invalid' (400 DIGEST_INVALID, distribution) or 'unsupported' (400 UNSUPPORTED, Harbor). */
  deleteByTag?: 'allow' | 'digest-invalid' | 'unsupported'
  /** A push to an existing tag is refused: 'ecr' (400 TAG_INVALID), 'harbor' (412 PRECONDITION); false allows it. */
  immutableTags?: false | 'ecr' | 'harbor'
  /** Header names on the wire (http transport): 'lower' as HTTP/2 registries send them, 'canonical' as distribution (`Docker-Content-Digest`). */
  headerCase?: 'lower' | 'canonical'
  /** Whether every answer carries `Docker-Distribution-API-Version: registry/2.0`. */
  apiVersionHeader?: boolean
  /** Error bodies: 'oci' (the spec's), 'harbor' (NOT_FOUND, UNKNOWN masked, UNSUPPORTED 400), 'quay' (`detail: {}`). */
  errorEnvelope?: 'oci' | 'harbor' | 'quay'
  /** A manifest reference with `:` that is not a digest: 'digest-invalid' (400) or 'internal-error' (500 UNKNOWN, distribution 2.8). */
  malformedDigestReference?: 'digest-invalid' | 'internal-error'
}

/** How a list answers an `n` above its maximum. */
export type PageSizeAboveMax = 'clamp' | 'distribution' | 'ecr' | 'quay'

/** The order of the keys in a `Link` query (quirk `linkQueryOrder`). */
export type LinkQueryOrder = 'n-last' | 'sorted'

/** How a list reads an `n` that is not a whole number (quirk `malformedPageSize`). */
export type MalformedPageSize = 'refuse' | 'default-page'

type PageSizes = 'tagsPageSize' | 'tagsMaxPageSize' | 'catalogPageSize' | 'catalogMaxPageSize'

/**
 * Quirks with every default applied; a page size stays undefined where there is no limit, and
 * `catalogPageSizeAboveMax` where the catalog answers as the tag list does.
 */
export type ResolvedQuirks = Required<Omit<Quirks, PageSizes | 'catalogPageSizeAboveMax'>> & {
  [K in PageSizes]: number | undefined
} & { catalogPageSizeAboveMax: PageSizeAboveMax | undefined }

/**
 * Docker Hub's pull limit (and its abuse limit), counted on the registry's clock.
 *
 * @example
 * await createFakeRegistry({ rateLimit: { limit: 2 } }) // the third manifest GET in 6 h answers 429
 */
export interface RateLimit {
  /** Manifest GETs allowed per window; HEAD does not count. Default 100. */
  limit?: number
  /** The window, in milliseconds. Default 21600000 (6 h), sent as `;w=21600`. */
  windowMs?: number
  /** `docker-ratelimit-source`: the client address Hub counts against. Default '127.0.0.1'. */
  source?: string
  /** Requests of any kind allowed per `abuseWindowMs` before the plain-text HAP429; undefined: no abuse limit. */
  abuseLimit?: number | undefined
  /** The abuse limit's window, in milliseconds. Default 60000. */
  abuseWindowMs?: number
  /** `Retry-After` of the abuse limit's 429, in seconds. Default 60. */
  retryAfterSeconds?: number
}

/** A rate limit with every default applied; `abuseLimit` stays undefined when there is none. */
export type ResolvedRateLimit = Required<Omit<RateLimit, 'abuseLimit'>> & { abuseLimit: number | undefined }

/**
 * Blob GET and HEAD answered with 307 to a second origin (a storage host like S3) that serves the
 * bytes while the signed URL lives, and refuses a request that carries `Authorization`.
 *
 * @example
 * await createFakeRegistry({ blobRedirect: { ttlMs: 60_000 } })
 */
export interface BlobRedirect {
  /** How long a signed URL serves, in milliseconds. Default 1200000 (20 min, distribution's S3 driver). */
  ttlMs?: number
  /**
   * The storage origin with no socket (msw, none). Default: `blobs.` before the registry's host,
   * `http://blobs.registry.fake-oci.invalid`. Over http it is always a second loopback listener.
   */
  origin?: string
}

/** A blob redirect with every default applied. */
export type ResolvedBlobRedirect = Required<BlobRedirect>
