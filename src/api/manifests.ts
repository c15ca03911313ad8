import { routeParams, type RegistryContext, type RouteHandler } from './route-types.js'
import { isTag } from '../leaf/names.js'
import { computeDigest, parseDigest, parseSupportedDigest } from '../leaf/digest.js'
import { OciError } from '../errors/oci-error.js'
import { SUBJECT_KINDS } from '../media-types/constants.js'
import { mediaTypeOf } from '../media-types/decode.js'
import { defaultPlatformChild, negotiate, parseAcceptSet } from '../media-types/negotiate.js'
import { referencesOf, referrerFieldsOf } from '../media-types/references.js'
import { schemaVersionProblem, shapeProblem } from '../media-types/validate.js'
import type { StoredManifest } from '../storage/storage.js'
import { requireDeletes } from './require-deletes.js'
import { requireRepository } from './require-repository.js'
import { etagOf, matchesIfNoneMatch } from './conditional.js'
import { parseManifestReference, type ManifestReference } from './manifest-reference.js'
import { readCappedBody } from './request-body.js'
import { createLightHeaders } from '../leaf/light-headers.js'
import { createLightResponse } from '../leaf/light-response.js'
import { verifyReferences } from './verify-references.js'

/**
 * `PUT /v2/<name>/manifests/<reference>`: the steps of media-type spec §2 in order, the first
 * failure winning. Each step's rule comes from the mode's profile.
 *
 * Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-manifests
 */
export const putManifest: RouteHandler = async ({ request, url, params, context, facts }) => {
  const { options, storage } = context
  const rules = context.profile.push
  const { name, reference: path } = routeParams(params, 'name', 'reference')
  const reference = readReference(path, context)
  if (reference.kind === 'tag' && !reference.valid) throw invalid('invalid tag')
  const extraTags = tagParameters(url, reference)

  const bytes = await readCappedBody(request, options.maxManifestBytes)
  if (!bytes) throw rules.oversize(options.maxManifestBytes)
  const contentType = rules.contentType(request.headers.get('content-type'))
  const document = rules.decode(bytes, contentType)
  if (facts) {
    facts.manifest = document
    facts.manifestBytes = bytes
  }
  const parser = rules.chooseParser(contentType, document)
  failIf(parser.checkMediaType(mediaTypeOf(document)))
  if (rules.checkShape) failIf(shapeProblem(parser.family, document))
  if (parser.schemaVersion !== undefined) failIf(schemaVersionProblem(parser.schemaVersion, document))
  failIf(rules.validate(parser, document))

  // Push by digest hashes with the URL's algorithm, so the answer echoes the client's digest.
  const digest = computeDigest(bytes, reference.kind === 'digest' ? reference.algorithm : 'sha256')
  if (reference.kind === 'digest' && digest !== reference.digest)
    throw new OciError('DIGEST_INVALID', { expected: reference.digest, computed: digest })
  rules.refuseParsed?.(parser, reference.kind === 'digest')
  await verifyReferences(storage, name, referencesOf(parser.family, document), options.verifyReferences, rules)

  const tags = reference.kind === 'tag' ? [reference.tag] : extraTags
  if (options.quirks.immutableTags) await refuseExistingTags(context, name, tags)
  const { subject, ...fields } = referrerFieldsOf(parser.family, document)
  const manifest: StoredManifest = { digest, mediaType: parser.kind, bytes, ...fields }
  // Only image-spec documents have a subject; a Docker body's stray field is stored as bytes only.
  // Modes that skip validation may get any string here: only a digest can be a subject.
  if (subject !== undefined && SUBJECT_KINDS.has(parser.kind) && parseDigest(subject)) manifest.subject = subject
  await storage.putManifest(name, manifest)
  for (const tag of tags) await storage.setTag(name, tag, digest)

  const headers = createLightHeaders({
    location: `/v2/${name}/manifests/${digest}`,
    'docker-content-digest': digest,
    'content-length': '0',
  })
  // The mode decides the default of `referrers` (gitlab-legacy has no referrers API); the option decides.
  if (manifest.subject !== undefined && options.referrers) headers.set('oci-subject', manifest.subject)
  for (const tag of extraTags) headers.append('oci-tag', tag)
  const warning = rules.warning?.(contentType, parser)
  if (warning !== undefined) headers.set('warning', warning)
  return createLightResponse(null, { status: 201, headers })
}

/**
 * `GET|HEAD /v2/<name>/manifests/<reference>` (media-type spec §5): the exact stored bytes with
 * the stored kind as `Content-Type`, after `Accept` negotiation when the profile has it.
 *
 * Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pulling-manifests
 */
export const getManifest: RouteHandler = async ({ request, params, context }) => {
  const { profile } = context
  const { name, reference: path } = routeParams(params, 'name', 'reference')
  const reference = readReference(path, context)
  await requireRepository(context.storage, name)
  let manifest = await resolve(context, name, reference)
  let kind = profile.pull.kindOf(manifest)
  if (profile.pull.negotiate) {
    const decision = negotiate(kind, parseAcceptSet(request.headers.get('accept')), reference.kind === 'digest')
    if (decision.action === 'refuse') throw new OciError('MANIFEST_UNKNOWN', undefined, { message: decision.message })
    if (decision.action === 'rewrite' && profile.pull.rewriteManifestList) {
      manifest = await defaultPlatformManifest(context, name, manifest)
      kind = profile.pull.kindOf(manifest)
    }
  }
  // After negotiation, as distribution does: the entity is what this request would be served.
  const headers = createLightHeaders({ 'docker-content-digest': manifest.digest, etag: etagOf(manifest.digest) })
  // ECR leaves the digest out of a GET by tag only; HEAD keeps it (docs/profiles.md, "Docker-Content-Digest gaps").
  if (!context.options.quirks.digestOnTagGet && reference.kind === 'tag' && request.method === 'GET') {
    headers.delete('docker-content-digest')
  }
  if (matchesIfNoneMatch(request.headers.get('if-none-match'), manifest.digest, { bareDigest: true })) {
    return createLightResponse(null, { status: 304, headers })
  }
  headers.set('content-type', kind)
  headers.set('content-length', String(manifest.bytes.byteLength))
  return createLightResponse(manifest.bytes, { status: 200, headers })
}

/**
 * `DELETE /v2/<name>/manifests/<reference>`: by digest the manifest and every tag pointing to it,
 * by tag only the tag (distribution-spec v1.1, Deleting tags).
 *
 * Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#deleting-manifests
 */
export const deleteManifest: RouteHandler = async ({ params, context }) => {
  requireDeletes(context.options, 'GET, HEAD, PUT')
  const { name, reference: path } = routeParams(params, 'name', 'reference')
  const reference = readReference(path, context)
  if (reference.kind === 'tag') refuseTagDelete(context, reference.tag)
  await requireRepository(context.storage, name)
  const deleted =
    reference.kind === 'digest'
      ? await context.storage.deleteManifest(name, reference.digest)
      : reference.valid && (await context.storage.deleteTag(name, reference.tag))
  if (!deleted) throw unknown(reference)
  return createLightResponse(null, { status: 202, headers: { 'content-length': '0' } })
}

const DIGEST_TAG = /^sha256-([0-9a-f]{64})$/

/**
 * The URL's reference. A malformed digest is 400 DIGEST_INVALID, or under the quirk of
 * distribution 2.8 the 500 UNKNOWN it answers (docs/profiles.md, "malformed digest reference").
 */
function readReference(path: string, { options }: RegistryContext): ManifestReference {
  try {
    return parseManifestReference(path)
  } catch (error) {
    if (options.quirks.malformedDigestReference === 'internal-error') throw new OciError('UNKNOWN', { reference: path })
    throw error
  }
}

/** DELETE by tag where the registry deletes by digest only (docs/profiles.md, "manifest DELETE"). */
function refuseTagDelete({ options }: RegistryContext, tag: string): void {
  if (options.quirks.deleteByTag === 'digest-invalid') throw new OciError('DIGEST_INVALID', { reference: tag })
  if (options.quirks.deleteByTag === 'unsupported')
    throw new OciError('UNSUPPORTED', undefined, { status: 400, message: `unsupported digest ${tag}` })
}

/** Immutable tags: a push to a tag that exists is refused, even with the same digest (docs/profiles.md, "tag immutability"). */
async function refuseExistingTags(
  { storage, options }: RegistryContext,
  name: string,
  tags: readonly string[],
): Promise<void> {
  for (const tag of tags) {
    if ((await storage.resolveTag(name, tag)) === undefined) continue
    if (options.quirks.immutableTags === 'harbor') {
      throw new OciError('PRECONDITION', undefined, {
        message: `Failed to process request due to '${name}:${tag}' configured as immutable.`,
      })
    }
    throw new OciError('TAG_INVALID', undefined, {
      message: `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`,
    })
  }
}

/** The tags of `?tag=` on a push by digest (spec main); refused on a push by tag, whose tag is the URL's. */
function tagParameters(url: URL, reference: ManifestReference): string[] {
  const tags = url.searchParams.getAll('tag')
  if (tags.length === 0) return []
  if (reference.kind === 'tag') throw invalid('the tag parameter is only allowed on a push by digest')
  for (const tag of tags) if (!isTag(tag)) throw invalid('invalid tag')
  return [...new Set(tags)]
}

async function resolve(
  { storage, options }: RegistryContext,
  name: string,
  reference: ManifestReference,
): Promise<StoredManifest> {
  // GitLab reads the tag `sha256-<hex>` as the digest `sha256:<hex>`, before any tag of that name.
  const digestTag = options.quirks.digestTags && reference.kind === 'tag' ? DIGEST_TAG.exec(reference.tag) : null
  if (digestTag) {
    const manifest = await storage.getManifest(name, `sha256:${digestTag[1]}`)
    if (manifest) return manifest
  }
  const digest =
    reference.kind === 'digest'
      ? reference.digest
      : reference.valid
        ? await storage.resolveTag(name, reference.tag)
        : undefined
  const manifest = digest === undefined ? undefined : await storage.getManifest(name, digest)
  if (!manifest) throw unknown(reference)
  return manifest
}

/** A Docker list fetched by a client that does not accept lists: its linux/amd64 child, exactly as stored. */
async function defaultPlatformManifest(
  { storage }: RegistryContext,
  name: string,
  list: StoredManifest,
): Promise<StoredManifest> {
  let document: unknown
  try {
    document = JSON.parse(new TextDecoder().decode(list.bytes))
  } catch {
    document = undefined
  }
  const child = defaultPlatformChild(document)
  if (child === undefined) {
    throw new OciError(
      'MANIFEST_UNKNOWN',
      `manifest list ${list.digest} does not contain a manifest image for the platform linux/amd64`,
    )
  }
  const manifest = parseSupportedDigest(child) ? await storage.getManifest(name, child) : undefined
  if (!manifest) throw new OciError('MANIFEST_UNKNOWN', { digest: child })
  return manifest
}

function unknown(reference: ManifestReference): OciError {
  return new OciError(
    'MANIFEST_UNKNOWN',
    reference.kind === 'digest' ? { digest: reference.digest } : { tag: reference.tag },
  )
}

function invalid(detail: string): OciError {
  return new OciError('MANIFEST_INVALID', detail)
}

function failIf(detail: string | undefined): void {
  if (detail !== undefined) throw invalid(detail)
}
