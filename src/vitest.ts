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
  // The type parameter must repeat vitest's own declaration for the interfaces to merge.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends RegistryMatchers {}
}

export { registryMatchers, type RegistryMatchers }
