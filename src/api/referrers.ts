import { routeParams, type RouteHandler } from './route-types.js'
import { jsonResponse } from '../leaf/json-response.js'
import { routeNotFound } from './route-not-found.js'
import { parseDigest } from '../leaf/digest.js'
import { OciError } from '../errors/oci-error.js'
import { OCI_INDEX } from '../media-types/constants.js'
import { referrerDescriptorOf } from './referrer-descriptor.js'

/**
 * `GET /v2/<name>/referrers/<digest>[?artifactType=<type>]`: an image index of the manifests
 * whose `subject` is `<digest>`, in push order (media-type spec §6.6).
 *
 * Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-referrers
 */
export const listReferrers: RouteHandler = async ({ url, params, context }) => {
  const { options, storage } = context
  // A registry without the API (the option, or a mode imitating one without it) must not answer at
  // all: a 404 is what makes clients fall back to the referrers tag schema, so the route answers
  // exactly like a path outside the API.
  if (!options.referrers) throw routeNotFound(url.pathname)
  const { name, digest } = routeParams(params, 'name', 'digest')
  // The grammar, not the algorithms the registry computes: a subject is only a pointer, and a
  // manifest may refer to content hashed with an algorithm this registry never hashes with.
  if (!parseDigest(digest)) throw new OciError('DIGEST_INVALID', { digest })

  let referrers = await storage.listReferrers(name, digest)
  const headers: Record<string, string> = {}
  // An empty value filters nothing: no artifact type is the empty string, so it can only be a
  // client that built the query from an unset variable, and the header tells it no filter ran.
  const artifactType = url.searchParams.get('artifactType')
  if (artifactType) {
    referrers = referrers.filter((manifest) => manifest.artifactType === artifactType)
    headers['oci-filters-applied'] = 'artifactType'
  }
  // Always 200, for an unknown subject or repository too: the spec says a registry that supports
  // the API "MUST NOT return a 404" here, and an empty index is the answer.
  const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: referrers.map(referrerDescriptorOf) }
  return jsonResponse(index, { contentType: OCI_INDEX, headers })
}
