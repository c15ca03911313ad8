// A table per profile of the behaviours it cites (docs/profiles.md): each row sends real requests
// to a registry created with that profile and checks what the registry it imitates answers.
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, FakeRegistryError, type FakeRegistry, type FakeRegistryOptions } from '../../src/index.js'
import { REGISTRY_PROFILE_NAMES, registryProfile } from '../../src/profiles/registries/index.js'
import { bytesOf, errorsOf } from '../support/push.js'
import type { RegistryProfileName } from '../../src/options.js'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

let open: FakeRegistry[] = []
afterEach(async () => {
  await Promise.all(open.map((registry) => registry.close()))
  open = []
})

async function start(options: FakeRegistryOptions): Promise<FakeRegistry> {
  const registry = await createFakeRegistry({ transport: 'none', ...options })
  open.push(registry)
  return registry
}

/** The tag `tagged` gives the index-th tag: t000, t001… (t0000… past 1000), so they list in the order made. */
function tagName(index: number, count: number): string {
  return `t${String(index).padStart(count > 1000 ? 4 : 3, '0')}`
}

/** `team/app` with `count` tags t000, t001… on one image; returns the image's digest. */
async function tagged(registry: FakeRegistry, count: number): Promise<string> {
  const image = await registry.seed.image(`team/app:${tagName(0, count)}`)
  const stored = (await registry.manifest(`team/app:${tagName(0, count)}`))!
  for (let index = 1; index < count; index++) {
    const tag = tagName(index, count)
    const response = await registry.fetch(`/v2/team/app/manifests/${tag}`, {
      method: 'PUT',
      headers: { 'content-type': stored.mediaType },
      body: stored.bytes as Uint8Array<ArrayBuffer>,
    })
    expect(response.status).toBe(201)
  }
  return image.digest
}

async function tagsOf(
  registry: FakeRegistry,
  query = '',
): Promise<{ status: number; tags: string[]; link: string | null }> {
  const response = await registry.fetch(`/v2/team/app/tags/list${query}`)
  const body = (await response.json()) as { tags?: string[] }
  return { status: response.status, tags: body.tags ?? [], link: response.headers.get('link') }
}

/** Repositories r000, r001… each holding one blob. */
async function repositories(registry: FakeRegistry, count: number): Promise<void> {
  for (let index = 0; index < count; index++) await registry.seed.blob(`r${String(index).padStart(3, '0')}`, 'x')
}

async function catalogOf(
  registry: FakeRegistry,
  query = '',
): Promise<{ status: number; repositories: string[]; link: string | null }> {
  const response = await registry.fetch(`/v2/_catalog${query}`)
  const body = (await response.json()) as { repositories?: string[] }
  return { status: response.status, repositories: body.repositories ?? [], link: response.headers.get('link') }
}

/** The URL in a `Link: <url>; rel="next"` header. */
function nextUrl(link: string | null): string {
  const match = /^<([^>]+)>; rel="next"$/.exec(link ?? '')
  if (!match) throw new Error(`not a next-page Link: ${link}`)
  return match[1]!
}

/** Content-Type and exact bytes of a tag list and of the catalog. */
async function listAnswers(profile: RegistryProfileName): Promise<Array<[string | null, string]>> {
  const registry = await start({ profile })
  await tagged(registry, 2)
  const tags = await registry.fetch('/v2/team/app/tags/list')
  const catalog = await registry.fetch('/v2/_catalog')
  return [
    [tags.headers.get('content-type'), await tags.text()],
    [catalog.headers.get('content-type'), await catalog.text()],
  ]
}

/** A subject and a referrer pushed by digest; the referrer push's answer is returned. */
async function pushReferrer(registry: FakeRegistry): Promise<{ subject: string; push: Response }> {
  const subject = await registry.seed.image('team/app:1')
  const empty = await registry.seed.blob('team/app', '{}')
  const body = bytesOf(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.example.sbom',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty.digest, size: 2 },
      layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: empty.digest, size: 2 }],
      subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.bytes.byteLength },
    }),
  )
  const push = await registry.fetch('/v2/team/app/manifests/sbom', {
    method: 'PUT',
    headers: { 'content-type': OCI_MANIFEST },
    body: body as Uint8Array<ArrayBuffer>,
  })
  expect(push.status).toBe(201)
  return { subject: subject.digest, push }
}

async function expectNoReferrersApi(registry: FakeRegistry): Promise<void> {
  const { subject, push } = await pushReferrer(registry)
  expect(push.headers.get('oci-subject')).toBeNull()
  const referrers = await registry.fetch(`/v2/team/app/referrers/${subject}`)
  expect(referrers.status).toBe(404)
}

async function expectReferrersApi(registry: FakeRegistry): Promise<void> {
  const { subject, push } = await pushReferrer(registry)
  expect(push.headers.get('oci-subject')).toBe(subject)
  const referrers = await registry.fetch(`/v2/team/app/referrers/${subject}`)
  expect(referrers.status).toBe(200)
  expect(((await referrers.json()) as { manifests: unknown[] }).manifests).toHaveLength(1)
}

async function deleteAnswer(
  registry: FakeRegistry,
  reference: 'digest' | 'tag',
): Promise<{ status: number; code: string | undefined; message: string | undefined }> {
  const image = await registry.seed.image('team/app:1')
  const response = await registry.fetch(`/v2/team/app/manifests/${reference === 'digest' ? image.digest : '1'}`, {
    method: 'DELETE',
  })
  const [error] = response.status >= 400 ? await errorsOf(response) : []
  return { status: response.status, code: error?.code, message: error?.message }
}

type Row = [behaviour: string, check: (profile: RegistryProfileName) => Promise<void>]

// The row of every profile whose registry refuses DELETE: 405 UNSUPPORTED (docs/profiles.md).
const DELETE_UNSUPPORTED: Row = [
  'manifest DELETE',
  async (profile) =>
    expect(await deleteAnswer(await start({ profile }), 'digest')).toMatchObject({ status: 405, code: 'UNSUPPORTED' }),
]

const TABLES: Record<RegistryProfileName, Row[]> = {
  'docker-hub': [
    [
      'manifest DELETE',
      async (profile) =>
        expect(await deleteAnswer(await start({ profile }), 'digest')).toEqual({
          status: 405,
          code: 'UNSUPPORTED',
          message: 'The operation is unsupported.',
        }),
    ],
    ['_catalog', async (profile) => expect((await (await start({ profile })).fetch('/v2/_catalog')).status).toBe(404)],
    [
      'header case',
      async (profile) => expect(await rawHeaderNames(profile)).toContain('docker-distribution-api-version'),
    ],
    ['referrers API', async (profile) => expectNoReferrersApi(await start({ profile }))],
    [
      'rate limits',
      async (profile) => {
        const registry = await start({ profile })
        await registry.seed.image('team/app:1')
        const head = await registry.fetch('/v2/team/app/manifests/1', { method: 'HEAD' })
        const get = await registry.fetch('/v2/team/app/manifests/1')
        expect([head.headers.get('ratelimit-limit'), head.headers.get('ratelimit-remaining')]).toEqual([
          '100;w=21600',
          '100;w=21600',
        ])
        expect([get.headers.get('ratelimit-limit'), get.headers.get('ratelimit-remaining')]).toEqual([
          '100;w=21600',
          '99;w=21600',
        ])
        expect(get.headers.get('docker-ratelimit-source')).toBe('127.0.0.1')
      },
    ],
    [
      'blob GET redirect',
      async (profile) => {
        const registry = await start({ profile })
        const blob = await registry.seed.blob('team/app', 'layer')
        const response = await registry.fetch(`/v2/team/app/blobs/${blob.digest}`, { redirect: 'manual' })
        expect(response.status).toBe(307)
        expect(await (await registry.fetch(response.headers.get('location')!)).text()).toBe('layer')
      },
    ],
  ],
  ghcr: [
    ['referrers API', async (profile) => expectNoReferrersApi(await start({ profile }))],
    DELETE_UNSUPPORTED,
    [
      'tags pagination',
      async (profile) => {
        const registry = await start({ profile })
        await tagged(registry, 3)
        expect(await tagsOf(registry, '?n=2')).toEqual({
          status: 200,
          tags: ['t000', 't001'],
          link: '</v2/team/app/tags/list?n=2&last=t001>; rel="next"',
        })
      },
    ],
  ],
  ecr: [
    [
      'tags pagination',
      async (profile) => {
        const registry = await start({ profile })
        await tagged(registry, 102)
        const first = await tagsOf(registry)
        expect(first.tags).toHaveLength(100)
        // `last` is an opaque token: following Link works, a tag name does not.
        const next = /<([^>]+)>/.exec(first.link ?? '')![1]!
        const token = new URL(next, 'http://x').searchParams.get('last')!
        expect([token.includes('t099'), Buffer.from(token, 'base64url').includes('t099')]).toEqual([false, false])
        expect((await tagsOf(registry, next.slice(next.indexOf('?')))).tags).toEqual(['t100', 't101'])
        const byName = await registry.fetch('/v2/team/app/tags/list?last=t099')
        expect(byName.status).toBe(405)
        expect(await errorsOf(byName)).toEqual([
          {
            code: 'UNSUPPORTED',
            message: "Invalid parameter at 'NextToken' failed to satisfy constraint: 'Invalid next token provided'",
          },
        ])
        const tooMany = await registry.fetch('/v2/team/app/tags/list?n=1001')
        expect(tooMany.status).toBe(405)
        expect(await errorsOf(tooMany)).toEqual([
          {
            code: 'UNSUPPORTED',
            message:
              "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'",
          },
        ])
      },
    ],
    [
      '_catalog',
      async (profile) => expect((await (await start({ profile })).fetch('/v2/_catalog?n=1001')).status).toBe(405),
    ],
    [
      'Docker-Content-Digest gaps',
      async (profile) => {
        const registry = await start({ profile })
        const image = await registry.seed.image('team/app:1')
        const accept = { accept: OCI_MANIFEST }
        expect(
          (await registry.fetch('/v2/team/app/manifests/1', { headers: accept })).headers.get('docker-content-digest'),
        ).toBeNull()
        expect(
          (await registry.fetch('/v2/team/app/manifests/1', { method: 'HEAD', headers: accept })).headers.get(
            'docker-content-digest',
          ),
        ).toBe(image.digest)
        expect(
          (await registry.fetch(`/v2/team/app/manifests/${image.digest}`, { headers: accept })).headers.get(
            'docker-content-digest',
          ),
        ).toBe(image.digest)
      },
    ],
    [
      'chunked upload',
      async (profile) => {
        const registry = await start({ profile })
        const started = await registry.fetch('/v2/team/app/blobs/uploads/', { method: 'POST' })
        let location = started.headers.get('location')!
        const ranges: Array<[number, string | null]> = []
        for (const [start, chunk] of [
          [0, 'aaaa'],
          [4, 'bbbb'],
          [8, 'cccc'],
        ] as const) {
          const patch = await registry.fetch(location, {
            method: 'PATCH',
            headers: { 'content-range': `${start}-${start + 3}` },
            body: chunk,
          })
          ranges.push([patch.status, patch.headers.get('range')])
          location = patch.headers.get('location')!
        }
        expect(ranges).toEqual([
          [201, '0-3'],
          [201, '0-3'],
          [201, '0-3'],
        ])
      },
    ],
    [
      'tag immutability',
      async (profile) => {
        const registry = await start({ profile, quirks: { immutableTags: 'ecr' } })
        await registry.seed.image('team/app:1.0.2')
        const stored = (await registry.manifest('team/app:1.0.2'))!
        const again = await registry.fetch('/v2/team/app/manifests/1.0.2', {
          method: 'PUT',
          headers: { 'content-type': stored.mediaType },
          body: stored.bytes as Uint8Array<ArrayBuffer>,
        })
        expect(again.status).toBe(400)
        expect(await errorsOf(again)).toEqual([
          {
            code: 'TAG_INVALID',
            message:
              "The image tag '1.0.2' already exists in the 'team/app' repository and cannot be overwritten because the repository is immutable.",
          },
        ])
      },
    ],
    [
      'blob GET redirect',
      async (profile) => expect((await start({ profile })).options.blobRedirect?.ttlMs).toBe(20 * 60_000),
    ],
    ['referrers API', async (profile) => expectNoReferrersApi(await start({ profile }))],
    DELETE_UNSUPPORTED,
  ],
  gar: [
    [
      'tags pagination',
      async (profile) => {
        const registry = await start({ profile })
        await tagged(registry, 3)
        expect(await tagsOf(registry, '?n=1&last=t000')).toEqual({
          status: 200,
          tags: ['t000', 't001', 't002'],
          link: null,
        })
      },
    ],
    ['referrers API', async (profile) => expectNoReferrersApi(await start({ profile }))],
    DELETE_UNSUPPORTED,
    [
      'header case',
      async (profile) => expect(await rawHeaderNames(profile)).toContain('docker-distribution-api-version'),
    ],
  ],
  acr: [
    [
      'tags pagination',
      async (profile) => {
        const registry = await start({ profile })
        await tagged(registry, 1001)
        // n is ignored: a page holds 1000 tags, and the Link puts `last` first with an empty `orderby`.
        const first = await tagsOf(registry, '?n=1')
        expect(first.tags).toEqual(Array.from({ length: 1000 }, (_, index) => tagName(index, 1001)))
        expect(first.link).toBe('</v2/team/app/tags/list?last=t0999&n=1000&orderby=>; rel="next"')
        expect(await tagsOf(registry, nextUrl(first.link).slice('/v2/team/app/tags/list'.length))).toEqual({
          status: 200,
          tags: ['t1000'],
          link: null,
        })
        expect(await tagsOf(registry, '?last=t0998')).toEqual({ status: 200, tags: ['t0999', 't1000'], link: null })
        // The catalog's Link is written the same way.
        await registry.seed.blob('team/other', 'x')
        expect(await catalogOf(registry, '?n=1')).toEqual({
          status: 200,
          repositories: ['team/app'],
          link: '</v2/_catalog?last=team%2Fapp&n=1&orderby=>; rel="next"',
        })
      },
    ],
    ['blob GET redirect', async (profile) => expect((await start({ profile })).options.blobRedirect).toBeDefined()],
    ['referrers API', async (profile) => expectNoReferrersApi(await start({ profile }))],
    DELETE_UNSUPPORTED,
  ],
  quay: [
    [
      'tags pagination',
      async (profile) => {
        const registry = await start({ profile })
        await tagged(registry, 1)
        const response = await registry.fetch('/v2/team/app/tags/list?n=1000')
        expect(response.status).toBe(413)
        expect(await errorsOf(response)).toEqual([
          {
            code: 'TOO_MANY_TAGS_REQUESTED',
            message: 'Too many tags requested; requested limit 1000 is too high, max is 100',
            detail: {},
          },
        ])
        expect((await tagsOf(registry, '?n=100')).status).toBe(200)
        // Since May 2024 `last` is a tag name, in the Link and from the client.
        await tagged(registry, 3)
        expect(await tagsOf(registry, '?n=1&last=t000')).toEqual({
          status: 200,
          tags: ['t001'],
          link: '</v2/team/app/tags/list?n=1&last=t001>; rel="next"',
        })
      },
    ],
    [
      '_catalog',
      async (profile) => {
        const registry = await start({ profile })
        await repositories(registry, 101)
        // 100 a page without n, and the next page behind an encrypted next_page token.
        const first = await catalogOf(registry)
        expect(first.repositories).toHaveLength(100)
        const token = /^<\/v2\/_catalog\?next_page=([A-Za-z0-9_-]+)&n=100>; rel="next"$/.exec(first.link ?? '')?.[1]
        expect(token, String(first.link)).toBeDefined()
        // The token does not show the last name, in its text or in its bytes.
        expect([token!.includes('r099'), Buffer.from(token!, 'base64url').includes('r099')]).toEqual([false, false])
        expect(await catalogOf(registry, `?next_page=${token}&n=100`)).toEqual({
          status: 200,
          repositories: ['r100'],
          link: null,
        })
        // A name as `last`, an altered token or one from another registry: Quay starts over.
        const altered = `${token!.slice(0, 20)}${token![20] === 'A' ? 'B' : 'A'}${token!.slice(21)}`
        const foreign = nextUrl((await catalogOf(await twoRepositories(profile), '?n=1')).link)
        for (const query of ['?n=2&last=r000', `?n=2&next_page=${altered}`, foreign.slice('/v2/_catalog'.length)]) {
          const page = await catalogOf(registry, query)
          expect(page.repositories[0], query).toBe('r000')
        }
        // n above 100 gets a page of 100 without an error, and the Link carries the n served.
        const capped = await catalogOf(registry, '?n=1000')
        expect([capped.status, capped.repositories.length]).toEqual([200, 100])
        expect(capped.link).toMatch(/^<\/v2\/_catalog\?next_page=[A-Za-z0-9_-]+&n=100>; rel="next"$/)
      },
    ],
    [
      'non-OCI error envelope',
      async (profile) => {
        const response = await (await start({ profile })).fetch('/v2/team/app/manifests/missing')
        expect(response.status).toBe(404)
        expect(await errorsOf(response)).toEqual([
          { code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name: 'team/app' } },
        ])
        const bare = await (await start({ profile })).fetch('/v2/_catalog?n=x')
        expect((await errorsOf(bare))[0]!.detail).toEqual({ n: 'x' })
      },
    ],
    ['referrers API', async (profile) => expectReferrersApi(await start({ profile }))],
    [
      '/v2/ body',
      async (profile) => {
        // Flask's make_response("true"): four bytes of text/html, over a socket too; HEAD keeps the length.
        const registry = await start({ profile })
        const overHttp = await start({ profile, transport: 'http' })
        const answers = [
          await registry.fetch('/v2/'),
          await registry.fetch('/v2/', { method: 'HEAD' }),
          await fetch(`${overHttp.url}/v2/`),
        ]
        const seen = []
        for (const response of answers) {
          const { status, headers } = response
          seen.push([status, headers.get('content-type'), headers.get('content-length'), await response.text()])
        }
        expect(seen).toEqual([
          [200, 'text/html; charset=utf-8', '4', 'true'],
          [200, 'text/html; charset=utf-8', '4', ''],
          [200, 'text/html; charset=utf-8', '4', 'true'],
        ])
      },
    ],
  ],
  harbor: [
    ['tags pagination', async (profile) => expectSortedLinks(profile)],
    [
      'manifest DELETE',
      async (profile) =>
        expect(await deleteAnswer(await start({ profile }), 'tag')).toEqual({
          status: 400,
          code: 'UNSUPPORTED',
          message: 'unsupported digest 1',
        }),
    ],
    [
      'non-OCI error envelope',
      async (profile) => {
        const registry = await start({ profile })
        await registry.seed.image('team/app:1')
        const response = await registry.fetch('/v2/team/app/manifests/missing')
        expect(response.status).toBe(404)
        expect(await errorsOf(response)).toEqual([{ code: 'NOT_FOUND', message: 'manifest unknown' }])
      },
    ],
    [
      'tag immutability',
      async (profile) => {
        const registry = await start({ profile, quirks: { immutableTags: 'harbor' } })
        await registry.seed.image('team/app:1')
        const stored = (await registry.manifest('team/app:1'))!
        const again = await registry.fetch('/v2/team/app/manifests/1', {
          method: 'PUT',
          headers: { 'content-type': stored.mediaType },
          body: stored.bytes as Uint8Array<ArrayBuffer>,
        })
        expect(again.status).toBe(412)
        expect(await errorsOf(again)).toEqual([
          { code: 'PRECONDITION', message: "Failed to process request due to 'team/app:1' configured as immutable." },
        ])
      },
    ],
    [
      'header case',
      async (profile) => expect(await rawHeaderNames(profile)).toContain('Docker-Distribution-Api-Version'),
    ],
    [
      'list Content-Type',
      async (profile) =>
        expect(await listAnswers(profile)).toEqual([
          ['application/json; charset=utf-8', '{"name":"team/app","tags":["t000","t001"]}\n'],
          ['application/json; charset=utf-8', '{"repositories":["team/app"]}\n'],
        ]),
    ],
    ['referrers API', async (profile) => expectReferrersApi(await start({ profile }))],
  ],
  gitlab: [
    ['tags pagination', async (profile) => expectSortedLinks(profile)],
    ['referrers API', async (profile) => expectNoReferrersApi(await start({ profile }))],
    [
      'referrers API',
      async (profile) => {
        // The tag-schema fallback tag names the subject's digest, and GitLab serves the subject itself.
        const registry = await start({ profile })
        const image = await registry.seed.image('team/app:1')
        const response = await registry.fetch(`/v2/team/app/manifests/${image.digest.replace(':', '-')}`, {
          headers: { accept: OCI_MANIFEST },
        })
        expect([response.status, response.headers.get('docker-content-digest')]).toEqual([200, image.digest])
      },
    ],
    ['media types', async (profile) => expect((await start({ profile })).options.mode).toBe('strict')],
    DELETE_UNSUPPORTED,
  ],
  artifactory: [['referrers API', async (profile) => expectReferrersApi(await start({ profile }))], DELETE_UNSUPPORTED],
  'distribution-2.8': [
    [
      'tags pagination',
      async (profile) => {
        const registry = await start({ profile })
        await tagged(registry, 3)
        expect(await tagsOf(registry, '?n=1&last=t001')).toEqual({
          status: 200,
          tags: ['t000', 't001', 't002'],
          link: null,
        })
        // The tag list does not read n at all, so one that does not parse is no error either.
        for (const n of ['abc', '-1', '1.5']) {
          expect(await tagsOf(registry, `?n=${n}`), n).toEqual({
            status: 200,
            tags: ['t000', 't001', 't002'],
            link: null,
          })
        }
      },
    ],
    ['_catalog', async (profile) => expectDistributionCatalog(profile)],
    [
      'list Content-Type',
      async (profile) =>
        expect(await listAnswers(profile)).toEqual([
          ['application/json; charset=utf-8', '{"name":"team/app","tags":["t000","t001"]}\n'],
          ['application/json; charset=utf-8', '{"repositories":["team/app"]}\n'],
        ]),
    ],
    [
      'manifest DELETE',
      async (profile) =>
        expect(await deleteAnswer(await start({ profile }), 'tag')).toMatchObject({
          status: 400,
          code: 'DIGEST_INVALID',
        }),
    ],
    [
      'malformed digest reference',
      async (profile) => {
        const registry = await start({ profile })
        await registry.seed.image('team/app:1')
        const response = await registry.fetch('/v2/team/app/manifests/sha256:totallywrong')
        expect([response.status, (await errorsOf(response))[0]!.code]).toEqual([500, 'UNKNOWN'])
      },
    ],
    [
      'chunked upload',
      async (profile) => {
        const registry = await start({ profile })
        const started = await registry.fetch('/v2/team/app/blobs/uploads/', { method: 'POST' })
        const first = started.headers.get('location')!
        expect(new URL(first, registry.url).searchParams.get('_state')).not.toBeNull()
        // Content-Range is not read: the chunk is appended wherever it claims to start.
        const patch = await registry.fetch(first, {
          method: 'PATCH',
          headers: { 'content-range': '10-13' },
          body: 'abcd',
        })
        expect([patch.status, patch.headers.get('range')]).toEqual([202, '0-3'])
        // The POST's Location is now behind the session.
        expect((await registry.fetch(first)).status).toBe(404)
        expect((await registry.fetch(patch.headers.get('location')!)).status).toBe(204)
      },
    ],
    ['referrers API', async (profile) => expectNoReferrersApi(await start({ profile }))],
    [
      'header case',
      async (profile) => expect(await rawHeaderNames(profile)).toContain('Docker-Distribution-Api-Version'),
    ],
  ],
  'distribution-3': [
    [
      'tags pagination',
      async (profile) => {
        const registry = await start({ profile })
        await tagged(registry, 3)
        // Go's url.Values.Encode writes the keys sorted: last, then n.
        const page = await tagsOf(registry, '?n=1&last=t000')
        expect(page).toEqual({
          status: 200,
          tags: ['t001'],
          link: '</v2/team/app/tags/list?last=t001&n=1>; rel="next"',
        })
        const next = nextUrl(page.link)
        expect(await tagsOf(registry, next.slice(next.indexOf('?')))).toEqual({
          status: 200,
          tags: ['t002'],
          link: null,
        })
        // An n that does not parse is refused, as distribution 3 refuses it.
        expect((await registry.fetch('/v2/team/app/tags/list?n=abc')).status).toBe(400)
      },
    ],
    ['_catalog', async (profile) => expectDistributionCatalog(profile)],
    [
      'list Content-Type',
      async (profile) =>
        expect(await listAnswers(profile)).toEqual([
          ['application/json', '{"name":"team/app","tags":["t000","t001"]}\n'],
          ['application/json', '{"repositories":["team/app"]}\n'],
        ]),
    ],
    ['referrers API', async (profile) => expectNoReferrersApi(await start({ profile }))],
    [
      'header case',
      async (profile) => expect(await rawHeaderNames(profile)).toContain('Docker-Distribution-Api-Version'),
    ],
  ],
  zot: [
    [
      '/v2/ body',
      async (profile) => {
        // 200 and no byte of body, declared JSON all the same; over a socket too.
        const registry = await start({ profile })
        const answers = []
        for (const method of ['GET', 'HEAD']) answers.push(await registry.fetch('/v2/', { method }))
        const overHttp = await start({ profile, transport: 'http' })
        answers.push(await fetch(`${overHttp.url}/v2/`))
        for (const response of answers) {
          expect([
            response.status,
            response.headers.get('content-type'),
            response.headers.get('content-length'),
            await response.text(),
          ]).toEqual([200, 'application/json', '0', ''])
        }
      },
    ],
    ['referrers API', async (profile) => expectReferrersApi(await start({ profile }))],
    [
      'manifest DELETE',
      async (profile) => expect(await deleteAnswer(await start({ profile }), 'digest')).toMatchObject({ status: 202 }),
    ],
  ],
}

/**
 * distribution's catalog: without `n`, 100 repositories and a `Link` to the rest, its query keys
 * sorted (`?last=…&n=…`) as Go's url.Values writes them; `n` above `catalog.maxentries` (1000)
 * refused with 400 PAGINATION_NUMBER_INVALID and the `n` asked for as detail. An `n` that does
 * not parse: 2.8 serves the default page, 3 refuses it.
 */
async function expectDistributionCatalog(profile: RegistryProfileName): Promise<void> {
  const registry = await start({ profile })
  await repositories(registry, 101)
  const first = await registry.fetch('/v2/_catalog')
  const names = Array.from({ length: 100 }, (_, index) => `r${String(index).padStart(3, '0')}`)
  const defaultPage = [
    200,
    '</v2/_catalog?last=r099&n=100>; rel="next"',
    `${JSON.stringify({ repositories: names })}\n`,
  ]
  expect([first.status, first.headers.get('link'), await first.text()]).toEqual(defaultPage)
  expect(await catalogOf(registry, '?last=r099&n=100')).toEqual({ status: 200, repositories: ['r100'], link: null })
  expect(await catalogOf(registry, '?n=2&last=r000')).toEqual({
    status: 200,
    repositories: ['r001', 'r002'],
    link: '</v2/_catalog?last=r002&n=2>; rel="next"',
  })
  const tooMany = await registry.fetch('/v2/_catalog?n=1001')
  expect([tooMany.status, await tooMany.text()]).toEqual([
    400,
    '{"errors":[{"code":"PAGINATION_NUMBER_INVALID","message":"invalid number of results requested","detail":{"n":1001}}]}\n',
  ])
  if (profile === 'distribution-3') {
    expect((await registry.fetch('/v2/_catalog?n=abc')).status).toBe(400)
    return
  }
  // strconv.Atoi: what it cannot read, a negative number and one past int64 leave the default page.
  for (const n of ['abc', '-1', '2.5', '99999999999999999999']) {
    const page = await registry.fetch(`/v2/_catalog?n=${n}`)
    expect([page.status, page.headers.get('link'), await page.text()], n).toEqual(defaultPage)
  }
  // What it reads, a sign and leading zeros included, is a page size as any other.
  for (const n of ['%2B2', '002']) {
    expect(await catalogOf(registry, `?n=${n}`), n).toEqual({
      status: 200,
      repositories: ['r000', 'r001'],
      link: '</v2/_catalog?last=r001&n=2>; rel="next"',
    })
  }
  expect(await catalogOf(registry, '?n=-0')).toEqual({ status: 200, repositories: [], link: null })
}

/**
 * The `Link` of a registry that writes its query with Go's url.Values.Encode (Harbor, GitLab):
 * keys sorted, `?last=…&n=…`, on tag lists and the catalog, and following it gives the rest.
 */
async function expectSortedLinks(profile: RegistryProfileName): Promise<void> {
  const registry = await start({ profile })
  await tagged(registry, 3)
  const page = await tagsOf(registry, '?n=2')
  expect(page).toEqual({
    status: 200,
    tags: ['t000', 't001'],
    link: '</v2/team/app/tags/list?last=t001&n=2>; rel="next"',
  })
  const next = nextUrl(page.link)
  expect(await tagsOf(registry, next.slice(next.indexOf('?')))).toEqual({ status: 200, tags: ['t002'], link: null })
  await registry.seed.blob('team/other', 'x')
  expect(await catalogOf(registry, '?n=1')).toEqual({
    status: 200,
    repositories: ['team/app'],
    link: '</v2/_catalog?last=team%2Fapp&n=1>; rel="next"',
  })
}

/** A second registry of the profile, with two repositories. */
async function twoRepositories(profile: RegistryProfileName): Promise<FakeRegistry> {
  const registry = await start({ profile })
  await repositories(registry, 2)
  return registry
}

/** The header names of `GET /v2/` as they arrive on the wire (http transport). */
async function rawHeaderNames(profile: RegistryProfileName): Promise<string[]> {
  const registry = await start({ profile, transport: 'http' })
  const { request } = await import('node:http')
  return new Promise((resolve, reject) => {
    const req = request(`${registry.url}/v2/`, (res) => {
      res.resume()
      resolve(res.rawHeaders.filter((_value, index) => index % 2 === 0))
    })
    req.on('error', reject)
    req.end()
  })
}

for (const name of REGISTRY_PROFILE_NAMES) {
  describe(`profile ${name}`, () => {
    it.each(TABLES[name])('%s', async (_behaviour, check) => check(name))

    it('cites a row of docs/profiles.md for every behaviour it sets, and its table tests each row it cites', () => {
      const rows = docRows()
      const profile = registryProfile(name)!
      for (const [setting, row] of Object.entries(profile.cites)) expect(rows, `${name}: ${setting}`).toContain(row)
      const tested = new Set(TABLES[name].map(([behaviour]) => behaviour))
      // The auth rows have their own tables, in auth-shapes.test.ts.
      const untested = Object.values(profile.cites).filter((row) => !tested.has(row) && !AUTH_ROWS.includes(row))
      expect(untested, 'rows cited but not in the table').toEqual([])
    })
  })
}

const AUTH_ROWS = ['challenge and token', 'unknown repository (anonymous)', 'authenticated but not allowed']

function docRows(): string[] {
  const text = readFileSync(new URL('../../docs/profiles.md', import.meta.url), 'utf8')
  const table = text.slice(text.indexOf('| behaviour |'), text.indexOf('\n\n', text.indexOf('| behaviour |')))
  return table
    .split('\n')
    .slice(2)
    .map((line) => line.split('|')[1]!.trim())
}

describe('choosing a profile', () => {
  it('refuses an unknown profile, listing the valid ones', async () => {
    const attempt = createFakeRegistry({ transport: 'none', profile: 'dockerhub' as RegistryProfileName })
    await expect(attempt).rejects.toThrow(FakeRegistryError)
    await expect(attempt).rejects.toThrow(
      /Failed to use option profile "dockerhub": profile must be one of 'docker-hub', 'ghcr', 'ecr', 'gar', 'acr', 'quay', 'harbor', 'gitlab', 'artifactory', 'distribution-2.8', 'distribution-3', 'zot'/,
    )
  })

  it('refuses an unknown quirk, listing the valid keys', async () => {
    const attempt = createFakeRegistry({ transport: 'none', quirks: { ignorePagination: true } as never })
    await expect(attempt).rejects.toThrow(
      /Failed to use option quirks "ignorePagination": it is not a key of quirks\. Use one of: tagsPageSize, tagsMaxPageSize, .*malformedDigestReference\./,
    )
  })

  it('refuses a quirk value outside its choices', async () => {
    await expect(createFakeRegistry({ transport: 'none', quirks: { patchStatus: 200 as never } })).rejects.toThrow(
      /quirks\.patchStatus must be one of 201, 202/,
    )
    await expect(
      createFakeRegistry({ transport: 'none', quirks: { listContentType: 'text/json' as never } }),
    ).rejects.toThrow(/quirks\.listContentType must be one of "application\/json", "application\/json; charset=utf-8"/)
    await expect(
      createFakeRegistry({ transport: 'none', quirks: { catalogPageSizeAboveMax: 'ignore' as never } }),
    ).rejects.toThrow(/quirks\.catalogPageSizeAboveMax must be one of "clamp", "distribution", "ecr", "quay"/)
    await expect(
      createFakeRegistry({ transport: 'none', quirks: { linkQueryOrder: 'last-n' as never } }),
    ).rejects.toThrow(/quirks\.linkQueryOrder must be one of "n-last", "sorted"/)
    await expect(
      createFakeRegistry({ transport: 'none', quirks: { malformedPageSize: 'ignore' as never } }),
    ).rejects.toThrow(/quirks\.malformedPageSize must be one of "refuse", "default-page"/)
    await expect(createFakeRegistry({ transport: 'none', quirks: { baseBody: 'text' as never } })).rejects.toThrow(
      /quirks\.baseBody must be one of "object", "empty", "true"/,
    )
  })

  it('takes the listing quirks without a profile', async () => {
    const registry = await start({ quirks: { linkQueryOrder: 'sorted', malformedPageSize: 'default-page' } })
    await tagged(registry, 3)
    expect(await tagsOf(registry, '?n=1')).toEqual({
      status: 200,
      tags: ['t000'],
      link: '</v2/team/app/tags/list?last=t000&n=1>; rel="next"',
    })
    expect(await tagsOf(registry, '?n=abc')).toEqual({ status: 200, tags: ['t000', 't001', 't002'], link: null })
  })

  it("refuses ECR's opaque last together with a next_page token, which answer a bad token differently", async () => {
    const attempt = createFakeRegistry({ transport: 'none', profile: 'quay', quirks: { opaqueLast: true } })
    await expect(attempt).rejects.toThrow(FakeRegistryError)
    await expect(attempt).rejects.toThrow(
      'Failed to use option quirks "opaqueLast": quirks.opaqueLast and quirks.catalogPageToken answer a token they cannot read differently (refused, or the first page). Turn one of them off, as in quirks: { catalogPageToken: false }.',
    )
    const tags = createFakeRegistry({ transport: 'none', quirks: { opaqueLast: true, tagsPageToken: true } })
    await expect(tags).rejects.toThrow(/quirks\.opaqueLast and quirks\.tagsPageToken/)
  })

  it('lets explicit options win over the profile', async () => {
    const registry = await start({ profile: 'ghcr', referrers: true, deletes: true, quirks: { digestOnTagGet: false } })
    await expectReferrersApi(registry)
    expect(registry.options.deletes).toBe(true)
    expect(registry.options.quirks.digestOnTagGet).toBe(false)
    // A quirk given explicitly sits on top of the profile's other quirks.
    const ecr = await start({ profile: 'ecr', quirks: { tagsPageSize: 2 } })
    expect([ecr.options.quirks.tagsPageSize, ecr.options.quirks.opaqueLast]).toEqual([2, true])
    expect((await start({ profile: 'docker-hub', rateLimit: false })).options.rateLimit).toBeUndefined()
  })

  it('keeps every default when no profile is chosen', async () => {
    const registry = await start({})
    expect([registry.options.profile, registry.options.rateLimit, registry.options.blobRedirect]).toEqual([
      undefined,
      undefined,
      undefined,
    ])
    await tagged(registry, 3)
    expect(await tagsOf(registry, '?n=1')).toEqual({
      status: 200,
      tags: ['t000'],
      link: '</v2/team/app/tags/list?n=1&last=t000>; rel="next"',
    })
  })

  it("gives the auth option the profile's scheme, realm path, service, token lifetime, anonymous pulls and forbidden status", async () => {
    const users = { alice: 'secret' }
    const ghcr = (await start({ profile: 'ghcr', auth: { users } })).options.auth
    expect(ghcr).toMatchObject({ scheme: 'bearer', service: 'ghcr.io', anonymous: 'pull', forbiddenStatus: 403 })
    expect((await start({ profile: 'quay', auth: { users } })).options.auth).toMatchObject({
      realmPath: '/v2/auth',
      service: '<host>',
      tokenTtlSeconds: 3600,
    })
    const ecr = (await start({ profile: 'ecr', auth: { users } })).options.auth
    expect(ecr).toMatchObject({
      scheme: 'basic',
      service: 'ecr.amazonaws.com',
      anonymous: 'none',
      forbiddenStatus: 403,
    })
    const hub = (await start({ profile: 'docker-hub', auth: { users } })).options.auth
    expect(hub).toMatchObject({
      scheme: 'bearer',
      service: 'registry.docker.io',
      tokenTtlSeconds: 300,
      forbiddenStatus: 401,
    })
    // Fields given win, and a profile alone turns no auth on.
    expect(
      (await start({ profile: 'ghcr', auth: { users, forbiddenStatus: 401, anonymous: 'none', realmPath: '/auth' } }))
        .options.auth,
    ).toMatchObject({ forbiddenStatus: 401, anonymous: 'none', realmPath: '/auth' })
    expect((await start({ profile: 'ghcr' })).options.auth).toBeUndefined()
  })

  it('answers as the profile says once auth is on: GHCR refuses a user without access with 403 DENIED', async () => {
    const registry = await start({
      profile: 'ghcr',
      auth: {
        scheme: 'basic',
        users: { alice: 'secret' },
        permissions: { alice: ['repository:team/other:pull,push'] },
      },
    })
    // Anyone may pull from GHCR's public repositories; pushing needs the right.
    const basic = { authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` }
    expect((await registry.fetch('/v2/team/other/blobs/uploads/', { method: 'POST', headers: basic })).status).toBe(202)
    const response = await registry.fetch('/v2/team/app/blobs/uploads/', { method: 'POST', headers: basic })
    expect(response.status).toBe(403)
    expect((await errorsOf(response))[0]!.code).toBe('DENIED')
  })
})
