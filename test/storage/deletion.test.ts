// Deletion semantics on every backend: content is shared by digest, so deleting or untagging in
// one repository never takes a blob from another; only garbageCollect() removes bytes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import type { SeededImage } from '../../src/seed.js'
import { BACKENDS } from '../support/backends.js'
import { makeTempDir, removeLayout } from '../support/oci-layout.js'

describe.each(BACKENDS)('deletion on %s storage', (_name, makeStorage) => {
  let dir: string
  let registry: FakeRegistry
  let image: SeededImage
  beforeEach(async () => {
    dir = await makeTempDir('fake-oci-delete-')
    registry = await createFakeRegistry({ transport: 'none', storage: makeStorage(dir) })
    image = await registry.seed.image('team/a:1', { layers: ['shared layer'] })
    await registry.seed.index('team/b:1', [image])
  })
  afterEach(async () => {
    await registry.close()
    await removeLayout(dir)
  })

  const blobStatus = async (repository: string, digest: string): Promise<number> =>
    (await registry.fetch(`/v2/${repository}/blobs/${digest}`, { method: 'HEAD' })).status

  it('keeps blobs linked from another repository when a manifest is deleted or untagged', async () => {
    const layer = image.layers[0]!.digest
    expect((await registry.fetch('/v2/team/a/manifests/1', { method: 'DELETE' })).status).toBe(202)
    expect((await registry.fetch(`/v2/team/a/manifests/${image.digest}`, { method: 'DELETE' })).status).toBe(202)
    expect([await blobStatus('team/a', layer), await blobStatus('team/b', layer)]).toEqual([200, 200])
    expect(await registry.garbageCollect()).toEqual({ blobs: [] })
    expect(await blobStatus('team/b', layer)).toBe(200)
  })

  it('removes only this repository link on blob DELETE; garbageCollect then removes what no one links', async () => {
    const layer = image.layers[0]!.digest
    const config = image.config.digest
    expect((await registry.fetch(`/v2/team/a/blobs/${layer}`, { method: 'DELETE' })).status).toBe(202)
    expect([await blobStatus('team/a', layer), await blobStatus('team/b', layer)]).toEqual([404, 200])
    expect(await registry.garbageCollect()).toEqual({ blobs: [] })

    for (const repository of ['team/a', 'team/b'])
      expect((await registry.fetch(`/v2/${repository}/blobs/${config}`, { method: 'DELETE' })).status).toBe(202)
    expect(await registry.garbageCollect()).toEqual({ blobs: [config] })
    // A mount can no longer find it: the bytes are gone, not just the links.
    const mount = await registry.fetch(`/v2/team/c/blobs/uploads/?mount=${config}`, { method: 'POST' })
    expect(mount.status).toBe(202)
    expect(await blobStatus('team/b', layer)).toBe(200)
  })
})
