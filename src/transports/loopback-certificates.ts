import { createHash, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto'
import { isIP } from 'node:net'
import { promisify } from 'node:util'
import type { asn1, pki } from 'node-forge'

/** A certificate authority made for one registry, and the server certificate it signed. */
export interface LoopbackCertificates {
  /** The CA certificate (PEM): what clients trust (`connect.ca`, `NODE_EXTRA_CA_CERTS`, skopeo's `--cert-dir`). */
  ca: string
  /** The server's certificate (PEM), for the names and addresses it was made for. */
  cert: string
  /** The server's private key (PKCS#8 PEM). It never leaves the process. */
  key: string
}

/** The names every loopback certificate covers, whatever the interface the server binds. */
export const LOOPBACK_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1']

// Clocks of child processes and of the CA's own start may differ by a little: the
// certificates are valid from an hour ago. They last 30 days, far longer than a test run or a
// CLI session, and a new registry makes new ones.
const BACKDATE_MS = 60 * 60 * 1000
const LIFETIME_MS = 30 * 24 * 60 * 60 * 1000
// RFC 5758 §3.2: ecdsa-with-SHA256, whose AlgorithmIdentifier has no parameters at all.
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2'

const generateKeys = promisify(generateKeyPair)

/**
 * Makes a CA and a server certificate for `localhost`, `127.0.0.1`, `::1` and any other
 * `names` (host names or IP addresses). Keys are ECDSA P-256, made by node:crypto in a few
 * milliseconds; node-forge (loaded here, only when TLS is asked for) lays out the X.509
 * structures, and node:crypto signs them.
 *
 * @example
 * const { ca, cert, key } = await createLoopbackCertificates(['registry.test'])
 * https.createServer({ cert, key }, handler) // clients trust `ca`
 */
export async function createLoopbackCertificates(names: readonly string[] = []): Promise<LoopbackCertificates> {
  const [forge, caKeys, serverKeys] = await Promise.all([loadForge(), ecKeys(), ecKeys()])
  const now = Date.now()
  const validity = { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + LIFETIME_MS) }
  const caName = [
    { name: 'commonName', value: `fake-oci-registry CA ${randomBytes(4).toString('hex')}` },
    { name: 'organizationName', value: 'fake-oci-registry' },
  ]
  const caKeyId = keyIdentifier(caKeys.publicKey)

  const ca = issue(forge, caKeys.privateKey, caKeys.publicKey, {
    subject: caName,
    issuer: caName,
    validity,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier', value: octets(forge, caKeyId) },
    ],
  })
  const server = issue(forge, caKeys.privateKey, serverKeys.publicKey, {
    subject: [{ name: 'commonName', value: 'localhost' }],
    issuer: caName,
    validity,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: subjectAltNames(names) },
      { name: 'subjectKeyIdentifier', value: octets(forge, keyIdentifier(serverKeys.publicKey)) },
      { name: 'authorityKeyIdentifier', keyIdentifier: caKeyId.toString('binary') },
    ],
  })
  const key = serverKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  return { ca, cert: server, key }
}

type Forge = typeof import('node-forge')
// Part of forge's API that its type declarations leave out.
type ForgePki = Forge['pki'] & { getTBSCertificate(certificate: pki.Certificate): asn1.Asn1 }

// node-forge is CommonJS: under ESM its API is the default export.
async function loadForge(): Promise<Forge> {
  const loaded = (await import('node-forge')) as Forge & { default?: Forge }
  return loaded.default ?? loaded
}

function ecKeys(): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return generateKeys('ec', { namedCurve: 'P-256' })
}

interface CertificateFields {
  subject: pki.CertificateField[]
  issuer: pki.CertificateField[]
  validity: { notBefore: Date; notAfter: Date }
  extensions: unknown[]
}

/**
 * One certificate, as PEM. forge's certificate model knows RSA keys only, so forge lays out the
 * to-be-signed part and two of its fields are put right here: the subject's public key (an EC
 * key's SubjectPublicKeyInfo, as node:crypto exports it) and the signature algorithm.
 */
function issue(forge: Forge, signingKey: KeyObject, publicKey: KeyObject, fields: CertificateFields): string {
  const { asn1 } = forge
  const certificate = forge.pki.createCertificate()
  // A stand-in forge can encode; its SubjectPublicKeyInfo is replaced below.
  certificate.publicKey = forge.pki.setRsaPublicKey(new forge.jsbn.BigInteger('3'), new forge.jsbn.BigInteger('3'))
  certificate.serialNumber = serialNumber()
  certificate.validity = fields.validity
  certificate.setSubject(fields.subject)
  certificate.setIssuer(fields.issuer)
  certificate.setExtensions(fields.extensions as never[])
  certificate.siginfo.algorithmOid = ECDSA_WITH_SHA256
  const tbs = (forge.pki as ForgePki).getTBSCertificate(certificate)
  const parts = tbs.value as asn1.Asn1[]
  // TBSCertificate (RFC 5280 §4.1): version, serialNumber, signature, issuer, validity, subject,
  // subjectPublicKeyInfo, extensions.
  parts[2] = algorithm(forge)
  parts[6] = asn1.fromDer(publicKey.export({ type: 'spki', format: 'der' }).toString('binary'))
  const tbsDer = asn1.toDer(tbs).getBytes()
  const signature = sign('sha256', Buffer.from(tbsDer, 'binary'), signingKey).toString('binary')
  const whole = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    algorithm(forge),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\u0000${signature}`),
  ])
  // forge ends PEM lines with CRLF; files and environment variables expect LF.
  return forge.pem.encode({ type: 'CERTIFICATE', body: asn1.toDer(whole).getBytes() }).replace(/\r\n/g, '\n')
}

function algorithm(forge: Forge): asn1.Asn1 {
  const { asn1 } = forge
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(ECDSA_WITH_SHA256).getBytes()),
  ])
}

// RFC 5280 §4.2.1.2 allows any method that yields unique values: SHA-1 of the whole SubjectPublicKeyInfo.
function keyIdentifier(publicKey: KeyObject): Buffer {
  return createHash('sha1')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest()
}

function octets(forge: Forge, bytes: Buffer): asn1.Asn1 {
  return forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OCTETSTRING, false, bytes.toString('binary'))
}

// RFC 5280 §4.1.2.2: positive, at most 20 bytes; a leading 0x01 keeps it positive and non-zero.
function serialNumber(): string {
  return `01${randomBytes(15).toString('hex')}`
}

function subjectAltNames(names: readonly string[]): Array<{ type: number; value?: string; ip?: string }> {
  const unique = [...new Set([...LOOPBACK_NAMES, ...names.map(bare)])]
  // GeneralName tags (RFC 5280 §4.2.1.6): 2 is dNSName, 7 is iPAddress.
  return unique.map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name }))
}

// '[::1]' as a URL writes it is '::1' in a certificate.
function bare(name: string): string {
  return name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name
}
