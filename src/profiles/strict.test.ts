import { describe, expect, it } from 'vitest'
import { OciError } from '../errors/oci-error.js'
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from '../media-types/constants.js'
import { resolveOptions } from '../options.js'
import { createProfile } from './index.js'
import { strictMode } from './strict.js'

const strictProfile = createProfile('strict', {})

function errorDetail(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(OciError)
    return (error as OciError).entries[0]?.detail
  }
  throw new Error('did not throw')
}

describe('strictProfile', () => {
  it('is the profile of mode strict, and its defaults are the options strict mode resolves to', () => {
    expect(strictProfile.mode).toBe('strict')
    expect(strictMode.defaults).toEqual({ verifyReferences: 'all', referrers: true })
    expect(resolveOptions({ transport: 'none' }).options).toMatchObject(strictMode.defaults)
  })

  it.each([
    { contentType: DOCKER_MANIFEST, kind: DOCKER_MANIFEST },
    { contentType: OCI_MANIFEST, kind: OCI_MANIFEST },
    { contentType: DOCKER_MANIFEST_LIST, kind: DOCKER_MANIFEST_LIST },
    { contentType: OCI_INDEX, kind: OCI_INDEX },
    { contentType: undefined, kind: DOCKER_MANIFEST },
    { contentType: 'application/json', kind: DOCKER_MANIFEST },
    { contentType: 'application/vnd.foo.manifest.v1+json', kind: DOCKER_MANIFEST },
  ])('chooses the $kind parser for Content-Type $contentType', ({ contentType, kind }) => {
    expect(strictProfile.push.chooseParser(contentType, {}).kind).toBe(kind)
  })

  it('refuses schema 1 Content-Types, and unknown ones with unknownContentTypes: false', () => {
    expect(
      errorDetail(() =>
        strictProfile.push.chooseParser('application/vnd.docker.distribution.manifest.v1+prettyjws', {}),
      ),
    ).toBe('manifest type unsupported')
    const rejecting = resolveOptions({ transport: 'none', unknownContentTypes: false }).profile
    expect(errorDetail(() => rejecting.push.chooseParser('application/json', {}))).toBe(
      'unsupported manifest media type and no default available: application/json',
    )
    expect(rejecting.push.chooseParser(undefined, {}).kind).toBe(DOCKER_MANIFEST)
  })

  it('reads Content-Type: absent or empty is undefined, garbage is refused', () => {
    expect(strictProfile.push.contentType(null)).toBeUndefined()
    expect(strictProfile.push.contentType('')).toBeUndefined()
    expect(strictProfile.push.contentType(`${OCI_MANIFEST}; charset=utf-8`)).toBe(OCI_MANIFEST)
    expect(errorDetail(() => strictProfile.push.contentType('garbage'))).toBe('invalid Content-Type header')
  })

  it('answers an oversized body with 413', () => {
    const error = strictProfile.push.oversize(10)
    expect(error.status).toBe(413)
    expect(error.entries).toEqual([
      {
        code: 'MANIFEST_INVALID',
        message: 'manifest invalid',
        detail: 'manifest body exceeds maximum allowed size of 10 bytes',
      },
    ])
  })

  it('serves the stored kind, negotiates and rewrites lists', () => {
    expect(strictProfile.pull.kindOf({ digest: 'sha256:x', mediaType: OCI_INDEX, bytes: new Uint8Array() })).toBe(
      OCI_INDEX,
    )
    expect(strictProfile.pull).toMatchObject({ negotiate: true, rewriteManifestList: true })
    expect(strictProfile.push).toMatchObject({ checkShape: true, checkSizes: true })
    expect(strictProfile.push.refuseParsed).toBeUndefined()
  })
})
