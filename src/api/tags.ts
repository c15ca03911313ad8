import { routeParams, type RouteHandler } from './route-types.js'
import { requireRepository } from './require-repository.js'
import { answerList, quirkedRequest } from './pagination.js'

/**
 * `GET /v2/<name>/tags/list[?n=<int>&last=<tag>]`: the repository's tags in lexical order,
 * a page at a time when `n` is given, with a `Link` to the next page while tags remain.
 *
 * Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-tags
 */
export const listTags: RouteHandler = async ({ url, params, context }) => {
  const { name } = routeParams(params, 'name')
  // A malformed query is refused before the repository is looked up, as a malformed name is.
  const request = quirkedRequest('tags', url.searchParams, context)
  await requireRepository(context.storage, name)
  const tags = (await context.storage.listTags(name)) ?? []
  // `tags` is [] rather than null when there are none, so clients can iterate it unchecked.
  return answerList('tags', `/v2/${name}/tags/list`, tags, request, context, (page) => ({ name, tags: page }))
}
