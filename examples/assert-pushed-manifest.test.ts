import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { assertNoErrors, createFakeRegistry } from 'fake-oci-registry'
import 'fake-oci-registry/vitest'

// The code under test: a small client library's "push an artifact" function, as a library
// author would have it. It knows nothing of the fake registry; it is only given a base URL.
async function pushArtifact(
  baseUrl: string,
  repository: string,
  tag: string,
  files: Record<string, string>,
  artifactType: string,
): Promise<string> {
  const upload = async (bytes: Uint8Array, mediaType: string) => {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    // Skip what the registry already has, as real clients do; a 404 here is expected.
    const head = await fetch(`${baseUrl}/v2/${repository}/blobs/${digest}`, { method: 'HEAD' })
    if (head.status !== 200) {
      const response = await fetch(`${baseUrl}/v2/${repository}/blobs/uploads/?digest=${digest}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes as Uint8Array<ArrayBuffer>,
      })
      if (response.status !== 201) throw new Error(`blob upload failed: ${response.status}`)
    }
    return { mediaType, digest, size: bytes.byteLength }
  }
  const config = await upload(new TextEncoder().encode('{}'), 'application/vnd.oci.empty.v1+json')
  const layers = []
  for (const [name, content] of Object.entries(files)) {
    layers.push({
      ...(await upload(new TextEncoder().encode(content), 'text/plain')),
      annotations: { 'org.opencontainers.image.title': name },
    })
  }
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType,
    config,
    layers,
  }
  const response = await fetch(`${baseUrl}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    body: JSON.stringify(manifest),
  })
  if (response.status !== 201) throw new Error(`manifest push failed: ${response.status} ${await response.text()}`)
  return response.headers.get('docker-content-digest') ?? ''
}

describe('pushArtifact', () => {
  it('pushes an OCI artifact manifest with one layer per file', async () => {
    // A real registry on 127.0.0.1 and a free port; closed when the test ends.
    await using registry = await createFakeRegistry()

    const digest = await pushArtifact(
      registry.url,
      'team/docs',
      'v1',
      { 'README.md': '# hello', 'NOTES.txt': 'notes' },
      'application/vnd.example.docs',
    )

    // What the registry now holds, checked in one readable assertion each.
    await expect(registry).toHaveManifest('team/docs:v1', {
      digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.example.docs',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', size: 2 },
      layers: [
        expect.objectContaining({
          mediaType: 'text/plain',
          annotations: { 'org.opencontainers.image.title': 'README.md' },
        }),
        expect.objectContaining({
          mediaType: 'text/plain',
          annotations: { 'org.opencontainers.image.title': 'NOTES.txt' },
        }),
      ],
    })
    await expect(registry).toHaveTags('team/docs', ['v1'], { exact: true })
    const manifest = await registry.manifest('team/docs:v1')
    const readme = (manifest?.body as { layers: Array<{ digest: string }> }).layers[0]
    await expect(registry).toHaveBlob('team/docs', readme?.digest ?? '', { content: '# hello' })

    // How the client talked to it: one manifest PUT with the right Content-Type, each blob
    // uploaded once, and no error other than the existence probes.
    expect(registry).toHaveReceivedRequestTimes(1, {
      method: 'PUT',
      path: '/v2/team/docs/manifests/v1',
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    })
    expect(registry).toHaveReceivedRequestTimes(3, { method: 'POST', resource: 'upload', status: 201 })
    expect(registry).not.toHaveReceivedRequest({ method: 'PATCH' })
    assertNoErrors(registry, { allow: [{ method: 'HEAD', resource: 'blob', status: 404 }] })
  })

  it('does not upload a blob the repository already has', async () => {
    await using registry = await createFakeRegistry()
    await pushArtifact(registry.url, 'team/docs', 'v1', { 'README.md': '# hello' }, 'application/vnd.example.docs')
    registry.requests.clear()

    await pushArtifact(registry.url, 'team/docs', 'v2', { 'README.md': '# hello' }, 'application/vnd.example.docs')

    expect(registry).not.toHaveReceivedRequest({ method: 'POST' })
    expect(registry).toHaveReceivedRequestTimes(2, { method: 'HEAD', status: 200 })
    await expect(registry).toHaveTags('team/docs', ['v1', 'v2'], { exact: true })
  })
})
