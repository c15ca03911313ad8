import type { RouteHandler } from './route-types.js'
import { answerList, quirkedRequest } from './pagination.js'
import { routeNotFound } from './route-not-found.js'

/**
 * `GET /v2/_catalog[?n=<int>&last=<name>]`: the repositories that hold a blob or a manifest, in
 * lexical order, paginated as the tag list is. The spec reserves `_catalog` for historical use
 * and leaves it optional; clients such as skopeo and registry browsers still call it.
 *
 * Spec: none (distribution's): https://distribution.github.io/distribution/spec/api/#listing-repositories
 */
export const listCatalog: RouteHandler = async ({ url, context }) => {
  // Docker Hub has no catalog: the route answers as one that never existed.
  if (!context.options.quirks.catalog) throw routeNotFound(url.pathname)
  const request = quirkedRequest('catalog', url.searchParams, context)
  const repositories = await context.storage.listRepositories()
  return answerList('catalog', '/v2/_catalog', repositories, request, context, (page) => ({ repositories: page }))
}
