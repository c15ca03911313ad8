import type { RegistryProfile } from '../registry-profile.js'

/** JFrog Artifactory (7.117 and later, with the referrers API). Rows: docs/profiles.md. */
export const artifactoryProfile: RegistryProfile = {
  name: 'artifactory',
  title: 'JFrog Artifactory',
  options: {
    referrers: true,
    // "?" on the sheet: distribution's behaviour (DELETE 405 unless enabled).
    deletes: false,
  },
  auth: {
    scheme: 'bearer',
    // One fixed repository key, `docker`: the fake serves one Docker repository of Artifactory's.
    realmPath: '/api/docker/docker/v2/token',
    serviceOnBase: true,
    baseStatus: 401,
    unknownRepository: 'insufficient-scope-401',
    notAllowed: 'insufficient-scope-401',
    tokenFields: ['token'],
    tokenPost: 401,
    anonymousPull: false,
  },
  cites: {
    referrers: 'referrers API',
    deletes: 'manifest DELETE',
    auth: 'challenge and token',
  },
}
