// Seeding once and restoring per test: the suite builds its fixtures through the registry's own
// API in beforeAll, takes a snapshot, and every test starts from that snapshot, whatever the
// test before it pushed or deleted. With memory storage the restore costs only the changes.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry, type StorageSnapshot } from 'fake-oci-registry'
import { randomLayer, type SeededImage } from 'fake-oci-registry/seed'

// ---- the code under test ----------------------------------------------------------------------

/** Lists the tags of a repository, as a release tool might before choosing the next version. */
async function listTags(baseUrl: string, repository: string, fetcher: typeof fetch = fetch): Promise<string[]> {
  const response = await fetcher(`${baseUrl}/v2/${repository}/tags/list`)
  if (response.status === 404) return []
  const body = (await response.json()) as { tags: string[] | null }
  return body.tags ?? []
}

// ---- the tests --------------------------------------------------------------------------------

describe('a suite that seeds once and restores before each test', () => {
  let registry: FakeRegistry
  let seeded: StorageSnapshot
  let image: SeededImage
  const fetcher = ((input: string, init?: RequestInit) => registry.fetch(input, init)) as typeof fetch

  beforeAll(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    // Deterministic content: the same digests on every run and every machine.
    image = await registry.seed.image('team/app:1.0.0', { layers: [randomLayer({ size: 4096, seed: 1 })] })
    await registry.seed.index('team/app:latest', [
      image,
      { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ])
    await registry.seed.artifact('team/app', {
      artifactType: 'application/spdx+json',
      subject: image,
      files: { 'sbom.spdx.json': '{"spdxVersion":"SPDX-2.3"}' },
    })
    seeded = await registry.snapshot()
  })
  afterAll(() => registry.close())
  beforeEach(() => registry.restore(seeded))

  it('sees the seeded tags', async () => {
    expect(await listTags(registry.url, 'team/app', fetcher)).toEqual(['1.0.0', 'latest'])
  })

  it('may push a release; the next test does not see it', async () => {
    await registry.seed.image('team/app:1.1.0', { layers: [randomLayer({ size: 4096, seed: 2 })] })
    expect(await listTags(registry.url, 'team/app', fetcher)).toEqual(['1.0.0', '1.1.0', 'latest'])
  })

  it('may delete everything; the next test does not notice', async () => {
    await registry.reset()
    expect(await listTags(registry.url, 'team/app', fetcher)).toEqual([])
  })

  it('finds the SBOM through the referrers API', async () => {
    const response = await registry.fetch(`/v2/team/app/referrers/${image.digest}?artifactType=application/spdx%2Bjson`)
    const body = (await response.json()) as { manifests: Array<{ artifactType: string }> }
    expect(body.manifests.map((manifest) => manifest.artifactType)).toEqual(['application/spdx+json'])
  })
})
