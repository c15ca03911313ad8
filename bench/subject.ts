// What the benchmarks measure: the package as users run it, compiled to dist/ by `npm run build`
// (bench/run.ts builds it first), not the sources through tsx, whose transform adds work of its
// own to every function. The types come from the sources, so type checks need no build.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

type Package = typeof import('../src/index.js')

const ENTRY = new URL('../dist/index.js', import.meta.url)

/** The CLI as built: `node dist/cli/main.js serve …`. */
export const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url))

if (!existsSync(ENTRY)) throw new Error('dist/ is missing: run `npm run build` (npm run bench does) before a benchmark')

export const { createFakeRegistry } = (await import(ENTRY.href)) as Package
export type { FakeRegistry } from '../src/index.js'
