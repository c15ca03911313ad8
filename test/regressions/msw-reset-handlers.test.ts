// MSW suites reset their handlers after each test (`afterEach(() => server.resetHandlers())`).
// That drops every handler `server.use()` added, so registry handlers added once in `beforeAll`
// answer the first test only, and the second fails with "Cannot bypass a request when using the
// "error" strategy". Handlers given to `setupServer()`, or added again in each `beforeEach`,
// survive the reset: those are the two ways the README recommends.
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createFakeRegistry, type FakeRegistry } from '../../src/index.js'
import { registryHandlers } from '../../src/msw.js'
import { FAIL_UNHANDLED, failureMessage, UNHANDLED_MESSAGE } from '../support/msw.js'

const ORIGIN = 'https://recipe.example.test'

async function versionCheck(): Promise<number> {
  return (await fetch(`${ORIGIN}/v2/`)).status
}

describe('registry handlers added with server.use in beforeAll (the old recipe)', () => {
  let registry: FakeRegistry
  const server = setupServer()
  beforeAll(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    server.use(...registryHandlers(registry, { origin: ORIGIN }))
    server.listen(FAIL_UNHANDLED)
  })
  afterEach(() => server.resetHandlers())
  afterAll(async () => {
    server.close()
    await registry.close()
  })

  it('answer the first test', async () => {
    expect(await versionCheck()).toBe(200)
  })

  it('are gone in the second, after resetHandlers()', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {})
    expect(failureMessage(await versionCheck().catch((error: unknown) => error))).toMatch(UNHANDLED_MESSAGE)
    expect(printed).toHaveBeenCalled()
    printed.mockRestore()
  })
})

describe('registry handlers given to setupServer', () => {
  let registry: FakeRegistry
  let server: ReturnType<typeof setupServer>
  beforeAll(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    server = setupServer(...registryHandlers(registry, { origin: ORIGIN }))
    server.listen(FAIL_UNHANDLED)
  })
  afterEach(() => server.resetHandlers())
  afterAll(async () => {
    server.close()
    await registry.close()
  })

  it.each([1, 2, 3])('answer test %i', async () => {
    expect(await versionCheck()).toBe(200)
  })
})

describe('registry handlers added with server.use in beforeEach, on a shared server', () => {
  let registry: FakeRegistry
  const server = setupServer()
  beforeAll(async () => {
    registry = await createFakeRegistry({ transport: 'none' })
    server.listen(FAIL_UNHANDLED)
  })
  beforeEach(() => server.use(...registryHandlers(registry, { origin: ORIGIN })))
  afterEach(() => server.resetHandlers())
  afterAll(async () => {
    server.close()
    await registry.close()
  })

  it.each([1, 2, 3])('answer test %i', async () => {
    expect(await versionCheck()).toBe(200)
  })
})
