import type { RegistryProfile } from '../registry-profile.js'

/** distribution 3.x, the reference implementation, with deletes enabled. Rows: docs/profiles.md. */
export const distribution3Profile: RegistryProfile = {
  name: 'distribution-3',
  title: 'distribution 3.x',
  options: {
    referrers: false,
    deletes: true,
    quirks: { catalogMaxPageSize: 1000, pageSizeAboveMax: 'distribution', headerCase: 'canonical' },
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
    'quirks.catalogMaxPageSize': '_catalog',
    'quirks.pageSizeAboveMax': '_catalog',
    'quirks.headerCase': 'header case',
    auth: 'challenge and token',
  },
}
