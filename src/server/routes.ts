import { getBase } from '../api/base.js'
import { deleteBlob, getBlob } from '../api/blobs.js'
import { listCatalog } from '../api/catalog.js'
import { deleteManifest, getManifest, putManifest } from '../api/manifests.js'
import { listReferrers } from '../api/referrers.js'
import { listTags } from '../api/tags.js'
import { cancelUpload, getUploadStatus, patchUpload, putUpload, startUpload } from '../api/uploads.js'
import type { RouteHandler } from '../api/route-types.js'

import type { ResourceKind } from '../journal/journal.js'

/** One route of the API: the resource it addresses and a handler per method. */
export interface Route {
  resource: ResourceKind
  methods: Partial<Record<string, RouteHandler>>
}

// HEAD shares the GET handler; `handle()` drops the body.
const BASE: Route = { resource: 'base', methods: { GET: getBase, HEAD: getBase } }
const CATALOG: Route = { resource: 'catalog', methods: { GET: listCatalog } }
const UPLOAD_START: Route = { resource: 'upload', methods: { POST: startUpload } }
const UPLOAD: Route = {
  resource: 'upload',
  methods: { GET: getUploadStatus, PATCH: patchUpload, PUT: putUpload, DELETE: cancelUpload },
}
const BLOB: Route = { resource: 'blob', methods: { GET: getBlob, HEAD: getBlob, DELETE: deleteBlob } }
const MANIFEST: Route = {
  resource: 'manifest',
  methods: { GET: getManifest, HEAD: getManifest, PUT: putManifest, DELETE: deleteManifest },
}
const TAGS: Route = { resource: 'tags', methods: { GET: listTags } }
const REFERRERS: Route = { resource: 'referrers', methods: { GET: listReferrers } }

// The routes, in the order they are tried, as the anchored patterns they are. `<name>` is
// greedy (the last resource keyword wins) and validated after; the other parameters are one
// segment. The upload routes come before the blob route, whose `<digest>` would match "uploads".
//   /v2/ or /v2                              base
//   /v2/_catalog                             catalog
//   /v2/<name>/blobs/uploads/ (or without /) upload start
//   /v2/<name>/blobs/uploads/<uuid>          upload
//   /v2/<name>/blobs/<digest>                blob
//   /v2/<name>/manifests/<reference>         manifest
//   /v2/<name>/tags/list                     tags
//   /v2/<name>/referrers/<digest>            referrers
// Read from the last segments back rather than with regular expressions: this runs on every
// request, and a pattern starting with a greedy `<name>` backtracks over the whole path.
// The path is as sent, still percent-encoded, so an encoded `/` (`team%2Fapp`) can never split
// a segment; each parameter is then decoded once.

/**
 * The route a path belongs to and its captured parameters, percent-decoded once, or undefined for
 * a path outside the API.
 *
 * @example
 * matchRoute('/v2/team%2Fapp/tags/list')?.params // { name: 'team/app' }
 */
export function matchRoute(pathname: string): { route: Route; params: Record<string, string> } | undefined {
  if (pathname === '/v2/' || pathname === '/v2') return { route: BASE, params: {} }
  if (!pathname.startsWith('/v2/')) return undefined
  if (pathname === '/v2/_catalog') return { route: CATALOG, params: {} }
  const lastSlash = pathname.lastIndexOf('/')
  const last = pathname.slice(lastSlash + 1)
  const keywordStart = pathname.lastIndexOf('/', lastSlash - 1)
  if (keywordStart < NAME_START) return undefined
  const keyword = pathname.slice(keywordStart + 1, lastSlash)
  if (keyword === 'uploads' || (keyword === 'blobs' && last === 'uploads')) {
    const blobsStart = keyword === 'uploads' ? pathname.lastIndexOf('/', keywordStart - 1) : keywordStart
    const uploadsSlash = keyword === 'uploads' ? lastSlash : pathname.length
    if (blobsStart >= NAME_START && pathname.slice(blobsStart + 1, blobsStart + 7) === 'blobs/') {
      const name = nameBefore(pathname, blobsStart)
      if (name === undefined) return undefined
      // `uploads` last, or followed by a slash alone: a new session; by a segment: that session.
      if (last === '' || uploadsSlash === pathname.length) return { route: UPLOAD_START, params: { name } }
      return { route: UPLOAD, params: { name, uuid: decodeOnce(last) } }
    }
  }
  if (last === '') return undefined
  const route = keyword === 'tags' ? (last === 'list' ? TAGS : undefined) : ONE_SEGMENT_ROUTES.get(keyword)
  if (route === undefined) return undefined
  const name = nameBefore(pathname, keywordStart)
  if (name === undefined) return undefined
  if (route === TAGS) return { route, params: { name } }
  return { route, params: { name, [route === MANIFEST ? 'reference' : 'digest']: decodeOnce(last) } }
}

// Where `<name>` starts, after `/v2/`.
const NAME_START = 4

// The routes whose last segment is a parameter, by the keyword before it.
const ONE_SEGMENT_ROUTES = new Map<string, Route>([
  ['blobs', BLOB],
  ['manifests', MANIFEST],
  ['referrers', REFERRERS],
])

// `<name>` of a pattern is `.+`: at least one character and no line terminator, which `.` does
// not match; a path whose name holds one belongs to no route.
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/

function nameBefore(pathname: string, keywordSlash: number): string | undefined {
  if (keywordSlash <= NAME_START) return undefined
  const name = pathname.slice(NAME_START, keywordSlash)
  return LINE_TERMINATOR.test(name) ? undefined : decodeOnce(name)
}

// Clients differ: `@azure/container-registry` sends `team%2Fapp`, others a digest as
// `sha256%3A…`. Once decoded, a parameter is what its bytes spell, and validation judges that:
// `%2e%2e` is the name `..`, `%00` a NUL, `%252F` the text `%2F`, all invalid. A malformed escape
// stays as sent, `%` included, which no name, tag, digest or session id may hold.
function decodeOnce(value: string): string {
  if (!value.includes('%')) return value
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
