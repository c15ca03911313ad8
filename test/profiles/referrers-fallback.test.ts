// A client that follows distribution-spec v1.1's referrers fallback, as oras-go and
// go-containerregistry do: push a referrer, and when the registry answers without OCI-Subject,
// keep the tag-schema index `<alg>-<hex>` up to date; read through the API, and on a 404 through
// that tag. Against each profile it shows what the client ends up with (docs/profiles.md,
// "referrers API"): GHCR-like registries work through the tag, and GitLab's tag resolution hands
// the client the subject itself.
import { describe, expect, it } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import type { RegistryProfileName } from '../../src/options.js'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const EMPTY = 'application/vnd.oci.empty.v1+json'

interface Descriptor {
  mediaType: string
  digest: string
  size: number
  artifactType?: string
}

class ReferrersClient {
  constructor(readonly registry: FakeRegistry) {}

  /** Pushes a referrer of `subject`; returns whether the registry said it indexed it (OCI-Subject). */
  async pushReferrer(
    name: string,
    subject: Descriptor,
    artifactType: string,
  ): Promise<{ digest: string; indexed: boolean }> {
    const empty = await this.registry.seed.blob(name, '{}')
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType,
      config: { mediaType: EMPTY, digest: empty.digest, size: 2 },
      layers: [{ mediaType: EMPTY, digest: empty.digest, size: 2 }],
      subject,
    })
    const pushed = await this.registry.fetch(`/v2/${name}/manifests/${artifactType.replace(/\W/g, '-')}`, {
      method: 'PUT',
      headers: { 'content-type': OCI_MANIFEST },
      body,
    })
    expect(pushed.status).toBe(201)
    const digest = pushed.headers.get('docker-content-digest')!
    const indexed = pushed.headers.get('oci-subject') === subject.digest
    if (!indexed)
      await this.#addToFallbackTag(name, subject.digest, {
        mediaType: OCI_MANIFEST,
        digest,
        size: Buffer.byteLength(body),
        artifactType,
      })
    return { digest, indexed }
  }

  /** The referrers of `subject`: the API, or on a 404 the tag schema. */
  async referrers(name: string, subject: string): Promise<{ via: 'api' | 'tag'; manifests: Descriptor[] }> {
    const api = await this.registry.fetch(`/v2/${name}/referrers/${subject}`)
    if (api.status === 200 && api.headers.get('content-type') === OCI_INDEX)
      return { via: 'api', manifests: ((await api.json()) as { manifests: Descriptor[] }).manifests }
    expect(api.status).toBe(404)
    return { via: 'tag', manifests: (await this.#fallbackIndex(name, subject))?.manifests ?? [] }
  }

  async #fallbackIndex(name: string, subject: string): Promise<{ manifests: Descriptor[] } | undefined> {
    const response = await this.registry.fetch(`/v2/${name}/manifests/${subject.replace(':', '-')}`, {
      headers: { accept: OCI_INDEX },
    })
    if (response.status === 404) return undefined
    expect(response.status).toBe(200)
    return (await response.json()) as { manifests: Descriptor[] }
  }

  async #addToFallbackTag(name: string, subject: string, referrer: Descriptor): Promise<void> {
    const current = (await this.#fallbackIndex(name, subject))?.manifests ?? []
    const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...current, referrer] }
    const put = await this.registry.fetch(`/v2/${name}/manifests/${subject.replace(':', '-')}`, {
      method: 'PUT',
      headers: { 'content-type': OCI_INDEX },
      body: JSON.stringify(index),
    })
    expect(put.status).toBe(201)
  }
}

async function scenario(profile: RegistryProfileName) {
  const registry = await createFakeRegistry({ transport: 'none', profile })
  const subject = await registry.seed.index('team/app:multi', [
    { platform: { os: 'linux', architecture: 'amd64' } },
    { platform: { os: 'linux', architecture: 'arm64' } },
  ])
  const client = new ReferrersClient(registry)
  const descriptor = { mediaType: OCI_INDEX, digest: subject.digest, size: subject.bytes.byteLength }
  const sbom = await client.pushReferrer('team/app', descriptor, 'application/spdx+json')
  const signature = await client.pushReferrer(
    'team/app',
    descriptor,
    'application/vnd.dev.cosign.simplesigning.v1+json',
  )
  const found = await client.referrers('team/app', subject.digest)
  return { registry, subject, pushed: [sbom, signature], found }
}

const WITHOUT_API: RegistryProfileName[] = [
  'docker-hub',
  'ghcr',
  'ecr',
  'gar',
  'acr',
  'distribution-2.8',
  'distribution-3',
]
const WITH_API: RegistryProfileName[] = ['quay', 'harbor', 'artifactory', 'zot']

describe('the referrers tag-schema fallback', () => {
  it.each(WITHOUT_API.map((name) => [name]))(
    '%s: no API, so the client keeps and reads the sha256-<hex> tag',
    async (profile) => {
      const { registry, pushed, found } = await scenario(profile)
      try {
        expect(pushed.map((referrer) => referrer.indexed)).toEqual([false, false])
        expect(found.via).toBe('tag')
        expect(found.manifests.map((manifest) => manifest.digest)).toEqual(pushed.map((referrer) => referrer.digest))
      } finally {
        await registry.close()
      }
    },
  )

  it.each(WITH_API.map((name) => [name]))('%s: the API answers, and no fallback tag is written', async (profile) => {
    const { registry, subject, pushed, found } = await scenario(profile)
    try {
      expect(pushed.map((referrer) => referrer.indexed)).toEqual([true, true])
      expect(found.via).toBe('api')
      expect(found.manifests.map((manifest) => manifest.digest).sort()).toEqual(
        pushed.map((referrer) => referrer.digest).sort(),
      )
      expect(await registry.tags('team/app')).not.toContain(subject.digest.replace(':', '-'))
    } finally {
      await registry.close()
    }
  })

  it('gitlab: the fallback tag resolves to the subject, so its platform images look like referrers', async () => {
    const { registry, subject, found } = await scenario('gitlab')
    try {
      expect(found.via).toBe('tag')
      // oras-project/oras-go#1396: the client lists the subject's own children.
      expect(found.manifests.map((manifest) => manifest.digest)).toEqual(subject.children.map((child) => child.digest))
    } finally {
      await registry.close()
    }
  })
})
