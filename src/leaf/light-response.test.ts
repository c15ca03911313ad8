import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createLightResponse, isLightResponse, LightResponse, toFetchResponse } from './light-response.js'

const bytes = new TextEncoder().encode('{"a":1}\n')
const init = {
  status: 201,
  statusText: 'Created',
  headers: { 'content-type': 'application/json', 'docker-content-digest': 'sha256:ab' },
}

describe('LightResponse', () => {
  it('answers like the Fetch Response built from the same parts', async () => {
    const light = createLightResponse(bytes, init)
    const fetch = new Response(bytes, init)
    expect(light).toBeInstanceOf(Response)
    for (const key of ['status', 'statusText', 'ok', 'type', 'url', 'redirected', 'bodyUsed'] as const)
      expect(light[key]).toBe(fetch[key])
    expect([...light.headers]).toEqual([...fetch.headers])
    expect(await light.json()).toEqual(await fetch.json())
    expect(light.bodyUsed).toBe(true)
    await expect(light.text()).rejects.toThrow(TypeError)
  })

  it('hands out copies: the bytes it was built on stay as they were', async () => {
    const stored = Uint8Array.from([1, 2, 3])
    const buffer = await createLightResponse(stored).arrayBuffer()
    new Uint8Array(buffer).fill(9)
    const reader = createLightResponse(stored).body?.getReader()
    const { value } = (await reader?.read()) ?? {}
    value?.fill(9)
    expect([...stored]).toEqual([1, 2, 3])
  })

  it('streams its body, byte-stream readers included', async () => {
    const response = createLightResponse(bytes)
    const reader = (response.body as ReadableStream<Uint8Array>).getReader({ mode: 'byob' })
    const { value } = await reader.read(new Uint8Array(64))
    expect(new TextDecoder().decode(value)).toBe('{"a":1}\n')
    expect((await reader.read(new Uint8Array(64))).done).toBe(true)
  })

  it('clones, and builds Fetch’s own Response for what it does not answer itself', async () => {
    const response = createLightResponse(bytes, init)
    const clone = response.clone()
    expect(await clone.text()).toBe('{"a":1}\n')
    expect(await response.text()).toBe('{"a":1}\n')
    const blob = await createLightResponse(bytes).blob()
    expect(await blob.text()).toBe('{"a":1}\n')
    const real = toFetchResponse(createLightResponse(null, { status: 304, headers: { etag: '"x"' } }))
    expect(isLightResponse(real)).toBe(false)
    expect(real.status).toBe(304)
    expect(real.headers.get('etag')).toBe('"x"')
  })

  it('tells its observer once, when a transport takes the bytes', () => {
    const events: string[] = []
    const response = new LightResponse(bytes)
    response.observe({ onBytes: (n) => events.push(`bytes ${n}`), onEnd: () => events.push('end') })
    expect(response.takeBytes()).toBe(bytes)
    expect(response.takeBytes()).toBeUndefined()
    expect(events).toEqual([`bytes ${bytes.byteLength}`, 'end'])
  })

  it('has no body when built with none', async () => {
    const response = createLightResponse(null, { status: 202 })
    expect(response.body).toBeNull()
    expect(await response.text()).toBe('')
  })

  it('prints like a Response, headers included', () => {
    const printed = inspect(createLightResponse(bytes, init))
    expect(printed).toMatch(/^Response \{/)
    expect(printed).toContain('status: 201')
    expect(printed).toContain("'docker-content-digest': 'sha256:ab'")
  })
})
