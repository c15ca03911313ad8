import { describe, expect, it } from 'vitest'
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from './constants.js'
import { defaultPlatformChild, negotiate, parseAcceptSet } from './negotiate.js'

describe('parseAcceptSet', () => {
  it('splits on commas, drops parameters, lower-cases and ignores unparseable items', () => {
    expect(parseAcceptSet(`${OCI_INDEX};q=0.9, ${OCI_MANIFEST.toUpperCase()}, garbage, , */*`)).toEqual(
      new Set([OCI_INDEX, OCI_MANIFEST, '*/*']),
    )
  })

  it('is empty for an absent header', () => {
    expect(parseAcceptSet(null)).toEqual(new Set())
  })
})

describe('negotiate', () => {
  const OM_REFUSED = {
    action: 'refuse',
    message: 'OCI manifest found, but accept header does not support OCI manifests',
  }
  const OI_REFUSED = { action: 'refuse', message: 'OCI index found, but accept header does not support OCI indexes' }
  it.each([
    { kind: DOCKER_MANIFEST, accept: [], byDigest: false, expected: { action: 'serve' } },
    { kind: OCI_MANIFEST, accept: [OCI_MANIFEST], byDigest: false, expected: { action: 'serve' } },
    { kind: OCI_MANIFEST, accept: ['*/*'], byDigest: true, expected: OM_REFUSED },
    { kind: OCI_INDEX, accept: [OCI_INDEX], byDigest: false, expected: { action: 'serve' } },
    { kind: OCI_INDEX, accept: [DOCKER_MANIFEST], byDigest: false, expected: OI_REFUSED },
    { kind: DOCKER_MANIFEST_LIST, accept: [DOCKER_MANIFEST_LIST], byDigest: false, expected: { action: 'serve' } },
    { kind: DOCKER_MANIFEST_LIST, accept: [], byDigest: true, expected: { action: 'serve' } },
    { kind: DOCKER_MANIFEST_LIST, accept: [DOCKER_MANIFEST], byDigest: false, expected: { action: 'rewrite' } },
    { kind: 'application/vnd.foo.manifest.v1+json', accept: [], byDigest: false, expected: { action: 'serve' } },
  ])('$kind with Accept $accept (by digest: $byDigest)', ({ kind, accept, byDigest, expected }) => {
    expect(negotiate(kind, new Set(accept), byDigest)).toEqual(expected)
  })
})

describe('defaultPlatformChild', () => {
  const entry = (digest: string, platform?: unknown) => ({ mediaType: DOCKER_MANIFEST, digest, size: 1, platform })
  it('takes the first linux/amd64 entry, whatever its variant', () => {
    const list = {
      manifests: [
        entry('a', { os: 'linux', architecture: 'arm64' }),
        entry('b', { os: 'linux', architecture: 'amd64', variant: 'v2' }),
        entry('c', { os: 'linux', architecture: 'amd64' }),
      ],
    }
    expect(defaultPlatformChild(list)).toBe('b')
  })

  it.each([
    { name: 'no manifests', list: {} },
    { name: 'null', list: null },
    {
      name: 'only other platforms',
      list: { manifests: [entry('a', { os: 'windows', architecture: 'amd64' }), entry('b', null), null] },
    },
  ])('is undefined for $name', ({ list }) => {
    expect(defaultPlatformChild(list)).toBeUndefined()
  })
})
