// The real skopeo binary (the Debian package) against the loopback http transport: push from an
// OCI layout, pull back into one, inspect, list tags, delete and copy across repositories. Every
// copy uses --preserve-digests, so skopeo must fail rather than rewrite a manifest: what the
// registry serves is compared byte for byte with what the layout holds.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import {
  makeTempDir,
  readLayout,
  REF_NAME,
  removeLayout,
  writeImageLayout,
  writeIndexLayout,
  type LayoutBlob,
  type LayoutImage,
} from '../support/oci-layout.js'
import { MediaTypes, sha256 } from '../support/push.js'
import { createSkopeo, describeRun, findSkopeo, type Skopeo, type SkopeoResult } from '../support/skopeo.js'

const skopeoPath = findSkopeo()
if (!skopeoPath)
  console.warn(
    'skopeo not found on PATH: skipping the skopeo interop suite (install the Debian package "skopeo", or set SKOPEO)',
  )

describe('skopeo on this machine', () => {
  it.runIf(process.env.CI === 'true')(
    'is installed when CI=true, so the interop suite never skips silently there',
    () => {
      expect(skopeoPath, 'skopeo is not on PATH: .ci/run installs it with apt-get').toBeDefined()
    },
  )
})

const ACCEPT_OCI = `${MediaTypes.OM}, ${MediaTypes.OI}`

interface FetchedManifest {
  status: number
  contentType: string | null
  digest: string | null
  bytes: Uint8Array
}

describe.skipIf(!skopeoPath)('skopeo against the http transport', { timeout: 120_000 }, () => {
  let skopeo: Skopeo
  let registry: FakeRegistry
  const tempDirs: string[] = []

  beforeAll(async () => {
    skopeo = await createSkopeo(skopeoPath as string)
  })
  afterAll(() => skopeo?.close())
  beforeEach(async () => {
    registry = await createFakeRegistry()
  })
  afterEach(async () => {
    await registry.close()
    for (const dir of tempDirs.splice(0)) await removeLayout(dir)
  })

  const docker = (reference: string): string => `docker://${registry.ref(reference)}`

  async function run(
    command: Parameters<Skopeo['run']>[0],
    args: string[],
    options?: Parameters<Skopeo['run']>[2],
  ): Promise<SkopeoResult> {
    const result = await skopeo.run(command, args, options)
    expect(result.exitCode, describeRun(result)).toBe(0)
    return result
  }

  async function imageLayout(tag: string, options?: Parameters<typeof writeImageLayout>[1]) {
    const layout = await writeImageLayout(tag, options)
    tempDirs.push(layout.dir)
    return layout
  }

  async function indexLayout(tag: string, options?: Parameters<typeof writeIndexLayout>[1]) {
    const layout = await writeIndexLayout(tag, options)
    tempDirs.push(layout.dir)
    return layout
  }

  async function emptyDir(): Promise<string> {
    const dir = await makeTempDir()
    tempDirs.push(dir)
    return dir
  }

  async function fetchManifest(repository: string, reference: string, accept = ACCEPT_OCI): Promise<FetchedManifest> {
    const response = await registry.fetch(`/v2/${repository}/manifests/${reference}`, { headers: { accept } })
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      digest: response.headers.get('docker-content-digest'),
      bytes: new Uint8Array(await response.arrayBuffer()),
    }
  }

  async function expectBlobs(repository: string, blobs: LayoutBlob[]): Promise<void> {
    for (const blob of blobs) {
      const response = await registry.fetch(`/v2/${repository}/blobs/${blob.digest}`)
      expect(response.status, `GET /v2/${repository}/blobs/${blob.digest}`).toBe(200)
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(blob.bytes)
    }
  }

  async function expectServedAs(
    repository: string,
    reference: string,
    blob: LayoutBlob,
    contentType: string,
    accept = ACCEPT_OCI,
  ): Promise<void> {
    const fetched = await fetchManifest(repository, reference, accept)
    expect({ status: fetched.status, contentType: fetched.contentType, digest: fetched.digest }).toEqual({
      status: 200,
      contentType,
      digest: blob.digest,
    })
    expect(Buffer.from(fetched.bytes).toString('utf8')).toBe(Buffer.from(blob.bytes).toString('utf8'))
  }

  function imageBlobs(image: LayoutImage): LayoutBlob[] {
    return [image.config, ...image.layers]
  }

  it('copies an image from an oci: layout and the registry serves the same manifest and blobs', async () => {
    const layout = await imageLayout('1', { layers: ['first layer\n', 'second layer\n'] })
    await run('copy', ['--preserve-digests', `oci:${layout.dir}:1`, docker('team/app:1')])

    await expectServedAs('team/app', '1', layout.image.manifest, MediaTypes.OM)
    await expectServedAs('team/app', layout.image.manifest.digest, layout.image.manifest, MediaTypes.OM)
    await expectBlobs('team/app', imageBlobs(layout.image))
  })

  it('inspect --raw prints the manifest bytes: their sha256 is the Docker-Content-Digest and the layout digest', async () => {
    const layout = await imageLayout('1')
    await run('copy', ['--preserve-digests', `oci:${layout.dir}:1`, docker('team/app:1')])

    const inspected = await run('inspect', ['--raw', docker('team/app:1')])
    const head = await registry.fetch('/v2/team/app/manifests/1', { method: 'HEAD', headers: { accept: ACCEPT_OCI } })
    expect(head.status).toBe(200)
    expect(sha256(inspected.stdoutBytes)).toBe(head.headers.get('docker-content-digest'))
    expect(sha256(inspected.stdoutBytes)).toBe(layout.image.manifest.digest)
    expect(inspected.stdoutBytes).toEqual(layout.image.manifest.bytes)
  })

  it('inspect summarises the image: digest, tags, platform and layers', async () => {
    const layout = await imageLayout('1', { layers: ['a\n', 'b\n'] })
    await run('copy', ['--preserve-digests', `oci:${layout.dir}:1`, docker('team/app:1')])

    const summary = JSON.parse((await run('inspect', [docker('team/app:1')])).stdout) as Record<string, unknown>
    expect(summary).toMatchObject({
      Name: registry.ref('team/app'),
      Digest: layout.image.manifest.digest,
      RepoTags: ['1'],
      Architecture: 'amd64',
      Os: 'linux',
      Layers: layout.image.layers.map((layer) => layer.digest),
    })
  })

  it('inspect --config prints the config blob, parsed and --raw byte for byte', async () => {
    const layout = await imageLayout('1')
    await run('copy', ['--preserve-digests', `oci:${layout.dir}:1`, docker('team/app:1')])

    const parsed = JSON.parse((await run('inspect', ['--config', docker('team/app:1')])).stdout) as unknown
    expect(parsed).toEqual(JSON.parse(Buffer.from(layout.image.config.bytes).toString('utf8')))
    const raw = await run('inspect', ['--config', '--raw', docker('team/app:1')])
    expect(raw.stdoutBytes).toEqual(layout.image.config.bytes)
  })

  it('copies an image back out to an oci: layout with every blob and the manifest unchanged', async () => {
    const layout = await imageLayout('1', { layers: ['one\n', 'two\n', 'three\n'] })
    await run('copy', ['--preserve-digests', `oci:${layout.dir}:1`, docker('team/app:1')])
    const out = `${await emptyDir()}/out`
    await run('copy', ['--preserve-digests', docker('team/app:1'), `oci:${out}:1`])

    const pulled = await readLayout(out)
    expect(pulled.index.manifests).toEqual([
      expect.objectContaining({
        mediaType: MediaTypes.OM,
        digest: layout.image.manifest.digest,
        size: layout.image.manifest.size,
        annotations: { [REF_NAME]: '1' },
      }),
    ])
    expectSameBlobs(pulled.blobs, layout.blobs)
  })

  it('copy --all pushes a multi-platform index and its images unchanged, and pulls them back', async () => {
    const layout = await indexLayout('multi')
    await run('copy', ['--all', '--preserve-digests', `oci:${layout.dir}:multi`, docker('team/app:multi')])

    await expectServedAs('team/app', 'multi', layout.index, MediaTypes.OI)
    for (const image of layout.images) {
      await expectServedAs('team/app', image.manifest.digest, image.manifest, MediaTypes.OM)
      await expectBlobs('team/app', imageBlobs(image))
    }
    const inspected = await run('inspect', ['--raw', docker('team/app:multi')])
    expect(sha256(inspected.stdoutBytes)).toBe(layout.index.digest)

    const out = `${await emptyDir()}/out`
    await run('copy', ['--all', '--preserve-digests', docker('team/app:multi'), `oci:${out}:multi`])
    const pulled = await readLayout(out)
    expect(pulled.index.manifests).toEqual([
      expect.objectContaining({
        mediaType: MediaTypes.OI,
        digest: layout.index.digest,
        annotations: { [REF_NAME]: 'multi' },
      }),
    ])
    expectSameBlobs(pulled.blobs, layout.blobs)
  })

  it('list-tags lists every tag of the repository in lexical order', async () => {
    const layout = await imageLayout('1')
    for (const tag of ['latest', '2', '1'])
      await run('copy', ['--preserve-digests', `oci:${layout.dir}:1`, docker(`team/app:${tag}`)])

    const listed = JSON.parse((await run('list-tags', [docker('team/app')])).stdout) as unknown
    expect(listed).toEqual({ Repository: registry.ref('team/app'), Tags: ['1', '2', 'latest'] })
  })

  it('delete removes the manifest by digest: tag and digest answer 404 MANIFEST_UNKNOWN, blobs stay', async () => {
    const layout = await imageLayout('1')
    await run('copy', ['--preserve-digests', `oci:${layout.dir}:1`, docker('team/app:1')])
    await run('delete', [docker('team/app:1')])

    for (const reference of ['1', layout.image.manifest.digest]) {
      const response = await registry.fetch(`/v2/team/app/manifests/${reference}`, { headers: { accept: ACCEPT_OCI } })
      expect(response.status, `GET manifest ${reference}`).toBe(404)
      expect(((await response.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('MANIFEST_UNKNOWN')
    }
    await expectBlobs('team/app', imageBlobs(layout.image))
    const inspected = await skopeo.run('inspect', ['--raw', docker('team/app:1')])
    expect(inspected.exitCode, describeRun(inspected)).not.toBe(0)
  })

  it('copies between two repositories of the registry, mounting the layers instead of uploading them', async () => {
    const layout = await imageLayout('1', { layers: ['shared one\n', 'shared two\n'] })
    await run('copy', ['--preserve-digests', `oci:${layout.dir}:1`, docker('team/app:1')])
    // skopeo learns where a blob lives from its own pushes (its blob-location cache), so the
    // copy below tries a cross-repository mount for each layer; --debug logs each request.
    const copied = await run('copy', ['--preserve-digests', docker('team/app:1'), docker('team/copy:1')], {
      debug: true,
    })

    await expectServedAs('team/copy', '1', layout.image.manifest, MediaTypes.OM)
    await expectBlobs('team/copy', imageBlobs(layout.image))
    const requests = requestsOf(copied.stderr)
    for (const layer of layout.image.layers) {
      const mounts = requests.filter(
        ({ method, url }) =>
          method === 'POST' &&
          url.pathname === '/v2/team/copy/blobs/uploads/' &&
          url.searchParams.get('mount') === layer.digest,
      )
      expect(
        mounts.map(({ url }) => url.searchParams.get('from')),
        `mount of ${layer.digest}\n${copied.stderr}`,
      ).toEqual(['team/app'])
      const uploads = requests.filter(
        ({ method, url }) => method === 'PUT' && url.searchParams.get('digest') === layer.digest,
      )
      expect(uploads, `upload of ${layer.digest}`).toEqual([])
    }
  })

  describe('manifests without a top-level mediaType (the documents buildah pushes)', () => {
    it('an image manifest pushed as OCI comes back byte-identical with the OCI Content-Type', async () => {
      const layout = await imageLayout('buildah', { omitMediaType: true })
      expect(JSON.parse(Buffer.from(layout.image.manifest.bytes).toString('utf8'))).not.toHaveProperty('mediaType')
      await run('copy', ['--preserve-digests', `oci:${layout.dir}:buildah`, docker('team/app:buildah')])

      await expectServedAs('team/app', 'buildah', layout.image.manifest, MediaTypes.OM)
      const inspected = await run('inspect', ['--raw', docker('team/app:buildah')])
      expect(inspected.stdoutBytes).toEqual(layout.image.manifest.bytes)
    })

    it('an index pushed as OCI by copy --all comes back byte-identical with the OCI Content-Type', async () => {
      const layout = await indexLayout('multi', { omitMediaType: true })
      expect(JSON.parse(Buffer.from(layout.index.bytes).toString('utf8'))).not.toHaveProperty('mediaType')
      await run('copy', ['--all', '--preserve-digests', `oci:${layout.dir}:multi`, docker('team/app:multi')])

      await expectServedAs('team/app', 'multi', layout.index, MediaTypes.OI, MediaTypes.OI)
      for (const image of layout.images)
        await expectServedAs('team/app', image.manifest.digest, image.manifest, MediaTypes.OM)
      const inspected = await run('inspect', ['--raw', docker('team/app:multi')])
      expect(inspected.stdoutBytes).toEqual(layout.index.bytes)
    })
  })
})

/** The same digests, and each blob's bytes equal and hashing to its name. */
function expectSameBlobs(actual: Map<string, Uint8Array>, expected: Map<string, Uint8Array>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort())
  for (const [digest, bytes] of actual) {
    expect(sha256(bytes), `blob file ${digest}`).toBe(digest)
    expect(bytes).toEqual(expected.get(digest))
  }
}

/** The HTTP requests in skopeo's --debug log (lines like `msg="POST http://…"`). */
function requestsOf(debugLog: string): Array<{ method: string; url: URL }> {
  const requests: Array<{ method: string; url: URL }> = []
  for (const match of debugLog.matchAll(/msg="(GET|HEAD|POST|PUT|PATCH|DELETE) (https?:\/\/[^"\s]+)"/g)) {
    requests.push({ method: match[1] as string, url: new URL(match[2] as string) })
  }
  return requests
}
