import { describe, expect, it } from 'vitest'
import { canHoldHeaders, LightHeaders } from './light-headers.js'

// Every answer is compared with Fetch's own Headers built from the same pairs.
const raw = [
  'Content-Type',
  'application/json',
  'X-Many',
  'a',
  'x-many',
  ' b ',
  'Set-Cookie',
  'a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT',
  'set-cookie',
  'b=2',
  'Accept',
  '',
]

function real(pairs: readonly string[]): Headers {
  const headers = new Headers()
  for (let i = 0; i < pairs.length; i += 2) headers.append(pairs[i] as string, pairs[i + 1] as string)
  return headers
}

describe('LightHeaders', () => {
  it('answers get, has, iteration and getSetCookie as Fetch does', () => {
    const light = LightHeaders.fromRaw(raw)
    const fetch = real(raw)
    for (const name of ['content-type', 'CONTENT-TYPE', 'x-many', 'set-cookie', 'accept', 'absent']) {
      expect(light.get(name)).toBe(fetch.get(name))
      expect(light.has(name)).toBe(fetch.has(name))
    }
    expect([...light]).toEqual([...fetch])
    expect([...light.keys()]).toEqual([...fetch.keys()])
    expect([...light.values()]).toEqual([...fetch.values()])
    expect(light.getSetCookie()).toEqual(fetch.getSetCookie())
    expect(Object.fromEntries(light as unknown as Headers)).toEqual(Object.fromEntries(fetch))
    expect(light.toObject()).toEqual(Object.fromEntries(fetch))
    expect(Object.keys(light.toObject())).toEqual(Object.keys(Object.fromEntries(fetch)))
    const seen: string[] = []
    light.forEach((value, name) => seen.push(`${name}=${value}`))
    expect(seen).toEqual([...fetch].map(([name, value]) => `${name}=${value}`))
  })

  it('changes as Fetch does on set, append and delete', () => {
    const light = LightHeaders.fromRecord({ Location: '/v2/x', 'content-length': '0' })
    const fetch = new Headers({ Location: '/v2/x', 'content-length': '0' })
    for (const headers of [light, fetch]) {
      headers.set('Content-Length', ' 12 ')
      headers.append('oci-tag', 'a')
      headers.append('OCI-Tag', 'b')
      headers.delete('location')
    }
    expect([...light]).toEqual([...fetch])
  })

  it('refuses what Fetch refuses, with a TypeError', () => {
    const light = LightHeaders.fromRecord({})
    expect(() => light.set('bad name', 'x')).toThrow(TypeError)
    expect(() => light.append('x-ok', 'line\nbreak')).toThrow(TypeError)
    expect(() => LightHeaders.fromRecord({ 'x-ok': 'nul\0' })).toThrow(TypeError)
    expect(() => new Headers({ 'x-ok': 'nul\0' })).toThrow(TypeError)
  })

  it('is a Headers, and a real Headers copies it', () => {
    const light = LightHeaders.fromRaw(raw)
    expect(light).toBeInstanceOf(Headers)
    expect([...new Headers(light as unknown as Headers)]).toEqual([...real(raw)])
  })

  it('gives node:http one record, Set-Cookie as a list', () => {
    expect(LightHeaders.fromRaw(raw).toRecord()).toEqual({
      accept: '',
      'content-type': 'application/json',
      'set-cookie': ['a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT', 'b=2'],
      'x-many': 'a, b',
    })
  })

  it.each<[string[], boolean]>([
    [['Host', 'registry.test', 'Accept', 'application/json'], true],
    [['Bad Name', 'x'], false],
    [['x-ok', 'nul\0'], false],
    [['x-latin1', 'caf\u00e9'], true],
  ])('canHoldHeaders(%j) is %s', (pairs, expected) => {
    expect(canHoldHeaders(pairs)).toBe(expected)
  })
})
