import { describe, expectTypeOf, it } from 'vitest'
import {
  assertBlob,
  assertManifest,
  assertNoErrors,
  assertReferrers,
  assertRequest,
  assertTags,
  type ExpectedManifest,
  type FakeRegistry,
  type FaultRule,
  type Har,
  type InspectedBlob,
  type InspectedManifest,
  type InspectedReferrer,
  type RecordedRequest,
  type RequestFilter,
  type RequestJournal,
} from '../../src/index.js'

declare const registry: FakeRegistry

describe('faults', () => {
  it('are typed', () => {
    const handle = registry.faults.add({ kind: 'blob', status: 503, retryAfter: new Date() })
    expectTypeOf(handle).toEqualTypeOf<{
      readonly name: string
      readonly calls: number
      readonly matched: number
      remove(): void
    }>()
    expectTypeOf(registry.faults.add({ path: /\/blobs\//, truncateAfterBytes: 10 }).calls).toEqualTypeOf<number>()
    expectTypeOf(registry.faults.list()).toEqualTypeOf<Array<typeof handle>>()
    expectTypeOf(registry.faults.reset()).toEqualTypeOf<void>()
    expectTypeOf(registry.faults.add).parameter(0).toEqualTypeOf<FaultRule>()
    expectTypeOf<RecordedRequest['fault']>().toEqualTypeOf<string | undefined>()
    expectTypeOf(registry.requests.filter({ fault: /./ })).toEqualTypeOf<RecordedRequest[]>()
  })

  it('rejects rules it cannot apply', () => {
    // @ts-expect-error: kind is one of the API's parts
    registry.faults.add({ kind: 'blobs', status: 503 })
    // @ts-expect-error: not a key of a rule
    registry.faults.add({ stauts: 503 })
    // @ts-expect-error: transport is how a request arrived
    const rule: FaultRule = { transport: 'none', reset: true }
    expectTypeOf(rule).toEqualTypeOf<FaultRule>()
  })
})

describe('the journal', () => {
  it('is typed', () => {
    expectTypeOf(registry.requests).toEqualTypeOf<RequestJournal>()
    expectTypeOf(registry.requests.filter({ method: 'PUT', status: 201 })).toEqualTypeOf<RecordedRequest[]>()
    expectTypeOf(registry.requests.last()).toEqualTypeOf<RecordedRequest | undefined>()
    expectTypeOf(registry.requests.find((request) => request.response.status >= 400)).toEqualTypeOf<
      RecordedRequest | undefined
    >()
    expectTypeOf(registry.requests.toHAR()).toEqualTypeOf<Har>()
    expectTypeOf(registry.requests.toHAR().log.version).toEqualTypeOf<'1.2'>()
    expectTypeOf<RecordedRequest['response']['errorCode']>().toEqualTypeOf<string | undefined>()
    expectTypeOf([...registry.requests]).toEqualTypeOf<RecordedRequest[]>()
  })

  it('rejects filters it cannot apply', () => {
    // @ts-expect-error: not a field of a recorded request
    registry.requests.filter({ verb: 'GET' })
    // @ts-expect-error: a status is a number
    registry.requests.filter({ status: '404' })
    // @ts-expect-error: resource is one of the API's resources
    registry.requests.filter({ resource: 'blobs' })
    expectTypeOf<{ path: RegExp; headers: { accept: string } }>().toExtend<RequestFilter>()
  })

  it('is read-only', () => {
    const request = registry.requests.last() as RecordedRequest
    // @ts-expect-error: recorded requests are read-only
    request.method = 'GET'
  })
})

describe('the read helpers', () => {
  it('are typed', () => {
    expectTypeOf(registry.manifest('team/app:1')).toEqualTypeOf<Promise<InspectedManifest | undefined>>()
    expectTypeOf(registry.tags('team/app')).toEqualTypeOf<Promise<string[]>>()
    expectTypeOf(registry.blob('team/app', 'sha256:…')).toEqualTypeOf<Promise<InspectedBlob | undefined>>()
    expectTypeOf(registry.referrers('team/app:1', { artifactType: 'x' })).toEqualTypeOf<Promise<InspectedReferrer[]>>()
    expectTypeOf<InspectedManifest['bytes']>().toEqualTypeOf<Uint8Array>()
  })
})

describe('the plain assertions', () => {
  it('are typed', () => {
    expectTypeOf(
      assertManifest(registry, 'team/app:1', { mediaType: 'x', layers: 2, platforms: ['linux/amd64'] }),
    ).toEqualTypeOf<Promise<void>>()
    expectTypeOf(assertBlob(registry, 'team/app', 'sha256:…', { size: 3 })).toEqualTypeOf<Promise<void>>()
    expectTypeOf(assertTags(registry, 'team/app', ['1'], { exact: true })).toEqualTypeOf<Promise<void>>()
    expectTypeOf(assertReferrers(registry, 'team/app:1', { artifactType: 'x', count: 1 })).toEqualTypeOf<
      Promise<void>
    >()
    expectTypeOf(assertRequest(registry, { method: 'PUT' }, { times: 1 })).toEqualTypeOf<void>()
    expectTypeOf(assertNoErrors(registry, { allow: [{ status: 404 }] })).toEqualTypeOf<void>()
  })

  it('reject expectations with unknown fields or wrong types', () => {
    // @ts-expect-error: not a field assertManifest checks
    void assertManifest(registry, 'team/app:1', { layer: 1 })
    // @ts-expect-error: layers is a count or a list, not a string
    void assertManifest(registry, 'team/app:1', { layers: '2' })
    // @ts-expect-error: the reference is a string
    void assertManifest(registry, 42)
    // @ts-expect-error: times is a number
    assertRequest(registry, { method: 'GET' }, { times: '1' })
    expectTypeOf<{ annotations: Record<string, string>; subject: string }>().toExtend<ExpectedManifest>()
  })
})
