// TLS on loopback: `tls: true` makes a CA and a server certificate at start. Clients that insist on
// https (node:https, an undici Agent with connect.ca, a child process with NODE_EXTRA_CA_CERTS)
// reach the registry when they trust `registry.ca`, and refuse it when they do not.
import { execFile } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { get as httpsGet } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { createFakeRegistry, FakeRegistryError, type FakeRegistry } from '../../src/index.js'

const opened: FakeRegistry[] = []
afterEach(async () => {
  for (const registry of opened.splice(0)) await registry.close()
})

async function start(options: Parameters<typeof createFakeRegistry>[0]): Promise<FakeRegistry> {
  const registry = await createFakeRegistry(options)
  opened.push(registry)
  return registry
}

/** The server's certificate, as a client sees it in the handshake. */
function peerCertificate(registry: FakeRegistry): Promise<{ raw: Buffer; status: number }> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(`${registry.url}/v2/`, { ca: registry.ca, agent: false }, (res) => {
      const raw = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().raw
      res.resume()
      res.on('end', () => resolve({ raw, status: res.statusCode ?? 0 }))
    })
    req.on('error', reject)
  })
}

describe('tls: true', () => {
  it('serves https on 127.0.0.1 with a certificate for localhost, 127.0.0.1 and ::1 signed by registry.ca', async () => {
    const registry = await start({ tls: true })
    expect(registry.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(registry.ca).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/)
    const { raw, status } = await peerCertificate(registry)
    expect(status).toBe(200)
    const served = new X509Certificate(raw)
    const ca = new X509Certificate(registry.ca as string)
    expect(served.subjectAltName?.split(', ')).toEqual([
      'DNS:localhost',
      'IP Address:127.0.0.1',
      'IP Address:0:0:0:0:0:0:0:1',
    ])
    expect(served.checkIssued(ca)).toBe(true)
    expect(served.verify(ca.publicKey)).toBe(true)
    expect(served.ca).toBe(false)
    expect(ca.ca).toBe(true)
    expect(new Date(served.validFrom).getTime()).toBeLessThan(Date.now())
    expect(new Date(served.validTo).getTime()).toBeGreaterThan(Date.now())
  })

  it('answers an undici Agent that trusts registry.ca, with the API version header', async () => {
    const registry = await start({ tls: true })
    const agent = new Agent({ connect: { ca: registry.ca } })
    try {
      const response = await request(`${registry.url}/v2/`, { dispatcher: agent })
      expect(response.statusCode).toBe(200)
      expect(response.headers['docker-distribution-api-version']).toBe('registry/2.0')
      expect(await response.body.text()).toBe('{}')
    } finally {
      await agent.close()
    }
  })

  it('is refused by a client that does not trust the CA', async () => {
    const registry = await start({ tls: true })
    const agent = new Agent()
    try {
      const failure = await request(`${registry.url}/v2/`, { dispatcher: agent }).then(
        () => undefined,
        (error: NodeJS.ErrnoException) => error,
      )
      expect(failure?.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE')
    } finally {
      await agent.close()
    }
  })

  it("makes a new CA for every registry: one registry's CA does not vouch for another", async () => {
    const first = await start({ tls: true })
    const second = await start({ tls: true })
    expect(first.ca).not.toBe(second.ca)
    const agent = new Agent({ connect: { ca: first.ca } })
    try {
      const failure = await request(`${second.url}/v2/`, { dispatcher: agent }).then(
        () => undefined,
        (error: NodeJS.ErrnoException) => error,
      )
      expect(failure?.code).toMatch(/CERT|VERIFY|SIGNATURE/)
    } finally {
      await agent.close()
    }
  })

  it("with host: 'localhost', reports and serves https://localhost:<port>", async () => {
    const registry = await start({ tls: true, host: 'localhost' })
    expect(registry.url).toMatch(/^https:\/\/localhost:\d+$/)
    expect(registry.host).toBe(`localhost:${new URL(registry.url).port}`)
    expect(registry.ref('team/app:1')).toBe(`localhost:${new URL(registry.url).port}/team/app:1`)
    expect((await peerCertificate(registry)).status).toBe(200)
  })

  // Node 22's tls.checkServerIdentity compares an IPv6 host with the certificate's address as
  // OpenSSL prints it (0:0:0:0:0:0:0:1) without canonicalising either, so no certificate for ::1
  // verifies there; Node 20 and 24 compare them as addresses (docs/auth.md, "TLS").
  const ipv6Verifies = !process.versions.node.startsWith('22.')

  it.runIf(ipv6Verifies)("with host: '::1', serves https://[::1]:<port>", async () => {
    const registry = await start({ tls: true, host: '::1' })
    expect(registry.url).toMatch(/^https:\/\/\[::1\]:\d+$/)
    expect((await peerCertificate(registry)).status).toBe(200)
  })

  it('reaches a child process that trusts the CA through NODE_EXTRA_CA_CERTS', async () => {
    const registry = await start({ tls: true })
    const dir = await mkdtemp(join(tmpdir(), 'fake-oci-ca-'))
    try {
      const caFile = join(dir, 'ca.crt')
      await writeFile(caFile, registry.ca as string)
      const script = `fetch(process.argv[1]).then(async (r) => console.log(r.status, await r.text()), (e) => { console.error(e.cause?.code ?? e); process.exit(3) })`
      const output = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ['-e', script, `${registry.url}/v2/`],
          { env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: caFile }, timeout: 20_000 },
          (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
        )
      })
      expect(output.trim()).toBe('200 {}')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('is refused with transports that open no socket, which take an https origin instead', async () => {
    for (const transport of ['none', 'msw'] as const) {
      const failure = await createFakeRegistry({ transport, tls: true }).then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(failure).toBeInstanceOf(FakeRegistryError)
      expect((failure as FakeRegistryError).code).toBe('ERR_INVALID_OPTION')
      expect((failure as FakeRegistryError).message).toBe(
        `Failed to use option tls "true": tls applies to the http transport, and transport is '${transport}'. Leave tls out and pass an https origin such as 'https://registry.test'.`,
      )
    }
  })
})

describe("host: 'localhost' without tls", () => {
  it('reports http://localhost:<port> rather than the address it bound', async () => {
    const registry = await start({ host: 'localhost' })
    expect(registry.url).toMatch(/^http:\/\/localhost:\d+$/)
    expect(registry.ca).toBeUndefined()
    const response = await fetch(`${registry.url}/v2/`)
    expect(response.status).toBe(200)
  })
})
