// A tag lister that must work against the registries its users have, not only against the spec:
// ECR pages 100 tags at a time behind opaque tokens and refuses a tag name as `last`. The `ecr`
// profile answers as ECR does; the journal shows how the client walked the pages.
import { expect, it } from 'vitest'
import { createFakeRegistry } from 'fake-oci-registry'

// ---- the code under test ----------------------------------------------------------------------

/** Every tag of a repository, following the registry's `Link` header from page to page. */
async function listAllTags(baseUrl: string, repository: string, fetcher: typeof fetch = fetch): Promise<string[]> {
  const tags: string[] = []
  let next: string | undefined = `/v2/${repository}/tags/list`
  while (next !== undefined) {
    const response: Response = await fetcher(new URL(next, baseUrl))
    if (response.status !== 200) throw new Error(`tags list: status ${response.status}`)
    tags.push(...((await response.json()) as { tags: string[] }).tags)
    next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1]
  }
  return tags
}

// ---- the tests --------------------------------------------------------------------------------

const TAGS = Array.from({ length: 250 }, (_, index) => `v${String(index).padStart(3, '0')}`)

it("lists every tag across ECR's opaque pages", async () => {
  await using registry = await createFakeRegistry({ profile: 'ecr', transport: 'none' })
  for (const tag of TAGS) await registry.seed.image(`team/app:${tag}`)

  const tags = await listAllTags(registry.url, 'team/app', (input, init) => registry.fetch(input, init))

  expect(tags).toEqual(TAGS)
  const pages = registry.requests.filter({ resource: 'tags' })
  expect(pages.map((page) => page.response.status)).toEqual([200, 200, 200])
  // The client passed ECR's token on: no page was asked for with a tag name.
  expect(pages.slice(1).map((page) => TAGS.includes(String(page.query.last)))).toEqual([false, false])
})

it('reproduces the bug report: a lister that writes last=<tag> itself is refused by ECR', async () => {
  await using registry = await createFakeRegistry({ profile: 'ecr', transport: 'none' })
  await registry.seed.image('team/app:v099')

  const response = await registry.fetch('/v2/team/app/tags/list?last=v099')

  expect(response.status).toBe(405)
  expect(registry.requests.last()?.response.errorCode).toBe('UNSUPPORTED')
})
