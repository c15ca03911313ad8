import type { RegistryProfile } from '../registry-profile.js'

/** zot (project-zot/zot). Rows: docs/profiles.md. */
export const zotProfile: RegistryProfile = {
  name: 'zot',
  title: 'zot',
  options: {
    referrers: true,
    deletes: true,
    quirks: { baseBody: 'empty' },
  },
  auth: {
    scheme: 'basic',
    basicRealm: 'zot',
    // Lower-case scheme and an unquoted realm, on a 200 /v2/ in anonymous-read mode.
    schemeWord: 'lower',
    serviceOnBase: true,
    baseStatus: 200,
    unknownRepository: 'unauthorized-401',
    notAllowed: 'denied-403',
    deniedChallenge: true,
    tokenFields: [],
    anonymousPull: true,
  },
  cites: {
    referrers: 'referrers API',
    deletes: 'manifest DELETE',
    'quirks.baseBody': '/v2/ body',
    auth: 'challenge and token',
    'auth.notAllowed': 'authenticated but not allowed',
  },
}
