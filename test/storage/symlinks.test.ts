// Symbolic links inside a storage directory: the layout expects files and directories, so a
// link is refused at start with a clear error, and one made while the registry runs is never
// followed: nothing outside the root is read, written or served.
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createFakeRegistry, directoryStorage, FakeRegistryError, type FakeRegistry } from '../../src/index.js'
import { makeTempDir, removeLayout } from '../support/oci-layout.js'
import { bytesOf, errorsOf, sha256 } from '../support/push.js'

const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await removeLayout(dir)
})

async function tempDir(): Promise<string> {
  const dir = await makeTempDir('fake-oci-links-')
  dirs.push(dir)
  return dir
}

async function pushBlob(registry: FakeRegistry, repository: string, bytes: Uint8Array): Promise<Response> {
  return registry.fetch(`/v2/${repository}/blobs/uploads/?digest=${sha256(bytes)}`, {
    method: 'POST',
    body: bytes as Uint8Array<ArrayBuffer>,
  })
}

/** A root this registry wrote, holding one blob in team/app; closed again. */
async function writtenRoot(): Promise<{ root: string; blob: Uint8Array }> {
  const root = await tempDir()
  const blob = bytesOf('a blob inside the root')
  await using registry = await createFakeRegistry({ transport: 'none', storage: directoryStorage(root) })
  expect((await pushBlob(registry, 'team/app', blob)).status).toBe(201)
  return { root, blob }
}

async function startError(root: string): Promise<FakeRegistryError> {
  const error = await createFakeRegistry({ transport: 'none', storage: directoryStorage(root) }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(FakeRegistryError)
  return error as FakeRegistryError
}

function linkMessage(root: string, link: string): string {
  return `Failed to open storage directory "${root}": it holds a symbolic link, "${link}", and the registry never follows a link out of its root. Replace the link with the directory or file it points to, or remove it.`
}

describe('directory storage at start', () => {
  it.each([
    ['a repository directory', 'team/evil'],
    ['the blobs/ of a repository', 'team/app/blobs/sha512'],
  ])('refuses %s that is a link', async (_what, relative) => {
    const { root } = await writtenRoot()
    const outside = await tempDir()
    await symlink(outside, join(root, relative))
    const error = await startError(root)
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'ERR_STORAGE',
      message: linkMessage(root, join(root, relative)),
    })
  })

  it('refuses a blob file that is a link to a file outside', async () => {
    const { root, blob } = await writtenRoot()
    const outside = join(await tempDir(), 'same-bytes')
    await writeFile(outside, blob)
    const path = join(root, '.blobs', 'sha256', sha256(blob).slice('sha256:'.length))
    await removeLayout(path)
    await symlink(outside, path)
    expect((await startError(root)).message).toBe(linkMessage(root, path))
  })

  it('refuses an upload session file that is a link', async () => {
    const root = await tempDir()
    let location: string
    {
      await using registry = await createFakeRegistry({ transport: 'none', storage: directoryStorage(root) })
      location = (await registry.fetch('/v2/team/app/blobs/uploads/', { method: 'POST' })).headers.get(
        'location',
      ) as string
    }
    const id = location.split('/').at(-1) as string
    const outside = join(await tempDir(), 'target')
    await writeFile(outside, '')
    await removeLayout(join(root, '.uploads', id))
    await symlink(outside, join(root, '.uploads', id))
    expect((await startError(root)).message).toBe(linkMessage(root, join(root, '.uploads', id)))
  })

  it('refuses a link loop with the same error, not a raw ELOOP', async () => {
    const { root } = await writtenRoot()
    await symlink(join(root, 'team', 'loop'), join(root, 'team', 'loop'))
    expect((await startError(root)).message).toBe(linkMessage(root, join(root, 'team', 'loop')))
  })

  it('refuses a link to a system directory without walking it', async () => {
    const root = await tempDir()
    await symlink('/usr', join(root, 'usr'))
    expect((await startError(root)).message).toBe(linkMessage(root, join(root, 'usr')))
  })
})

describe('directory storage with a link made while it runs', () => {
  it('never writes through a repository directory that became a link', async () => {
    const root = await tempDir()
    const outside = await tempDir()
    await using registry = await createFakeRegistry({ transport: 'none', storage: directoryStorage(root) })
    await mkdir(join(root, 'team'))
    await symlink(outside, join(root, 'team', 'evil'))
    const pushed = await pushBlob(registry, 'team/evil', bytesOf('must stay inside'))
    expect(pushed.status).not.toBe(201)
    expect(await readdir(outside)).toEqual([])
    expect((await registry.fetch('/v2/team/evil/tags/list')).status).toBe(404)
  })

  it('never serves a blob file that became a link, even to the same bytes', async () => {
    const root = await tempDir()
    const blob = bytesOf('served from inside only')
    await using registry = await createFakeRegistry({ transport: 'none', storage: directoryStorage(root) })
    expect((await pushBlob(registry, 'team/app', blob)).status).toBe(201)
    const outside = join(await tempDir(), 'copy')
    await writeFile(outside, blob)
    for (const path of [join(root, '.blobs', 'sha256'), join(root, 'team', 'app', 'blobs', 'sha256')]) {
      const file = join(path, sha256(blob).slice('sha256:'.length))
      await removeLayout(file)
      await symlink(outside, file)
    }
    const response = await registry.fetch(`/v2/team/app/blobs/${sha256(blob)}`)
    expect({ status: response.status, code: (await errorsOf(response))[0]?.code }).toEqual({
      status: 404,
      code: 'BLOB_UNKNOWN',
    })
  })

  it('never appends to a session file that became a link', async () => {
    const root = await tempDir()
    await using registry = await createFakeRegistry({ transport: 'none', storage: directoryStorage(root) })
    const location = (await registry.fetch('/v2/team/app/blobs/uploads/', { method: 'POST' })).headers.get(
      'location',
    ) as string
    const id = location.split('/').at(-1) as string
    const outside = join(await tempDir(), 'target')
    await writeFile(outside, 'outside')
    await removeLayout(join(root, '.uploads', id))
    await symlink(outside, join(root, '.uploads', id))
    const patched = await registry.fetch(location, { method: 'PATCH', body: 'appended' })
    expect({ status: patched.status, code: (await errorsOf(patched))[0]?.code }).toEqual({
      status: 404,
      code: 'BLOB_UPLOAD_UNKNOWN',
    })
    expect(await readFile(outside, 'utf8')).toBe('outside')
  })
})
