import { createHash } from 'node:crypto'
import { expect, it } from 'vitest'
import { createFakeRegistry } from 'fake-oci-registry'

it('stores a blob pushed over HTTP and serves it back', async () => {
  // A real registry on 127.0.0.1 and a free port; closed when the test ends.
  await using registry = await createFakeRegistry()

  const content = new TextEncoder().encode('hello, registry')
  const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`

  // A monolithic upload: one POST carrying the bytes and their digest.
  const push = await fetch(`${registry.url}/v2/team/app/blobs/uploads/?digest=${digest}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: content,
  })
  expect(push.status).toBe(201)
  expect(push.headers.get('docker-content-digest')).toBe(digest)

  const pull = await fetch(`${registry.url}/v2/team/app/blobs/${digest}`)
  expect(pull.status).toBe(200)
  expect(new Uint8Array(await pull.arrayBuffer())).toEqual(content)
})
