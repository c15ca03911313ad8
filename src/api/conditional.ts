/** How `matchesIfNoneMatch` reads the header besides entity tags. */
export interface IfNoneMatchOptions {
  /**
   * Also match the digest unquoted. distribution compares a manifest's `If-None-Match` with the
   * bare digest as well as the quoted one; its blobs go through Go's ServeContent, which does not.
   */
  bareDigest?: boolean
}

/**
 * The entity tag of content addressed by `digest`: the quoted digest, as distribution sends it.
 *
 * @example
 * etagOf('sha256:abc…') // '"sha256:abc…"'
 */
export function etagOf(digest: string): string {
  return `"${digest}"`
}

/**
 * True when `If-None-Match` matches the current representation tagged `etagOf(digest)`, so a
 * GET or HEAD answers 304. RFC 9110 §13.1.2: `*` matches any current representation, and the
 * comparison is weak, so `W/"<digest>"` matches too.
 *
 * @example
 * matchesIfNoneMatch('W/"sha256:abc…", "x"', 'sha256:abc…') // true
 * matchesIfNoneMatch('*', 'sha256:abc…') // true
 */
export function matchesIfNoneMatch(header: string | null, digest: string, options: IfNoneMatchOptions = {}): boolean {
  if (header === null) return false
  const etag = etagOf(digest)
  return entityTags(header).some(
    (tag) =>
      tag === '*' ||
      (tag.startsWith('W/') ? tag.slice(2) : tag) === etag ||
      (options.bareDigest === true && tag === digest),
  )
}

// Splits the list at commas outside quotes: an opaque tag may hold a comma, and a digest inside
// one is not that digest's tag.
function entityTags(header: string): string[] {
  const tags: string[] = []
  let start = 0
  let quoted = false
  for (let index = 0; index <= header.length; index++) {
    const char = header[index]
    if (char === '"') quoted = !quoted
    else if ((char === ',' && !quoted) || char === undefined) {
      const tag = header.slice(start, index).trim()
      if (tag !== '') tags.push(tag)
      start = index + 1
    }
  }
  return tags
}
