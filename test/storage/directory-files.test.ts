// The directory backend as files: the OCI layout it writes, restarts, names and digests that must
// never become paths, and directories or files it must refuse to trust.
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createFakeRegistry,
  directoryStorage,
  FakeRegistryError,
  type FakeRegistry,
  type Storage,
} from '../../src/index.js'
import { randomLayer } from '../../src/seed.js'
import { makeTempDir, removeLayout, writeImageLayout } from '../support/oci-layout.js'
import { bytesOf, errorsOf, sha256 } from '../support/push.js'

const REF_NAME = 'org.opencontainers.image.ref.name'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

/** Every file and directory under `dir`, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true })
  return entries.map((entry) => relative(dir, join(dir, entry))).sort()
}

async function rejection(promise: Promise<unknown>): Promise<FakeRegistryError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(FakeRegistryError)
  return error as FakeRegistryError
}

describe('directory storage: the files', () => {
  let parent: string
  let root: string
  const registries: FakeRegistry[] = []

  beforeEach(async () => {
    parent = await makeTempDir('fake-oci-dir-')
    root = join(parent, 'registry')
  })
  afterEach(async () => {
    for (const registry of registries.splice(0)) await registry.close()
    await removeLayout(parent)
  })

  async function start(dir = root): Promise<FakeRegistry> {
    const registry = await createFakeRegistry({ transport: 'none', storage: directoryStorage(dir) })
    registries.push(registry)
    return registry
  }

  it('writes each repository as an OCI image layout: oci-layout, index.json with ref names, blobs by digest', async () => {
    const registry = await start()
    const image = await registry.seed.image('team/app:1', { layers: [randomLayer({ size: 300, seed: 2 })] })
    await registry.fetch(`/v2/team/app/manifests/${image.digest}?tag=latest`, {
      method: 'PUT',
      headers: { 'content-type': OCI_MANIFEST },
      body: image.bytes as Uint8Array<ArrayBuffer>,
    })

    const dir = join(root, 'team', 'app')
    expect(JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' })
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
      manifests: Array<Record<string, unknown>>
    }
    const descriptor = {
      mediaType: OCI_MANIFEST,
      digest: image.digest,
      size: image.size,
      artifactType: 'application/vnd.oci.image.config.v1+json',
    }
    expect(index).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { ...descriptor, annotations: { [REF_NAME]: '1' } },
        { ...descriptor, annotations: { [REF_NAME]: 'latest' } },
      ],
    })
    const blobs = await readdir(join(dir, 'blobs', 'sha256'))
    expect(blobs.sort()).toEqual(
      [image.digest, image.config.digest, image.layers[0]!.digest].map((d) => d.slice('sha256:'.length)).sort(),
    )
    for (const hex of blobs) expect(sha256(await readFile(join(dir, 'blobs', 'sha256', hex)))).toBe(`sha256:${hex}`)
    expect(await tree(join(root, '.uploads'))).toEqual([])
    expect(await tree(join(root, '.tmp'))).toEqual([])
  })

  it('serves the same content after a restart on the same directory', async () => {
    const first = await start()
    const image = await first.seed.image('team/app:1')
    const index = await first.seed.index('team/app:multi', [
      { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      image,
    ])
    const sbom = await first.seed.artifact('team/app', {
      artifactType: 'application/spdx+json',
      subject: image,
      files: { 'sbom.json': '{"spdx":true}' },
    })
    await first.seed.blob('other/repo', 'a lone blob')
    await first.close()

    const second = await start()
    for (const [reference, seeded] of [
      ['1', image],
      ['multi', index],
      [sbom.digest, sbom],
    ] as const) {
      const response = await second.fetch(`/v2/team/app/manifests/${reference}`, {
        headers: { accept: seeded.mediaType },
      })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe(seeded.mediaType)
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(seeded.bytes)
    }
    expect(await (await second.fetch('/v2/team/app/tags/list')).json()).toEqual({
      name: 'team/app',
      tags: ['1', 'multi'],
    })
    expect(await (await second.fetch('/v2/_catalog')).json()).toEqual({ repositories: ['other/repo', 'team/app'] })
    const referrers = (await (await second.fetch(`/v2/team/app/referrers/${image.digest}`)).json()) as {
      manifests: Array<{ digest: string; artifactType: string }>
    }
    expect(referrers.manifests.map(({ digest, artifactType }) => ({ digest, artifactType }))).toEqual([
      { digest: sbom.digest, artifactType: 'application/spdx+json' },
    ])
    const layer = await second.fetch(`/v2/team/app/blobs/${image.layers[0]!.digest}`)
    expect(new Uint8Array(await layer.arrayBuffer())).toEqual(image.layers[0]!.bytes)
  })

  it('keeps an open upload across a restart, and finishes it', async () => {
    const first = await start()
    const post = await first.fetch('/v2/team/app/blobs/uploads/', { method: 'POST' })
    const location = post.headers.get('location') as string
    await first.fetch(location, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytesOf('first half, ') as Uint8Array<ArrayBuffer>,
    })
    await first.close()

    const second = await start()
    const status = await second.fetch(location)
    expect([status.status, status.headers.get('range')]).toEqual([204, '0-11'])
    const digest = sha256('first half, second half')
    const put = await second.fetch(`${location}?digest=${digest}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytesOf('second half') as Uint8Array<ArrayBuffer>,
    })
    expect(put.status).toBe(201)
    expect(await (await second.fetch(`/v2/team/app/blobs/${digest}`)).text()).toBe('first half, second half')
  })

  it('adopts a directory of layouts written by another tool and serves them as they are', async () => {
    const layout = await writeImageLayout('v1')
    try {
      await mkdir(join(root, 'imported'), { recursive: true })
      for (const entry of await tree(layout.dir)) {
        const source = join(layout.dir, entry)
        if ((await stat(source)).isDirectory()) await mkdir(join(root, 'imported', entry), { recursive: true })
        else await writeFile(join(root, 'imported', entry), await readFile(source))
      }
      const indexBefore = await readFile(join(root, 'imported', 'index.json'))
      const registry = await start()
      const response = await registry.fetch('/v2/imported/manifests/v1', { headers: { accept: OCI_MANIFEST } })
      expect(response.status).toBe(200)
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(layout.root.bytes)
      const layer = layout.image.layers[0]!
      expect(new Uint8Array(await (await registry.fetch(`/v2/imported/blobs/${layer.digest}`)).arrayBuffer())).toEqual(
        layer.bytes,
      )
      // Adopting leaves the other tool's index.json as it was.
      expect(await readFile(join(root, 'imported', 'index.json'))).toEqual(indexBefore)
    } finally {
      await removeLayout(layout.dir)
    }
  })

  it('stores a repository component named like a layout entry apart from the layout files', async () => {
    const registry = await start()
    const parentImage = await registry.seed.image('team:1')
    const child = await registry.seed.image('team/blobs/sha256:1', { layers: ['nested'] })
    expect(await tree(join(root, 'team', '_blobs', 'sha256'))).toContain('index.json')
    const parentBlobs = await readdir(join(root, 'team', 'blobs', 'sha256'))
    expect(parentBlobs.sort()).toEqual(
      [parentImage.digest, ...parentImage.blobs.map((blob) => blob.digest)].map((digest) => digest.slice(7)).sort(),
    )
    expect(await (await registry.fetch('/v2/_catalog')).json()).toEqual({ repositories: ['team', 'team/blobs/sha256'] })
    for (const [name, image] of [
      ['team', parentImage],
      ['team/blobs/sha256', child],
    ] as const) {
      const response = await registry.fetch(`/v2/${name}/manifests/1`, { headers: { accept: OCI_MANIFEST } })
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(image.bytes)
    }
  })

  describe('names and digests never become paths outside the root', () => {
    const badNames = [
      '../x',
      'a/../../b',
      '/abs',
      '/etc/passwd',
      'a\0b',
      '..',
      '.',
      'a/./b',
      '',
      'A',
      'a\\..\\b',
      '.uploads',
      '.blobs/sha256',
    ]
    const badDigests = [
      'sha256:../../x',
      `sha256:${'a'.repeat(62)}/b`,
      'sha256/../../x',
      `sha256:${'A'.repeat(64)}`,
      `sha256:${'a'.repeat(63)}\0`,
      `../sha256:${'a'.repeat(64)}`,
      `md5:${'a'.repeat(32)}`,
    ]
    const good = `sha256:${'a'.repeat(64)}`

    it('answers reads with absence and refuses writes with ERR_STORAGE, touching nothing', async () => {
      await mkdir(join(parent, 'outside', 'x'), { recursive: true })
      await writeFile(join(parent, 'outside', 'keep.txt'), 'keep')
      const storage: Storage = directoryStorage(root)
      await storage.open?.()
      const before = await tree(parent)

      for (const name of badNames) {
        expect(await storage.isBlobLinked(name, good)).toBe(false)
        expect(await storage.unlinkBlob(name, good)).toBe(false)
        expect(await storage.getManifest(name, good)).toBeUndefined()
        expect(await storage.deleteManifest(name, good)).toBe(false)
        expect(await storage.listReferrers(name, good)).toEqual([])
        expect(await storage.resolveTag(name, 'v1')).toBeUndefined()
        expect(await storage.deleteTag(name, 'v1')).toBe(false)
        expect(await storage.listTags(name)).toBeUndefined()
        expect(await storage.hasRepository(name)).toBe(false)
        for (const write of [
          storage.linkBlob(name, good),
          storage.putManifest(name, { digest: good, mediaType: OCI_MANIFEST, bytes: bytesOf('{}') }),
          storage.setTag(name, 'v1', good),
          storage.createUpload(name),
        ]) {
          expect((await rejection(write)).code).toBe('ERR_STORAGE')
        }
      }
      for (const digest of badDigests) {
        expect(await storage.statBlob(digest)).toBeUndefined()
        expect(await storage.readBlob(digest)).toBeUndefined()
        expect(await storage.isBlobLinked('team/app', digest)).toBe(false)
        expect(await storage.getManifest('team/app', digest)).toBeUndefined()
        for (const write of [
          storage.linkBlob('team/app', digest),
          storage.putManifest('team/app', { digest, mediaType: OCI_MANIFEST, bytes: bytesOf('{}') }),
          storage.setTag('team/app', 'v1', digest),
        ]) {
          expect((await rejection(write)).code).toBe('ERR_STORAGE')
        }
      }
      for (const id of ['../../outside/keep.txt', '../.blobs', 'a/b', '..', '', 'x\0']) {
        expect(await storage.getUpload(id)).toBeUndefined()
        expect(await storage.readUpload(id)).toBeUndefined()
        expect(await storage.deleteUpload(id)).toBe(false)
        expect(await storage.commitUpload(id, good)).toBeUndefined()
      }
      expect(await tree(parent)).toEqual(before)
      expect(await readFile(join(parent, 'outside', 'keep.txt'), 'utf8')).toBe('keep')
    })

    // [request, status, code]: the spec's error for each, from a registry on directory storage.
    const requests: Array<[string, string, number, string]> = [
      ['GET', '/v2/a%2F..%2F..%2Fb/tags/list', 400, 'NAME_INVALID'],
      ['PUT', '/v2/..%2Fx/manifests/v1', 400, 'NAME_INVALID'],
      ['POST', '/v2/a%00b/blobs/uploads/', 400, 'NAME_INVALID'],
      ['GET', '/v2/%2Fetc%2Fpasswd/manifests/v1', 400, 'NAME_INVALID'],
      ['GET', '/v2/.blobs/tags/list', 400, 'NAME_INVALID'],
      ['GET', '/v2/team/app/blobs/sha256:..%2F..%2Fx', 400, 'DIGEST_INVALID'],
      ['DELETE', `/v2/team/app/blobs/sha256:${'a'.repeat(63)}%00`, 400, 'DIGEST_INVALID'],
      ['POST', '/v2/team/app/blobs/uploads/?digest=sha256:..%2F..%2Foutside', 400, 'DIGEST_INVALID'],
      ['GET', '/v2/team/app/blobs/uploads/..%2F..%2Foutside', 404, 'BLOB_UPLOAD_UNKNOWN'],
      ['GET', '/v2/team/app/manifests/sha256:..%2F..%2Fx', 400, 'DIGEST_INVALID'],
    ]

    it.each(requests)('%s %s answers %i %s and touches nothing', async (method, path, status, code) => {
      await mkdir(join(parent, 'outside'), { recursive: true })
      const registry = await start()
      await registry.seed.image('team/app:1')
      const before = await tree(parent)
      const response = await registry.fetch(path, {
        method,
        ...(method === 'PUT' || method === 'POST' ? { body: bytesOf('{}') as Uint8Array<ArrayBuffer> } : {}),
      })
      expect(response.status).toBe(status)
      expect((await errorsOf(response))[0]?.code).toBe(code)
      expect(await tree(parent)).toEqual(before)
    })
  })

  describe('bad input', () => {
    it('refuses a root it cannot create, at startup, with ERR_STORAGE', async () => {
      await writeFile(join(parent, 'a-file'), 'x')
      const error = await rejection(start(join(parent, 'a-file', 'registry')))
      expect(error.code).toBe('ERR_STORAGE')
      expect(error.message).toBe(
        `Failed to open storage directory "${join(parent, 'a-file', 'registry')}": it cannot be created (ENOTDIR). Choose a directory the process can write to.`,
      )
    })

    it('refuses a non-empty directory that holds something else, and writes nothing into it', async () => {
      await mkdir(join(parent, 'home', 'projects'), { recursive: true })
      await writeFile(join(parent, 'home', 'notes.txt'), 'mine')
      const before = await tree(join(parent, 'home'))
      const error = await rejection(start(join(parent, 'home')))
      expect(error.code).toBe('ERR_STORAGE')
      expect(error.message).toContain('it is not empty and was not written by this registry (found "')
      expect(error.message).toContain('notes.txt')
      expect(await tree(join(parent, 'home'))).toEqual(before)
    })

    it('refuses a root that is itself one OCI layout, pointing at the parent or importLayout', async () => {
      const layout = await writeImageLayout('v1')
      try {
        const error = await rejection(start(layout.dir))
        expect(error.message).toContain('it is an OCI image layout itself')
        expect(error.message).toContain('registry.importLayout(dir, { repository })')
      } finally {
        await removeLayout(layout.dir)
      }
    })

    it('reports a corrupt index.json of an adopted layout at startup, naming the file', async () => {
      await mkdir(join(root, 'broken', 'blobs'), { recursive: true })
      await writeFile(join(root, 'broken', 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
      await writeFile(join(root, 'broken', 'index.json'), '{"schemaVersion":2,"manifests":[')
      const error = await rejection(start())
      expect(error.code).toBe('ERR_STORAGE')
      expect(error.message).toMatch(
        /^Failed to read ".*broken\/index\.json": it is not valid JSON \(.+\)\. Repair or remove the file; the registry never guesses at content it cannot read\.$/,
      )
    })

    it('reports a corrupt repository state file at startup', async () => {
      const first = await start()
      await first.seed.image('team/app:1')
      await first.close()
      await writeFile(join(root, 'team', 'app', '.fake-oci-registry.json'), 'not json')
      const error = await rejection(start())
      expect(error.message).toContain(`${join('team', 'app', '.fake-oci-registry.json')}": it is not valid JSON`)
    })

    it('never serves a blob whose file does not match its digest: 404 BLOB_UNKNOWN', async () => {
      const first = await start()
      const image = await first.seed.image('team/app:1', { layers: ['original'] })
      await first.close()
      const layer = image.layers[0]!
      // Same length, other bytes: only hashing can tell.
      const tampered = new Uint8Array(layer.bytes)
      tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 0xff
      await writeFile(join(root, '.blobs', 'sha256', layer.digest.slice(7)), tampered)

      const second = await start()
      for (const method of ['GET', 'HEAD']) {
        const response = await second.fetch(`/v2/team/app/blobs/${layer.digest}`, { method })
        expect(response.status).toBe(404)
        if (method === 'GET')
          expect(await errorsOf(response)).toEqual([
            { code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: { digest: layer.digest } },
          ])
      }
      // A client that pushes the right bytes again repairs it.
      await second.seed.blob('team/app', layer)
      expect(new Uint8Array(await (await second.fetch(`/v2/team/app/blobs/${layer.digest}`)).arrayBuffer())).toEqual(
        layer.bytes,
      )
    })

    it('never serves a manifest whose file does not match its digest: 404 MANIFEST_UNKNOWN', async () => {
      const first = await start()
      const image = await first.seed.image('team/app:1')
      await first.close()
      await writeFile(join(root, 'team', 'app', 'blobs', 'sha256', image.digest.slice(7)), '{"schemaVersion":2}')
      const second = await start()
      const response = await second.fetch('/v2/team/app/manifests/1', { headers: { accept: OCI_MANIFEST } })
      expect(response.status).toBe(404)
      expect((await errorsOf(response))[0]?.code).toBe('MANIFEST_UNKNOWN')
    })

    it('stores one correct blob when writers race on the same digest, in one process and across two', async () => {
      const one = await start()
      const two = await start()
      const layer = randomLayer({ size: 200_000, seed: 9 })
      const pushes = Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? one : two).fetch(`/v2/team/app${i % 3}/blobs/uploads/?digest=${layer.digest}`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream' },
          body: layer.bytes as Uint8Array<ArrayBuffer>,
        }),
      )
      expect((await Promise.all(pushes)).map((response) => response.status)).toEqual(Array(8).fill(201))
      const stored = await readFile(join(root, '.blobs', 'sha256', layer.digest.slice(7)))
      expect(`sha256:${createHash('sha256').update(stored).digest('hex')}`).toBe(layer.digest)
      for (const repository of ['team/app0', 'team/app1', 'team/app2']) {
        const response = await one.fetch(`/v2/${repository}/blobs/${layer.digest}`)
        expect(new Uint8Array(await response.arrayBuffer())).toEqual(layer.bytes)
      }
      expect(await tree(join(root, '.uploads'))).toEqual([])
      expect(await tree(join(root, '.tmp'))).toEqual([])
    })
  })
})
