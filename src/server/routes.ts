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
const ROUTES: readonly Route[] = [
  { pattern: /^\/v2\/?$/, methods: { GET: getBase, HEAD: getBase } },
  { pattern: /^\/v2\/_catalog$/, contains: '/_catalog', methods: { GET: listCatalog } },
  { pattern: /^\/v2\/(?<name>.+)\/blobs\/uploads\/?$/, contains: '/blobs/uploads', methods: { POST: startUpload } },
  {
    pattern: /^\/v2\/(?<name>.+)\/blobs\/uploads\/(?<uuid>[^/]+)$/,
    contains: '/blobs/uploads/',
    methods: { GET: getUploadStatus, PATCH: patchUpload, PUT: putUpload, DELETE: cancelUpload },
  },
  { pattern: /^\/v2\/(?<name>.+)\/blobs\/(?<digest>[^/]+)$/, contains: '/blobs/', methods: { GET: getBlob, HEAD: getBlob, DELETE: deleteBlob } },
  {
    pattern: /^\/v2\/(?<name>.+)\/manifests\/(?<reference>[^/]+)$/,
    contains: '/manifests/',
    methods: { GET: getManifest, HEAD: getManifest, PUT: putManifest, DELETE: deleteManifest },
  },
  { pattern: /^\/v2\/(?<name>.+)\/tags\/list$/, contains: '/tags/list', methods: { GET: listTags } },
  { pattern: /^\/v2\/(?<name>.+)\/referrers\/(?<digest>[^/]+)$/, contains: '/referrers/', methods: { GET: listReferrers } },
]

/** The route a path belongs to and its captured parameters, or undefined for a path outside the API. */
export function matchRoute(pathname: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    if (route.contains !== undefined && !pathname.includes(route.contains)) continue
    const match = route.pattern.exec(pathname)
    if (match) return { route, params: { ...match.groups } }
  }
  return undefined
}
