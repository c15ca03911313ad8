import type { RegistryProfile } from '../registry-profile.js'

/** Google Artifact Registry (`<region>-docker.pkg.dev`) and GCR. Rows: docs/profiles.md. */
export const garProfile: RegistryProfile = {
  name: 'gar',
  title: 'Google Artifact Registry',
  options: {
    // "?" on the sheet: distribution's behaviour (no referrers API, DELETE 405 unless enabled, no redirect).
    referrers: false,
    deletes: false,
    quirks: { tagsIgnoreN: true, tagsIgnoreLast: true, linkHeader: false, headerCase: 'lower' },
  },
  auth: {
    scheme: 'bearer',
    realmPath: '/v2/token',
    // Its own host, as `service="us-docker.pkg.dev"` on repository challenges.
    service: '<host>',
    serviceOnBase: false,
    baseStatus: 401,
    unknownRepository: 'insufficient-scope-401',
    notAllowed: 'insufficient-scope-401',
    tokenFields: ['token', 'expires_in'],
    tokenPost: 404,
    anonymousPull: true,
  },
  cites: {
    referrers: 'referrers API',
    deletes: 'manifest DELETE',
    'quirks.tagsIgnoreN': 'tags pagination',
    'quirks.tagsIgnoreLast': 'tags pagination',
    'quirks.linkHeader': 'tags pagination',
    'quirks.headerCase': 'header case',
    auth: 'challenge and token',
  },
}
