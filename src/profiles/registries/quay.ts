import type { RegistryProfile } from '../registry-profile.js'

/** Quay.io (quay/quay). Rows: docs/profiles.md. */
export const quayProfile: RegistryProfile = {
  name: 'quay',
  title: 'Quay.io',
  options: {
    referrers: true,
    quirks: { tagsMaxPageSize: 100, pageSizeAboveMax: 'quay', errorEnvelope: 'quay' },
  },
  auth: {
    scheme: 'bearer',
    realmPath: '/v2/auth',
    serviceOnBase: true,
    baseStatus: 401,
    unknownRepository: 'unauthorized-401',
    notAllowed: 'unauthorized-401',
    tokenFields: ['token'],
    // TOKEN_VALIDITY_LIFETIME_S, not sent.
    expiresIn: 3600,
    tokenPost: 405,
    anonymousPull: true,
  },
  cites: {
    referrers: 'referrers API',
    'quirks.tagsMaxPageSize': 'tags pagination',
    'quirks.pageSizeAboveMax': 'tags pagination',
    'quirks.errorEnvelope': 'non-OCI error envelope',
    auth: 'challenge and token',
    'auth.unknownRepository': 'unknown repository (anonymous)',
  },
}
