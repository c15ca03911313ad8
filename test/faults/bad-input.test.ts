// Rules that cannot work fail when added, with a FakeRegistryError saying what is wrong and what
// is accepted, never later as a fault that silently does nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, FakeRegistryError, type FakeRegistry } from '../../src/index.js'

let registry: FakeRegistry
beforeEach(async () => {
  registry = await createFakeRegistry({ transport: 'none' })
})
afterEach(() => registry.close())

const KEYS =
  'name, method, path, pathPattern, repository, repositoryPattern, kind, transport, nth, times, probability, seed, status, code, message, body, contentType, passThrough, headers, retryAfter, delayMs, bytesPerSecond, truncateAfterBytes, corrupt, reset'
const CODES =
  'BLOB_UNKNOWN, BLOB_UPLOAD_INVALID, BLOB_UPLOAD_UNKNOWN, DIGEST_INVALID, MANIFEST_BLOB_UNKNOWN, MANIFEST_INVALID, MANIFEST_UNKNOWN, NAME_INVALID, NAME_UNKNOWN, SIZE_INVALID, UNAUTHORIZED, DENIED, UNSUPPORTED, TOOMANYREQUESTS, UNKNOWN'

describe('registry.faults.add with a rule that cannot work', () => {
  it.each<[string, unknown, string]>([
    [
      'not an object',
      'status 503',
      'Failed to add fault "status 503": a fault rule is an object. Pass one such as { kind: \'blob\', status: 503 }.',
    ],
    [
      'an unknown key',
      { stauts: 503 },
      `Failed to add fault "fault-1": 'stauts' is not a key of a fault rule. Use only ${KEYS}.`,
    ],
    [
      'no action',
      { method: 'GET' },
      'Failed to add fault "fault-1": the rule has no action. Give at least one of status, code, body, headers, retryAfter, delayMs, bytesPerSecond, truncateAfterBytes, corrupt, reset.',
    ],
    [
      'an empty name',
      { name: '', status: 500 },
      'Failed to add fault "": a rule name is a non-empty string. Pass one such as name: \'flaky-blob\', or leave name out.',
    ],
    [
      'a method that is not a token',
      { method: 'GET /v2/', status: 500 },
      "Failed to add fault \"fault-1\": method must be an HTTP method or a non-empty list of them, got \"GET /v2/\". Pass one such as 'GET' or ['GET', 'HEAD'].",
    ],
    [
      'a path without its slash',
      { path: 'v2/', status: 500 },
      'Failed to add fault "fault-1": path "v2/" is compared with the URL\'s pathname, which starts with /. Pass \'/v2/\', or a RegExp.',
    ],
    [
      'path and pathPattern',
      { path: '/v2/', pathPattern: '^/v2/', status: 500 },
      'Failed to add fault "fault-1": path and pathPattern both say what to match. Give one of them.',
    ],
    [
      'a pattern that is no RegExp',
      { pathPattern: '([', status: 500 },
      'Failed to add fault "fault-1": pathPattern "([" is not a valid RegExp (Invalid regular expression: /([/: Unterminated character class). Fix the pattern.',
    ],
    [
      'an unknown kind',
      { kind: 'blobs', status: 500 },
      'Failed to add fault "fault-1": kind must be one of base, blob, upload, manifest, tags, catalog, referrers, token or a list of them, got "blobs". Pass one of them.',
    ],
    [
      'an unknown transport',
      { transport: 'https', status: 500 },
      'Failed to add fault "fault-1": transport must be one of http, msw, dispatcher, fetch or a list of them, got "https". Pass one of them.',
    ],
    [
      'nth of 0',
      { nth: 0, status: 500 },
      'Failed to add fault "fault-1": nth must be a whole number from 1, got 0. Pass one such as nth: 2.',
    ],
    [
      'times as text',
      { times: '2', status: 500 },
      'Failed to add fault "fault-1": times must be a whole number from 1, got "2". Pass one such as times: 2.',
    ],
    [
      'nth with times',
      { nth: 2, times: 3, status: 500 },
      'Failed to add fault "fault-1": nth faults exactly one request, so times cannot apply with it. Give nth or times, not both.',
    ],
    [
      'a probability above 1',
      { probability: 1.5, status: 500 },
      'Failed to add fault "fault-1": probability must be a number above 0 and at most 1, got 1.5. Pass one such as probability: 0.25.',
    ],
    [
      'a seed without probability',
      { seed: 3, status: 500 },
      'Failed to add fault "fault-1": seed only steers probability, which the rule does not give. Add probability, or leave seed out.',
    ],
    [
      'a status outside 200..599',
      { status: 99 },
      'Failed to add fault "fault-1": status must be a whole number from 200 to 599, got 99. Pass one such as status: 503.',
    ],
    [
      'a code in lower case',
      { code: 'toomanyrequests' },
      `Failed to add fault "fault-1": code must be an error code in capitals, got "toomanyrequests". Pass one such as 'TOOMANYREQUESTS', or one of ${CODES}.`,
    ],
    [
      'a code outside the table without status',
      { code: 'UNAVAILABLE' },
      `Failed to add fault "fault-1": code UNAVAILABLE is not in the spec's table, so it brings no status. Add status, or use one of ${CODES}.`,
    ],
    [
      'a message without code',
      { status: 503, message: 'busy' },
      'Failed to add fault "fault-1": message is the message of an error code, and the rule gives no code. Add code, such as code: \'TOOMANYREQUESTS\'.',
    ],
    [
      'code with body',
      { code: 'DENIED', body: 'no' },
      'Failed to add fault "fault-1": code answers with the error envelope, and body with other bytes. Give code or body, not both.',
    ],
    [
      'a body without status',
      { body: 'oops' },
      'Failed to add fault "fault-1": a body needs a status to be answered with. Add status, such as status: 503.',
    ],
    [
      'a body that is a number',
      { status: 500, body: 42 },
      "Failed to add fault \"fault-1\": body must be a string or a Uint8Array, got 42. Pass one such as body: 'Service Unavailable', or '' for an empty one.",
    ],
    [
      'contentType without body',
      { status: 500, contentType: 'text/html' },
      'Failed to add fault "fault-1": contentType is the type of body, and the rule gives no body. Add body, or leave contentType out.',
    ],
    [
      'a body on a 204',
      { status: 204, body: 'x' },
      'Failed to add fault "fault-1": a 204 answer has no body. Leave code and body out, or pick another status.',
    ],
    [
      'a header with a line break',
      { headers: { 'x-a': 'b\r\nx-c: d' } },
      'Failed to add fault "fault-1": header "x-a" must be a header name with a one-line string value, got "b\\r\\nx-c: d". Pass one such as { \'x-cache\': \'miss\' }.',
    ],
    [
      'a framing header',
      { headers: { 'Content-Length': '5' } },
      'Failed to add fault "fault-1": content-length is written from the body by the transport. Leave content-length out; use truncateAfterBytes for a body shorter than announced.',
    ],
    [
      'retryAfter twice',
      { retryAfter: 1, headers: { 'retry-after': '2' } },
      'Failed to add fault "fault-1": retryAfter and headers both set Retry-After. Give one of them.',
    ],
    [
      'a negative retryAfter',
      { status: 503, retryAfter: -1 },
      'Failed to add fault "fault-1": retryAfter must be whole seconds from 0 or a date, got -1. Pass one such as retryAfter: 5 or retryAfter: new Date(\'2030-01-01T00:00:00Z\').',
    ],
    [
      'an invalid Date',
      { status: 503, retryAfter: new Date('soon') },
      'Failed to add fault "fault-1": retryAfter must be whole seconds from 0 or a date, got an invalid Date. Pass one such as retryAfter: 5 or retryAfter: new Date(\'2030-01-01T00:00:00Z\').',
    ],
    [
      'a negative delay',
      { delayMs: -5 },
      'Failed to add fault "fault-1": delayMs must be a number of milliseconds from 0 to 2147483647, got -5. Pass one such as delayMs: 500.',
    ],
    [
      'a rate of 0',
      { bytesPerSecond: 0 },
      'Failed to add fault "fault-1": bytesPerSecond must be a number above 0, got 0. Pass one such as bytesPerSecond: 1024.',
    ],
    [
      'a fractional truncation',
      { truncateAfterBytes: 1.5 },
      'Failed to add fault "fault-1": truncateAfterBytes must be a whole number of bytes from 0, got 1.5. Pass one such as truncateAfterBytes: 100.',
    ],
    [
      'corrupt as text',
      { corrupt: 'yes' },
      'Failed to add fault "fault-1": corrupt must be true or false, got "yes". Pass a boolean, or leave corrupt out.',
    ],
    [
      'reset with a status',
      { reset: true, status: 503 },
      'Failed to add fault "fault-1": reset drops the connection, so there is no answer for status to shape. Leave status out, or reset out.',
    ],
    [
      'reset with a truncation',
      { reset: true, truncateAfterBytes: 10 },
      'Failed to add fault "fault-1": reset drops the connection, so there is no answer for truncateAfterBytes to shape. Leave truncateAfterBytes out, or reset out.',
    ],
    [
      'passThrough false with nothing to replace',
      { corrupt: true, passThrough: false },
      'Failed to add fault "fault-1": without status, code, body or reset the rule alters the registry\'s own answer, which needs passThrough. Leave passThrough out.',
    ],
    [
      'a body action on HEAD only',
      { method: 'HEAD', truncateAfterBytes: 10 },
      'Failed to add fault "fault-1": a HEAD answer has no body for truncateAfterBytes to act on. Match GET instead (method: \'GET\').',
    ],
    [
      'a body action on an empty replaced body',
      { status: 503, corrupt: true },
      'Failed to add fault "fault-1": the replaced answer\'s body is empty, so corrupt has nothing to act on. Give a body, or leave it out.',
    ],
    [
      'a repository on a kind without one',
      { kind: 'catalog', repository: 'team/app', status: 500 },
      'Failed to add fault "fault-1": a catalog request names no repository, so the rule could never match. Leave repository out, or match a kind of a repository.',
    ],
  ])('refuses %s', (_name, rule, message) => {
    let thrown: unknown
    try {
      registry.faults.add(rule as never)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(FakeRegistryError)
    expect(thrown).toMatchObject({ code: 'ERR_INVALID_FAULT', message })
    expect(registry.faults.list()).toEqual([])
  })

  it('refuses a name already in force, and takes it again once that rule is removed', () => {
    const first = registry.faults.add({ name: 'busy', status: 503 })
    expect(() => registry.faults.add({ name: 'busy', status: 429 })).toThrow(
      'Failed to add fault "busy": a rule of that name is already in force, and the journal tells rules apart by name. Pick another name, or remove the other rule first.',
    )
    first.remove()
    expect(registry.faults.add({ name: 'busy', status: 429 }).name).toBe('busy')
  })

  it('says when added that no request can arrive through http on a registry without a socket', () => {
    expect(() => registry.faults.add({ transport: ['fetch', 'http'], reset: true })).toThrow(
      "Failed to add fault \"fault-1\": no request can arrive through http: the registry's transport is 'none', which opens no socket. Match only msw, dispatcher, fetch.",
    )
  })

  it('takes every transport on an http registry', async () => {
    await using http = await createFakeRegistry()
    expect(http.faults.add({ transport: ['http', 'msw', 'dispatcher', 'fetch'], reset: true }).name).toBe('fault-1')
  })
})
