import { describe, expect, it } from 'vitest'
import { parseMediaType } from './parse-content-type.js'

describe('parseMediaType', () => {
  it.each([
    ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.manifest.v1+json'],
    ['Application/VND.OCI.Image.Index.V1+JSON', 'application/vnd.oci.image.index.v1+json'],
    ['application/json; charset=utf-8', 'application/json'],
    ['application/json ;charset=utf-8 ; q=0.5', 'application/json'],
    ['application/json; a="quoted; with \\" semicolon"; b=c', 'application/json'],
    ['  application/json  ', 'application/json'],
    ['application/json;', 'application/json'],
    ['*/*', '*/*'],
    ['application/*', 'application/*'],
  ])('%j → %j', (value, expected) => {
    expect(parseMediaType(value)).toBe(expected)
  })

  it.each(['', 'json', 'application/', '/json', 'application/json/x', 'application /json', 'appli(cation/json', 'application/json; charset', 'application/json; =x', 'application/json; a="open', 'application/json x'])(
    '%j is not a media type',
    (value) => {
      expect(parseMediaType(value)).toBeUndefined()
    },
  )
})
