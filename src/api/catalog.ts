import type { RouteHandler } from './route-types.js'
import { listResponse, nextPageLink, parsePageQuery, selectPage } from './pagination.js'

/**
 * `GET /v2/_catalog[?n=<int>&last=<name>]`: the repositories that hold a blob or a manifest, in
 * lexical order, paginated as the tag list is. The spec reserves `_catalog` for historical use
 * and leaves it optional; clients such as skopeo and registry browsers still call it.
 *
 * Spec: none (distribution's): https://distribution.github.io/distribution/spec/api/#listing-repositories
 */
export const listCatalog: RouteHandler = async ({ url, context }) => {
  const request = parsePageQuery(url.searchParams)
  const page = selectPage(await context.storage.listRepositories(), request)
  return listResponse({ repositories: page.entries }, nextPageLink('/v2/_catalog', page.next))
}
