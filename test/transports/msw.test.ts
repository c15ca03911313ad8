import { execFile } from 'node:child_process'
import type * as Http from 'node:http'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { setupServer } from 'msw/node'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createFakeRegistry, FakeRegistryError, type FakeRegistry } from '../../src/index.js'
import { registryHandlers } from '../../src/msw.js'
import { FAIL_UNHANDLED, failureMessage, UNHANDLED_MESSAGE } from '../support/msw.js'
import { pushBlob, sha256 } from '../support/push.js'

// MSW patches the node:http(s) module objects. ESM named and namespace imports are bound before
// it does and never see the patch, so application code is modelled with the module objects,
// as CommonJS code and default imports use them.
const require = createRequire(import.meta.url)
const http = require('node:http') as typeof Http
const https = require('node:https') as typeof import('node:https')

const ORIGIN = 'https://registry.example.test'

/**
 * A GET as make-fetch-happen (npm's stack) sends it: request options with no port, through an
 * agent-base agent, whose `defaultPort` is 80 whatever the scheme. MSW reads the port from that
 * agent and reports the request as `https://host:80/…`.
 */
function agentBaseGet(path: string): Promise<{ status: number; body: string }> {
  // Node's Agent has the property at run time; its types leave it out.
  const agent = Object.assign(new https.Agent(), { defaultPort: 80 })
  return nodeRequest(null, { protocol: 'https:', hostname: new URL(ORIGIN).hostname, path, method: 'GET', agent })
}

const NOT_IN_API =
  '{"errors":[{"code":"UNSUPPORTED","message":"route not part of the distribution API","detail":{"path":"/v2/nope"}}]}\n'

/** node:http(s) as application code uses it: through the module object MSW patches. */
function nodeGet(
  url: string,
  method = 'GET',
): Promise<{ status: number; headers: Http.IncomingHttpHeaders; body: string }> {
  return nodeRequest(url, { method })
}

function nodeRequest(
  url: string | null,
  options: Http.RequestOptions,
): Promise<{ status: number; headers: Http.IncomingHttpHeaders; body: string }> {
  const client = url?.startsWith('https:') || options.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const respond = (res: Http.IncomingMessage): void => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      )
      res.on('error', reject)
    }
    const req = url === null ? client.request(options, respond) : client.request(url, options, respond)
    req.on('error', reject)
    req.end()
  })
}

describe('registryHandlers with a server the suite already has', () => {
  let registry: FakeRegistry
  let server: ReturnType<typeof setupServer>
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    server = setupServer(...registryHandlers(registry, { origin: ORIGIN }))
    server.listen(FAIL_UNHANDLED)
  })
  afterEach(async () => {
    server.close()
    vi.restoreAllMocks()
    await registry.close()
  })

  it.each([
    ['GET', `${ORIGIN}/v2/`, 200, '{}'],
    ['GET', `${ORIGIN}/v2`, 200, '{}'],
    ['HEAD', `${ORIGIN}/v2/`, 200, ''],
    ['GET', `${ORIGIN}/v2/nope`, 404, NOT_IN_API],
  ])('answers %s %s through the global fetch with %i', async (method, url, status, body) => {
    const response = await fetch(url, { method })
    expect(response.status).toBe(status)
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
    expect(await response.text()).toBe(body)
  })

  it.each([
    ['GET', `${ORIGIN}/v2/`, 200, '{}'],
    ['HEAD', `${ORIGIN}/v2/`, 200, ''],
    ['GET', `${ORIGIN}/v2/nope`, 404, NOT_IN_API],
  ])('answers %s %s through node:https with %i', async (method, url, status, body) => {
    const response = await nodeGet(url, method)
    expect(response.status).toBe(status)
    expect(response.headers['docker-distribution-api-version']).toBe('registry/2.0')
    expect(response.body).toBe(body)
  })

  it("serves the registry's content, whatever origin the handlers were given", async () => {
    const blob = await pushBlob(registry, 'team/app', 'layer bytes')
    const response = await fetch(`${ORIGIN}/v2/team/app/blobs/${blob.digest}`)
    expect([response.status, await response.text()]).toEqual([200, 'layer bytes'])
  })

  it.each([
    ["a path outside /v2 on the registry's origin", `${ORIGIN}/token`],
    ['another origin', 'https://elsewhere.example.test/v2/'],
    ['the same host over another scheme', 'http://registry.example.test/v2/'],
  ])('leaves %s to onUnhandledRequest, which fails it loudly here', async (_title, url) => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {})
    expect(failureMessage(await fetch(url).catch((error: unknown) => error))).toMatch(UNHANDLED_MESSAGE)
    expect(printed.mock.calls.flat().join('\n')).toContain(`GET ${url}`)
  })

  it('answers a request MSW reports on https://host:80, as it does those of agent-base agents', async () => {
    const response = await agentBaseGet('/v2/')
    expect([response.status, response.body]).toEqual([200, '{}'])
  })

  it('answers the default origin, registry.url, when no origin is given', async () => {
    server.use(...registryHandlers(registry))
    const response = await fetch(`${registry.url}/v2/`)
    expect([response.status, await response.text()]).toEqual([200, '{}'])
  })

  it.each([
    ['a path', 'https://registry.example.test/mirror'],
    ['a scheme other than http(s)', 'ftp://registry.example.test'],
    ['no URL at all', 'registry.example.test'],
  ])('rejects an origin with %s', (_title, origin) => {
    expect(() => registryHandlers(registry, { origin })).toThrow(
      `Failed to use option origin "${origin}": an origin is an http or https URL with no path. Pass one such as 'https://registry.example.test'.`,
    )
  })
})

describe("transport: 'msw'", () => {
  it('answers its origin through the global fetch and node:https, and stops when closed', async () => {
    // The origin of a real loopback registry: once the MSW registry is closed, the same URL
    // reaches the real one, so what answers shows whether interception stopped.
    await using real = await createFakeRegistry({ transport: 'http' })
    const registry = await createFakeRegistry({ transport: 'msw', origin: real.url })
    expect(registry.url).toBe(real.url)
    const blob = await pushBlob(registry, 'team/app', 'only in the msw registry')
    const url = `${real.url}/v2/team/app/blobs/${blob.digest}`

    const viaFetch = await fetch(url)
    expect([viaFetch.status, await viaFetch.text()]).toEqual([200, 'only in the msw registry'])
    const viaNode = await nodeGet(url)
    expect([viaNode.status, viaNode.body]).toEqual([200, 'only in the msw registry'])

    await registry.close()
    const afterClose = await fetch(url)
    expect(afterClose.status).toBe(404)
    expect((await afterClose.json()) as unknown).toMatchObject({ errors: [{ code: 'BLOB_UNKNOWN' }] })
  })

  it('accepts an https origin and answers every path on it, outside /v2 with the spec envelope', async () => {
    await using registry = await createFakeRegistry({ transport: 'msw', origin: ORIGIN })
    expect([registry.url, registry.host]).toEqual([ORIGIN, 'registry.example.test'])
    const base = await nodeGet(`${ORIGIN}/v2/`)
    expect([base.status, base.body]).toEqual([200, '{}'])
    const outside = await fetch(`${ORIGIN}/token`)
    expect(outside.status).toBe(404)
    expect(await outside.text()).toBe(
      '{"errors":[{"code":"UNSUPPORTED","message":"route not part of the distribution API","detail":{"path":"/token"}}]}\n',
    )
  })

  it('answers a request MSW reports on https://host:80, as it does those of agent-base agents', async () => {
    await using registry = await createFakeRegistry({ transport: 'msw', origin: ORIGIN })
    await pushBlob(registry, 'team/app', 'through an agent')
    const response = await agentBaseGet(`/v2/team/app/blobs/${sha256('through an agent')}`)
    expect([response.status, response.body]).toEqual([200, 'through an agent'])
    expect(registry.requests.last()?.url).toBe(
      `https://registry.example.test:80/v2/team/app/blobs/${sha256('through an agent')}`,
    )
  })

  it('serves several registries at once, each on its own origin', async () => {
    await using first = await createFakeRegistry({ transport: 'msw', origin: 'https://one.example.test' })
    const second = await createFakeRegistry({ transport: 'msw', origin: 'http://two.example.test:5000' })
    await pushBlob(first, 'team/app', 'one')
    await pushBlob(second, 'team/app', 'two')
    const one = await fetch(`https://one.example.test/v2/team/app/blobs/${sha256('one')}`)
    const two = await fetch(`http://two.example.test:5000/v2/team/app/blobs/${sha256('two')}`)
    expect([await one.text(), await two.text()]).toEqual(['one', 'two'])
    await second.close()
    const stillOne = await fetch(`https://one.example.test/v2/team/app/blobs/${sha256('one')}`)
    expect(await stillOne.text()).toBe('one')
  })

  it('refuses a second open registry on the same origin', async () => {
    await using first = await createFakeRegistry({ transport: 'msw', origin: ORIGIN })
    expect(first.url).toBe(ORIGIN)
    const second = createFakeRegistry({ transport: 'msw', origin: ORIGIN })
    await expect(second).rejects.toBeInstanceOf(FakeRegistryError)
    await expect(second).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
      message: `Failed to serve "${ORIGIN}": another open registry with transport 'msw' already serves this origin. Pass a different origin, or close the other registry first.`,
    })
  })

  it('uses the default origin, which never resolves, when none is given', async () => {
    await using registry = await createFakeRegistry({ transport: 'msw' })
    expect(registry.url).toBe('http://registry.fake-oci.invalid')
    const response = await fetch(`${registry.url}/v2/`)
    expect(await response.text()).toBe('{}')
  })
})

describe('without the optional peers installed', () => {
  // A child process whose module resolution cannot find msw or undici, as for a user who
  // installed neither: the main entry must load, and transport 'msw' must say what is missing.
  const root = fileURLToPath(new URL('../..', import.meta.url))
  const hook = [
    'export async function resolve(specifier, context, next) {',
    '  if (/^(msw|undici)(\\/|$)/.test(specifier)) {',
    "    const error = new Error(`Cannot find package '${specifier}' imported from ${context.parentURL}`)",
    "    error.code = 'ERR_MODULE_NOT_FOUND'",
    '    throw error',
    '  }',
    '  return next(specifier, context)',
    '}',
  ].join('\n')
  const preload = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)})`
  const script = `
    const { createFakeRegistry } = await import('./src/index.ts')
    const registry = await createFakeRegistry({ transport: 'none' })
    const served = await new Promise((resolve, reject) => registry.dispatcher.dispatch(
      { origin: registry.url, path: '/v2/', method: 'GET' },
      { onConnect() {}, onHeaders: (status) => resolve(status), onData() {}, onComplete() {}, onError: reject },
    ))
    const failure = await createFakeRegistry({ transport: 'msw' }).catch((error) => error)
    const blocked = await import('msw').catch((error) => error.code)
    console.log(JSON.stringify({ served, code: failure.code, name: failure.name, message: failure.message, blocked }))
  `

  it('loads the main entry and serves the dispatcher, and transport msw names the missing package', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        `data:text/javascript,${encodeURIComponent(preload)}`,
        '--input-type=module',
        '-e',
        script,
      ],
      { cwd: root },
    )
    expect(JSON.parse(stdout)).toEqual({
      served: 200,
      code: 'ERR_MISSING_PEER',
      name: 'FakeRegistryError',
      message:
        'Failed to start transport "msw": the optional peer dependency "msw" is not installed. Install it with npm install --save-dev msw, or use transport \'none\' with registry.fetch or registry.dispatcher.',
      blocked: 'ERR_MODULE_NOT_FOUND',
    })
  })
})
