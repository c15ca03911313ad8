// skopeo (containers/image) against a registry with auth: --creds and an auth file, Basic and
// Bearer, over plain http and over TLS verified with the registry's CA in a --cert-dir. Each run
// pushes from an OCI layout and reads back; the journal proves the challenges were followed.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { assertAuthenticated, assertFollowedChallenge } from '../../src/auth.js'
import { createFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from '../../src/index.js'
import { makeTempDir, readLayout, removeLayout, writeImageLayout } from '../support/oci-layout.js'
import { createSkopeo, describeRun, findSkopeo, type RunOptions, type Skopeo } from '../support/skopeo.js'

const skopeoPath = findSkopeo()

interface Case {
  label: string
  registry: FakeRegistryOptions
  credentials: 'creds' | 'authfile'
}

const USERS = { alice: 'secret', bob: 'hunter2' }
const CASES: Case[] = [
  { label: 'bearer over http with --creds', registry: { auth: { users: USERS } }, credentials: 'creds' },
  {
    label: 'bearer over TLS with an auth file and the CA in --cert-dir',
    registry: { auth: { users: USERS }, tls: true },
    credentials: 'authfile',
  },
  {
    label: 'basic over TLS with --creds',
    registry: { auth: { scheme: 'basic', users: USERS }, tls: true },
    credentials: 'creds',
  },
  {
    label: 'basic over http with an auth file',
    registry: { auth: { scheme: 'basic', users: USERS } },
    credentials: 'authfile',
  },
]

describe.skipIf(!skopeoPath)('skopeo with credentials', { timeout: 120_000 }, () => {
  let skopeo: Skopeo
  let registry: FakeRegistry | undefined
  const dirs: string[] = []

  beforeAll(async () => {
    skopeo = await createSkopeo(skopeoPath as string)
  })
  afterAll(() => skopeo?.close())
  afterEach(async () => {
    await registry?.close()
    registry = undefined
    for (const dir of dirs.splice(0)) await removeLayout(dir)
  })

  /** The run options that give skopeo `user`'s credentials the case's way, and the CA when TLS. */
  async function access(
    current: FakeRegistry,
    credentials: Case['credentials'],
    user: keyof typeof USERS,
    password = USERS[user],
  ): Promise<RunOptions> {
    const dir = await makeTempDir('fake-oci-skopeo-auth-')
    dirs.push(dir)
    const options: RunOptions = {}
    if (current.ca) {
      // containers/image reads every *.crt of the directory as a CA.
      const certDir = join(dir, 'certs')
      await mkdir(certDir)
      await writeFile(join(certDir, 'ca.crt'), current.ca)
      options.certDir = certDir
    }
    if (credentials === 'creds') {
      options.creds = `${user}:${password}`
    } else {
      options.authFile = join(dir, 'auth.json')
      const auth = Buffer.from(`${user}:${password}`).toString('base64')
      await writeFile(options.authFile, JSON.stringify({ auths: { [current.host]: { auth } } }), { mode: 0o600 })
    }
    return options
  }

  for (const current of CASES) {
    it(`${current.label}: pushes, inspects, lists tags and pulls back byte for byte`, async () => {
      registry = await createFakeRegistry(current.registry)
      expect(registry.url.startsWith(current.registry.tls ? 'https://' : 'http://')).toBe(true)
      const options = await access(registry, current.credentials, 'alice')
      const layout = await writeImageLayout('1', { layers: ['authenticated layer\n'] })
      dirs.push(layout.dir)
      const ref = `docker://${registry.ref('team/app:1')}`

      const run = async (command: Parameters<Skopeo['run']>[0], args: string[]) => {
        const result = await skopeo.run(command, args, options)
        expect(result.exitCode, describeRun(result)).toBe(0)
        return result
      }
      await run('copy', ['--preserve-digests', `oci:${layout.dir}:1`, ref])
      expect((await registry.manifest('team/app:1'))?.digest).toBe(layout.image.manifest.digest)

      const raw = await run('inspect', ['--raw', ref])
      expect(raw.stdoutBytes).toEqual(layout.image.manifest.bytes)
      expect(JSON.parse((await run('list-tags', [`docker://${registry.ref('team/app')}`])).stdout)).toEqual({
        Repository: registry.ref('team/app'),
        Tags: ['1'],
      })

      const out = await makeTempDir()
      dirs.push(out)
      await run('copy', ['--preserve-digests', ref, `oci:${out}:1`])
      expect((await readLayout(out)).index.manifests[0]?.digest).toBe(layout.image.manifest.digest)

      assertAuthenticated(registry, 'alice', { repository: 'team/app', actions: ['pull', 'push'] })
      // containers/image takes its challenge from the /v2/ ping only, and sends its credentials from then on.
      assertFollowedChallenge(registry, { resource: 'base' })
      expect(registry.requests.filter({ auth: { outcome: 'invalid' } })).toEqual([])
    })
  }

  it('fails with a wrong password, and the registry records the refusal', async () => {
    registry = await createFakeRegistry({ auth: { users: USERS }, tls: true })
    const options = await access(registry, 'creds', 'alice', 'wrong')
    const result = await skopeo.run('list-tags', [`docker://${registry.ref('team/app')}`], options)
    expect(result.exitCode, describeRun(result)).not.toBe(0)
    expect(result.stderr).toMatch(/401|unauthorized|authentication required/i)
    expect(
      registry.requests.filter({ resource: 'token', auth: { outcome: 'refused', error: 'invalid_credentials' } })
        .length,
    ).toBeGreaterThan(0)
  })

  it('cannot push as a user who may only pull, and pulls as that user', async () => {
    registry = await createFakeRegistry({ auth: { users: USERS, permissions: { bob: ['repository:team/*:pull'] } } })
    await registry.seed.image('team/app:1')
    const options = await access(registry, 'creds', 'bob')
    const layout = await writeImageLayout('2')
    dirs.push(layout.dir)
    const push = await skopeo.run('copy', [`oci:${layout.dir}:2`, `docker://${registry.ref('team/app:2')}`], options)
    expect(push.exitCode, describeRun(push)).not.toBe(0)
    expect(push.stderr).toMatch(/authentication required|unauthorized|denied/i)
    expect(await registry.tags('team/app')).toEqual(['1'])
    expect(registry.requests.filter({ user: 'bob', auth: { outcome: 'insufficient' } }).length).toBeGreaterThan(0)
    const inspect = await skopeo.run('inspect', ['--raw', `docker://${registry.ref('team/app:1')}`], options)
    expect(inspect.exitCode, describeRun(inspect)).toBe(0)
    assertAuthenticated(registry, 'bob', { repository: 'team/app', actions: ['pull'] })
  })
})
