import type { RegistryProfile } from '../registry-profile.js'

/** Docker Hub (`registry-1.docker.io`, tokens from `auth.docker.io`). Rows: docs/profiles.md. */
export const dockerHubProfile: RegistryProfile = {
  name: 'docker-hub',
  title: 'Docker Hub',
  options: {
    // No DELETE through the registry API: 405 UNSUPPORTED.
    deletes: false,
    // "?" on the sheet: distribution's behaviour, which has no referrers API.
    referrers: false,
    quirks: { catalog: false, headerCase: 'lower' },
    rateLimit: { limit: 100, windowMs: 21_600_000 },
    blobRedirect: {},
  },
  auth: {
    scheme: 'bearer',
    realmPath: '/token',
    service: 'registry.docker.io',
    serviceOnBase: true,
    baseStatus: 401,
    unknownRepository: 'insufficient-scope-401',
    notAllowed: 'insufficient-scope-401',
    tokenFields: ['token', 'access_token', 'expires_in', 'issued_at'],
    expiresIn: 300,
    issuedAt: 'nanoseconds',
    tokenPost: 'supported',
    anonymousPull: true,
  },
  cites: {
    deletes: 'manifest DELETE',
    referrers: 'referrers API',
    'quirks.catalog': '_catalog',
    'quirks.headerCase': 'header case',
    rateLimit: 'rate limits',
    blobRedirect: 'blob GET redirect',
    auth: 'challenge and token',
    'auth.unknownRepository': 'unknown repository (anonymous)',
  },
}
