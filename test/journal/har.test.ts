import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { MediaTypes, pushBlob, pushImageContent, putManifest } from '../support/push.js'
import { harProblems } from './har-schema.js'

describe('registry.requests.toHAR()', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'http' })
  })
  afterEach(() => registry.close())

  async function traffic(): Promise<void> {
    const manifest = await pushImageContent(registry, 'team/app')
    await putManifest(registry, 'team/app', '1', manifest)
    const accept = MediaTypes.OM
    await (
      await fetch(`${registry.url}/v2/team/app/manifests/1`, {
        headers: { accept, authorization: 'Bearer secret-token' },
      })
    ).text()
    await (await fetch(`${registry.url}/v2/team/app/manifests/missing`)).text()
    await fetch(`${registry.url}/v2/team/app/manifests/1`, { method: 'HEAD', headers: { accept } })
    await (await fetch(`${registry.url}/v2/team/app/tags/list?n=1&last=0`)).text()
  }

  it('is a valid HAR 1.2 document, also after a JSON round trip', async () => {
    await traffic()
    const har = registry.requests.toHAR()
    expect(harProblems(har)).toEqual([])
    expect(harProblems(JSON.parse(JSON.stringify(har)))).toEqual([])
    expect(har.log.version).toBe('1.2')
    expect(har.log.creator.name).toBe('fake-oci-registry')
    expect(har.log.entries).toHaveLength(registry.requests.size)
  })

  it('carries method, URL, query, statuses, sizes and the library’s own fields', async () => {
    await traffic()
    const entries = registry.requests.toHAR().log.entries
    const tags = entries.at(-1)
    expect(tags?.request).toMatchObject({
      method: 'GET',
      url: `${registry.url}/v2/team/app/tags/list?n=1&last=0`,
      queryString: [
        { name: 'n', value: '1' },
        { name: 'last', value: '0' },
      ],
      bodySize: 0,
    })
    expect(tags?.response).toMatchObject({ status: 200, content: { mimeType: 'application/json' } })
    expect(tags?.response.bodySize).toBe(
      Number(tags?.response.headers.find((header) => header.name === 'content-length')?.value),
    )
    expect(tags).toMatchObject({ _transport: 'http', _repository: 'team/app' })
    const get = entries.find((entry) => entry.request.method === 'GET')
    expect(get?.response).toMatchObject({ status: 200, content: { mimeType: MediaTypes.OM, comment: 'body not kept' } })
    expect(get?.response.bodySize).toBe(registry.requests.find({ method: 'PUT' })?.bodySize)
    const head = entries.find((entry) => entry.request.method === 'HEAD')
    expect(head?.response).toMatchObject({ status: 200, bodySize: 0, content: { size: 0 } })
  })

  it('puts a pushed manifest in postData and the exact error envelope in content', async () => {
    await traffic()
    const entries = registry.requests.toHAR().log.entries
    const push = entries.find((entry) => entry.request.method === 'PUT')
    expect(push?.request.postData?.mimeType).toBe('application/vnd.oci.image.manifest.v1+json')
    expect(JSON.parse(push?.request.postData?.text ?? '')).toEqual(registry.requests.find({ method: 'PUT' })?.manifest)
    expect(push?.response.redirectURL).toMatch(/^\/v2\/team\/app\/manifests\/sha256:/)
    const missing = entries.find((entry) => entry.request.url.endsWith('/missing'))
    const body = await (await fetch(`${registry.url}/v2/team/app/manifests/missing`)).text()
    expect(missing?.response.content.text).toBe(body)
    expect(missing?._errorCode).toBe('MANIFEST_UNKNOWN')
  })

  it('keeps blob bodies out and redacts credentials', async () => {
    await pushBlob(registry, 'team/app', 'secret layer bytes')
    await traffic()
    const text = JSON.stringify(registry.requests.toHAR())
    expect(text).not.toContain('secret layer bytes')
    expect(text).not.toContain('secret-token')
    const get = registry.requests
      .toHAR()
      .log.entries.find((entry) => entry.request.headers.some((header) => header.name === 'authorization'))
    expect(get?.request.headers).toContainEqual({ name: 'authorization', value: 'REDACTED' })
  })

  it('is a valid document with no entries', () => {
    const har = registry.requests.toHAR()
    expect(har.log.entries).toEqual([])
    expect(harProblems(har)).toEqual([])
  })
})

describe('the HAR 1.2 checks themselves', () => {
  const valid = (): Record<string, any> => ({
    log: {
      version: '1.2',
      creator: { name: 'x', version: '1' },
      entries: [
        {
          startedDateTime: '2024-01-02T03:04:05.678Z',
          time: 3,
          request: {
            method: 'GET',
            url: 'http://a/',
            httpVersion: 'HTTP/1.1',
            cookies: [],
            headers: [],
            queryString: [],
            headersSize: -1,
            bodySize: 0,
          },
          response: {
            status: 200,
            statusText: 'OK',
            httpVersion: 'HTTP/1.1',
            cookies: [],
            headers: [],
            content: { size: 0, mimeType: '' },
            redirectURL: '',
            headersSize: -1,
            bodySize: 0,
          },
          cache: {},
          timings: { send: 1, wait: 1, receive: 1 },
        },
      ],
    },
  })

  it('accept a minimal valid document', () => {
    expect(harProblems(valid())).toEqual([])
  })

  it.each([
    [
      'a wrong version',
      (har: Record<string, any>) => (har.log.version = '1.1'),
      '$.log.version: expected "1.2", got "1.1"',
    ],
    [
      'a missing required field',
      (har: Record<string, any>) => delete har.log.entries[0].request.queryString,
      '$.log.entries[0].request.queryString: required',
    ],
    [
      'a date without a time zone',
      (har: Record<string, any>) => (har.log.entries[0].startedDateTime = '2024-01-02T03:04:05'),
      '$.log.entries[0].startedDateTime: not date',
    ],
    [
      'an unknown field without "_"',
      (har: Record<string, any>) => (har.log.entries[0].transport = 'http'),
      '$.log.entries[0].transport: not a HAR 1.2 field (custom fields start with "_")',
    ],
    [
      'a time that is not the sum of the timings',
      (har: Record<string, any>) => (har.log.entries[0].time = 4),
      '$.log.entries[0].time: 4 is not the sum of the timings (3)',
    ],
    [
      'a fractional status',
      (har: Record<string, any>) => (har.log.entries[0].response.status = 200.5),
      '$.log.entries[0].response.status: not integer',
    ],
    [
      'a negative wait',
      (har: Record<string, any>) => Object.assign(har.log.entries[0].timings, { wait: -1, send: 3 }),
      '$.log.entries[0].timings.wait: must not be negative',
    ],
  ])('reject %s', (_name, breakIt, problem) => {
    const har = valid()
    breakIt(har)
    expect(harProblems(har)).toContain(problem)
  })
})
