import { FakeRegistryError } from '../errors/fake-registry-error.js'
import { gitlabLegacyMode } from './gitlab-legacy.js'
import { lenientMode } from './lenient.js'
import type { ModeDefaults, ModeDefinition, ParameterValue, Profile } from './profile.js'
import { strictMode } from './strict.js'

export type { ModeDefaults, ModeDefinition, Profile, PullRules, PushRules, VerifyReferences } from './profile.js'

// Adding a mode: one new file that exports `defineMode({…})`, and its entry below. The `Mode`
// type, the options type, the list of modes, the validation of a mode's own options and the
// error naming the modes that take an option all follow from this list.
const DEFINITIONS = [strictMode, lenientMode, gitlabLegacyMode] as const

/**
 * Manifest media-type behaviour (see docs/media-types.md): 'strict' follows the specs, 'lenient'
 * accepts what real clients send, 'gitlab-legacy' reproduces GitLab ≤ 3.6 and its bugs.
 *
 * @example
 * const mode: Mode = 'lenient'
 */
export type Mode = (typeof DEFINITIONS)[number]['mode']

type ParametersOf<D> = D extends { readonly parameters: infer P } ? { -readonly [K in keyof P]: P[K] } : never
type Intersection<U> = (U extends unknown ? (union: U) => void : never) extends (intersection: infer I) => void
  ? I
  : never

/** The options only one mode (or a few) reads, every one optional; `createProfile` refuses them in the others. */
export type ModeOptions = Partial<Intersection<ParametersOf<(typeof DEFINITIONS)[number]>>>

/** Every mode, in the order docs list them. */
export const MODES: readonly Mode[] = Object.freeze(DEFINITIONS.map((definition) => definition.mode))

const BY_MODE: ReadonlyMap<string, ModeDefinition> = new Map(
  DEFINITIONS.map((definition) => [definition.mode, definition as ModeDefinition]),
)

/** Each mode-specific option and the modes that read it. */
const READERS: ReadonlyMap<string, readonly Mode[]> = (() => {
  const readers = new Map<string, Mode[]>()
  for (const definition of DEFINITIONS) {
    for (const name of Object.keys(definition.parameters))
      readers.set(name, [...(readers.get(name) ?? []), definition.mode])
  }
  return readers
})()

/**
 * The names of every mode-specific option, for the list of options `createFakeRegistry` knows.
 *
 * @example
 * MODE_OPTION_NAMES.includes('schema1') // true
 */
export const MODE_OPTION_NAMES: readonly string[] = Object.freeze([...READERS.keys()])

/**
 * What the options every mode reads default to in `mode`.
 *
 * @example
 * modeDefaults('gitlab-legacy').referrers // false
 */
export function modeDefaults(mode: Mode): ModeDefaults {
  return definitionOf(mode).defaults
}

/**
 * Builds the profile of `mode` once, from the mode-specific options among `options` (defaults
 * applied). Throws `FakeRegistryError` (`ERR_INVALID_OPTION`) for an option of another mode,
 * naming the modes that take it, and for a value of the wrong type.
 *
 * @example
 * createProfile('lenient', { schema1: false }).push.chooseParser(undefined, { schemaVersion: 1 }) // throws MANIFEST_INVALID
 * createProfile('strict', { schema1: false }) // throws: only mode 'lenient' reads schema1
 */
export function createProfile(mode: Mode, options: Readonly<Record<string, unknown>>): Profile {
  const definition = definitionOf(mode)
  const parameters: Record<string, ParameterValue> = { ...definition.parameters }
  for (const [name, readers] of READERS) {
    const value = options[name]
    if (value === undefined) continue
    if (!Object.hasOwn(definition.parameters, name)) throw notRead(name, mode, readers)
    parameters[name] = checked(name, value, definition.parameters[name] as ParameterValue)
  }
  return definition.create(parameters)
}

function definitionOf(mode: Mode): ModeDefinition {
  const definition = BY_MODE.get(mode)
  // Modes reach here validated; a missing one is a bug in the table above.
  if (!definition) throw new TypeError(`no profile for mode ${String(mode)}`)
  return definition
}

function notRead(name: string, mode: Mode, readers: readonly Mode[]): FakeRegistryError {
  const modes = readers.map((reader) => `'${reader}'`).join(' or ')
  return new FakeRegistryError('ERR_INVALID_OPTION', {
    action: 'use option',
    subject: name,
    reason: `only mode ${modes} reads it, and this registry's mode is '${mode}'`,
    fix: `Pass mode: ${readers.length === 1 ? modes : `one of ${modes}`} with it, or leave ${name} out`,
  })
}

function checked(name: string, value: unknown, fallback: ParameterValue): ParameterValue {
  if (typeof value === typeof fallback) return value as ParameterValue
  const expected = typeof fallback === 'boolean' ? 'true or false' : `a ${typeof fallback}`
  throw new FakeRegistryError('ERR_INVALID_OPTION', {
    action: `use option ${name}`,
    subject: String(value),
    reason: `${name} must be ${expected}`,
    fix: `Pass ${typeof fallback === 'boolean' ? 'a boolean' : `a ${typeof fallback}`}, or leave ${name} out`,
  })
}
