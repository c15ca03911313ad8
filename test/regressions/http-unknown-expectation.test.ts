// Regression: a request with an `Expect` other than 100-continue got Node's bare 417.
//
// The bug. node:http answers an expectation it does not know with `417 Expectation Failed`
// itself, before the registry sees the request: no `{"errors":[…]}` envelope, no
// `Docker-Distribution-API-Version` header. Found by test/fuzz/http-raw.test.ts.
//
// The fix: RFC 9110 §10.1.1 lets a server ignore an expectation it does not know, so the http
// transport serves such a request as if the header were absent.
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { useLoopbackRegistry } from '../support/registry.js'

/** Sends one raw request to 127.0.0.1 and reads the whole answer (the request asks to close). */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end(request))
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
  })
}

describe('http transport: Expect', () => {
  const { port } = useLoopbackRegistry()

  it.each(['x-unknown', 'bytes=0-1', '200-ok; q=1'])(
    'serves GET /v2/ with Expect: %s as if the header were absent',
    async (expectation) => {
      const answer = await rawExchange(
        port(),
        `GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: ${expectation}\r\nConnection: close\r\n\r\n`,
      )
      expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
      expect(answer.toLowerCase()).toContain('\r\ndocker-distribution-api-version: registry/2.0\r\n')
      expect(answer.endsWith('\r\n\r\n{}')).toBe(true)
    },
  )

  it('answers an unknown route with Expect: x-unknown with the spec envelope', async () => {
    const answer = await rawExchange(
      port(),
      'GET /v3/ HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: x-unknown\r\nConnection: close\r\n\r\n',
    )
    expect(answer).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/)
    expect(answer.slice(answer.indexOf('\r\n\r\n') + 4)).toBe(
      '{"errors":[{"code":"UNSUPPORTED","message":"route not part of the distribution API","detail":{"path":"/v3/"}}]}\n',
    )
  })

  it('still answers Expect: 100-continue with 100 Continue before the real answer', async () => {
    const answer = await rawExchange(
      port(),
      'POST /v2/team/app/blobs/uploads/ HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    )
    expect(answer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 202 Accepted\r\n/)
  })
})
