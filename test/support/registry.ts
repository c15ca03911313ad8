// A fresh registry for every test of a suite: isolation without each suite spelling out the same
// beforeEach/afterEach pair. Getters, not values, because the registry only exists once the
// suite's hooks have run.
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import {
  createFakeRegistry,
  memoryStorage,
  type FakeRegistry,
  type FakeRegistryOptions,
  type Storage,
} from '../../src/index.js'

export interface RegistryPerTest<Content> {
  registry: () => FakeRegistry
  /** The registry's storage, to look behind the API. */
  storage: () => Storage
  /** What `setup` returned for this test. */
  content: () => Content
}

/**
 * Before each test: a registry with `transport: 'none'`, its own memory storage and `options`,
 * then `setup` (content the suite reads, pushed through the API). After each test: closed.
 */
export function useRegistry<Content = undefined>(
  options: FakeRegistryOptions = {},
  setup?: (registry: FakeRegistry) => Promise<Content>,
): RegistryPerTest<Content> {
  let registry: FakeRegistry
  let storage: Storage
  let content: Content
  beforeEach(async () => {
    storage = memoryStorage()
    registry = await createFakeRegistry({ transport: 'none', storage, ...options })
    content = (await setup?.(registry)) as Content
  })
  afterEach(() => registry.close())
  return { registry: () => registry, storage: () => storage, content: () => content }
}

/** One registry on loopback HTTP for the whole suite, and its port, for tests that write raw bytes to a socket. */
export function useLoopbackRegistry(): { registry: () => FakeRegistry; port: () => number } {
  let registry: FakeRegistry
  let port: number
  beforeAll(async () => {
    registry = await createFakeRegistry({ transport: 'http' })
    port = Number(new URL(registry.url).port)
  })
  afterAll(() => registry.close())
  return { registry: () => registry, port: () => port }
}
