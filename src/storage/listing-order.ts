/**
 * Sort order of tag, repository and garbage listings in every backend: plain code-point order,
 * as distribution uses.
 *
 * @example
 * ['b', 'B', 'a'].sort(compareCodePoints) // ['B', 'a', 'b']
 */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
