// Many tags on one image, for the listing and pagination tests.
import { expect } from 'vitest'
import type { FakeRegistry } from '../../src/index.js'

/**
 * `team/app` with `count` tags t0000, t0001… on one image, made in process; returns them in
 * list order (the zero-padded names sort as they were made).
 */
export async function tagMany(registry: FakeRegistry, count: number): Promise<string[]> {
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
  return tags
}
