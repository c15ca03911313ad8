// The real skopeo against every registry profile, for the operations that registry supports: push
// from an OCI layout, pull back, inspect, list tags, and delete where the registry deletes. The
// profiles' quirks (blob redirects, ECR's 201 PATCH and opaque tag pages, Hub's rate-limit headers,
// GHCR's missing referrers API and 405 DELETE) are what skopeo meets on the way.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
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
})
