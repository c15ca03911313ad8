import { gitlabLegacyProfile } from './gitlab-legacy.js'
import { lenientProfile } from './lenient.js'
import type { Mode, Profile } from './profile.js'
import { strictProfile } from './strict.js'

export type { Mode, ModeDefaults, ParserOptions, Profile, PullRules, PushRules, VerifyReferences } from './profile.js'

const PROFILES: Readonly<Record<Mode, Profile>> = {
  strict: strictProfile,
  lenient: lenientProfile,
  'gitlab-legacy': gitlabLegacyProfile,
}

/**
 * The profile of a mode.
 *
 * @example
 * profileFor(context.options.mode).pull.negotiate // true in strict mode
 */
export function profileFor(mode: Mode): Profile {
  return PROFILES[mode]
}
