import { describe, expect, expectTypeOf, it } from 'vitest'
import 'fake-oci-registry/vitest'
import type { FakeRegistry } from 'fake-oci-registry'

declare const registry: FakeRegistry

describe('fake-oci-registry/vitest', () => {
  it('types the storage matchers as async, with .not', () => {
    expectTypeOf(expect(registry).toHaveManifest('team/app:1', { layers: 2 })).toEqualTypeOf<Promise<void>>()
    expectTypeOf(expect(registry).not.toHaveManifest('team/app:1')).toEqualTypeOf<Promise<void>>()
    expectTypeOf(expect(registry).toHaveBlob('team/app', 'sha256:…', { size: 1 })).toEqualTypeOf<Promise<void>>()
    expectTypeOf(expect(registry).toHaveTags('team/app', ['1'], { exact: true })).toEqualTypeOf<Promise<void>>()
    expectTypeOf(expect(registry).not.toHaveReferrers('team/app:1', { artifactType: 'x' })).toEqualTypeOf<
      Promise<void>
    >()
  })

  it('types the journal matchers as sync, with .not', () => {
    expectTypeOf(expect(registry).toHaveReceivedRequest({ method: 'PUT' })).toEqualTypeOf<void>()
    expectTypeOf(expect(registry).not.toHaveReceivedRequestTimes(2, { path: /manifests/ })).toEqualTypeOf<void>()
    expectTypeOf(
      expect(registry).toHaveAuthenticated('alice', { repository: 'team/app', actions: ['push'] }),
    ).toEqualTypeOf<void>()
    expectTypeOf(
      expect(registry).not.toHaveFollowedChallenge({ resource: 'manifest', user: null }),
    ).toEqualTypeOf<void>()
    expectTypeOf(
      expect(registry).toHaveReceivedNoCredentials({ origin: 'https://registry.test' }),
    ).toEqualTypeOf<void>()
    // @ts-expect-error: the user is a name
    expect(registry).toHaveAuthenticated({ user: 'alice' })
  })

  it('accepts asymmetric matchers inside expected', () => {
    expectTypeOf(
      expect(registry).toHaveManifest('team/app:1', {
        layers: [expect.objectContaining({ mediaType: 'x' })],
        digest: expect.stringMatching(/^sha256:/),
      }),
    ).toEqualTypeOf<Promise<void>>()
    expectTypeOf(expect(registry).toHaveTags('team/app', expect.arrayContaining(['1']))).toEqualTypeOf<Promise<void>>()
  })

  it('rejects wrong arguments', () => {
    // @ts-expect-error: a reference is a string
    void expect(registry).toHaveManifest(1)
    // @ts-expect-error: not a field toHaveManifest checks
    void expect(registry).toHaveManifest('team/app:1', { layer: 1 })
    // @ts-expect-error: the count comes first
    expect(registry).toHaveReceivedRequestTimes({ method: 'GET' }, 1)
    // @ts-expect-error: not a field of a recorded request
    expect(registry).toHaveReceivedRequest({ verb: 'GET' })
    // @ts-expect-error: no such matcher
    expect(registry).toHaveManifests('team/app:1')
  })
})
