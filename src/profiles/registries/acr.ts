import type { RegistryProfile } from '../registry-profile.js'

/** Azure Container Registry (`<name>.azurecr.io`). Rows: docs/profiles.md. */
export const acrProfile: RegistryProfile = {
  name: 'acr',
  title: 'Azure Container Registry',
  options: {
    // "?" on the sheet: distribution's behaviour (no referrers API, DELETE 405 unless enabled).
    referrers: false,
    deletes: false,
    // n is ignored and a page holds 1000 tags, with a Link while more remain; its Link puts `last`
    // first and ends with an empty `orderby=`.
    quirks: { tagsIgnoreN: true, tagsPageSize: 1000, linkOrderBy: true },
    blobRedirect: {},
  },
  auth: {
    scheme: 'bearer',
    realmPath: '/oauth2/token',
    // Its own host, as `service="<name>.azurecr.io"`.
    service: '<host>',
    serviceOnBase: true,
    baseStatus: 401,
    unknownRepository: 'insufficient-scope-401',
    notAllowed: 'insufficient-scope-401',
    tokenFields: ['access_token'],
    tokenPost: 400,
    anonymousPull: false,
  },
  cites: {
    referrers: 'referrers API',
    deletes: 'manifest DELETE',
    'quirks.tagsIgnoreN': 'tags pagination',
    'quirks.tagsPageSize': 'tags pagination',
    'quirks.linkOrderBy': 'tags pagination',
    blobRedirect: 'blob GET redirect',
    auth: 'challenge and token',
  },
}
