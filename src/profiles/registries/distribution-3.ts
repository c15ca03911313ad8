import { distribution28Profile } from './distribution-2-8.js'
import type { RegistryProfile } from '../registry-profile.js'

/** distribution 3.x, the reference implementation, with deletes enabled. Rows: docs/profiles.md. */
export const distribution3Profile: RegistryProfile = {
  name: 'distribution-3',
  title: 'distribution 3.x',
  options: {
    referrers: false,
    deletes: true,
    quirks: {
      catalogPageSize: 100,
      catalogMaxPageSize: 1000,
      pageSizeAboveMax: 'distribution',
      // createLinkEntry encodes url.Values, keys sorted: `?last=<last>&n=<n>`.
      linkQueryOrder: 'sorted',
      headerCase: 'canonical',
    },
  },
  // The same token server and challenges as 2.8 (docs/profiles.md, auth rows).
  auth: distribution28Profile.auth,
  cites: {
    referrers: 'referrers API',
    'quirks.catalogPageSize': '_catalog',
    'quirks.catalogMaxPageSize': '_catalog',
    'quirks.pageSizeAboveMax': '_catalog',
    'quirks.linkQueryOrder': 'tags pagination',
    'quirks.headerCase': 'header case',
    auth: 'challenge and token',
  },
}
