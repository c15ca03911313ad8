import { describe, expect, it } from 'vitest'
import {
  descriptorProblem,
  imageManifestProblem,
  indexProblem,
  isMediaType,
  schemaVersionProblem,
  shapeProblem,
  validateStrict,
} from './validate.js'

const SHA = `sha256:${'a'.repeat(64)}`
const descriptor = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: SHA, size: 1 }

describe('isMediaType', () => {
  it.each(['application/vnd.oci.image.manifest.v1+json', 'a/b', 'x-y/z!#$&^_.+-'])('%s is a media type', (value) =>
    expect(isMediaType(value)).toBe(true),
  )
  it.each(['', 'a', 'a/', '/b', 'a/b/c', '.a/b', `a/${'b'.repeat(128)}`, 'a/b;x=y', 1])('%j is not', (value) =>
    expect(isMediaType(value)).toBe(false),
  )
})

describe('descriptorProblem', () => {
  it.each([
    { value: descriptor, problem: undefined },
    { value: { ...descriptor, size: 0 }, problem: undefined },
    { value: { ...descriptor, digest: 'sha512:abc' }, problem: 'd.digest must be a valid digest' },
    { value: { ...descriptor, digest: 'unknown-alg:Opaque=' }, problem: undefined },
    { value: { ...descriptor, size: Number.MAX_SAFE_INTEGER + 1 }, problem: 'd.size must be a non-negative integer' },
    { value: { ...descriptor, urls: ['mailto:a@b.test', 'https://h.test/p?q#f'] }, problem: undefined },
    { value: { ...descriptor, urls: ['https://h.test/a b'] }, problem: 'd.urls must be an array of absolute URIs' },
    { value: { ...descriptor, urls: ['https://h.test/%zz'] }, problem: 'd.urls must be an array of absolute URIs' },
    { value: { ...descriptor, data: 'YQ==' }, problem: 'd.data does not match digest' },
    { value: { ...descriptor, data: 'YQ' }, problem: 'd.data must be base64' },
    { value: { ...descriptor, digest: 'foo:bar', data: 'YQ==' }, problem: undefined },
    { value: [], problem: 'd must be a descriptor object' },
  ])('$value → $problem', ({ value, problem }) => {
    expect(descriptorProblem(value, 'd')).toBe(problem)
  })
})

describe('image and index documents', () => {
  it('accepts an image with empty layers and an index with no entries', () => {
    expect(imageManifestProblem({ config: descriptor, layers: [] })).toBeUndefined()
    expect(indexProblem({ manifests: [] })).toBeUndefined()
  })

  it('leaves opaque documents alone', () => {
    expect(validateStrict('opaque', { anything: true })).toBeUndefined()
  })

  it.each([
    { family: 'image', document: { manifests: [] }, problem: 'ocimanifest: expected manifest but found index' },
    { family: 'image', document: { config: {}, layers: [] }, problem: undefined },
    { family: 'index', document: { layers: null }, problem: 'index: expected index but found manifest' },
    { family: 'index', document: { config: {} }, problem: 'index: expected index but found manifest' },
    { family: 'index', document: { manifests: [] }, problem: undefined },
  ] as const)('shapeProblem($family, $document) → $problem', ({ family, document, problem }) => {
    expect(shapeProblem(family, document)).toBe(problem)
  })

  it.each([
    { document: { schemaVersion: 2 }, problem: undefined },
    { document: {}, problem: 'unrecognized manifest schema version 0' },
    { document: { schemaVersion: null }, problem: 'unrecognized manifest schema version 0' },
    { document: { schemaVersion: 1 }, problem: 'unrecognized manifest schema version 1' },
    {
      document: { schemaVersion: 2.5 },
      problem: 'failed to unmarshal manifest payload: schemaVersion must be an integer',
    },
  ])('schemaVersionProblem(2, $document) → $problem', ({ document, problem }) => {
    expect(schemaVersionProblem(2, document)).toBe(problem)
  })
})
