// The real skopeo against every registry profile, for the operations that registry supports: push
// from an OCI layout, pull back, inspect, list tags, and delete where the registry deletes. The
// profiles' quirks (blob redirects, ECR's 201 PATCH and opaque tag pages, Hub's rate-limit headers,
// GHCR's missing referrers API and 405 DELETE) are what skopeo meets on the way.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from '../../src/index.js'
import type { RegistryProfileName } from '../../src/options.js'
import { REGISTRY_PROFILE_NAMES } from '../../src/profiles/registries/index.js'
import { makeTempDir, readLayout, removeLayout, writeImageLayout } from '../support/oci-layout.js'
import { createSkopeo, describeRun, findSkopeo, type Skopeo, type SkopeoResult } from '../support/skopeo.js'

const skopeoPath = findSkopeo()

describe.skipIf(!skopeoPath)('skopeo against each registry profile', { timeout: 120_000 }, () => {
  let skopeo: Skopeo
  const tempDirs: string[] = []
  let registry: FakeRegistry | undefined

  beforeAll(async () => {
    skopeo = await createSkopeo(skopeoPath as string)
  })
  afterAll(() => skopeo?.close())
  afterEach(async () => {
    await registry?.close()
    registry = undefined
    for (const dir of tempDirs.splice(0)) await removeLayout(dir)
  })

  async function run(command: Parameters<Skopeo['run']>[0], args: string[]): Promise<SkopeoResult> {
    const result = await skopeo.run(command, args)
    expect(result.exitCode, describeRun(result)).toBe(0)
    return result
  }

  it.each(REGISTRY_PROFILE_NAMES.map((name) => [name]))(
    '%s: copy in and out, inspect, list tags, delete',
    async (profile: RegistryProfileName) => {
      registry = await createFakeRegistry({ profile })
      const docker = (reference: string): string => `docker://${registry!.ref(reference)}`
      const layout = await writeImageLayout('1')
      tempDirs.push(layout.dir)

      await run('copy', ['--preserve-digests', `oci:${layout.dir}:1`, docker('team/app:1')])
      await run('copy', ['--preserve-digests', `oci:${layout.dir}:1`, docker('team/app:2')])
      const raw = await run('inspect', ['--raw', docker('team/app:1')])
      expect(Buffer.from(raw.stdoutBytes).equals(Buffer.from(layout.image.manifest.bytes))).toBe(true)

      const out = await makeTempDir()
      tempDirs.push(out)
      await run('copy', ['--preserve-digests', docker('team/app:1'), `oci:${out}:1`])
      const pulled = await readLayout(out)
      expect(pulled.blobs.size).toBe(2 + layout.image.layers.length)

      const tags = JSON.parse((await run('list-tags', [docker('team/app')])).stdout) as { Tags: string[] }
      expect(tags.Tags.sort()).toEqual(['1', '2'])

      // skopeo resolves the tag and deletes by digest: it works exactly where the registry deletes.
      const deleted = await skopeo.run('delete', [docker('team/app:2')])
      expect(deleted.exitCode === 0, describeRun(deleted)).toBe(registry.options.deletes)
      const blobRequests = registry.requests
        .filter({ resource: 'blob', method: 'GET' })
        .map((entry) => entry.response.status)
      if (registry.options.blobRedirect) expect(blobRequests).toContain(307)
    },
  )

  // containers/image follows `Link` (docs/profiles.md, "tags pagination"): whatever the registry
  // writes there, ACR's `orderby=`, ECR's NextToken, the older Quay's `next_page`, skopeo lists
  // every tag once.
  it.each<[string, FakeRegistryOptions, number, number]>([
    ['acr', { profile: 'acr' }, 1001, 2],
    ['ecr', { profile: 'ecr' }, 250, 3],
    ['quay before May 2024', { profile: 'quay', quirks: { tagsPageToken: true, tagsPageSize: 50 } }, 120, 3],
    ['distribution-2.8', { profile: 'distribution-2.8' }, 120, 1],
  ])('%s: list-tags follows the Link pages', async (_label, options, count, pages) => {
    registry = await createFakeRegistry(options)
    const tags = Array.from({ length: count }, (_, index) => `t${String(index).padStart(4, '0')}`)
    await registry.seed.image(`team/app:${tags[0]}`)
    const stored = (await registry.manifest(`team/app:${tags[0]}`))!
    for (const tag of tags.slice(1)) {
      const response = await registry.fetch(`/v2/team/app/manifests/${tag}`, {
        method: 'PUT',
        headers: { 'content-type': stored.mediaType },
        body: stored.bytes as Uint8Array<ArrayBuffer>,
      })
      expect(response.status).toBe(201)
    }
    const listed = JSON.parse((await run('list-tags', [`docker://${registry.ref('team/app')}`])).stdout) as {
      Tags: string[]
    }
    expect(listed.Tags).toEqual(tags)
    expect(registry.requests.filter({ path: /\/tags\/list/, status: 200 })).toHaveLength(pages)
  })
})
