/**
 * `import 'fake-oci-registry/vitest'` registers the registry matchers on vitest's `expect` and
 * their types. vitest is an optional peer: only this entry needs it.
 *
 * @example
 * import 'fake-oci-registry/vitest'
 * await expect(registry).toHaveManifest('team/app:1', { layers: 2 })
 * expect(registry).toHaveReceivedRequest({ method: 'PUT', path: '/v2/team/app/manifests/1' })
 */
import { expect } from 'vitest'
import { registryMatchers, type RegistryMatchers } from './assertions/vitest.js'

expect.extend(registryMatchers)

declare module 'vitest' {
  // No type parameters: vitest 3.2 and 4 declare `Matchers<T = any>`, vitest 5
  // `Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown>`. A declaration
  // merges with either only when it names none, which all-defaulted parameters allow.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers extends RegistryMatchers {}
}

export { registryMatchers, type RegistryMatchers }
