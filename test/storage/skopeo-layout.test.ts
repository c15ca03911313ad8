// The real skopeo reads the layouts the registry writes (directory storage and exportLayout),
// and the registry serves layouts skopeo wrote, byte for byte (--preserve-digests everywhere).
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, directoryStorage, type FakeRegistry } from '../../src/index.js'
import { randomLayer } from '../../src/seed.js'
import { makeTempDir, readLayout, removeLayout, writeImageLayout, writeIndexLayout } from '../support/oci-layout.js'
import { MediaTypes } from '../support/push.js'
import { createSkopeo, describeRun, findSkopeo, type Skopeo } from '../support/skopeo.js'

const skopeoPath = findSkopeo()
const ACCEPT = [MediaTypes.OM, MediaTypes.OI].join(', ')

describe.skipIf(!skopeoPath)('skopeo and the layouts of directory storage', { timeout: 120_000 }, () => {
  let skopeo: Skopeo
  const dirs: string[] = []
  const registries: FakeRegistry[] = []
  beforeAll(async () => {
    skopeo = await createSkopeo(skopeoPath as string)
  })
  afterAll(() => skopeo?.close())
  afterEach(async () => {
    for (const registry of registries.splice(0)) await registry.close()
    for (const dir of dirs.splice(0)) await removeLayout(dir)
  })

  async function tempDir(): Promise<string> {
    const dir = await makeTempDir()
    dirs.push(dir)
    return dir
  }

  async function start(root: string, transport: 'none' | 'http' = 'none'): Promise<FakeRegistry> {
    const registry = await createFakeRegistry({ transport, storage: directoryStorage(root) })
    registries.push(registry)
    return registry
  }

  async function skopeoOk(command: Parameters<Skopeo['run']>[0], args: string[]) {
    const result = await skopeo.run(command, args)
    expect(result.exitCode, describeRun(result)).toBe(0)
    return result
  }

  it('reads an image and an index from the storage directory with oci:ROOT/REPO:TAG', async () => {
    const root = await tempDir()
    const registry = await start(root)
    const image = await registry.seed.image('team/app:1', {
      layers: [randomLayer({ size: 5000, seed: 1 }), randomLayer({ size: 10, seed: 2 })],
    })
    const index = await registry.seed.index('team/app:multi', [
      image,
      { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ])

    const inspected = await skopeoOk('inspect', ['--raw', `oci:${join(root, 'team', 'app')}:1`])
    expect(inspected.stdoutBytes).toEqual(image.bytes)
    const out = await tempDir()
    await skopeoOk('copy', [
      '--all',
      '--preserve-digests',
      `oci:${join(root, 'team', 'app')}:multi`,
      `oci:${out}:multi`,
    ])
    const copied = await readLayout(out)
    expect(copied.blobs.get(index.digest)).toEqual(index.bytes)
    for (const child of index.children) {
      expect(copied.blobs.get(child.digest)).toEqual(child.bytes)
      for (const blob of child.blobs) expect(copied.blobs.get(blob.digest)).toEqual(blob.bytes)
    }
  })

  it('reads what skopeo itself pushed over HTTP, from the files, while the registry runs', async () => {
    const source = await writeImageLayout('v1')
    dirs.push(source.dir)
    const root = await tempDir()
    const registry = await start(root, 'http')
    await skopeoOk('copy', ['--preserve-digests', `oci:${source.dir}:v1`, `docker://${registry.ref('team/pushed:v1')}`])
    const inspected = await skopeoOk('inspect', ['--raw', `oci:${join(root, 'team', 'pushed')}:v1`])
    expect(inspected.stdoutBytes).toEqual(source.root.bytes)
  })

  it('reads a layout written by registry.exportLayout', async () => {
    const registry = await createFakeRegistry({ transport: 'none' })
    registries.push(registry)
    const image = await registry.seed.image('team/app:1', { layers: [randomLayer({ size: 100, seed: 3 })] })
    const out = join(await tempDir(), 'exported')
    await registry.exportLayout('team/app', out)
    const inspected = await skopeoOk('inspect', ['--raw', `oci:${out}:1`])
    expect(inspected.stdoutBytes).toEqual(image.bytes)
  })

  it('serves a directory skopeo wrote, adopting its layouts on start', async () => {
    const source = await writeIndexLayout('multi')
    dirs.push(source.dir)
    const root = await tempDir()
    // skopeo creates the layout directory but not its parents.
    await mkdir(join(root, 'team'))
    await skopeoOk('copy', [
      '--all',
      '--preserve-digests',
      `oci:${source.dir}:multi`,
      `oci:${join(root, 'team', 'app')}:multi`,
    ])

    const registry = await start(root)
    const response = await registry.fetch('/v2/team/app/manifests/multi', { headers: { accept: ACCEPT } })
    expect(response.status).toBe(200)
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(source.index.bytes)
    for (const image of source.images) {
      const layer = image.layers[0]!
      expect(new Uint8Array(await (await registry.fetch(`/v2/team/app/blobs/${layer.digest}`)).arrayBuffer())).toEqual(
        layer.bytes,
      )
    }
  })

  it('imports a layout skopeo wrote with importLayout', async () => {
    const source = await writeImageLayout('v2', { layers: ['from skopeo'] })
    dirs.push(source.dir)
    const written = join(await tempDir(), 'layout')
    await skopeoOk('copy', ['--preserve-digests', `oci:${source.dir}:v2`, `oci:${written}:v2`])
    const registry = await createFakeRegistry({ transport: 'none' })
    registries.push(registry)
    await registry.importLayout(written, { repository: 'team/app' })
    const response = await registry.fetch('/v2/team/app/manifests/v2', { headers: { accept: ACCEPT } })
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(source.root.bytes)
  })
})
