import { describe, expect, it } from 'vitest'
import { writeOciErrors } from '../errors/oci-error.js'
import { basicChallenge, bearerChallenge, lowerCaseChallenge, unauthorized } from './challenge.js'
import type { AccessRecord } from './scopes.js'

const pull: AccessRecord = { type: 'repository', name: 'team/app', action: 'pull' }
const push: AccessRecord = { type: 'repository', name: 'team/app', action: 'push' }
const fromPull: AccessRecord = { type: 'repository', name: 'team/base', action: 'pull' }

describe('challenges, byte for byte as distribution writes them', () => {
  it('Basic', () => {
    expect(basicChallenge('fake-oci-registry')).toBe('Basic realm="fake-oci-registry"')
    // ECR's, with its service.
    expect(basicChallenge('https://127.0.0.1:5000/', 'ecr.amazonaws.com')).toBe(
      'Basic realm="https://127.0.0.1:5000/",service="ecr.amazonaws.com"',
    )
  })

  it.each([
    {
      records: [],
      error: undefined,
      expected: 'Bearer realm="https://127.0.0.1:5000/token",service="fake-oci-registry"',
    },
    {
      records: [pull],
      error: undefined,
      expected:
        'Bearer realm="https://127.0.0.1:5000/token",service="fake-oci-registry",scope="repository:team/app:pull"',
    },
    {
      records: [pull, push, fromPull],
      error: 'insufficient_scope' as const,
      expected:
        'Bearer realm="https://127.0.0.1:5000/token",service="fake-oci-registry",scope="repository:team/app:pull,push repository:team/base:pull",error="insufficient_scope"',
    },
    {
      records: [pull],
      error: 'invalid_token' as const,
      expected:
        'Bearer realm="https://127.0.0.1:5000/token",service="fake-oci-registry",scope="repository:team/app:pull",error="invalid_token"',
    },
  ])('Bearer for $records.length records, error $error', ({ records, error, expected }) => {
    expect(bearerChallenge('https://127.0.0.1:5000/token', 'fake-oci-registry', records, error)).toBe(expected)
  })

  it("leaves service out when there is none (GAR's /v2/)", () => {
    expect(bearerChallenge('https://127.0.0.1:5000/v2/token', undefined, [])).toBe(
      'Bearer realm="https://127.0.0.1:5000/v2/token"',
    )
  })

  it("writes zot's /v2/ challenge lower-case and unquoted, dropping what a token cannot hold", () => {
    expect(lowerCaseChallenge('basic', 'zot')).toBe('basic realm=zot')
    expect(lowerCaseChallenge('bearer', 'http://127.0.0.1:5000/token')).toBe('bearer realm=http://127.0.0.1:5000/token')
    expect(lowerCaseChallenge('basic', 'a "b",c')).toBe('basic realm=abc')
  })

  it("quotes as Go's %q does, so no header can carry a raw quote or control character", () => {
    expect(bearerChallenge('http://r.test/t"o\\k', 's\u0001é', [])).toBe(
      'Bearer realm="http://r.test/t\\"o\\\\k",service="s\\x01\\xe9"',
    )
  })
})

describe('the 401 body', () => {
  // Docker Hub's answer to an anonymous pull of library/busybox, Content-Length 158 (157 bytes and Go's newline).
  it('matches distribution for a pull: UNAUTHORIZED with the access records as detail', async () => {
    const response = writeOciErrors(
      unauthorized([{ type: 'repository', name: 'library/busybox', action: 'pull' }], 'x'),
    )
    const body = await response.text()
    expect(body).toBe(
      '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":[{"Type":"repository","Class":"","Name":"library/busybox","Action":"pull"}]}]}\n',
    )
    expect(response.headers.get('content-length')).toBe('158')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('x')
  })

  it('has detail null when the request needs no access, as /v2/', async () => {
    expect(await writeOciErrors(unauthorized([], 'x')).text()).toBe(
      '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}\n',
    )
  })

  it("carries a registry's own message without the access records (Quay's)", async () => {
    const records = [{ type: 'repository', name: 'team/app', action: 'pull' }]
    const response = writeOciErrors(unauthorized(records, 'x', 'access to the requested resource is not authorized'))
    expect([response.status, response.headers.get('www-authenticate'), await response.text()]).toEqual([
      401,
      'x',
      '{"errors":[{"code":"UNAUTHORIZED","message":"access to the requested resource is not authorized"}]}\n',
    ])
  })
})
