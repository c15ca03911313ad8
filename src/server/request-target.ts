import type { RequestTarget } from '../faults/faults.js'
import { matchRoute } from './routes.js'

/**
 * The API kind and repository of a pathname, read with the route table, for fault rules that
 * match on them. A path outside the API has neither.
 *
 * @example
 * describeTarget('/v2/team/app/blobs/sha256:abc') // { kind: 'blob', repository: 'team/app' }
 */
export function describeTarget(pathname: string): RequestTarget {
  const matched = matchRoute(pathname)
  if (!matched) return {}
  const target: RequestTarget = { kind: matched.route.resource }
  if (matched.params.name !== undefined) target.repository = matched.params.name
  return target
}
