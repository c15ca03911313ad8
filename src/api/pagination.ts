import { jsonResponse } from '../leaf/json-response.js'
import { OciError } from '../errors/oci-error.js'
import type { ResolvedQuirks } from '../profiles/quirks.js'

/** What a list request asks for: at most `limit` entries (none: all), strictly after `last` (none: from the start). */
export interface PageRequest {
  limit?: number
  last?: string
}

/** One page of a sorted list. */
export interface Page {
  entries: string[]
  /** The request for the page after this one, when entries remain: the answer then carries a `Link` to it. */
  next?: Required<PageRequest>
}

// Decimal digits only: a sign, a fraction, an exponent or hex is not "an integer" as the spec's
// `n=<integer>` means it, and `Number()` would quietly accept all of them.
const DIGITS = /^[0-9]+$/

/**
 * Reads `n` and `last` from a tags or catalog query. An empty `n=` counts as absent, as in
 * distribution. An `n` that is not a whole number from 0 to 2^53 - 1 is refused.
 *
 * @example
 * parsePageQuery(new URLSearchParams('n=2&last=v1')) // { limit: 2, last: 'v1' }
 */
export function parsePageQuery(query: URLSearchParams): PageRequest {
  const request: PageRequest = {}
  const n = query.get('n')
  if (n !== null && n !== '') {
    const limit = DIGITS.test(n) ? Number(n) : Number.NaN
    // distribution answers 400 PAGINATION_NUMBER_INVALID, a code outside the spec's 14. The spec
    // describes UNSUPPORTED as "unsupported due to a missing implementation or invalid set of
    // parameters", the only one of the 14 about parameters, so it is sent with distribution's
    // status and message and the offending value as detail.
    if (!Number.isSafeInteger(limit)) {
      throw new OciError('UNSUPPORTED', { n }, { status: 400, message: 'invalid number of results requested' })
    }
    request.limit = limit
  }
  const last = query.get('last')
  if (last !== null && last !== '') request.last = last
  return request
}

/**
 * The page of `sorted` (in code-point order, as storage lists it) that `request` asks for.
 * `last` need not be an entry: the page starts at the first entry after it in that order.
 *
 * @example
 * selectPage(['a', 'b', 'c'], { limit: 1, last: 'a' }) // { entries: ['b'], next: { limit: 1, last: 'b' } }
 */
export function selectPage(sorted: readonly string[], request: PageRequest): Page {
  const { limit, last } = request
  const start = last === undefined ? 0 : firstAfter(sorted, last)
  const end = limit === undefined ? sorted.length : Math.min(start + limit, sorted.length)
  const entries = sorted.slice(start, end)
  const lastReturned = entries.at(-1)
  // n=0 returns nothing, so it has no last entry and no next page: the spec says it "MUST return
  // an empty list, and MUST NOT include a Link header".
  if (limit === undefined || lastReturned === undefined || end === sorted.length) return { entries }
  return { entries, next: { limit, last: lastReturned } }
}

/**
 * The `Link` header for the next page, or undefined when there is none. The URL is relative, like
 * every `Location` the registry sends, so it holds behind any transport and origin.
 *
 * @example
 * nextPageLink('/v2/team/app/tags/list', { limit: 2, last: 'v2' }) // '</v2/team/app/tags/list?n=2&last=v2>; rel="next"'
 */
export function nextPageLink(path: string, next: Required<PageRequest> | undefined): string | undefined {
  return next && `<${path}?n=${next.limit}&last=${encodeURIComponent(next.last)}>; rel="next"`
}

/** A 200 JSON answer for a list resource, with the `Link` header when there is a next page. */
export function listResponse(body: object, link: string | undefined): Response {
  return jsonResponse(body, { headers: link === undefined ? {} : { link } })
}

// Binary search: a registry with many tags answers each page without scanning the ones before it.
function firstAfter(sorted: readonly string[], last: string): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (sorted[middle]! <= last) low = middle + 1
    else high = middle
  }
  return low
}

/** Which list a request reads: the quirks of tag lists and of the catalog differ. */
export type ListKind = 'tags' | 'catalog'

/**
 * A list answer under the registry's quirks: the page `request` (from `quirkedRequest`) asks for
 * out of `sorted`, with the `Link` to the next one, unless the quirks drop it or make its `last`
 * an opaque token (docs/profiles.md).
 *
 * @example
 * answerList('/v2/a/tags/list', ['1', '2'], { limit: 1 }, DEFAULT_QUIRKS, (tags) => ({ name: 'a', tags }))
 */
export function answerList(
  path: string,
  sorted: readonly string[],
  request: PageRequest,
  quirks: ResolvedQuirks,
  body: (entries: string[]) => object,
): Response {
  const page = selectPage(sorted, request)
  const next = page.next && {
    limit: page.next.limit,
    last: quirks.opaqueLast ? encodeToken(page.next.last) : page.next.last,
  }
  return listResponse(body(page.entries), quirks.linkHeader ? nextPageLink(path, next) : undefined)
}

/**
 * The page request once the quirks have had their say: `n` or `last` ignored, a default page
 * size, `n` capped with a registry's own error, `last` read as an opaque token. Called before the
 * repository is looked up, as `parsePageQuery`: a refused `n` or `last` wins over an unknown name.
 *
 * @example
 * quirkedRequest('tags', { limit: 5 }, { ...DEFAULT_QUIRKS, tagsIgnoreN: true }) // {}
 */
export function quirkedRequest(kind: ListKind, parsed: PageRequest, quirks: ResolvedQuirks): PageRequest {
  const request = { ...parsed }
  if (kind === 'tags' && quirks.tagsIgnoreN) delete request.limit
  if (kind === 'tags' && quirks.tagsIgnoreLast) delete request.last
  if (quirks.opaqueLast && request.last !== undefined) request.last = decodeToken(request.last)
  const max = kind === 'tags' ? quirks.tagsMaxPageSize : quirks.catalogMaxPageSize
  if (request.limit !== undefined && max !== undefined && request.limit > max)
    request.limit = aboveMax(request.limit, max, quirks)
  request.limit ??= kind === 'tags' ? quirks.tagsPageSize : quirks.catalogPageSize
  if (request.limit === undefined) delete request.limit
  return request
}

// The wording of each registry's refusal is quoted in docs/profiles.md, row "tags pagination".
function aboveMax(limit: number, max: number, quirks: ResolvedQuirks): number {
  switch (quirks.pageSizeAboveMax) {
    case 'clamp':
      return max
    case 'distribution':
      throw new OciError('PAGINATION_NUMBER_INVALID', { n: limit, max })
    case 'ecr':
      throw new OciError('UNSUPPORTED', undefined, {
        message: `Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to ${max}'`,
      })
    case 'quay':
      throw new OciError('TOO_MANY_TAGS_REQUESTED', undefined, {
        message: `Too many tags requested; requested limit ${limit} is too high, max is ${max}`,
      })
  }
}

const TOKEN_PREFIX = 'ukN'

// ECR's NextToken is opaque; the fake's is the last entry, encoded so that a client which builds
// `last=<tag>` itself is refused as ECR refuses it, while one that follows `Link` goes on.
function encodeToken(last: string): string {
  return TOKEN_PREFIX + Buffer.from(JSON.stringify({ last }), 'utf8').toString('base64url')
}

function decodeToken(token: string): string {
  try {
    if (token.startsWith(TOKEN_PREFIX)) {
      const value = JSON.parse(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8')) as {
        last?: unknown
      }
      if (typeof value.last === 'string') return value.last
    }
  } catch {
    // Falls through to the refusal below.
  }
  throw new OciError('UNSUPPORTED', undefined, {
    message: "Invalid parameter at 'NextToken' failed to satisfy constraint: 'Invalid next token provided'",
  })
}
