import type { RouteHandler } from './route-types.js'
import { answerList, parsePageQuery, quirkedRequest } from './pagination.js'
import { routeNotFound } from './route-not-found.js'

/**
 * `GET /v2/_catalog[?n=<int>&last=<name>]`: the repositories that hold a blob or a manifest, in
 * lexical order, paginated as the tag list is. The spec reserves `_catalog` for historical use
 * and leaves it optional; clients such as skopeo and registry browsers still call it.
 *
 * Spec: none (distribution's): https://distribution.github.io/distribution/spec/api/#listing-repositories
 */
export const listCatalog: RouteHandler = async ({ url, context }) => {
  const { quirks } = context.options
  // Docker Hub has no catalog: the route answers as one that never existed.
  if (!quirks.catalog) throw routeNotFound(url.pathname)
  const request = quirkedRequest('catalog', parsePageQuery(url.searchParams), quirks)
  return answerList('/v2/_catalog', await context.storage.listRepositories(), request, quirks, (page) => ({
    repositories: page,
  }))
}
