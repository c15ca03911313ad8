import type { OciError } from '../errors/oci-error.js'
import type { ManifestDocument } from '../media-types/decode.js'
import type { ManifestParser } from '../media-types/parsers.js'
import type { ReferencedDescriptor } from '../media-types/references.js'
import type { StoredManifest } from '../storage/storage.js'

/** Which references a pushed manifest must have in the repository. */
export type VerifyReferences = 'all' | 'blobs' | 'none'

/**
 * How a manifest PUT is decided, step by step (media-type spec §2). The handler runs the steps
 * in order and a profile only supplies each step's rule, so the registries a profile imitates
 * differ in data and small hooks, never in the handler's control flow.
 */
export interface PushRules {
  /** Step 2: the error for a body above `maxManifestBytes` (413 in strict mode, 400 in gitlab-legacy). */
  oversize(maxBytes: number): OciError
  /** Step 3: the `Content-Type` header as a bare lower-case media type, undefined when absent (or ignored); throws to refuse it. */
  contentType(header: string | null): string | undefined
  /** Step 4: the body as a JSON object; throws `MANIFEST_INVALID`. Gets the Content-Type for parsers that word errors their own way. */
  decode(bytes: Uint8Array, contentType: string | undefined): ManifestDocument
  /** Step 5: the parser for this push, from the Content-Type or (lenient) the body; throws to refuse it (schema 1, unknown types). */
  chooseParser(contentType: string | undefined, document: ManifestDocument): ManifestParser
  /** Step 7: whether a document whose shape contradicts its parser is refused (E5, E6; CVE-2021-41190). */
  checkShape: boolean
  /** Step 9: the first field problem under this profile's rules, or undefined. */
  validate(parser: ManifestParser, document: ManifestDocument): string | undefined
  /** A descriptor whose blob need not be in the repository (foreign layers). */
  isExempt(descriptor: ReferencedDescriptor): boolean
  /** Whether a referenced blob's or child's stored size must equal the descriptor's `size`. */
  checkSizes: boolean
  /**
   * After the digest check, before references: throws when the registry parses a document but
   * its storage refuses the kind (GitLab ≤ 3.6 and signed schema 1). `byDigest` is a push by digest.
   */
  refuseParsed?(parser: ManifestParser, byDigest: boolean): void
  /** A spec §Warnings text sent with a 201 (for a Content-Type that disagrees with the stored kind), or undefined. */
  warning?(contentType: string | undefined, parser: ManifestParser): string | undefined
}

/** How a manifest GET/HEAD is decided (media-type spec §5). */
export interface PullRules {
  /** The kind served as `Content-Type`: the one stored at push time, or one re-detected from the bytes; throws to refuse (seed A). */
  kindOf(manifest: StoredManifest): string
  /** Whether `Accept` decides what is served (OCI kinds need to be accepted). */
  negotiate: boolean
  /** Whether a Docker manifest list fetched by tag without DL in `Accept` becomes its linux/amd64 child. */
  rewriteManifestList: boolean
}

/** The options every mode reads whose default depends on the registry imitated; `resolveOptions` takes them from the mode. */
export interface ModeDefaults {
  /** Which references of a pushed manifest must exist. */
  readonly verifyReferences: VerifyReferences
  /** Whether the registry has the referrers API, and so answers a push that has a subject with `OCI-Subject`. */
  readonly referrers: boolean
}

/**
 * A registry behaviour to imitate, built for one registry from its mode's parameters: data plus
 * small hooks.
 *
 * @example
 * createProfile('strict', {}).push.checkShape // true
 */
export interface Profile {
  readonly mode: string
  readonly push: PushRules
  readonly pull: PullRules
}

/** The value of a mode's own option: a switch, a number or a word. */
export type ParameterValue = boolean | number | string

/**
 * A mode as its one file defines it: its name, the options only it reads with their defaults,
 * and the factory that builds its profile from them. The registry builds the profile once, when
 * it is created; an option of another mode is refused then.
 *
 * @example
 * export const strictMode = defineMode({ mode: 'strict', parameters: { unknownContentTypes: true }, … })
 */
export interface ModeDefinition<
  M extends string = string,
  P extends Record<string, ParameterValue> = Record<string, ParameterValue>,
> {
  readonly mode: M
  /** A line for docs and errors: what the mode imitates. */
  readonly summary: string
  /** The options only this mode reads, each with its default; a value must have the default's type. */
  readonly parameters: Readonly<P>
  /** What the options every mode reads default to in this mode. */
  readonly defaults: ModeDefaults
  /** The profile for these parameters (all present, defaults applied). */
  create(parameters: Readonly<P>): Profile
}

/**
 * Declares a mode; a helper for the types only (the mode's name stays a literal).
 *
 * @example
 * export const lenientMode = defineMode({ mode: 'lenient', summary: '…', parameters: { schema1: true }, defaults, create })
 */
export function defineMode<const M extends string, P extends Record<string, ParameterValue>>(
  definition: ModeDefinition<M, P>,
): ModeDefinition<M, P> {
  return Object.freeze({
    ...definition,
    parameters: Object.freeze({ ...definition.parameters }),
    defaults: Object.freeze({ ...definition.defaults }),
  })
}
