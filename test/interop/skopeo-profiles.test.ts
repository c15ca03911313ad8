// The real skopeo against every registry profile, for the operations that registry supports: push
// from an OCI layout, pull back, inspect, list tags, and delete where the registry deletes. The
// profiles' quirks (blob redirects, ECR's 201 PATCH and opaque tag pages, Hub's rate-limit headers,
// GHCR's missing referrers API and 405 DELETE) are what skopeo meets on the way; with auth on, the
// profile's auth shape too (its realm path, token fields, challenges, zot's 200 /v2/).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { assertAuthenticated } from '../../src/auth.js'
import { createFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from '../../src/index.js'
import type { RegistryProfileName } from '../../src/options.js'
import { REGISTRY_PROFILE_NAMES } from '../../src/profiles/registries/index.js'
import { makeTempDir, readLayout, removeLayout, writeImageLayout } from '../support/oci-layout.js'
import { tagMany } from '../support/tags.js'
import {
  createSkopeo,
  describeRun,
  findSkopeo,
  type RunOptions,
  type Skopeo,
  type SkopeoResult,
} from '../support/skopeo.js'

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

  async function run(
    command: Parameters<Skopeo['run']>[0],
    args: string[],
    options?: RunOptions,
  ): Promise<SkopeoResult> {
    const result = await skopeo.run(command, args, options)
    expect(result.exitCode, describeRun(result)).toBe(0)
    return result
  }

  /** Copy in and out, inspect, list tags and delete, as `options` lets skopeo (credentials or none). */
  async function exercise(current: FakeRegistry, options?: RunOptions): Promise<void> {
    const docker = (reference: string): string => `docker://${current.ref(reference)}`
    const layout = await writeImageLayout('1')
    tempDirs.push(layout.dir)

    await run('copy', ['--preserve-digests', `oci:${layout.dir}:1`, docker('team/app:1')], options)
    await run('copy', ['--preserve-digests', `oci:${layout.dir}:1`, docker('team/app:2')], options)
    const raw = await run('inspect', ['--raw', docker('team/app:1')], options)
    expect(Buffer.from(raw.stdoutBytes).equals(Buffer.from(layout.image.manifest.bytes))).toBe(true)

    const out = await makeTempDir()
    tempDirs.push(out)
    await run('copy', ['--preserve-digests', docker('team/app:1'), `oci:${out}:1`], options)
    const pulled = await readLayout(out)
    expect(pulled.blobs.size).toBe(2 + layout.image.layers.length)

    const tags = JSON.parse((await run('list-tags', [docker('team/app')], options)).stdout) as { Tags: string[] }
    expect(tags.Tags.sort()).toEqual(['1', '2'])

    // skopeo resolves the tag and deletes by digest: it works exactly where the registry deletes.
    const deleted = await skopeo.run('delete', [docker('team/app:2')], options)
    expect(deleted.exitCode === 0, describeRun(deleted)).toBe(current.options.deletes)
    const blobRequests = current.requests
      .filter({ resource: 'blob', method: 'GET' })
      .map((entry) => entry.response.status)
    if (current.options.blobRedirect) expect(blobRequests).toContain(307)
  }

  it.each(REGISTRY_PROFILE_NAMES.map((name) => [name]))(
    '%s: copy in and out, inspect, list tags, delete',
    async (profile: RegistryProfileName) => {
      registry = await createFakeRegistry({ profile })
      await exercise(registry)
    },
  )

  it.each(REGISTRY_PROFILE_NAMES.map((name) => [name]))(
    "%s with auth on and --creds: the same, through the profile's challenges and realm path",
    async (profile: RegistryProfileName) => {
      registry = await createFakeRegistry({ profile, auth: { users: { alice: 'secret' } } })
      await exercise(registry, { creds: 'alice:secret' })
      const auth = registry.options.auth!
      assertAuthenticated(registry, 'alice', { repository: 'team/app', actions: ['pull', 'push'] })
      expect(registry.requests.filter({ auth: { outcome: 'invalid' } })).toEqual([])
      const tokens = registry.requests.filter({ resource: 'token' })
      if (auth.scheme === 'basic') expect(tokens).toEqual([])
      else {
        expect(tokens.length).toBeGreaterThan(0)
        for (const entry of tokens)
          expect([entry.method, entry.path, entry.auth?.outcome]).toEqual(['GET', auth.realmPath, 'issued'])
      }
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
    const tags = await tagMany(registry, count)
    const listed = JSON.parse((await run('list-tags', [`docker://${registry.ref('team/app')}`])).stdout) as {
      Tags: string[]
    }
    expect(listed.Tags).toEqual(tags)
    expect(registry.requests.filter({ path: /\/tags\/list/, status: 200 })).toHaveLength(pages)
  })
})
