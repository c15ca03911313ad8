import { describe, expect, it } from 'vitest'
import { isForeignLayer, referencesOf, referrerFieldsOf } from './references.js'

const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:c', size: 1 }
const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: 'sha256:l', size: 1 }

describe('referencesOf', () => {
  it('lists config and layers of an image, entries of an index, never the subject', () => {
    expect(referencesOf('image', { config, layers: [layer], subject: layer })).toEqual({
      blobs: [config, layer],
      children: [],
    })
    expect(referencesOf('index', { manifests: [layer], subject: layer })).toEqual({ blobs: [], children: [layer] })
    expect(referencesOf('opaque', { config })).toEqual({ blobs: [], children: [] })
  })
})

describe('isForeignLayer', () => {
  it.each([
    {
      descriptor: {
        ...layer,
        mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
        urls: ['https://x.test'],
      },
      foreign: true,
    },
    {
      descriptor: {
        ...layer,
        mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
        urls: ['https://x.test'],
      },
      foreign: true,
    },
    {
      descriptor: { ...layer, mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar', urls: [] },
      foreign: false,
    },
    { descriptor: { ...layer, urls: ['https://x.test'] }, foreign: false },
  ])('$descriptor.mediaType with urls $descriptor.urls → $foreign', ({ descriptor, foreign }) => {
    expect(isForeignLayer(descriptor)).toBe(foreign)
  })
})

describe('referrerFieldsOf', () => {
  const subject = { ...layer, digest: 'sha256:s' }
  it.each([
    {
      family: 'image',
      document: { config, subject, annotations: { a: 'b' } },
      fields: { subject: 'sha256:s', artifactType: config.mediaType, annotations: { a: 'b' } },
    },
    {
      family: 'image',
      document: { config, artifactType: 'application/x-t' },
      fields: { artifactType: 'application/x-t' },
    },
    { family: 'index', document: { subject, annotations: {} }, fields: { subject: 'sha256:s' } },
    { family: 'index', document: { artifactType: 'application/x-t' }, fields: { artifactType: 'application/x-t' } },
  ] as const)('$family $document → $fields', ({ family, document, fields }) => {
    expect(referrerFieldsOf(family, document)).toEqual(fields)
  })
})
