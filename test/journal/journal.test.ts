import { setupServer } from 'msw/node'
import { request as undiciRequest, type Dispatcher } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Journal } from '../../src/journal/journal.js'
import { createFakeRegistry, FakeRegistryError, type FakeRegistry } from '../../src/index.js'
import { textLayer } from '../../src/seed.js'
import { registryHandlers } from '../../src/msw.js'
import { FAIL_UNHANDLED } from '../support/msw.js'
import { bytesOf, MediaTypes, pushBlob, pushImageContent, putManifest, sha256 } from '../support/push.js'

describe('registry.requests: what is recorded', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
  })
  afterEach(() => registry.close())

  it('records a blob push with its size and digest, never its bytes', async () => {
    const layer = await pushBlob(registry, 'team/app', 'layer one')
    const recorded = registry.requests.last()
    expect(recorded).toMatchObject({
      id: 1,
      transport: 'fetch',
      method: 'POST',
      url: `http://registry.fake-oci.invalid/v2/team/app/blobs/uploads/?digest=${layer.digest}`,
      path: '/v2/team/app/blobs/uploads/',
      query: { digest: layer.digest },
      resource: 'upload',
      repository: 'team/app',
      reference: undefined,
      digest: layer.digest,
      headers: { 'content-type': 'application/octet-stream', 'content-length': '9' },
      bodySize: 9,
      response: {
        status: 201,
        headers: {
          location: `/v2/team/app/blobs/${layer.digest}`,
          'docker-content-digest': layer.digest,
          'content-length': '0',
        },
        bodySize: 0,
        complete: true,
      },
    })
    expect(recorded?.startedAt).toBeInstanceOf(Date)
    expect(recorded && 'manifest' in recorded).toBe(false)
    expect(JSON.stringify(recorded)).not.toContain('layer one')
  })

  it('records the parsed body of a manifest PUT, the reference and the answered digest', async () => {
    const manifest = await pushImageContent(registry, 'team/app')
    const response = await putManifest(registry, 'team/app', '1', manifest)
    const recorded = registry.requests.last({ method: 'PUT' })
    expect(recorded).toMatchObject({
      resource: 'manifest',
      repository: 'team/app',
      reference: '1',
      digest: response.headers.get('docker-content-digest'),
      manifest,
    })
    expect(recorded?.bodySize).toBe(bytesOf(JSON.stringify(manifest)).byteLength)
  })

  it('records the error code, messages and details of an error answer', async () => {
    await registry.fetch('/v2/team/app/manifests/nope')
    await registry.fetch('/v2/Bad/tags/list')
    expect(
      registry.requests.all().map(({ resource, repository, reference, response }) => ({
        resource,
        repository,
        reference,
        status: response.status,
        errorCode: response.errorCode,
        errors: response.errors,
      })),
    ).toEqual([
      {
        resource: 'manifest',
        repository: 'team/app',
        reference: 'nope',
        status: 404,
        errorCode: 'NAME_UNKNOWN',
        errors: [
          { code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name: 'team/app' } },
        ],
      },
      {
        resource: 'tags',
        repository: 'Bad',
        reference: undefined,
        status: 400,
        errorCode: 'NAME_INVALID',
        errors: [{ code: 'NAME_INVALID', message: 'invalid repository name', detail: { name: 'Bad' } }],
      },
    ])
  })

  it('records a path outside the API with no resource', async () => {
    await registry.fetch('/v3/x?a=1&a=2&b=')
    expect(registry.requests.last()).toMatchObject({
      path: '/v3/x',
      query: { a: ['1', '2'], b: '' },
      resource: undefined,
      repository: undefined,
      response: { status: 404, errorCode: 'UNSUPPORTED' },
    })
  })

  it.each([
    ['/v2/', 'base'],
    ['/v2/_catalog', 'catalog'],
    ['/v2/team/app/tags/list', 'tags'],
    [`/v2/team/app/referrers/${sha256('x')}`, 'referrers'],
    [`/v2/team/app/blobs/${sha256('x')}`, 'blob'],
    ['/v2/team/app/manifests/1', 'manifest'],
    ['/v2/team/app/blobs/uploads/some-id', 'upload'],
  ])('classifies GET %s as %s', async (path, resource) => {
    await registry.fetch(path)
    expect(registry.requests.last()?.resource).toBe(resource)
  })

  it('counts a response body as the client reads it; until then the declared length', async () => {
    const content = 'x'.repeat(100_000)
    const layer = await pushBlob(registry, 'team/app', content)
    const response = await registry.fetch(`/v2/team/app/blobs/${layer.digest}`)
    const recorded = registry.requests.last()
    expect(recorded?.response).toMatchObject({ status: 200, bodySize: 100_000, complete: false })
    expect(await response.text()).toBe(content)
    expect(recorded?.response).toMatchObject({ bodySize: 100_000, complete: true })
  })

  it('builds each record once, when first read, from what the request was at the time', async () => {
    const heard: unknown[] = []
    const startedBefore = Date.now()
    await registry.fetch('/v2/')
    const stop = registry.requests.subscribe((request) => heard.push(request))
    const answer = await registry.fetch('/v2/team/app/tags/list?n=2', { headers: { accept: 'application/json' } })
    await answer.text()
    stop()
    const finishedBefore = Date.now()
    // Read later than the requests: what a record says is still what happened then.
    await new Promise((resolve) => setTimeout(resolve, 20))
    const [base, tags] = registry.requests.all()
    expect(base?.startedAt.getTime()).toBeGreaterThanOrEqual(startedBefore)
    expect(tags?.startedAt.getTime()).toBeLessThanOrEqual(finishedBefore)
    expect(tags).toMatchObject({
      path: '/v2/team/app/tags/list',
      query: { n: '2' },
      headers: { accept: 'application/json' },
      response: { status: 404, errorCode: 'NAME_UNKNOWN', complete: true },
    })
    // One object per record, whoever reads it and however often.
    expect(heard).toEqual([tags])
    expect(heard[0]).toBe(tags)
    expect(registry.requests.last()).toBe(tags)
    expect(registry.requests.find({ path: '/v2/' })).toBe(base)
  })

  it('counts only the bytes read when the client stops reading', async () => {
    const layer = await pushBlob(registry, 'team/app', 'y'.repeat(1000))
    const response = await registry.fetch(`/v2/team/app/blobs/${layer.digest}`)
    await response.body?.cancel()
    expect(registry.requests.last()?.response).toMatchObject({ bodySize: 0, complete: true })
  })

  it('records a HEAD answer as complete with no body', async () => {
    const layer = await pushBlob(registry, 'team/app', 'abc')
    await registry.fetch(`/v2/team/app/blobs/${layer.digest}`, { method: 'HEAD' })
    expect(registry.requests.last()?.response).toMatchObject({
      status: 200,
      bodySize: 0,
      complete: true,
      headers: { 'content-length': '3' },
    })
  })

  it('counts a streamed request body that declares no length', async () => {
    const start = await registry.fetch('/v2/team/app/blobs/uploads/', { method: 'POST' })
    const location = start.headers.get('location') as string
    const chunks = [bytesOf('abc'), bytesOf('defgh')]
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift()
        if (chunk) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const patched = await registry.fetch(location, { method: 'PATCH', body, duplex: 'half' } as RequestInit)
    expect(patched.status).toBe(202)
    expect(registry.requests.last()).toMatchObject({ method: 'PATCH', resource: 'upload', bodySize: 8 })
    expect(registry.requests.last()?.headers['content-length']).toBeUndefined()
  })

  it('keeps the registry’s own seeding requests out of the journal', async () => {
    await registry.seed.image('team/app:1', { layers: [textLayer('a.txt', 'a')] })
    expect(registry.requests.size).toBe(0)
  })

  it('names the transport: http for a socket, dispatcher for the undici dispatcher', async () => {
    await using served = await createFakeRegistry({ transport: 'http' })
    await (await fetch(`${served.url}/v2/`)).text()
    const answer = await undiciRequest(`${served.url}/v2/`, { dispatcher: served.dispatcher as unknown as Dispatcher })
    await answer.body.text()
    await served.fetch('/v2/')
    expect(served.requests.all().map((request) => request.transport)).toEqual(['http', 'dispatcher', 'fetch'])
  })

  it('names the msw transport', async () => {
    await using intercepted = await createFakeRegistry({ transport: 'msw', origin: 'https://journal.registry.test' })
    await (await fetch('https://journal.registry.test/v2/')).text()
    expect(intercepted.requests.last()).toMatchObject({
      transport: 'msw',
      url: 'https://journal.registry.test/v2/',
      response: { status: 200 },
    })
  })

  it('names the msw transport for registryHandlers in a server the suite owns', async () => {
    await using registry = await createFakeRegistry({ transport: 'none' })
    const server = setupServer(...registryHandlers(registry, { origin: 'https://own-server.registry.test' }))
    server.listen(FAIL_UNHANDLED)
    try {
      await (await fetch('https://own-server.registry.test/v2/')).text()
    } finally {
      server.close()
    }
    expect(registry.requests.last()).toMatchObject({
      transport: 'msw',
      url: 'https://own-server.registry.test/v2/',
      response: { status: 200 },
    })
  })
})

describe('registry.requests: queries', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    const manifest = await pushImageContent(registry, 'team/app', { layers: ['one', 'two'] })
    await putManifest(registry, 'team/app', '1', manifest)
    await registry.fetch('/v2/team/app/manifests/1', { headers: { accept: MediaTypes.OM } })
    await registry.fetch('/v2/team/app/manifests/2')
    await registry.fetch('/v2/other/tags/list')
  })
  afterEach(() => registry.close())

  const ids = (requests: ReadonlyArray<{ id: number }>): number[] => requests.map((request) => request.id)

  it.each([
    ['every request with no filter', undefined, [1, 2, 3, 4, 5, 6, 7]],
    ['method, case-insensitively', { method: 'get' }, [5, 6, 7]],
    ['method by RegExp', { method: /^P/ }, [1, 2, 3, 4]],
    ['exact path', { path: '/v2/team/app/manifests/2' }, [6]],
    ['path by RegExp', { path: /\/manifests\// }, [4, 5, 6]],
    ['repository', { repository: 'other' }, [7]],
    ['status', { status: 404 }, [6, 7]],
    ['status by asymmetric matcher', { status: expect.any(Number) }, [1, 2, 3, 4, 5, 6, 7]],
    ['several fields together', { method: 'GET', repository: 'team/app', status: 200 }, [5]],
    ['reference', { reference: '1' }, [4, 5]],
    ['resource', { resource: 'upload' }, [1, 2, 3]],
    ['error code', { errorCode: 'MANIFEST_UNKNOWN' }, [6]],
    ['request headers, names in any case', { headers: { Accept: MediaTypes.OM } }, [5]],
    ['query parameters', { query: { digest: /^sha256:/ } }, [1, 2, 3]],
    ['transport', { transport: 'fetch' }, [1, 2, 3, 4, 5, 6, 7]],
  ])('filters by %s', (_name, filter, expected) => {
    expect(ids(registry.requests.filter(filter as never))).toEqual(expected)
  })

  it('filters with a predicate', () => {
    expect(ids(registry.requests.filter((request) => request.bodySize > 100))).toEqual([4])
  })

  it('finds the first and the last match, or undefined', () => {
    expect(registry.requests.find({ method: 'GET' })?.id).toBe(5)
    expect(registry.requests.last({ method: 'POST' })?.id).toBe(3)
    expect(registry.requests.last()?.id).toBe(7)
    expect(registry.requests.find({ method: 'DELETE' })).toBeUndefined()
  })

  it('is iterable, oldest first', () => {
    expect([...registry.requests].map((request) => request.id)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(registry.requests.size).toBe(7)
  })

  it('forgets everything on clear(), and ids keep counting', async () => {
    registry.requests.clear()
    expect(registry.requests.size).toBe(0)
    await registry.fetch('/v2/')
    expect(ids(registry.requests.all())).toEqual([8])
  })

  it('is emptied by registry.reset()', async () => {
    await registry.reset()
    expect(registry.requests.size).toBe(0)
  })

  it('refuses a filter field it does not know, naming the ones it does', () => {
    expect(() => registry.requests.filter({ methd: 'GET' } as never)).toThrow(
      new FakeRegistryError('ERR_INVALID_EXPECTATION', {
        action: 'filter the journal by',
        subject: 'methd',
        reason: 'it is not a field of a recorded request',
        fix: 'Use only method, path, repository, reference, resource, transport, status, errorCode, digest, fault, headers, query, user, auth',
      }),
    )
    expect(() => registry.requests.find('GET' as never)).toThrow(FakeRegistryError)
    expect(() => registry.requests.filter({ headers: 'accept' } as never)).toThrow(
      /headers must be an object of names and values/,
    )
  })

  it('stays readable after close, for a HAR export in afterAll', async () => {
    await registry.close()
    expect(registry.requests.size).toBe(7)
    expect(registry.requests.toHAR().log.entries).toHaveLength(7)
  })
})

describe('Journal limit', () => {
  it('keeps the newest requests and counts the dropped ones', async () => {
    const journal = new Journal(2)
    for (const path of ['/v2/a', '/v2/b', '/v2/c']) {
      const recording = journal.start(new Request(`http://registry.test${path}`), 'fetch')
      recording.finish(new Response(null, { status: 204 }))
    }
    expect(journal.all().map((request) => request.path)).toEqual(['/v2/b', '/v2/c'])
    expect(journal.dropped).toBe(1)
  })

  it('files answers that finish out of order in order of arrival', () => {
    const journal = new Journal()
    const first = journal.start(new Request('http://registry.test/v2/first'), 'fetch')
    const second = journal.start(new Request('http://registry.test/v2/second'), 'fetch')
    second.finish(new Response(null, { status: 204 }))
    first.finish(new Response(null, { status: 204 }))
    expect(journal.all().map((request) => request.path)).toEqual(['/v2/first', '/v2/second'])
  })
})

describe('journal bounds', () => {
  /** `{"schemaVersion":2,"x":[{},{},…]}` of exactly `size` bytes: millions of values once parsed. */
  function manyValues(size: number): Uint8Array {
    const head = '{"schemaVersion":2,"x":['
    const tail = '{}]}'
    const count = Math.floor((size - head.length - tail.length) / 3)
    const text = `${head}${'{},'.repeat(count)}${tail}`
    return bytesOf(text.padEnd(size, ' '))
  }

  it('keeps a stream of refused 4 MiB manifests as summaries, within its byte limit', async () => {
    const maxBytes = 64 * 1024
    await using registry = await createFakeRegistry({ transport: 'none', journalMaxBytes: maxBytes })
    const body = manyValues(4 * 1024 * 1024) as Uint8Array<ArrayBuffer>
    for (let i = 0; i < 4; i++) {
      const response = await registry.fetch(`/v2/team/app/manifests/${i}`, {
        method: 'PUT',
        headers: { 'content-type': MediaTypes.OM },
        body,
      })
      expect(response.status).toBe(400)
      expect(registry.requests.bytes).toBeLessThanOrEqual(maxBytes)
    }
    const records = registry.requests.all()
    expect(records).toHaveLength(4)
    for (const record of records) {
      expect(record.manifestSummary).toEqual({ size: body.byteLength, reason: 'refused' })
      expect('manifest' in record).toBe(false)
    }
  })

  it('keeps an accepted body up to journalMaxManifestBytes, and summarises a larger one', async () => {
    await using registry = await createFakeRegistry({ transport: 'none', journalMaxManifestBytes: 600 })
    const small = await pushImageContent(registry, 'team/app')
    await putManifest(registry, 'team/app', 'small', small)
    const large = { ...small, annotations: { note: 'x'.repeat(600) } }
    const response = await putManifest(registry, 'team/app', 'large', large)
    expect(response.status).toBe(201)
    expect(registry.requests.last({ reference: 'small' })?.manifest).toEqual(small)
    const recorded = registry.requests.last({ reference: 'large' })
    expect('manifest' in (recorded ?? {})).toBe(false)
    expect(recorded?.manifestSummary).toEqual({
      size: bytesOf(JSON.stringify(large)).byteLength,
      mediaType: MediaTypes.OM,
      reason: 'too large',
    })
    const har = registry.requests.toHAR().log.entries.find((entry) => entry._reference === 'large')
    expect(har?.request.postData).toEqual({
      mimeType: MediaTypes.OM,
      text: '',
      comment: `a manifest of ${recorded?.manifestSummary?.size} bytes, not kept (too large)`,
    })
  })

  it('drops the oldest records to stay within journalMaxBytes, and counts them', async () => {
    const maxBytes = 8 * 1024
    await using registry = await createFakeRegistry({ transport: 'none', journalMaxBytes: maxBytes })
    for (let i = 0; i < 50; i++)
      await registry.fetch(`/v2/team/app/tags/list?n=${i}`, { headers: { 'x-padding': 'p'.repeat(200) } })
    expect(registry.requests.bytes).toBeGreaterThan(0)
    expect(registry.requests.bytes).toBeLessThanOrEqual(maxBytes)
    expect(registry.requests.size + registry.requests.dropped).toBe(50)
    expect(registry.requests.dropped).toBeGreaterThan(0)
    expect(registry.requests.last()?.query).toEqual({ n: '49' })
  })

  it('refuses a journal limit that is not a positive whole number', async () => {
    await expect(createFakeRegistry({ transport: 'none', journalMaxEntries: 0 })).rejects.toThrow(
      'Failed to use option journalMaxEntries "0": journalMaxEntries must be a positive whole number of requests. Pass a number such as 10000.',
    )
  })
})

describe('registry.requests.subscribe', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
  })
  afterEach(() => registry.close())

  it('calls the listener with each request once its status is known, until stopped', async () => {
    const seen: Array<[string, string, number]> = []
    const stop = registry.requests.subscribe((request) =>
      seen.push([request.method, request.path, request.response.status]),
    )
    await registry.fetch('/v2/')
    await registry.fetch('/v2/team/app/manifests/missing')
    stop()
    await registry.fetch('/v2/')
    expect(seen).toEqual([
      ['GET', '/v2/', 200],
      ['GET', '/v2/team/app/manifests/missing', 404],
    ])
  })

  it('answers the request even when a listener throws, and reports that error on its own', async () => {
    const reported = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve))
    registry.requests.subscribe(() => {
      throw new Error('listener bug')
    })
    const response = await registry.fetch('/v2/')
    expect([response.status, await response.text()]).toEqual([200, '{}'])
    expect(await reported).toMatchObject({ message: 'listener bug' })
  })
})
