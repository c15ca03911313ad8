import { describe, expect, it } from 'vitest'
import { parseMediaType, parseMediaTypeAsGo } from './parse-content-type.js'

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

  it.each([
    '',
    'json',
    'application/',
    '/json',
    'application/json/x',
    'application /json',
    'appli(cation/json',
    'application/json; charset',
    'application/json; =x',
    'application/json; a="open',
    'application/json x',
  ])('%j is not a media type', (value) => {
    expect(parseMediaType(value)).toBeUndefined()
  })
})

describe('parseMediaTypeAsGo (Go mime.ParseMediaType)', () => {
  it.each([
    ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.manifest.v1+json'],
    ['Application/JSON; charset="utf-8"; q=1', 'application/json'],
    ['application/json;', 'application/json'],
    ['application/json; a="x\\"y"', 'application/json'],
    ['application/json; a=""', 'application/json'],
    ['garbage', 'garbage'],
    ['  text/plain  ', 'text/plain'],
  ])('%j → %j', (value, type) => {
    expect(parseMediaTypeAsGo(value)).toEqual({ type })
  })

  it.each([
    ['', 'mime: no media type'],
    [';', 'mime: no media type'],
    ['/json', 'mime: no media type'],
    ['application /json', 'mime: expected slash after first token'],
    ['application/', 'mime: expected token after slash'],
    ['application/json/x', 'mime: unexpected content after media subtype'],
    ['application/json x', 'mime: unexpected content after media subtype'],
    ['application/json; charset', 'mime: invalid media parameter'],
    ['application/json; =x', 'mime: invalid media parameter'],
    ['application/json; a="open', 'mime: invalid media parameter'],
    ['application/json; a=1 b=2', 'mime: invalid media parameter'],
    ['application/json; a=1; A=2', 'mime: duplicate parameter name'],
  ])('%j → %j', (value, error) => {
    expect(parseMediaTypeAsGo(value)).toEqual({ error })
  })
})
