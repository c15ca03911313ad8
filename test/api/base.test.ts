import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { errorsOf } from '../support/push.js'

describe('GET /v2/ and routing', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
  })
  afterEach(() => registry.close())

  it('answers the version check with 200, {} and the API version header', async () => {
    const response = await registry.fetch('/v2/')
    expect(response.status).toBe(200)
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
    expect(await response.text()).toBe('{}')
  })

  it('answers HEAD /v2/ with the same headers and no body', async () => {
    const response = await registry.fetch('/v2/', { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe('2')
    expect(await response.text()).toBe('')
  })

  it('answers a path outside the API with 404 and the spec envelope', async () => {
    const response = await registry.fetch('/v3/whatever')
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
    expect(await errorsOf(response)).toEqual([
      { code: 'UNSUPPORTED', message: 'route not part of the distribution API', detail: { path: '/v3/whatever' } },
    ])
  })

  it('answers a method a route does not have with 405 UNSUPPORTED and Allow', async () => {
    const response = await registry.fetch('/v2/', { method: 'POST' })
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('GET, HEAD')
    expect((await errorsOf(response))[0]?.code).toBe('UNSUPPORTED')
  })

  it.each(['UPPER/case', 'a//b', 'a/.hidden', '-leading', 'trailing-', 'a..b', `${'a'.repeat(256)}`, 'sp%20ace'])(
    'rejects the repository name %j with 400 NAME_INVALID',
    async (name) => {
      const response = await registry.fetch(`/v2/${name}/tags/list`)
      expect(response.status).toBe(400)
      expect((await errorsOf(response))[0]?.code).toBe('NAME_INVALID')
    },
  )
})
