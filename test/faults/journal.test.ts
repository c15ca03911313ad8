// Faulted requests in the journal (their rule's name, what the client got), in the HAR export,
// and how faults.reset() and registry.reset() clear the rules.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'

let registry: FakeRegistry
beforeEach(async () => {
  registry = await createFakeRegistry({ transport: 'none' })
  await registry.seed.image('team/app:1')
})
afterEach(() => registry.close())

describe('faults in the journal', () => {
  it('names the rule on each faulted record, and only on those', async () => {
    registry.faults.add({ name: 'flaky-tags', kind: 'tags', code: 'TOOMANYREQUESTS', times: 1 })
    await registry.fetch('/v2/team/app/tags/list')
    await registry.fetch('/v2/team/app/tags/list')
    const [faulted, clean] = registry.requests.all()
    expect(faulted).toMatchObject({
      fault: 'flaky-tags',
      resource: 'tags',
      repository: 'team/app',
      response: {
        status: 429,
        errorCode: 'TOOMANYREQUESTS',
        errors: [{ code: 'TOOMANYREQUESTS', message: 'too many requests' }],
      },
    })
    expect(clean?.fault).toBeUndefined()
    expect(clean?.response.status).toBe(200)
  })

  it('filters the journal by fault', async () => {
    registry.faults.add({ name: 'slow-base', path: '/v2/', headers: { 'x-fault': '1' } })
    registry.faults.add({ kind: 'manifest', status: 503 })
    await registry.fetch('/v2/')
    await registry.fetch('/v2/team/app/tags/list')
    await registry.fetch('/v2/team/app/manifests/1')
    expect(registry.requests.filter({ fault: 'slow-base' }).map((entry) => entry.path)).toEqual(['/v2/'])
    expect(registry.requests.filter({ fault: /./ }).map((entry) => entry.fault)).toEqual(['slow-base', 'fault-2'])
  })

  it('records what the client got, not what the registry would have answered', async () => {
    registry.faults.add({ kind: 'manifest', method: 'GET', status: 502, body: 'Bad Gateway', passThrough: true })
    await (await registry.fetch('/v2/team/app/manifests/nope')).text()
    const replaced = registry.requests.last()
    expect(replaced?.response).toMatchObject({ status: 502, bodySize: 11, complete: true })
    // The registry answered 404 MANIFEST_UNKNOWN first; that is not what the client saw.
    expect(replaced?.response.errorCode).toBeUndefined()
  })

  it('records a reset as status 0 with no answer', async () => {
    registry.faults.add({ kind: 'base', reset: true })
    await expect(registry.fetch('/v2/')).rejects.toThrow('fetch failed')
    expect(registry.requests.last()).toMatchObject({
      fault: 'fault-1',
      resource: 'base',
      response: { status: 0, complete: true },
    })
  })

  it('records the bytes a truncated body actually sent', async () => {
    const blob = await registry.seed.blob('team/app', 'x'.repeat(500))
    registry.faults.add({ kind: 'blob', truncateAfterBytes: 120 })
    const response = await registry.fetch(`/v2/team/app/blobs/${blob.digest}`)
    await expect(response.arrayBuffer()).rejects.toThrow('terminated')
    expect(registry.requests.last()?.response).toMatchObject({
      status: 200,
      bodySize: 120,
      headers: { 'content-length': '500' },
    })
  })

  it('carries the rule in the HAR export', async () => {
    registry.faults.add({ name: 'busy', kind: 'base', code: 'TOOMANYREQUESTS', retryAfter: 3 })
    await registry.fetch('/v2/')
    const [entry] = registry.requests.toHAR().log.entries
    expect(entry?._fault).toBe('busy')
    expect(entry?.response.status).toBe(429)
    expect(entry?.response.headers).toContainEqual({ name: 'retry-after', value: '3' })
  })
})

describe('clearing faults', () => {
  it('removes every rule with faults.reset(), and numbers new ones from 1 again', async () => {
    const handle = registry.faults.add({ path: '/v2/', status: 500 })
    registry.faults.add({ kind: 'tags', status: 500 })
    registry.faults.reset()
    expect(registry.faults.list()).toEqual([])
    expect((await registry.fetch('/v2/')).status).toBe(200)
    expect((await registry.fetch('/v2/team/app/tags/list')).status).toBe(200)
    expect(handle.calls).toBe(0)
    expect(registry.faults.add({ path: '/v2/', status: 500 }).name).toBe('fault-1')
  })

  it('removes every rule with registry.reset(), with the content and the journal', async () => {
    registry.faults.add({ path: '/v2/', status: 500 })
    await registry.reset()
    expect(registry.faults.list()).toEqual([])
    expect((await registry.fetch('/v2/')).status).toBe(200)
  })

  it('keeps the rules across restore()', async () => {
    const snapshot = await registry.snapshot()
    registry.faults.add({ path: '/v2/', status: 500 })
    await registry.restore(snapshot)
    expect((await registry.fetch('/v2/')).status).toBe(500)
  })
})
