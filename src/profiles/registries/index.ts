import type { RegistryProfile } from '../registry-profile.js'
import { acrProfile } from './acr.js'
import { artifactoryProfile } from './artifactory.js'
import { distribution28Profile } from './distribution-2-8.js'
import { distribution3Profile } from './distribution-3.js'
import { dockerHubProfile } from './docker-hub.js'
import { ecrProfile } from './ecr.js'
import { garProfile } from './gar.js'
import { ghcrProfile } from './ghcr.js'
import { gitlabProfile } from './gitlab.js'
import { harborProfile } from './harbor.js'
import { quayProfile } from './quay.js'
import { zotProfile } from './zot.js'

/** The registries a `profile` can imitate. */
export type RegistryProfileName =
  | 'docker-hub'
  | 'ghcr'
  | 'ecr'
  | 'gar'
  | 'acr'
  | 'quay'
  | 'harbor'
  | 'gitlab'
  | 'artifactory'
  | 'distribution-2.8'
  | 'distribution-3'
  | 'zot'

const REGISTRY_PROFILES: Readonly<Record<RegistryProfileName, RegistryProfile>> = {
  'docker-hub': dockerHubProfile,
  ghcr: ghcrProfile,
  ecr: ecrProfile,
  gar: garProfile,
  acr: acrProfile,
  quay: quayProfile,
  harbor: harborProfile,
  gitlab: gitlabProfile,
  artifactory: artifactoryProfile,
  'distribution-2.8': distribution28Profile,
  'distribution-3': distribution3Profile,
  zot: zotProfile,
}

/** Every profile name, for validating one given as text (`--profile`). */
export const REGISTRY_PROFILE_NAMES = Object.keys(REGISTRY_PROFILES) as readonly RegistryProfileName[]

/**
 * The profile of a registry, or undefined for a name that is not one.
 *
 * @example
 * registryProfile('ecr')?.auth.scheme // 'basic'
 */
export function registryProfile(name: string): RegistryProfile | undefined {
  return Object.hasOwn(REGISTRY_PROFILES, name) ? REGISTRY_PROFILES[name as RegistryProfileName] : undefined
}
