// The floor for the round-trip benchmarks: a bare node:http server doing the registry's least
// work for the same requests (a Map, sha256, JSON.parse), with none of its checks. Run as a
// child process by bench/round-trips.ts; prints its address like `fake-oci-registry serve`.
// Plain JavaScript, run by `node` alone like the built CLI: no transform adds work to either side.
import { Buffer } from 'node:buffer'
import console from 'node:console'
import { createHash, randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import process from 'node:process'
import { URL } from 'node:url'

const manifests = new Map()
const blobs = new Map()

/** @param {import('node:http').IncomingMessage} req @returns {Promise<Buffer>} */
function readAll(req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
async function serve(req, res) {
  const url = new URL(req.url ?? '/', 'http://bare')
  const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname)
  if (manifest && req.method === 'PUT') {
    const bytes = await readAll(req)
    JSON.parse(bytes.toString('utf8'))
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    const stored = { bytes, mediaType: req.headers['content-type'] ?? 'application/json', digest }
    manifests.set(`${manifest[1]}:${manifest[2]}`, stored)
    manifests.set(`${manifest[1]}@${digest}`, stored)
    res.writeHead(201, {
      location: `/v2/${manifest[1]}/manifests/${digest}`,
      'docker-content-digest': digest,
      'content-length': '0',
    })
    res.end()
    return
  }
  if (manifest && req.method === 'GET') {
    const stored = manifests.get(`${manifest[1]}:${manifest[2]}`) ?? manifests.get(`${manifest[1]}@${manifest[2]}`)
    if (!stored) {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
      return
    }
    res.writeHead(200, {
      'content-type': stored.mediaType,
      'content-length': String(stored.bytes.byteLength),
      'docker-content-digest': stored.digest,
    })
    res.end(stored.bytes)
    return
  }
  const start = /^\/v2\/(.+)\/blobs\/uploads\/$/.exec(url.pathname)
  if (start && req.method === 'POST') {
    await readAll(req)
    res.writeHead(202, { location: `/v2/${start[1]}/blobs/uploads/${randomUUID()}`, 'content-length': '0' })
    res.end()
    return
  }
  const upload = /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/.exec(url.pathname)
  if (upload && req.method === 'PUT') {
    const hash = createHash('sha256')
    const chunks = []
    for await (const chunk of req) {
      hash.update(chunk)
      chunks.push(chunk)
    }
    const digest = `sha256:${hash.digest('hex')}`
    if (digest !== url.searchParams.get('digest')) {
      res.writeHead(400, { 'content-type': 'application/json' })
      res.end('{"errors":[{"code":"DIGEST_INVALID","message":"digest mismatch"}]}')
      return
    }
    blobs.set(digest, chunks)
    res.writeHead(201, {
      location: `/v2/${upload[1]}/blobs/${digest}`,
      'docker-content-digest': digest,
      'content-length': '0',
    })
    res.end()
    return
  }
  await readAll(req)
  res.writeHead(404, { 'content-length': '0' })
  res.end()
}

const server = createServer((req, res) => {
  serve(req, res).catch(() => res.destroy())
})
server.keepAliveTimeout = 30_000
// `--port N` as the CLI takes it, for profiling by hand; a free port by default.
const portFlag = process.argv.indexOf('--port')
server.listen(portFlag === -1 ? 0 : Number(process.argv[portFlag + 1]), '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
  console.log(`bare node:http server listening on http://127.0.0.1:${port}`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
