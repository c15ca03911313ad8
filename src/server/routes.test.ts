// The router reads paths by hand, from the last segments back; these anchored patterns are the
// route table it implements, in the order they are tried. Every path, generated or listed, must
// get the same route and parameters from both.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { matchRoute } from './routes.js'

const PATTERNS: ReadonlyArray<[resource: string, pattern: RegExp]> = [
  ['base', /^\/v2\/?$/],
  ['catalog', /^\/v2\/_catalog$/],
  ['upload-start', /^\/v2\/(?<name>.+)\/blobs\/uploads\/?$/],
  ['upload', /^\/v2\/(?<name>.+)\/blobs\/uploads\/(?<uuid>[^/]+)$/],
  ['blob', /^\/v2\/(?<name>.+)\/blobs\/(?<digest>[^/]+)$/],
  ['manifest', /^\/v2\/(?<name>.+)\/manifests\/(?<reference>[^/]+)$/],
  ['tags', /^\/v2\/(?<name>.+)\/tags\/list$/],
  ['referrers', /^\/v2\/(?<name>.+)\/referrers\/(?<digest>[^/]+)$/],
]

function decodeOnce(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

function byPatterns(path: string): { resource: string; params: Record<string, string> } | undefined {
  for (const [resource, pattern] of PATTERNS) {
    const match = pattern.exec(path)
    if (!match) continue
    const params: Record<string, string> = {}
    for (const [key, value] of Object.entries(match.groups ?? {})) params[key] = decodeOnce(value)
    return { resource: resource === 'upload-start' ? 'upload' : resource, params }
  }
  return undefined
}

function byRouter(path: string): { resource: string; params: Record<string, string> } | undefined {
  const matched = matchRoute(path)
  return matched && { resource: matched.route.resource, params: matched.params }
}

const LISTED = [
  '/v2',
  '/v2/',
  '/v2//',
  '/v2/_catalog',
  '/v2/_catalog/',
  '/v2/_catalog/tags/list',
  '/v2/team/app/blobs/uploads',
  '/v2/team/app/blobs/uploads/',
  '/v2/team/app/blobs/uploads/0c1d',
  '/v2/team/app/blobs/uploads/uploads',
  '/v2/team/app/blobs/uploads//',
  '/v2/team/app/blobs/sha256:abc',
  '/v2/team/app/blobs/',
  '/v2/blobs/uploads/',
  '/v2//blobs/uploads',
  '/v2//blobs/uploads/',
  '/v2/x/uploads/1',
  '/v2/a/manifests/b/tags/list',
  '/v2/a/tags/list/manifests/latest',
  '/v2/a/tags/lists',
  '/v2/a/tags/list/',
  '/v2/manifests/latest',
  '/v2/a/manifests/',
  '/v2/team%2Fapp/manifests/sha256%3Aabc',
  '/v2/%2e%2e/tags/list',
  '/v2/a%zz/manifests/t%',
  '/v2/a\nb/manifests/latest',
  '/v2/a/manifests/lat\nest',
  '/v2/a/referrers/sha256:abc',
  '/v2/a/blobs/uploads/x/blobs/sha256:abc',
  '/v3/a/tags/list',
  '/v2a/tags/list',
  '/',
  '',
]

// Paths built from the pieces that matter to routing: the API's keywords, slashes, escapes,
// line terminators and plain text.
const segment = fc.oneof(
  fc.constantFrom('blobs', 'uploads', 'manifests', 'tags', 'list', 'referrers', '_catalog', 'v2', '', 'a', 'x%2F'),
  fc.string({ maxLength: 4, unit: fc.constantFrom('a', '%', '2', 'F', '\n', '\u2028', '.', ':') }),
)
const path = fc
  .array(segment, { maxLength: 7 })
  .chain((segments) => fc.constantFrom('/v2/', '/v2', '/', '/v3/').map((prefix) => `${prefix}${segments.join('/')}`))

describe('matchRoute', () => {
  it.each(LISTED)('routes %j as the anchored patterns do', (listed) => {
    expect(byRouter(listed)).toEqual(byPatterns(listed))
  })

  it('routes any path built from the keywords as the anchored patterns do', () => {
    fc.assert(
      fc.property(path, (generated) => {
        expect(byRouter(generated)).toEqual(byPatterns(generated))
      }),
      { numRuns: 5000 },
    )
  })

  it('decodes each parameter once, after routing on the path as sent', () => {
    expect(matchRoute('/v2/team%2Fapp/manifests/sha256%3Aabc')?.params).toEqual({
      name: 'team/app',
      reference: 'sha256:abc',
    })
    expect(matchRoute('/v2/a%252F/tags/list')?.params).toEqual({ name: 'a%2F' })
  })
})
