import type { RegistryProfile } from '../registry-profile.js'

/** GitHub Container Registry (`ghcr.io`). Rows: docs/profiles.md. */
export const ghcrProfile: RegistryProfile = {
  name: 'ghcr',
  title: 'GitHub Container Registry',
  options: {
    // No referrers API: 404, no OCI-Subject; attestations live under sha256-<hex> tags.
    referrers: false,
    // DELETE answers 405 UNSUPPORTED; deletion goes through the GitHub Packages REST API.
    deletes: false,
  },
  auth: {
    scheme: 'bearer',
    realmPath: '/token',
    service: 'ghcr.io',
    serviceOnBase: true,
    // A literal placeholder that names no real repository.
    baseScope: 'repository:user/image:pull',
    baseStatus: 401,
    unknownRepository: 'token-403',
    notAllowed: 'denied-403',
    tokenFields: ['token'],
    tokenPost: 'supported',
    anonymousPull: true,
  },
  cites: {
    referrers: 'referrers API',
    deletes: 'manifest DELETE',
    auth: 'challenge and token',
    'auth.unknownRepository': 'unknown repository (anonymous)',
  },
}
