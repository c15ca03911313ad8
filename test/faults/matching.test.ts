// Which requests a rule faults: its matching fields, nth, times, probability with a seed, the
// order of rules, and remove().
import { type Dispatcher, request } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry, type FaultRule } from '../../src/index.js'

let registry: FakeRegistry
let blobDigest: string
beforeEach(async () => {
  registry = await createFakeRegistry({ transport: 'none' })
  await registry.seed.image('team/app:1')
  await registry.seed.image('other/tool:1')
  blobDigest = (await registry.seed.blob('team/app', 'hello')).digest
})
afterEach(() => registry.close())

// A rule answering 418, so a faulted request is told apart from every real answer.
const teapot = (rule: FaultRule): FaultRule => ({ status: 418, ...rule })

const REQUESTS = () =>
  [
    ['GET', '/v2/'],
    ['GET', '/v2/_catalog'],
    ['GET', '/v2/team/app/tags/list'],
    ['HEAD', '/v2/team/app/manifests/1'],
    ['GET', '/v2/team/app/manifests/1'],
    ['GET', `/v2/team/app/blobs/${blobDigest}`],
    ['POST', '/v2/team/app/blobs/uploads/'],
    ['GET', `/v2/team/app/referrers/${blobDigest}`],
    ['GET', '/v2/other/tool/manifests/1'],
    ['GET', '/v2/other/tool/tags/list'],
    ['DELETE', '/v2/other/tool/manifests/1'],
    ['GET', '/elsewhere'],
  ] as const

/** The requests of REQUESTS that came back 418, as 'METHOD path'. */
async function faulted(rule: FaultRule): Promise<string[]> {
  registry.faults.add(teapot(rule))
  const hits: string[] = []
  for (const [method, path] of REQUESTS()) {
    const response = await registry.fetch(path, { method })
    await response.body?.cancel()
    if (response.status === 418) hits.push(`${method} ${path.replace(blobDigest, '<digest>')}`)
  }
  return hits
}

describe('matching fields', () => {
  it.each<[string, FaultRule, string[]]>([
    ['method, case-insensitive', { method: 'head' }, ['HEAD /v2/team/app/manifests/1']],
    [
      'several methods',
      { method: ['POST', 'DELETE'] },
      ['POST /v2/team/app/blobs/uploads/', 'DELETE /v2/other/tool/manifests/1'],
    ],
    ['a path string, compared whole', { path: '/v2/team/app/tags/list' }, ['GET /v2/team/app/tags/list']],
    ['a path RegExp', { path: /\/tags\/list$/ }, ['GET /v2/team/app/tags/list', 'GET /v2/other/tool/tags/list']],
    [
      'a path pattern (JSON form)',
      { pathPattern: '^/v2/other/' },
      ['GET /v2/other/tool/manifests/1', 'GET /v2/other/tool/tags/list', 'DELETE /v2/other/tool/manifests/1'],
    ],
    [
      'a repository',
      { repository: 'other/tool', method: 'GET' },
      ['GET /v2/other/tool/manifests/1', 'GET /v2/other/tool/tags/list'],
    ],
    [
      'a repository RegExp',
      { repository: /^team\//, kind: 'manifest' },
      ['HEAD /v2/team/app/manifests/1', 'GET /v2/team/app/manifests/1'],
    ],
    [
      'a repository pattern (JSON form)',
      { repositoryPattern: 'tool$', method: 'DELETE' },
      ['DELETE /v2/other/tool/manifests/1'],
    ],
    ['kind base', { kind: 'base' }, ['GET /v2/']],
    ['kind catalog', { kind: 'catalog' }, ['GET /v2/_catalog']],
    ['kind tags', { kind: 'tags', repository: 'team/app' }, ['GET /v2/team/app/tags/list']],
    ['kind blob', { kind: 'blob' }, ['GET /v2/team/app/blobs/<digest>']],
    ['kind upload', { kind: 'upload' }, ['POST /v2/team/app/blobs/uploads/']],
    ['kind referrers', { kind: 'referrers' }, ['GET /v2/team/app/referrers/<digest>']],
    ['several kinds', { kind: ['base', 'catalog'] }, ['GET /v2/', 'GET /v2/_catalog']],
    ['kind token, which this registry has no endpoint for', { kind: 'token' }, []],
    [
      'every field at once',
      { method: 'GET', kind: 'manifest', repository: 'other/tool', path: /\/1$/ },
      ['GET /v2/other/tool/manifests/1'],
    ],
  ])('%s', async (_name, rule, expected) => {
    expect(await faulted(rule)).toEqual(expected)
  })

  it('matches the transport a request arrived through', async () => {
    registry.faults.add(teapot({ transport: 'dispatcher' }))
    const { statusCode, body } = await request(`${registry.url}/v2/`, { dispatcher: registry.dispatcher as Dispatcher })
    await body.dump()
    expect(statusCode).toBe(418)
    expect((await registry.fetch('/v2/')).status).toBe(200)
  })
})

describe('how many requests', () => {
  async function statuses(count: number): Promise<number[]> {
    const result: number[] = []
    for (let i = 0; i < count; i++) result.push((await registry.fetch('/v2/')).status)
    return result
  }

  it('faults only the nth matching request with nth', async () => {
    const handle = registry.faults.add(teapot({ path: '/v2/', nth: 3 }))
    expect(await statuses(5)).toEqual([200, 200, 418, 200, 200])
    expect(handle.calls).toBe(1)
    expect(handle.matched).toBe(5)
  })

  it('counts for nth only the requests its fields match', async () => {
    registry.faults.add(teapot({ path: '/v2/', nth: 2 }))
    expect((await registry.fetch('/v2/')).status).toBe(200)
    expect((await registry.fetch('/v2/_catalog')).status).toBe(200)
    expect((await registry.fetch('/v2/')).status).toBe(418)
  })

  it('stops after times faults', async () => {
    const handle = registry.faults.add(teapot({ path: '/v2/', times: 2 }))
    expect(await statuses(4)).toEqual([418, 418, 200, 200])
    expect(handle.calls).toBe(2)
  })

  it('faults every matching request without nth or times', async () => {
    const handle = registry.faults.add(teapot({ path: '/v2/' }))
    expect(await statuses(3)).toEqual([418, 418, 418])
    expect(handle.calls).toBe(3)
  })

  it('draws with probability from a seeded generator: the same seed, the same sequence', async () => {
    const run = async (seed: number): Promise<number[]> => {
      registry.faults.reset()
      registry.faults.add(teapot({ path: '/v2/', probability: 0.5, seed }))
      return statuses(24)
    }
    const first = await run(42)
    expect(await run(42)).toEqual(first)
    // Neither never nor always: the probability is honoured, not rounded to 0 or 1.
    expect(first).toContain(418)
    expect(first).toContain(200)
    expect(await run(7)).not.toEqual(first)
  })

  it('draws the same sequence on every run, so a failing test reproduces', async () => {
    registry.faults.add(teapot({ path: '/v2/', probability: 0.5, seed: 42 }))
    // Fixed by mulberry32 with seed 42: what any run on any machine gives.
    expect(await statuses(8)).toEqual([200, 418, 200, 200, 418, 200, 418, 200])
  })

  it('combines probability with times', async () => {
    const handle = registry.faults.add(teapot({ path: '/v2/', probability: 0.5, seed: 42, times: 2 }))
    expect(await statuses(8)).toEqual([200, 418, 200, 200, 418, 200, 200, 200])
    expect(handle.calls).toBe(2)
  })
})

describe('several rules', () => {
  it('lets the first rule that fires win, and later rules not count that request', async () => {
    const first = registry.faults.add({ path: '/v2/', status: 503, times: 1 })
    const second = registry.faults.add({ path: '/v2/', status: 502, nth: 1 })
    expect((await registry.fetch('/v2/')).status).toBe(503)
    expect((await registry.fetch('/v2/')).status).toBe(502)
    expect((await registry.fetch('/v2/')).status).toBe(200)
    expect([first.calls, second.calls]).toEqual([1, 1])
  })

  it('stops a rule with remove(), keeping its count, and lists the rules in force', async () => {
    const first = registry.faults.add(teapot({ path: '/v2/', name: 'first' }))
    const second = registry.faults.add({ path: '/v2/', status: 500 })
    expect(registry.faults.list().map((rule) => rule.name)).toEqual(['first', 'fault-2'])
    expect((await registry.fetch('/v2/')).status).toBe(418)
    first.remove()
    first.remove()
    expect(registry.faults.list()).toEqual([second])
    expect((await registry.fetch('/v2/')).status).toBe(500)
    expect(first.calls).toBe(1)
  })

  it('never faults the registry’s own seeding requests', async () => {
    registry.faults.add({ status: 500 })
    const image = await registry.seed.image('team/seeded:1')
    expect((await registry.manifest('team/seeded:1'))?.digest).toBe(image.digest)
    expect(registry.faults.list()[0]?.calls).toBe(0)
  })
})

describe('passing the request through', () => {
  it('lets the registry store a manifest while the client gets the fault', async () => {
    const image = await registry.seed.image('team/app:2')
    const manifest = await registry.manifest('team/app:2')
    registry.faults.add({ method: 'PUT', kind: 'manifest', status: 500, passThrough: true })
    const response = await registry.fetch('/v2/team/app/manifests/3', {
      method: 'PUT',
      headers: { 'content-type': manifest?.mediaType ?? '' },
      body: manifest?.bytes as Uint8Array<ArrayBuffer>,
    })
    expect(response.status).toBe(500)
    expect((await registry.manifest('team/app:3'))?.digest).toBe(image.digest)
  })

  it('does not reach the registry when it replaces the answer without passThrough', async () => {
    const manifest = await registry.manifest('team/app:1')
    registry.faults.add({ method: 'PUT', kind: 'manifest', status: 500 })
    const response = await registry.fetch('/v2/team/app/manifests/4', {
      method: 'PUT',
      headers: { 'content-type': manifest?.mediaType ?? '' },
      body: manifest?.bytes as Uint8Array<ArrayBuffer>,
    })
    expect(response.status).toBe(500)
    expect(await registry.manifest('team/app:4')).toBeUndefined()
  })

  it('commits an upload, then drops the connection, with reset and passThrough', async () => {
    registry.faults.add({ method: 'POST', kind: 'upload', reset: true, passThrough: true })
    const body = new TextEncoder().encode('uploaded before the reset')
    const digest = `sha256:${Buffer.from(await crypto.subtle.digest('SHA-256', body)).toString('hex')}`
    await expect(
      registry.fetch(`/v2/team/app/blobs/uploads/?digest=${digest}`, { method: 'POST', body }),
    ).rejects.toMatchObject({
      name: 'TypeError',
      message: 'fetch failed',
      cause: { code: 'ECONNRESET' },
    })
    expect(await (await registry.blob('team/app', digest))?.text()).toBe('uploaded before the reset')
  })
})
