import { describe, expect, it } from 'vitest'
import { OciError } from '../errors/oci-error.js'
import { decodeManifest, decodeSchema1, mediaTypeOf } from './decode.js'

const encode = (text: string) => new TextEncoder().encode(text)

function detailOf(bytes: Uint8Array): unknown {
  try {
    decodeManifest(bytes)
  } catch (error) {
    expect(error).toBeInstanceOf(OciError)
    return (error as OciError).entries[0]?.detail
  }
  throw new Error('decodeManifest did not throw')
}

describe('decodeManifest', () => {
  it('returns the object, the last of duplicate keys winning', () => {
    expect(decodeManifest(encode('{"schemaVersion":1,"schemaVersion":2}'))).toEqual({ schemaVersion: 2 })
  })

  it.each([
    { name: 'empty', bytes: new Uint8Array(0), reason: 'unexpected end of JSON input' },
    { name: 'not JSON', bytes: encode('{'), reason: 'invalid JSON' },
    { name: 'a BOM', bytes: Uint8Array.from([0xef, 0xbb, 0xbf, ...encode('{}')]), reason: 'invalid JSON' },
    { name: 'invalid UTF-8', bytes: Uint8Array.from([0x7b, 0xc3, 0x28, 0x7d]), reason: 'invalid UTF-8' },
    { name: 'an array', bytes: encode('[]'), reason: 'the payload is not a JSON object' },
    { name: 'a number mediaType', bytes: encode('{"mediaType":1}'), reason: 'mediaType must be a string' },
    { name: 'an object mediaType', bytes: encode('{"mediaType":{}}'), reason: 'mediaType must be a string' },
  ])('refuses $name', ({ bytes, reason }) => {
    expect(detailOf(bytes)).toBe(`failed to unmarshal manifest payload: ${reason}`)
  })

  it('reads a null mediaType as absent', () => {
    expect(mediaTypeOf(decodeManifest(encode('{"mediaType":null}')))).toBeUndefined()
  })
})

describe('decodeSchema1 (libtrust, GitLab ≤ 3.6 default parser)', () => {
  it.each([
    { name: 'empty', bytes: new Uint8Array(0), detail: 'error unmarshalling content: unexpected end of JSON input' },
    { name: 'not JSON', bytes: encode('{'), detail: 'error unmarshalling content: invalid JSON' },
    {
      name: 'an array',
      bytes: encode('[]'),
      detail:
        'error unmarshalling content: json: cannot unmarshal array into Go value of type map[string]json.RawMessage',
    },
    {
      name: 'a number',
      bytes: encode('1'),
      detail:
        'error unmarshalling content: json: cannot unmarshal number into Go value of type map[string]json.RawMessage',
    },
    {
      name: 'a boolean',
      bytes: encode('true'),
      detail:
        'error unmarshalling content: json: cannot unmarshal bool into Go value of type map[string]json.RawMessage',
    },
  ])('refuses $name', ({ bytes, detail }) => {
    expect(() => decodeSchema1(bytes)).toThrow(OciError)
    try {
      decodeSchema1(bytes)
    } catch (error) {
      expect((error as OciError).entries[0]?.detail).toBe(detail)
    }
  })

  it('reads null as an empty map, invalid UTF-8 in a string as U+FFFD, and any mediaType', () => {
    expect(decodeSchema1(encode('null'))).toEqual({})
    expect(decodeSchema1(Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]))).toEqual({
      a: '\ufffd',
    })
    expect(decodeSchema1(encode('{"mediaType":5}'))).toEqual({ mediaType: 5 })
  })
})
