import { describe, expect, it } from 'vitest'
import { LightHeaders } from './light-headers.js'
import {
  bodyReaderOf,
  bytesSource,
  isLightRequest,
  LightRequest,
  lightRequestFor,
  type BodySource,
} from './light-request.js'

const url = new URL('http://registry.test/v2/team/app/manifests/1?tag=a')

function chunked(chunks: string[], failure?: Error): BodySource & { cancelled: boolean } {
  const queue = chunks.map((chunk) => new TextEncoder().encode(chunk))
  const source = {
    cancelled: false,
    next: async () => {
      const chunk = queue.shift()
      if (chunk) return chunk
      if (failure) throw failure
      return null
    },
    cancel: () => {
      source.cancelled = true
    },
  }
  return source
}

describe('lightRequestFor', () => {
  it('builds the request Fetch would for a plain init', async () => {
    const init = { method: 'put', headers: { 'Content-Type': 'application/json', 'X-Many': 'a' }, body: '{"a":1}' }
    const light = lightRequestFor(url, init) as Request
    const fetch = new Request(url, init)
    expect(isLightRequest(light)).toBe(true)
    expect(light).toBeInstanceOf(Request)
    expect(light.method).toBe(fetch.method)
    expect(light.url).toBe(fetch.url)
    expect([...light.headers]).toEqual([...fetch.headers])
    expect(await light.text()).toBe(await fetch.text())
  })

  it('types a string body as Fetch does', () => {
    const light = lightRequestFor(url, { method: 'POST', body: 'x' }) as Request
    expect(light.headers.get('content-type')).toBe(
      new Request(url, { method: 'POST', body: 'x' }).headers.get('content-type'),
    )
  })

  it('copies a byte body: the caller may reuse its buffer', async () => {
    const body = Uint8Array.from([1, 2, 3])
    const light = lightRequestFor(url, { method: 'PUT', body }) as Request
    body.fill(0)
    expect([...new Uint8Array(await light.arrayBuffer())]).toEqual([1, 2, 3])
  })

  it.each<[string, RequestInit]>([
    ['a streamed body', { method: 'PUT', body: new ReadableStream(), duplex: 'half' } as RequestInit],
    ['Headers', { headers: new Headers({ a: 'b' }) }],
    ['a signal', { signal: new AbortController().signal }],
    ['a body on GET', { body: 'x' }],
    ['TRACE', { method: 'TRACE' }],
    ['a method that is no token', { method: 'GE T' }],
  ])('leaves %s to Fetch', (_name, init) => {
    expect(lightRequestFor(url, init)).toBeUndefined()
  })

  it('leaves a URL with credentials to Fetch', () => {
    expect(lightRequestFor(new URL('http://u:p@registry.test/v2/'), undefined)).toBeUndefined()
  })

  it('answers other Request members from Fetch’s own Request', () => {
    const light = lightRequestFor(url, { method: 'GET', headers: { accept: 'x' } }) as Request
    expect(light.signal).toBeInstanceOf(AbortSignal)
    expect(light.redirect).toBe('follow')
    expect(light.clone().headers.get('accept')).toBe('x')
  })
})

describe('LightRequest bodies', () => {
  it('reads a capped body in one copy and counts it for the observer', async () => {
    const source = chunked(['ab', 'cd'])
    // A request as a transport builds it: a body read from its source.
    const light = new LightRequest('PUT', url, LightHeaders.fromRecord({}), source)
    const seen: string[] = []
    light.observe({ onBytes: (n) => seen.push(`bytes ${n}`), onEnd: () => seen.push('end') })
    expect(new TextDecoder().decode(await light.readCapped(4))).toBe('abcd')
    expect(seen).toEqual(['bytes 2', 'bytes 2', 'end'])
    expect((lightRequestFor(url, undefined) as Request).body).toBeNull()
  })

  it('stops at the first chunk past the cap and drops the rest', async () => {
    const source = chunked(['ab', 'cd', 'ef'])
    const light = new LightRequest('PUT', url, LightHeaders.fromRecord({}), source)
    expect(await light.readCapped(3)).toBeUndefined()
    expect(source.cancelled).toBe(true)
  })

  it('passes a failing body on to the reader', async () => {
    const light = new LightRequest(
      'PUT',
      url,
      LightHeaders.fromRecord({}),
      chunked(['ab'], new Error('socket hang up')),
    )
    await expect(light.readCapped(10)).rejects.toThrow('socket hang up')
  })

  it('reads through bodyReaderOf without a stream, and through the stream when one was built', async () => {
    const direct = new LightRequest('PATCH', url, LightHeaders.fromRecord({}), bytesSource(Uint8Array.of(7)))
    const reader = bodyReaderOf(direct as unknown as Request)
    expect((await reader?.read())?.value).toEqual(Uint8Array.of(7))
    expect((await reader?.read())?.done).toBe(true)
    const streamed = new LightRequest('PATCH', url, LightHeaders.fromRecord({}), bytesSource(Uint8Array.of(8)))
    expect(streamed.body).toBeInstanceOf(ReadableStream)
    expect((await bodyReaderOf(streamed as unknown as Request)?.read())?.value).toEqual(Uint8Array.of(8))
    expect(bodyReaderOf(new Request(url))).toBeUndefined()
  })
})
