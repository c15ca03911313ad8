import type { RegistryProfile } from '../registry-profile.js'

/**
 * GitLab's container registry as it is today (media types as `strict`, GitLab ≥ 3.7). The seeds'
 * old GitLab stays `mode: 'gitlab-legacy'`. Rows: docs/profiles.md.
 */
export const gitlabProfile: RegistryProfile = {
  name: 'gitlab',
  title: 'GitLab container registry',
  options: {
    mode: 'strict',
    // No referrers API, and the tag sha256-<hex> resolves to the manifest sha256:<hex>.
    referrers: false,
    // Its registry (a distribution fork) writes Link queries with url.Values: `?last=<last>&n=<n>`.
    quirks: { digestTags: true, linkQueryOrder: 'sorted' },
    // "?" on the sheet: distribution's behaviour (DELETE 405 unless enabled).
    deletes: false,
  },
  auth: {
    scheme: 'bearer',
    realmPath: '/jwt/auth',
    service: 'container_registry',
    serviceOnBase: true,
    baseStatus: 401,
    unknownRepository: 'insufficient-scope-401',
    notAllowed: 'insufficient-scope-401',
    tokenFields: ['token'],
    // JwtController#render_access_denied.
    loginRefusal: 'gitlab',
    tokenPost: 'supported',
    anonymousPull: true,
  },
  cites: {
    mode: 'media types',
    referrers: 'referrers API',
    'quirks.digestTags': 'referrers API',
    'quirks.linkQueryOrder': 'tags pagination',
    deletes: 'manifest DELETE',
    auth: 'challenge and token',
  },
}
