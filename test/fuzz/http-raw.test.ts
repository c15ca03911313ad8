// Malformed HTTP/1.1 over a real loopback socket: random request lines, headers, line endings
// and bodies. The server answers with a parseable HTTP response (never a 5xx) or closes the
// connection cleanly, and keeps serving GET /v2/ afterwards.
import { connect } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { useLoopbackRegistry } from '../support/registry.js'
import { RUNS, SPEC_ERROR_STATUSES } from './support.js'

/** What came back on one connection. */
interface Exchange {
  received: Buffer
  /** How the connection ended: the server closed it, or reset it. */
  ending: 'closed' | 'reset'
}

// A hang detector, not a timing assertion: the server must answer or close a half-closed
// connection at once, and a broken one must fail the property instead of the whole suite's timeout.
const HANG_MS = 5000

/** Sends raw bytes to 127.0.0.1, half-closes, and collects everything until the server is done. */
function exchange(port: number, request: Buffer): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect({ host: '127.0.0.1', port })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer and no close within ${HANG_MS} ms`))
    }, HANG_MS)
    let ending: Exchange['ending'] = 'closed'
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may cut a connection it cannot parse while our bytes are still unread.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') ending = 'reset'
      else reject(error)
    })
    socket.on('close', () => {
      clearTimeout(timer)
      resolve({ received: Buffer.concat(chunks), ending })
    })
    socket.on('connect', () => socket.end(request))
  })
}

interface ParsedResponse {
  status: number
  headers: Map<string, string>
  body: Buffer
  /** Bytes after this response (pipelined answers). */
  rest: Buffer
}

/**
 * Parses one HTTP/1.1 response strictly; throws when the bytes are not one. Undefined when only
 * interim answers came: the connection was closed before the final one (a request followed by
 * bytes the parser refuses ends its connection, in-flight answer included).
 */
function parseResponse(data: Buffer, headRequest: boolean): ParsedResponse | undefined {
  if (data.byteLength === 0) return undefined
  const end = data.indexOf('\r\n\r\n')
  if (end < 0) throw new Error(`no end of headers in ${JSON.stringify(data.toString('latin1').slice(0, 200))}`)
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n')
  const match = /^HTTP\/1\.[01] (\d{3}) [^\r\n]*$/.exec(statusLine)
  if (!match) throw new Error(`bad status line ${JSON.stringify(statusLine)}`)
  const headers = new Map<string, string>()
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon <= 0) throw new Error(`bad header line ${JSON.stringify(line)}`)
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim())
  }
  const status = Number(match[1])
  let rest: Buffer = data.subarray(end + 4)
  // Interim answers (100 Continue) come before the real one.
  if (status >= 100 && status < 200) return parseResponse(rest, headRequest)
  let body: Buffer = Buffer.alloc(0)
  if (!headRequest && status !== 204 && status !== 304) {
    if (headers.get('transfer-encoding') === 'chunked') {
      const parts: Buffer[] = []
      for (;;) {
        const lineEnd = rest.indexOf('\r\n')
        const size = Number.parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16)
        if (lineEnd < 0 || Number.isNaN(size)) throw new Error('bad chunk')
        parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size))
        rest = rest.subarray(lineEnd + 2 + size + 2)
        if (size === 0) break
      }
      body = Buffer.concat(parts)
    } else if (headers.has('content-length')) {
      const length = Number(headers.get('content-length'))
      if (rest.byteLength < length) throw new Error(`body shorter than Content-Length ${length}`)
      body = rest.subarray(0, length)
      rest = rest.subarray(length)
    } else {
      body = rest
      rest = Buffer.alloc(0)
    }
  }
  return { status, headers, body, rest }
}

/** The bar for one parsed answer: not a 5xx, the API version header, the spec's envelope on errors. */
function expectSpecResponse(response: ParsedResponse, context: string): void {
  expect(response.status, context).toBeLessThan(500)
  expect(response.headers.get('docker-distribution-api-version'), context).toBe('registry/2.0')
  if (response.status < 400 || response.body.byteLength === 0) return
  expect(response.headers.get('content-type'), context).toBe('application/json')
  const { errors } = JSON.parse(response.body.toString('utf8')) as { errors: Array<{ code: string; message: string }> }
  expect(errors.length, context).toBeGreaterThan(0)
  for (const entry of errors) expect(Object.keys(SPEC_ERROR_STATUSES), context).toContain(entry.code)
  // 408 and 431 are Node's own statuses for a request too slow or with headers too large.
  expect([...SPEC_ERROR_STATUSES[errors[0]!.code]!, 408, 431], context).toContain(response.status)
}

// --- generators of raw requests ------------------------------------------------------------------

const latin1 = (min: number, max: number, maxLength = 12): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min, max }).map((c) => String.fromCharCode(c)), maxLength })

const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('get', 'CONNECT', 'TRACE', 'PROPFIND', 'M-SEARCH', 'PRI', 'SOURCE', 'QUERY', ''),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,10}$/) },
  { weight: 1, arbitrary: latin1(0, 0xff, 8) },
)

const target = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '/v2/',
      '/v2',
      '/v2/team/app/tags/list',
      '/v2/_catalog?n=1',
      '/v2/team/app/blobs/uploads/',
      '/v2/team/app/manifests/latest',
    ),
  },
  {
    weight: 3,
    arbitrary: fc
      .array(
        fc.constantFrom(
          'v2',
          'team',
          'app',
          '..',
          '.',
          '%2e%2e',
          '%2F',
          '%',
          '%zz',
          'é',
          '\u00ff',
          'blobs',
          'uploads',
          'sha256:abc',
          '?',
          '#',
          ';',
          'UPPER',
        ),
        { maxLength: 6 },
      )
      .map((parts) => `/${parts.join('/')}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '*',
      '',
      'v2/',
      '//evil.test/v2/',
      'http://evil.test/v2/',
      'https://127.0.0.1/v2/',
      'registry.test:443',
      '/v2/\u0000',
      '/v2/ /x',
      '/v2/\t',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 2000, max: 20_000 }).map((n) => `/v2/${'a'.repeat(n)}/tags/list`) },
  { weight: 1, arbitrary: latin1(0x21, 0xff, 30).map((s) => `/${s}`) },
)

const version = fc.oneof(
  { weight: 6, arbitrary: fc.constant('HTTP/1.1') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'HTTP/1.0',
      'HTTP/2.0',
      'HTTP/0.9',
      'HTTP/1.1x',
      'http/1.1',
      'HTTP/1.',
      'HTTP/11',
      '',
      'HTTP/9.9',
      'ICE/1.0',
    ),
  },
)

const header = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(
      fc.constantFrom('Host'),
      fc.constantFrom('127.0.0.1', 'registry.test', 'a b', 'x:99999', '[::1]:1', '', 'é', 'evil.test/path'),
    ),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(
      fc.constantFrom('Content-Length', 'content-length'),
      fc.constantFrom('0', '3', '10', '-1', '1.0', 'abc', '99999999999999999999', '0x10', ' 3 ', '3, 3', '3,4'),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(
      fc.constantFrom('Transfer-Encoding'),
      fc.constantFrom('chunked', 'gzip', 'chunked, chunked', 'identity', 'gzip, chunked', 'CHUNKED', 'x'),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(
      fc.constantFrom(
        'Range',
        'Content-Range',
        'Content-Type',
        'Accept',
        'Authorization',
        'If-None-Match',
        'Expect',
        'Connection',
        'Upgrade',
      ),
      fc.constantFrom(
        'bytes=0-1',
        '0-0',
        'bytes=-',
        'application/json',
        '*/*',
        'Basic !!',
        '100-continue',
        'close',
        'keep-alive',
        'upgrade',
        'websocket',
        '"x"',
      ),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.oneof(fc.stringMatching(/^[A-Za-z-]{1,12}$/), latin1(0, 0xff, 8)), latin1(0, 0xff, 20)),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 8000, max: 20_000 }).map((n) => ['X-Large', 'v'.repeat(n)] as [string, string]),
  },
)

const lineEnding = fc.oneof(
  { weight: 8, arbitrary: fc.constant('\r\n') },
  { weight: 1, arbitrary: fc.constantFrom('\n', '\r', '\r\n ', '\n\r') },
)

const chunkedBody = fc.oneof(
  fc.constantFrom(
    '0\r\n\r\n',
    '3\r\nabc\r\n0\r\n\r\n',
    'zz\r\n',
    '3\r\nab',
    'ffffffffffffffff\r\n',
    '3;ext=1\r\nabc\r\n0\r\n\r\n',
    '-1\r\n\r\n',
  ),
  latin1(0, 0xff, 40),
)

/** One raw request, kept readable in counterexamples. */
class RawRequest {
  constructor(
    readonly method: string,
    readonly text: string,
  ) {}

  bytes(): Buffer {
    return Buffer.from(this.text, 'latin1')
  }

  [fc.toStringMethod](): string {
    return JSON.stringify(this.text.length > 600 ? `${this.text.slice(0, 400)}…(${this.text.length} chars)` : this.text)
  }
}

/** How the body is framed: none, a right Content-Length, valid chunks, or whatever the generator sent. */
type Framing = 'none' | 'length' | 'chunked' | 'raw'

const rawRequest = fc
  .record({
    method,
    space: fc.oneof(
      { weight: 8, arbitrary: fc.constant(' ') },
      { weight: 1, arbitrary: fc.constantFrom('  ', '\t', '') },
    ),
    target,
    version,
    headers: fc.array(header, { maxLength: 4 }),
    host: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    eol: lineEnding,
    framing: fc.constantFrom<Framing>('none', 'none', 'length', 'chunked', 'raw'),
    payload: latin1(0, 0xff, 40),
    chunked: chunkedBody,
  })
  .map(({ method, space, target, version, headers, host, eol, framing, payload, chunked }) => {
    // Well-formed framing and Host most of the time, so most requests get past the parser into
    // the registry; the headers above still add conflicting ones now and then.
    const all: Array<[string, string]> = host ? [['Host', '127.0.0.1'], ...headers] : [...headers]
    let body = ''
    if (framing === 'length') {
      all.push(['Content-Length', String(payload.length)])
      body = payload
    } else if (framing === 'chunked') {
      all.push(['Transfer-Encoding', 'chunked'])
      body = payload.length > 0 ? `${payload.length.toString(16)}\r\n${payload}\r\n0\r\n\r\n` : '0\r\n\r\n'
    } else if (framing === 'raw') body = `${payload}${chunked}`
    const head = [
      `${method}${space}${target}${space}${version}`,
      ...all.map(([name, value]) => `${name}: ${value}`),
    ].join(eol)
    return new RawRequest(method, `${head}${eol}${eol}${body}`)
  })

describe('fuzz: malformed HTTP over the loopback transport', () => {
  const { registry, port } = useLoopbackRegistry()

  it('answers any malformed request with a parseable non-5xx response or a clean close, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(rawRequest, async (request) => {
        const { received, ending } = await exchange(port(), request.bytes())
        const context = `${request[fc.toStringMethod]()} → ${ending} ${JSON.stringify(received.toString('latin1').slice(0, 300))}`
        const first = parseResponse(received, request.method === 'HEAD')
        if (first) {
          expectSpecResponse(first, context)
          // Pipelined answers to whatever followed the first request: none of them a 5xx either.
          for (const [, status] of first.rest.toString('latin1').matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)) {
            expect(Number(status), context).toBeLessThan(500)
          }
        } else {
          // Nothing at all is allowed only for a request the parser gave up on before any answer.
          expect(['closed', 'reset'], context).toContain(ending)
        }
        const base = await fetch(`${registry().url}/v2/`)
        expect(base.status, context).toBe(200)
        expect(await base.text()).toBe('{}')
      }),
      { numRuns: RUNS.medium * 2 },
    )
  })
})
