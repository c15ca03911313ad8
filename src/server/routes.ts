import { getBase } from '../api/base.js'
import { deleteBlob, getBlob } from '../api/blobs.js'
import { listCatalog } from '../api/catalog.js'
import { deleteManifest, getManifest, putManifest } from '../api/manifests.js'
import { listReferrers } from '../api/referrers.js'
import { listTags } from '../api/tags.js'
import { cancelUpload, getUploadStatus, patchUpload, putUpload, startUpload } from '../api/uploads.js'
import type { RouteHandler } from '../api/route-types.js'

/** One entry of the route table: an anchored pattern and a handler per method. */
export interface Route {
  pattern: RegExp
  /** A literal every path of the route contains: paths without it skip the pattern, which backtracks over `<name>`. */
  contains?: string
  methods: Partial<Record<string, RouteHandler>>
}

// HEAD shares the GET handler; `handle()` drops the body. Order matters: the upload routes
// come before the blob route, whose `<digest>` segment would otherwise match "uploads".
// `<name>` is matched loosely (greedy, so the last resource keyword wins) and validated after.
// Patterns run on the path as sent, still percent-encoded, so an encoded `/` (`team%2Fapp`) can
// never split a segment; each captured parameter is then decoded once.
const ROUTES: readonly Route[] = [
  { pattern: /^\/v2\/?$/, methods: { GET: getBase, HEAD: getBase } },
  { pattern: /^\/v2\/_catalog$/, contains: '/_catalog', methods: { GET: listCatalog } },
  { pattern: /^\/v2\/(?<name>.+)\/blobs\/uploads\/?$/, contains: '/blobs/uploads', methods: { POST: startUpload } },
  {
    pattern: /^\/v2\/(?<name>.+)\/blobs\/uploads\/(?<uuid>[^/]+)$/,
    contains: '/blobs/uploads/',
    methods: { GET: getUploadStatus, PATCH: patchUpload, PUT: putUpload, DELETE: cancelUpload },
  },
  {
    pattern: /^\/v2\/(?<name>.+)\/blobs\/(?<digest>[^/]+)$/,
    contains: '/blobs/',
    methods: { GET: getBlob, HEAD: getBlob, DELETE: deleteBlob },
  },
  {
    pattern: /^\/v2\/(?<name>.+)\/manifests\/(?<reference>[^/]+)$/,
    contains: '/manifests/',
    methods: { GET: getManifest, HEAD: getManifest, PUT: putManifest, DELETE: deleteManifest },
  },
  { pattern: /^\/v2\/(?<name>.+)\/tags\/list$/, contains: '/tags/list', methods: { GET: listTags } },
  {
    pattern: /^\/v2\/(?<name>.+)\/referrers\/(?<digest>[^/]+)$/,
    contains: '/referrers/',
    methods: { GET: listReferrers },
  },
]

/**
 * The route a path belongs to and its captured parameters, percent-decoded once, or undefined for
 * a path outside the API.
 *
 * @example
 * matchRoute('/v2/team%2Fapp/tags/list')?.params // { name: 'team/app' }
 */
export function matchRoute(pathname: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    if (route.contains !== undefined && !pathname.includes(route.contains)) continue
    const match = route.pattern.exec(pathname)
    if (!match) continue
    const params: Record<string, string> = {}
    for (const [key, value] of Object.entries(match.groups ?? {})) params[key] = decodeOnce(value)
    return { route, params }
  }
  return undefined
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
