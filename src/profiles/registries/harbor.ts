import type { RegistryProfile } from '../registry-profile.js'

/**
 * Harbor 2.x (goharbor/harbor). Tags are mutable unless a project rule says otherwise: add
 * `quirks: { immutableTags: 'harbor' }` for an immutable one. Rows: docs/profiles.md.
 */
export const harborProfile: RegistryProfile = {
  name: 'harbor',
  title: 'Harbor 2.x',
  options: {
    referrers: true,
    quirks: {
      deleteByTag: 'unsupported',
      errorEnvelope: 'harbor',
      headerCase: 'canonical',
      listContentType: 'application/json; charset=utf-8',
      // util.SetLinkHeader encodes url.Values: `?last=<last>&n=<n>`.
      linkQueryOrder: 'sorted',
    },
  },
  auth: {
    scheme: 'bearer',
    realmPath: '/service/token',
    service: 'harbor-registry',
    serviceOnBase: true,
    basicRealm: 'harbor',
    baseStatus: 401,
    unknownRepository: 'unauthorized-401',
    notAllowed: 'basic-401',
    basicOnRegistry: true,
    tokenFields: ['token', 'access_token', 'expires_in', 'issued_at'],
    emptyAccessToken: true,
    expiresIn: 1800,
    // MakeToken: `now.Format(time.RFC3339)`, whole seconds.
    issuedAt: 'seconds',
    // token.go: CustomAbort(400, "Unable to handle service: …") for any service but its own.
    unknownService: 'harbor',
    // A wrong password: the token handler aborts with 401 and an empty body.
    loginRefusal: 'empty',
    tokenPost: 'supported',
    anonymousPull: true,
  },
  cites: {
    referrers: 'referrers API',
    'quirks.deleteByTag': 'manifest DELETE',
    'quirks.errorEnvelope': 'non-OCI error envelope',
    'quirks.headerCase': 'header case',
    'quirks.listContentType': 'list Content-Type',
    'quirks.linkQueryOrder': 'tags pagination',
    'quirks.immutableTags': 'tag immutability',
    auth: 'challenge and token',
    'auth.notAllowed': 'authenticated but not allowed',
  },
}
