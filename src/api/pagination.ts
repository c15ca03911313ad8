import { jsonResponse } from '../leaf/json-response.js'
import { OciError } from '../errors/oci-error.js'
import type { LinkQueryOrder, MalformedPageSize, PageSizeAboveMax, ResolvedQuirks } from '../profiles/quirks.js'
import type { RegistryContext } from './route-types.js'

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
 * distribution. An `n` that is not a whole number from 0 to 2^53 - 1 is refused, or with
 * `malformed: 'default-page'` read as distribution 2.8 reads it: what Go's `strconv.Atoi`
 * cannot read, and a negative number, count as no `n` at all.
 *
 * @example
 * parsePageQuery(new URLSearchParams('n=2&last=v1')) // { limit: 2, last: 'v1' }
 * parsePageQuery(new URLSearchParams('n=abc'), 'default-page') // {}
 */
export function parsePageQuery(query: URLSearchParams, malformed: MalformedPageSize = 'refuse'): PageRequest {
  const request: PageRequest = {}
  const n = query.get('n')
  if (n !== null && n !== '') {
    const limit = malformed === 'refuse' ? strictLimit(n) : atoiLimit(n)
    if (limit !== undefined) request.limit = limit
  }
  const last = query.get('last')
  if (last !== null && last !== '') request.last = last
  return request
}

function strictLimit(n: string): number {
  const limit = DIGITS.test(n) ? Number(n) : Number.NaN
  // distribution answers 400 PAGINATION_NUMBER_INVALID, a code outside the spec's 14. The spec
  // describes UNSUPPORTED as "unsupported due to a missing implementation or invalid set of
  // parameters", the only one of the 14 about parameters, so it is sent with distribution's
  // status and message and the offending value as detail.
  if (!Number.isSafeInteger(limit)) {
    throw new OciError('UNSUPPORTED', { n }, { status: 400, message: 'invalid number of results requested' })
  }
  return limit
}

// Go's strconv.Atoi on a 64-bit int: an optional sign, then decimal digits, within int64.
const GO_INT = /^[+-]?[0-9]+$/
const INT64_MAX = 2n ** 63n - 1n

// distribution 2.8's catalog: `n` parsed with strconv.Atoi, and used only when that succeeds with
// a number not below 0; anything else leaves the default page. A number past 2^53 is read
// approximately, which only the 400 for an `n` above the maximum shows, in its detail.
function atoiLimit(n: string): number | undefined {
  if (!GO_INT.test(n)) return undefined
  const value = BigInt(n)
  return value < 0n || value > INT64_MAX ? undefined : Number(value)
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
 * every `Location` the registry sends, so it holds behind any transport and origin. The query
 * names `n` first, or with `order: 'sorted'` its keys in order, `last` first, as Go's
 * `url.Values.Encode` writes them (distribution, Harbor, GitLab).
 *
 * @example
 * nextPageLink('/v2/team/app/tags/list', { limit: 2, last: 'v2' }) // '</v2/team/app/tags/list?n=2&last=v2>; rel="next"'
 * nextPageLink('/v2/_catalog', { limit: 2, last: 'r1' }, 'sorted') // '</v2/_catalog?last=r1&n=2>; rel="next"'
 */
export function nextPageLink(
  path: string,
  next: Required<PageRequest> | undefined,
  order: LinkQueryOrder = 'n-last',
): string | undefined {
  if (!next) return undefined
  const n = `n=${next.limit}`
  const last = `last=${encodeURIComponent(next.last)}`
  return `<${path}?${order === 'sorted' ? `${last}&${n}` : `${n}&${last}`}>; rel="next"`
}

/** A 200 JSON answer for a list resource, with the `Link` header when there is a next page. */
export function listResponse(body: object, link: string | undefined, contentType = 'application/json'): Response {
  return jsonResponse(body, { contentType, headers: link === undefined ? {} : { link } })
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
 * out of `sorted`, with the `Link` to the next one in the form the registry writes it, unless the
 * quirks drop it from tag lists (docs/profiles.md, "tags pagination" and "_catalog").
 *
 * @example
 * answerList('tags', '/v2/a/tags/list', ['1', '2'], { limit: 1 }, context, (tags) => ({ name: 'a', tags }))
 */
export function answerList(
  kind: ListKind,
  path: string,
  sorted: readonly string[],
  request: PageRequest,
  context: RegistryContext,
  body: (entries: string[]) => object,
): Response {
  const { quirks } = context.options
  const page = selectPage(sorted, request)
  const link =
    page.next && (kind === 'catalog' || quirks.linkHeader) ? quirkedLink(kind, path, page.next, context) : undefined
  return listResponse(body(page.entries), link, quirks.listContentType)
}

/**
 * The page request once the quirks have had their say: `n` or `last` ignored, a default page
 * size, `n` capped with a registry's own error, `last` (or `next_page`) read as an opaque token.
 * Called before the repository is looked up, as `parsePageQuery`: a refused `n` or `last` wins
 * over an unknown name.
 *
 * @example
 * quirkedRequest('tags', new URLSearchParams('n=5'), context) // {} when quirks.tagsIgnoreN
 */
export function quirkedRequest(kind: ListKind, query: URLSearchParams, context: RegistryContext): PageRequest {
  const { quirks } = context.options
  const request = parsePageQuery(query, quirks.malformedPageSize)
  if (kind === 'tags' && quirks.tagsIgnoreN) delete request.limit
  if (kind === 'tags' && quirks.tagsIgnoreLast) delete request.last
  else if (usesPageToken(kind, quirks)) readNextPage(request, query, context)
  else if (quirks.opaqueLast && request.last !== undefined) request.last = readNextToken(request.last, context)
  const max = kind === 'tags' ? quirks.tagsMaxPageSize : quirks.catalogMaxPageSize
  if (request.limit !== undefined && max !== undefined && request.limit > max) {
    const answer =
      kind === 'tags' ? quirks.pageSizeAboveMax : (quirks.catalogPageSizeAboveMax ?? quirks.pageSizeAboveMax)
    request.limit = aboveMax(request.limit, max, answer)
  }
  request.limit ??= kind === 'tags' ? quirks.tagsPageSize : quirks.catalogPageSize
  if (request.limit === undefined) delete request.limit
  return request
}

function usesPageToken(kind: ListKind, quirks: ResolvedQuirks): boolean {
  return kind === 'tags' ? quirks.tagsPageToken : quirks.catalogPageToken
}

// The next page's URL as each registry writes it: Quay's `next_page` token first (captured on
// quay.io), ACR's `last` first with an empty `orderby=` (its documentation), else `n` then `last`
// or, where the quirks say so, the keys sorted as Go's url.Values writes them.
function quirkedLink(kind: ListKind, path: string, next: Required<PageRequest>, context: RegistryContext): string {
  const { quirks } = context.options
  if (usesPageToken(kind, quirks)) {
    const token = context.pageTokens.seal(next.last)
    return `<${path}?next_page=${encodeURIComponent(token)}&n=${next.limit}>; rel="next"`
  }
  const last = quirks.opaqueLast ? context.pageTokens.seal(next.last) : next.last
  if (quirks.linkOrderBy) return `<${path}?last=${encodeURIComponent(last)}&n=${next.limit}&orderby=>; rel="next"`
  return nextPageLink(path, { limit: next.limit, last }, quirks.linkQueryOrder)!
}

// The wording of each registry's refusal is quoted in docs/profiles.md, row "tags pagination".
function aboveMax(limit: number, max: number, answer: PageSizeAboveMax): number {
  switch (answer) {
    case 'clamp':
      return max
    case 'distribution':
      // distribution's detail names the `n` asked for and nothing else: `{"n":1001}`.
      throw new OciError('PAGINATION_NUMBER_INVALID', { n: limit })
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

// Quay reads `next_page`, else `last`, and a token it cannot decrypt (a tag name, an altered or
// foreign token) is no token at all: the list starts again at the first page.
function readNextPage(request: PageRequest, query: URLSearchParams, context: RegistryContext): void {
  const token = query.get('next_page') || request.last
  const last = token === undefined ? undefined : context.pageTokens.open(token)
  if (last === undefined) delete request.last
  else request.last = last
}

// ECR refuses a `last` that is not one of its NextTokens, so a client that builds `last=<tag>`
// itself is refused as ECR refuses it, while one that follows `Link` goes on.
function readNextToken(token: string, context: RegistryContext): string {
  const last = context.pageTokens.open(token)
  if (last !== undefined) return last
  throw new OciError('UNSUPPORTED', undefined, {
    message: "Invalid parameter at 'NextToken' failed to satisfy constraint: 'Invalid next token provided'",
  })
}
