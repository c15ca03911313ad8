import { DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from './constants.js'
import { memoize } from '../leaf/memo.js'
import { parseMediaType } from './parse-content-type.js'

/**
 * The set of media types an `Accept` header names, as distribution's and GitLab's `supports()`
 * read it: every item split on `,`, parameters (`q` included) dropped, unparseable items ignored.
 * Wildcards stay literal, since a registry never converts a manifest.
 *
 * Repeated `Accept` lines arrive joined with `, ` by the Fetch `Headers`, which this split undoes.
 *
 * @example
 * parseAcceptSet('application/vnd.oci.image.index.v1+json;q=0.5, Text/HTML') // Set { 'application/vnd.oci.image.index.v1+json', 'text/html' }
 */
export function parseAcceptSet(accept: string | null): ReadonlySet<string> {
  return acceptSetOf(accept ?? '')
}

// A client sends the same Accept on every pull: each is parsed once.
const acceptSetOf = memoize(
  (accept: string): ReadonlySet<string> => {
    const types = new Set<string>()
    for (const item of accept.split(',')) {
      const type = parseMediaType(item)
      if (type !== undefined) types.add(type)
    }
    return types
  },
  { maxKeyLength: 1024 },
)

/** What a GET does with a stored kind: serve it, refuse it, or serve the list's linux/amd64 child. */
export type Negotiation = { action: 'serve' } | { action: 'refuse'; message: string } | { action: 'rewrite' }

/**
 * Decides a GET/HEAD by the stored kind and the Accept set (media-type spec §5): OCI kinds are
 * served only when accepted, a Docker list fetched by tag without DL in Accept is rewritten to
 * its linux/amd64 child, and everything else is served as stored.
 *
 * @example
 * negotiate('application/vnd.oci.image.manifest.v1+json', new Set(), false)
 * // { action: 'refuse', message: 'OCI manifest found, but accept header does not support OCI manifests' }
 */
export function negotiate(kind: string, accepted: ReadonlySet<string>, byDigest: boolean): Negotiation {
  if (kind === OCI_MANIFEST && !accepted.has(OCI_MANIFEST)) {
    return { action: 'refuse', message: 'OCI manifest found, but accept header does not support OCI manifests' }
  }
  if (kind === OCI_INDEX && !accepted.has(OCI_INDEX)) {
    return { action: 'refuse', message: 'OCI index found, but accept header does not support OCI indexes' }
  }
  if (kind === DOCKER_MANIFEST_LIST && !byDigest && !accepted.has(DOCKER_MANIFEST_LIST)) return { action: 'rewrite' }
  return { action: 'serve' }
}

/**
 * The digest of the first `manifests[]` entry for linux/amd64 (the variant is ignored), which a
 * client that does not accept manifest lists gets instead of the list (docker manifest-v2-2.md,
 * Backward compatibility). Undefined when there is none.
 *
 * @example
 * defaultPlatformChild({ manifests: [{ digest: 'sha256:…', platform: { os: 'linux', architecture: 'amd64' } }] }) // 'sha256:…'
 */
export function defaultPlatformChild(list: unknown): string | undefined {
  const manifests = (list as { manifests?: unknown } | null)?.manifests
  if (!Array.isArray(manifests)) return undefined
  for (const entry of manifests) {
    const { platform, digest } = (entry ?? {}) as {
      platform?: { os?: unknown; architecture?: unknown } | null
      digest?: unknown
    }
    if (platform?.os === 'linux' && platform.architecture === 'amd64' && typeof digest === 'string') return digest
  }
  return undefined
}
