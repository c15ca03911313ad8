// A client that must survive a flaky registry: it retries what the server asks it to retry, and
// refuses bytes whose digest is wrong. The faults make the registry misbehave on cue; the journal
// shows what happened.
import { createHash } from 'node:crypto'
import { interceptors, request, type Dispatcher } from 'undici'
import { expect, it } from 'vitest'
import { createFakeRegistry } from 'fake-oci-registry'

// ---- the code under test ----------------------------------------------------------------------

/** Downloads a blob and checks its digest, retrying 429 and 5xx answers as Retry-After asks. */
async function downloadBlob(
  baseUrl: string,
  repository: string,
  digest: string,
  dispatcher: Dispatcher,
): Promise<Buffer> {
  const retrying = dispatcher.compose(interceptors.retry({ maxRetries: 3 }))
  const { statusCode, body } = await request(`${baseUrl}/v2/${repository}/blobs/${digest}`, { dispatcher: retrying })
  const bytes = Buffer.from(await body.arrayBuffer())
  if (statusCode !== 200) throw new Error(`blob ${digest}: status ${statusCode}`)
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
  if (actual !== digest) throw new Error(`blob ${digest}: digest mismatch, got ${actual}`)
  return bytes
}

// ---- the tests --------------------------------------------------------------------------------

it('retries a 503 as Retry-After asks', async () => {
  await using registry = await createFakeRegistry({ transport: 'none' })
  const blob = await registry.seed.blob('team/app', 'layer bytes')
  const unavailable = registry.faults.add({ kind: 'blob', status: 503, retryAfter: 1, times: 1 })

  const bytes = await downloadBlob(registry.url, 'team/app', blob.digest, registry.dispatcher as Dispatcher)

  expect(bytes.toString()).toBe('layer bytes')
  expect(unavailable.calls).toBe(1)
  expect(registry.requests.all().map((entry) => [entry.response.status, entry.fault])).toEqual([
    [503, 'fault-1'],
    [200, undefined],
  ])
})

it('refuses a corrupted blob', async () => {
  await using registry = await createFakeRegistry({ transport: 'none' })
  const blob = await registry.seed.blob('team/app', 'layer bytes')
  registry.faults.add({ kind: 'blob', corrupt: true })

  await expect(downloadBlob(registry.url, 'team/app', blob.digest, registry.dispatcher as Dispatcher)).rejects.toThrow(
    'digest mismatch',
  )
})
