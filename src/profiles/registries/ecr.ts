import type { RegistryProfile } from '../registry-profile.js'

/**
 * AWS ECR, private (`<account>.dkr.ecr.<region>.amazonaws.com`). Repositories are mutable unless
 * configured otherwise: add `quirks: { immutableTags: 'ecr' }` for an immutable one. Rows: docs/profiles.md.
 */
export const ecrProfile: RegistryProfile = {
  name: 'ecr',
  title: 'AWS ECR (private)',
  options: {
    // "?" on the sheet: distribution's behaviour (no referrers API, DELETE 405 unless enabled).
    referrers: false,
    deletes: false,
    quirks: {
      tagsPageSize: 100,
      tagsMaxPageSize: 1000,
      catalogMaxPageSize: 1000,
      pageSizeAboveMax: 'ecr',
      opaqueLast: true,
      digestOnTagGet: false,
      patchStatus: 201,
      frozenUploadRange: true,
    },
    blobRedirect: {},
  },
  auth: {
    scheme: 'basic',
    basicRealm: 'https://<host>/',
    service: 'ecr.amazonaws.com',
    basicService: true,
    serviceOnBase: true,
    baseStatus: 401,
    unknownRepository: 'unauthorized-401',
    notAllowed: 'denied-403',
    tokenFields: [],
    anonymousPull: false,
  },
  cites: {
    referrers: 'referrers API',
    deletes: 'manifest DELETE',
    'quirks.tagsPageSize': 'tags pagination',
    'quirks.tagsMaxPageSize': 'tags pagination',
    'quirks.catalogMaxPageSize': '_catalog',
    'quirks.pageSizeAboveMax': 'tags pagination',
    'quirks.opaqueLast': 'tags pagination',
    'quirks.digestOnTagGet': 'Docker-Content-Digest gaps',
    'quirks.patchStatus': 'chunked upload',
    'quirks.frozenUploadRange': 'chunked upload',
    'quirks.immutableTags': 'tag immutability',
    blobRedirect: 'blob GET redirect',
    auth: 'challenge and token',
  },
}
