import type { RegistryProfile } from '../registry-profile.js'

/**
 * Quay.io (quay/quay), with tag lists as they are since May 2024 (`n`/`last`, 413 above 100). For
 * the Quay before that, whose tag pages carried encrypted `next_page` tokens, add
 * `quirks: { tagsPageToken: true, tagsPageSize: 50, pageSizeAboveMax: 'clamp' }`. Rows: docs/profiles.md.
 */
export const quayProfile: RegistryProfile = {
  name: 'quay',
  title: 'Quay.io',
  options: {
    referrers: true,
    quirks: {
      tagsMaxPageSize: 100,
      pageSizeAboveMax: 'quay',
      // Tag lists moved to `n`/`last` in May 2024; the catalog still pages with encrypted tokens.
      catalogPageSize: 100,
      catalogPageToken: true,
      // Its `paginate` takes the smaller of `n` and 100, without an error.
      catalogMaxPageSize: 100,
      catalogPageSizeAboveMax: 'clamp',
      errorEnvelope: 'quay',
      // `v2_support_enabled` answers make_response("true").
      baseBody: 'true',
    },
  },
  auth: {
    scheme: 'bearer',
    realmPath: '/v2/auth',
    // Its own host (SERVER_HOSTNAME), as `service="quay.io"`.
    service: '<host>',
    serviceOnBase: true,
    baseStatus: 401,
    // The `/v2/` handler answers `true` itself, 401 when nobody is logged in, the challenge either way.
    baseAnswer: 'handler',
    unknownRepository: 'unauthorized-401',
    notAllowed: 'unauthorized-401',
    // endpoints/v2/errors.py: Unauthorized and InvalidLogin, whose detail is {}.
    unauthorizedMessage: 'access to the requested resource is not authorized',
    loginRefusal: 'quay',
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
    'quirks.catalogPageSize': '_catalog',
    'quirks.catalogPageToken': '_catalog',
    'quirks.catalogMaxPageSize': '_catalog',
    'quirks.catalogPageSizeAboveMax': '_catalog',
    'quirks.errorEnvelope': 'non-OCI error envelope',
    'quirks.baseBody': '/v2/ body',
    auth: 'challenge and token',
    'auth.unknownRepository': 'unknown repository (anonymous)',
  },
}
