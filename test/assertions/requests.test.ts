import { AssertionError } from 'node:assert'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  assertNoErrors,
  assertRequest,
  createFakeRegistry,
  FakeRegistryError,
  type FakeRegistry,
} from '../../src/index.js'
import { MediaTypes, pushImageContent, putManifest } from '../support/push.js'

describe('assertRequest and assertNoErrors', () => {
  let registry: FakeRegistry
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'http' })
    const manifest = await pushImageContent(registry, 'team/app')
    await putManifest(registry, 'team/app', '1', manifest)
    // Through the socket: the port in the URL must not reach a message.
    await (await fetch(`${registry.url}/v2/team/app/manifests/1`, { headers: { accept: MediaTypes.OM } })).text()
    await (await fetch(`${registry.url}/v2/team/app/manifests/2`, { headers: { accept: MediaTypes.OM } })).text()
  })
  afterEach(() => registry.close())

  it('passes when a request matches, or exactly `times` of them', () => {
    assertRequest(registry, { method: 'PUT', path: '/v2/team/app/manifests/1', status: 201 })
    assertRequest(registry, { method: 'POST', resource: 'upload' }, { times: 2 })
    assertRequest(registry, { method: 'DELETE' }, { times: 0 })
    assertRequest(registry, { transport: 'http', headers: { accept: expect.stringContaining('oci') } }, { times: 2 })
  })

  it('shows the closest requests as a table when none matches', () => {
    expect(() => assertRequest(registry, { method: 'PUT', path: '/v2/team/app/manifests/2' }))
      .toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected a request matching { method: "PUT", path: "/v2/team/app/manifests/2" }, but none of the 5 recorded requests matched.
      Closest requests:
        #  method  path                                                     status  error             differs in
        1  POST    /v2/team/app/blobs/uploads/?digest=sha256:c5b1d63604f2…  201                       method, path
        2  POST    /v2/team/app/blobs/uploads/?digest=sha256:f191e625176e…  201                       method, path
        3  PUT     /v2/team/app/manifests/1                                 201                       path
        4  GET     /v2/team/app/manifests/1                                 200                       method, path
        5  GET     /v2/team/app/manifests/2                                 404     MANIFEST_UNKNOWN  method]
    `)
  })

  it('shows the matching requests when the count is wrong', () => {
    expect(() => assertRequest(registry, { path: /\/manifests\// }, { times: 1 })).toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected 1 request matching { path: /\\/manifests\\// }, but 3 matched.
      Matching requests:
        #  method  path                      status  error
        3  PUT     /v2/team/app/manifests/1  201
        4  GET     /v2/team/app/manifests/1  200
        5  GET     /v2/team/app/manifests/2  404     MANIFEST_UNKNOWN]
    `)
  })

  it('throws an AssertionError with the count as actual', () => {
    const error = (() => {
      try {
        assertRequest(registry, { method: 'PATCH' }, { times: 1 })
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(AssertionError)
    expect(error).toMatchObject({ actual: 0, expected: 1, operator: 'assertRequest' })
  })

  it('says so when the journal is empty', () => {
    registry.requests.clear()
    expect(() => assertRequest(registry, { method: 'GET' })).toThrow(
      /^Expected a request matching \{ method: "GET" \}, but none of the 0 recorded requests matched\.$/,
    )
  })

  it('lists the error answers that were not allowed', () => {
    expect(() => assertNoErrors(registry)).toThrowErrorMatchingInlineSnapshot(`
      [AssertionError: Expected no error answers, but 1 request failed:
        #  method  path                      status  error
        5  GET     /v2/team/app/manifests/2  404     MANIFEST_UNKNOWN]
    `)
    assertNoErrors(registry, { allow: [{ status: 404, errorCode: 'MANIFEST_UNKNOWN' }] })
  })

  it('passes with no error answers', () => {
    registry.requests.clear()
    assertNoErrors(registry)
  })

  it.each([
    [
      'an unknown filter field',
      () => assertRequest(registry, { verb: 'GET' } as never),
      'Failed to check requests with filter "verb": it is not a field of a recorded request. Use only method, path, repository, reference, resource, transport, status, errorCode, digest, fault, headers, query, user, auth.',
    ],
    [
      'a negative count',
      () => assertRequest(registry, { method: 'GET' }, { times: -1 }),
      'Failed to use the expectation of assertRequest "times": times must be a whole number. Pass one such as { times: 1 }.',
    ],
    [
      'allow that is not a list',
      () => assertNoErrors(registry, { allow: { status: 404 } } as never),
      'Failed to use the expectation of assertNoErrors "allow": allow is a list of request filters. Pass one such as { allow: [{ status: 404, method: \'HEAD\' }] }.',
    ],
  ])('refuses %s', (_name, call, message) => {
    expect(call).toThrow(FakeRegistryError)
    expect(call).toThrow(message)
  })

  it('refuses a closed registry', async () => {
    await registry.close()
    expect(() => assertNoErrors(registry)).toThrow(expect.objectContaining({ code: 'ERR_REGISTRY_CLOSED' }))
  })
})
