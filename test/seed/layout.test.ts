// OCI image layouts in and out: importLayout imports one (or a directory of them), and
// registry.exportLayout writes one that reads back to the same bytes.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, FakeRegistryError, type FakeRegistry } from '../../src/index.js'
import {
  makeTempDir,
  readLayout,
  REF_NAME,
  removeLayout,
  writeImageLayout,
  writeIndexLayout,
} from '../support/oci-layout.js'
import { MediaTypes, sha256 } from '../support/push.js'

const ACCEPT = [MediaTypes.OM, MediaTypes.OI, MediaTypes.S2, MediaTypes.DL].join(', ')

describe('layouts', () => {
  let registry: FakeRegistry
  const dirs: string[] = []
  beforeEach(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
  })
  afterEach(async () => {
    await registry.close()
    for (const dir of dirs.splice(0)) await removeLayout(dir)
  })

  async function bytesOf(repository: string, reference: string): Promise<Uint8Array> {
    const response = await registry.fetch(`/v2/${repository}/manifests/${reference}`, { headers: { accept: ACCEPT } })
    expect(response.status).toBe(200)
    return new Uint8Array(await response.arrayBuffer())
  }

  it('imports an index layout into a repository: ref names become tags, children and blobs come along', async () => {
    const layout = await writeIndexLayout('multi')
    dirs.push(layout.dir)
    const imported = await registry.importLayout(layout.dir, { repository: 'team/app' })
    expect(imported.map(({ reference, digest, mediaType }) => ({ reference, digest, mediaType }))).toEqual([
      { reference: 'team/app:multi', digest: layout.index.digest, mediaType: MediaTypes.OI },
    ])
    expect(await bytesOf('team/app', 'multi')).toEqual(layout.index.bytes)
    for (const image of layout.images) {
      expect(await bytesOf('team/app', image.manifest.digest)).toEqual(image.manifest.bytes)
      const layer = image.layers[0]!
      expect(new Uint8Array(await (await registry.fetch(`/v2/team/app/blobs/${layer.digest}`)).arrayBuffer())).toEqual(
        layer.bytes,
      )
    }
  })

  // image-spec image-layout.md requires mediaType on index.json's descriptors, but layouts in the
  // wild leave it out; the manifest's own bytes then say what it is.
  it.each([
    { name: 'an image whose body names its type', write: () => writeImageLayout('1'), mediaType: MediaTypes.OM },
    { name: 'an index whose body names its type', write: () => writeIndexLayout('1'), mediaType: MediaTypes.OI },
    {
      name: 'an image whose body has no mediaType',
      write: () => writeImageLayout('1', { omitMediaType: true }),
      mediaType: MediaTypes.OM,
    },
    {
      name: 'an index whose body has no mediaType',
      write: () => writeIndexLayout('1', { omitMediaType: true }),
      mediaType: MediaTypes.OI,
    },
  ])('imports $name from an index.json descriptor without mediaType as $mediaType', async ({ write, mediaType }) => {
    const layout = await write()
    dirs.push(layout.dir)
    const indexPath = join(layout.dir, 'index.json')
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as { manifests: Array<Record<string, unknown>> }
    await writeFile(
      indexPath,
      JSON.stringify({
        ...index,
        manifests: index.manifests.map(({ mediaType: _omitted, ...descriptor }) => descriptor),
      }),
    )

    const imported = await registry.importLayout(layout.dir, { repository: 'team/app' })
    expect(
      imported.map(({ reference, digest, mediaType, descriptor }) => ({ reference, digest, mediaType, descriptor })),
    ).toEqual([
      {
        reference: 'team/app:1',
        digest: layout.root.digest,
        mediaType,
        descriptor: { mediaType, digest: layout.root.digest, size: layout.root.bytes.byteLength },
      },
    ])
    // The registry stores the kind the push's Content-Type named.
    expect((await registry.manifest('team/app:1'))?.mediaType).toBe(mediaType)
    expect(await bytesOf('team/app', '1')).toEqual(layout.root.bytes)
  })

  it('reads full references as ref names when no repository is given, and refuses bare tags then', async () => {
    const layout = await writeImageLayout('team/app:7')
    dirs.push(layout.dir)
    await registry.importLayout(layout.dir)
    expect(await bytesOf('team/app', '7')).toEqual(layout.root.bytes)

    const bare = await writeImageLayout('v1')
    dirs.push(bare.dir)
    const error = await registry.importLayout(bare.dir).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(FakeRegistryError)
    expect((error as FakeRegistryError).message).toBe(
      `Failed to import layout "${join(bare.dir, 'index.json')}": the ref name "v1" is not a reference such as team/app:1. Pass { repository: 'team/app' } so ref names are read as tags.`,
    )
  })

  it('imports a directory of layouts, each as the repository its path names', async () => {
    const root = await makeTempDir()
    dirs.push(root)
    const one = await writeImageLayout('1')
    const two = await writeImageLayout('2', { layers: ['other'] })
    dirs.push(one.dir, two.dir)
    for (const [name, layout] of [
      ['team/one', one],
      ['two', two],
    ] as const) {
      for (const [digest, bytes] of layout.blobs) {
        await mkdir(join(root, name, 'blobs', 'sha256'), { recursive: true })
        await writeFile(join(root, name, 'blobs', 'sha256', digest.slice(7)), bytes)
      }
      await writeFile(join(root, name, 'oci-layout'), await readFile(join(layout.dir, 'oci-layout')))
      await writeFile(join(root, name, 'index.json'), await readFile(join(layout.dir, 'index.json')))
    }
    const imported = await registry.importLayout(root)
    expect(imported.map((manifest) => manifest.reference)).toEqual(['team/one:1', 'two:2'])
    expect(await bytesOf('two', '2')).toEqual(two.root.bytes)
  })

  it('exports a repository: every tag, what it references and its referrers, each file named by its digest', async () => {
    const index = await registry.seed.index('team/app:multi', [
      { platform: { os: 'linux', architecture: 'amd64' } },
      { platform: { os: 'linux', architecture: 'arm64' } },
    ])
    const image = await registry.seed.image('team/app:1', { layers: ['one'] })
    const sbom = await registry.seed.artifact('team/app', {
      artifactType: 'application/spdx+json',
      subject: image,
      files: { 'sbom.json': '{}' },
    })
    const dir = join(await makeTempDir(), 'out')
    dirs.push(join(dir, '..'))

    const exported = await registry.exportLayout('team/app', dir)
    const layout = await readLayout(dir)
    expect(layout.index.manifests).toEqual([
      { mediaType: MediaTypes.OM, digest: image.digest, size: image.size, annotations: { [REF_NAME]: '1' } },
      { mediaType: MediaTypes.OI, digest: index.digest, size: index.size, annotations: { [REF_NAME]: 'multi' } },
      { mediaType: MediaTypes.OM, digest: sbom.digest, size: sbom.size, artifactType: 'application/spdx+json' },
    ])
    expect(exported.manifests).toEqual(layout.index.manifests)
    const expected = [image, sbom, index, ...index.children].flatMap((manifest) => [
      manifest.digest,
      ...manifest.blobs.map((blob) => blob.digest),
    ])
    expect([...layout.blobs.keys()].sort()).toEqual([...new Set(expected)].sort())
    for (const [digest, bytes] of layout.blobs) expect(sha256(bytes)).toBe(digest)
    expect(exported.blobs).toEqual([...layout.blobs.keys()].sort())
    expect((await readdir(dir)).sort()).toEqual(['blobs', 'index.json', 'oci-layout'])

    // And back: another registry imports it to the same bytes.
    await using other = await createFakeRegistry({ transport: 'none' })
    await other.importLayout(dir, { repository: 'copy/app' })
    const copied = await other.fetch('/v2/copy/app/manifests/multi', { headers: { accept: ACCEPT } })
    expect(new Uint8Array(await copied.arrayBuffer())).toEqual(index.bytes)
    const referrers = (await (await other.fetch(`/v2/copy/app/referrers/${image.digest}`)).json()) as {
      manifests: Array<{ digest: string }>
    }
    expect(referrers.manifests.map((manifest) => manifest.digest)).toEqual([sbom.digest])
  })

  it('refuses to export into a non-empty directory, or a repository that does not exist', async () => {
    await registry.seed.image('team/app:1')
    const dir = await makeTempDir()
    dirs.push(dir)
    await writeFile(join(dir, 'mine.txt'), 'x')
    await expect(registry.exportLayout('team/app', dir)).rejects.toThrow(
      `Failed to export layout into "${dir}": it is not empty (found "mine.txt"). Pass a new or empty directory.`,
    )
    await expect(registry.exportLayout('team/none', join(dir, 'sub'))).rejects.toThrow(
      /^Failed to list tags of "team\/none": the registry answered 404 \{"errors":\[\{"code":"NAME_UNKNOWN"/,
    )
  })
})
