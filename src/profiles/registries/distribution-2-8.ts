import type { RegistryProfile } from '../registry-profile.js'

/**
 * distribution (docker registry) 2.8, as measured against Debian's docker-registry 2.8.2 with
 * deletes enabled (`storage.delete.enabled: true`; add `deletes: false` for its default
 * configuration). Rows: docs/profiles.md.
 */
export const distribution28Profile: RegistryProfile = {
  name: 'distribution-2.8',
  title: 'distribution 2.8',
  options: {
    referrers: false,
    deletes: true,
    quirks: {
      tagsIgnoreN: true,
      tagsIgnoreLast: true,
      linkHeader: false,
      listContentType: 'application/json; charset=utf-8',
      // A catalog page holds 100 repositories unless `n` says otherwise, with a Link while more remain.
      catalogPageSize: 100,
      catalogMaxPageSize: 1000,
      pageSizeAboveMax: 'distribution',
      // createLinkEntry encodes url.Values, keys sorted: `?last=<last>&n=<n>`.
      linkQueryOrder: 'sorted',
      // GetCatalog: an `n` strconv.Atoi cannot read, or a negative one, leaves the default page.
      malformedPageSize: 'default-page',
      outOfOrderChunk: 'append',
      uploadState: true,
      deleteByTag: 'digest-invalid',
      malformedDigestReference: 'internal-error',
      headerCase: 'canonical',
    },
  },
  auth: {
    scheme: 'bearer',
    serviceOnBase: true,
    baseStatus: 401,
    unknownRepository: 'insufficient-scope-401',
    notAllowed: 'insufficient-scope-401',
    tokenFields: ['token', 'access_token', 'expires_in', 'issued_at'],
    tokenPost: 'supported',
    anonymousPull: false,
  },
  cites: {
    referrers: 'referrers API',
    'quirks.tagsIgnoreN': 'tags pagination',
    'quirks.tagsIgnoreLast': 'tags pagination',
    'quirks.linkHeader': 'tags pagination',
    'quirks.listContentType': 'list Content-Type',
    'quirks.catalogPageSize': '_catalog',
    'quirks.catalogMaxPageSize': '_catalog',
    'quirks.pageSizeAboveMax': '_catalog',
    'quirks.linkQueryOrder': '_catalog',
    'quirks.malformedPageSize': '_catalog',
    'quirks.outOfOrderChunk': 'chunked upload',
    'quirks.uploadState': 'chunked upload',
    'quirks.deleteByTag': 'manifest DELETE',
    'quirks.malformedDigestReference': 'malformed digest reference',
    'quirks.headerCase': 'header case',
    auth: 'challenge and token',
  },
}
