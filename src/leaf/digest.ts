import { createHash, hash, type Hash } from 'node:crypto'

/**
 * Digest algorithms the registry computes and accepts in references and uploads.
 *
 * @example
 * const algorithm: DigestAlgorithm = 'sha512'
 * computeDigest(bytes, algorithm) // 'sha512:…'
 */
export type DigestAlgorithm = 'sha256' | 'sha512'

/** A digest string split into its parts (image-spec descriptor.md §Digests). */
export interface ParsedDigest {
  algorithm: string
  encoded: string
  /** The whole digest, `algorithm:encoded`. */
  digest: string
}

// image-spec descriptor.md: algorithm-component(s) ':' encoded.
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/
const ENCODED_BY_ALGORITHM: Record<DigestAlgorithm, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
}

/**
 * Exactly the digests this registry computes: a supported algorithm and its lower-case hex. Only
 * these ever name a file in the layout backend; anything else is refused before a path exists.
 *
 * @example
 * SUPPORTED_DIGEST.test('sha256:' + 'a'.repeat(64)) // true
 */
export const SUPPORTED_DIGEST = new RegExp(
  `^(?:${Object.entries(ENCODED_BY_ALGORITHM)
    .map(([algorithm, encoded]) => `${algorithm}:${encoded.source.slice(1, -1)}`)
    .join('|')})$`,
)

/** True for the algorithms this registry can compute. */
export function isSupportedAlgorithm(algorithm: string): algorithm is DigestAlgorithm {
  return Object.hasOwn(ENCODED_BY_ALGORITHM, algorithm)
}

/**
 * Parses a digest against the image-spec grammar. Registered algorithms (sha256, sha512) must
 * also have their exact lower-case hex encoding; other algorithms only need the grammar, since
 * descriptors SHOULD allow unknown ones. Returns `undefined` when the string is not a digest.
 *
 * @example
 * parseDigest('sha256:' + 'a'.repeat(64))?.algorithm // 'sha256'
 */
export function parseDigest(value: string): ParsedDigest | undefined {
  if (value.length > 1024 || !DIGEST_GRAMMAR.test(value)) return undefined
  const colon = value.indexOf(':')
  const algorithm = value.slice(0, colon)
  const encoded = value.slice(colon + 1)
  if (isSupportedAlgorithm(algorithm) && !ENCODED_BY_ALGORITHM[algorithm].test(encoded)) return undefined
  return { algorithm, encoded, digest: value }
}

/**
 * Parses a digest the registry must be able to compute (in a URL or an upload's `?digest=`):
 * grammar, encoding and a supported algorithm. Returns `undefined` otherwise.
 */
export function parseSupportedDigest(value: string): (ParsedDigest & { algorithm: DigestAlgorithm }) | undefined {
  const parsed = parseDigest(value)
  if (!parsed || !isSupportedAlgorithm(parsed.algorithm)) return undefined
  return parsed as ParsedDigest & { algorithm: DigestAlgorithm }
}

/**
 * The digest of some bytes.
 *
 * @example
 * computeDigest(new TextEncoder().encode('')) // 'sha256:e3b0c442…'
 */
export function computeDigest(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  // One call, without a Hash object: for a manifest-sized body that object costs more than the hashing.
  return `${algorithm}:${hash(algorithm, bytes, 'hex')}`
}

/** An incremental digest: feed chunks, read the digest; `fork()` copies the state. */
export interface Digester {
  readonly algorithm: DigestAlgorithm
  update(chunk: Uint8Array): void
  /** The digest of everything fed so far; the digester stays usable. */
  digest(): string
  /** An independent copy of the current state, so a failed chunk can be rolled back. */
  fork(): Digester
}

/**
 * Creates an incremental digester.
 *
 * @example
 * const d = createDigester('sha256'); d.update(chunk); d.digest()
 */
export function createDigester(algorithm: DigestAlgorithm = 'sha256'): Digester {
  return wrapHash(algorithm, createHash(algorithm))
}

function wrapHash(algorithm: DigestAlgorithm, hash: Hash): Digester {
  return {
    algorithm,
    update: (chunk) => void hash.update(chunk),
    // copy(): digest() finalises a Hash, and the upload may go on after a status request.
    digest: () => digestOf(algorithm, hash.copy()),
    fork: () => wrapHash(algorithm, hash.copy()),
  }
}

/** Computes the digest of a stream of chunks. */
export async function digestStream(
  chunks: AsyncIterable<Uint8Array>,
  algorithm: DigestAlgorithm = 'sha256',
): Promise<{ digest: string; size: number }> {
  const hash = createHash(algorithm)
  let size = 0
  for await (const chunk of chunks) {
    hash.update(chunk)
    size += chunk.byteLength
  }
  return { digest: digestOf(algorithm, hash), size }
}

/** Finalises `hash`: it cannot be updated afterwards. */
function digestOf(algorithm: DigestAlgorithm, hash: Hash): string {
  return `${algorithm}:${hash.digest('hex')}`
}
