// Files of a storage directory damaged while the registry runs (by hand, by another tool, by a
// full disk): requests get the spec's answers for what is missing, never a 500.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, directoryStorage, type FakeRegistry } from '../../src/index.js'
import { makeTempDir, removeLayout } from '../support/oci-layout.js'
import { bytesOf, errorsOf, sha256 } from '../support/push.js'

const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await removeLayout(dir)
})

async function started(): Promise<{ root: string; registry: FakeRegistry }> {
  const root = await makeTempDir('fake-oci-damaged-')
  dirs.push(root)
  return { root, registry: await createFakeRegistry({ transport: 'none', storage: directoryStorage(root) }) }
}

async function answer(response: Response): Promise<{ status: number; code?: string }> {
  const code = response.status >= 400 ? (await errorsOf(response))[0]?.code : undefined
  return code === undefined ? { status: response.status } : { status: response.status, code }
}

async function pushBlob(registry: FakeRegistry, repository: string, bytes: Uint8Array): Promise<void> {
  const response = await registry.fetch(`/v2/${repository}/blobs/uploads/?digest=${sha256(bytes)}`, {
    method: 'POST',
    body: bytes as Uint8Array<ArrayBuffer>,
  })
  expect(response.status).toBe(201)
}

describe('directory storage with damaged files', () => {
  it('drops a session whose metadata cannot be read: DELETE and GET answer 404', async () => {
    const { root, registry } = await started()
    await using _ = registry
    const location = (await registry.fetch('/v2/team/app/blobs/uploads/', { method: 'POST' })).headers.get(
      'location',
    ) as string
    const id = location.split('/').at(-1) as string
    await writeFile(join(root, '.uploads', `${id}.json`), '{"repository": "team/a')
    expect(await answer(await registry.fetch(location, { method: 'DELETE' }))).toEqual({
      status: 404,
      code: 'BLOB_UPLOAD_UNKNOWN',
    })
    expect(await answer(await registry.fetch(location))).toEqual({ status: 404, code: 'BLOB_UPLOAD_UNKNOWN' })
    expect(await readdir(join(root, '.uploads'))).toEqual([])
  })

  it('answers 404 for a blob whose file became a directory', async () => {
    const { root, registry } = await started()
    await using _ = registry
    const bytes = bytesOf('replaced by a directory')
    await pushBlob(registry, 'team/app', bytes)
    const file = join(root, '.blobs', 'sha256', sha256(bytes).slice('sha256:'.length))
    await rm(file)
    await mkdir(file)
    for (const method of ['GET', 'HEAD']) {
      const response = await registry.fetch(`/v2/team/app/blobs/${sha256(bytes)}`, { method })
      expect(response.status).toBe(404)
    }
    expect(await answer(await registry.fetch(`/v2/team/app/blobs/${sha256(bytes)}`))).toEqual({
      status: 404,
      code: 'BLOB_UNKNOWN',
    })
  })

  it('lists the other repositories when one has a damaged state file', async () => {
    const { root, registry } = await started()
    await using _ = registry
    await pushBlob(registry, 'team/good', bytesOf('good'))
    await pushBlob(registry, 'team/bad', bytesOf('bad'))
    await writeFile(join(root, 'team', 'bad', '.fake-oci-registry.json'), 'not json')
    const catalog = await registry.fetch('/v2/_catalog')
    expect(catalog.status).toBe(200)
    expect(await catalog.json()).toEqual({ repositories: ['team/good'] })
  })
})
