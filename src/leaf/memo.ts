/**
 * `compute`, remembering its answers for short keys: clients send the same few header values
 * and repository names on every request, so each is worked out once. At most `maxEntries` are
 * kept (all are dropped when full), and a key longer than `maxKeyLength` is never kept, so what
 * a client sends cannot grow memory. The answers are shared: they must not be changed.
 *
 * @example
 * const parse = memoize((value: string) => value.toLowerCase())
 * parse('Application/JSON') // computed; the second call with it is a lookup
 */
export function memoize<T>(
  compute: (key: string) => T,
  { maxEntries = 64, maxKeyLength = 256 }: { maxEntries?: number; maxKeyLength?: number } = {},
): (key: string) => T {
  const known = new Map<string, T>()
  return (key) => {
    if (known.has(key)) return known.get(key) as T
    const answer = compute(key)
    if (key.length <= maxKeyLength) {
      if (known.size >= maxEntries) known.clear()
      known.set(key, answer)
    }
    return answer
  }
}
