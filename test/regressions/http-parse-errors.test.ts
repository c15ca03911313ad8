// Regression: malformed chunked encoding got a dropped connection, and a HEAD the HTTP parser
// refused got a 400 with a body.
//
// The bugs. A chunk size that is not hex arrives after the request's headers, while its answer
// is being prepared: the transport cut the connection, so the client saw a reset instead of the
// envelope the README promises. A HEAD with a malformed header was answered with the envelope
// as a body, which its client reads as the start of the next answer.
//
// The fix: the request's body fails, its handler answers with its own 400 envelope, and the
// connection ends after it; the raw answer to a refused HEAD has no body.
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { sha256 } from '../support/push.js'
import { useLoopbackRegistry } from '../support/registry.js'

/** Writes `request` on a new connection, half-closes it, and reads everything until the server closes. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end(request, 'latin1'))
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
  })
}

function parse(answer: string): { statusLine: string; headers: string; body: string } {
  const end = answer.indexOf('\r\n\r\n')
  const head = answer.slice(0, end)
  return { statusLine: head.slice(0, head.indexOf('\r\n')), headers: head.toLowerCase(), body: answer.slice(end + 4) }
}

describe('http transport: requests the parser refuses', () => {
  const { port, registry } = useLoopbackRegistry()

  it.each([
    ['a chunk size that is not hex', 'zz\r\nabc\r\n0\r\n\r\n'],
    ['a chunk longer than its size', '3\r\nabcdef\r\n0\r\n\r\n'],
    ['a chunk size line without CRLF', '3\nabc'],
  ])('answers a monolithic upload with %s with 400 BLOB_UPLOAD_INVALID, then closes', async (_what, body) => {
    const digest = sha256('abc')
    const answer = parse(
      await rawExchange(
        port(),
        `POST /v2/team/app/blobs/uploads/?digest=${digest} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
      ),
    )
    expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request')
    expect(answer.headers).toContain('\r\nconnection: close')
    expect(answer.headers).toContain('\r\ndocker-distribution-api-version: registry/2.0')
    expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ code: 'BLOB_UPLOAD_INVALID' }] })
    expect((await registry().fetch(`/v2/team/app/blobs/${digest}`)).status).toBe(404)
  })

  it('answers a manifest PUT with malformed chunks with 400 MANIFEST_INVALID', async () => {
    const answer = parse(
      await rawExchange(
        port(),
        'PUT /v2/team/app/manifests/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\nnope\r\n',
      ),
    )
    expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request')
    expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ code: 'MANIFEST_INVALID' }] })
  })

  it('answers a HEAD the parser refuses with 400 and no body', async () => {
    const raw = await rawExchange(port(), 'HEAD /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: nope\r\n\r\n')
    const answer = parse(raw)
    expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request')
    expect(answer.headers).toContain('\r\ndocker-distribution-api-version: registry/2.0')
    expect(answer.body).toBe('')
  })

  it('still answers a GET the parser refuses with the envelope as its body', async () => {
    const answer = parse(
      await rawExchange(port(), 'GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: nope\r\n\r\n'),
    )
    expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request')
    expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ code: 'UNSUPPORTED' }] })
  })
})
