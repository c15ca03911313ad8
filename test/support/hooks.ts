// Hooks and barriers for race tests: they force one interleaving of concurrent operations by
// waiting for events, never for time.
import type { Storage } from '../../src/index.js'

/** A promise with its resolve function outside: one side waits, the other side opens it. */
export interface Barrier<T = void> {
  readonly promise: Promise<T>
  open(value: T): void
  readonly opened: boolean
}

export function barrier<T = void>(): Barrier<T> {
  let open!: (value: T) => void
  let opened = false
  const promise = new Promise<T>((resolve) => {
    open = (value) => {
      opened = true
      resolve(value)
    }
  })
  return {
    promise,
    open: (value) => open(value),
    get opened() {
      return opened
    },
  }
}

type Method = {
  [K in keyof Storage]-?: Storage[K] extends ((...args: never[]) => unknown) | undefined ? K : never
}[keyof Storage]
type Hook<K extends Method> = (
  next: (...args: Parameters<NonNullable<Storage[K]>> | []) => ReturnType<NonNullable<Storage[K]>>,
  ...args: Parameters<NonNullable<Storage[K]>>
) => ReturnType<NonNullable<Storage[K]>>

/**
 * The storage with some of its methods wrapped: a hook gets the call's arguments and `next`,
 * which makes the call (with other arguments when given), so it can run code before, after, or
 * wait in between.
 */
export function hookStorage(storage: Storage, hooks: { [K in Method]?: Hook<K> }): Storage {
  return new Proxy(storage, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (typeof value !== 'function') return value
      const hook = (
        hooks as Record<
          PropertyKey,
          ((next: (...args: unknown[]) => unknown, ...args: unknown[]) => unknown) | undefined
        >
      )[property]
      const bound = (value as (...args: unknown[]) => unknown).bind(target)
      return hook
        ? (...args: unknown[]) => hook((...replaced) => bound(...(replaced.length > 0 ? replaced : args)), ...args)
        : bound
    },
  })
}

/** The chunks of `source`, calling `onChunk` with each one's index as the consumer takes it. */
export async function* observed(
  source: AsyncIterable<Uint8Array>,
  onChunk: (index: number) => void,
): AsyncGenerator<Uint8Array> {
  let index = 0
  for await (const chunk of source) {
    onChunk(index++)
    yield chunk
  }
}

/** A request body the test feeds by hand: `push` a chunk, `end` it. */
export function feedableBody(): { stream: ReadableStream<Uint8Array>; push(chunk: Uint8Array): void; end(): void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) })
  return { stream, push: (chunk) => controller.enqueue(chunk), end: () => controller.close() }
}
