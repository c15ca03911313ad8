// The layers of docs/architecture.md, checked: a module imports only its own layer and the ones
// below it (type-only imports count), so the core reads bottom-up and never reaches for a ring.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../src/', import.meta.url))

// Bottom first. A path matches the first prefix that starts it.
const LAYERS: ReadonlyArray<readonly [layer: string, prefixes: readonly string[]]> = [
  ['leaf', ['leaf/']],
  ['errors', ['errors/']],
  ['media types', ['media-types/']],
  ['storage', ['storage/']],
  ['profiles', ['profiles/']],
  ['auth', ['auth/']],
  ['journal', ['journal/']],
  ['options', ['options.ts']],
  ['faults', ['faults/']],
  ['handlers', ['api/']],
  ['dispatch', ['server/']],
  ['read helpers and seeding', ['inspect.ts', 'seed/']],
  ['transports', ['transports/', 'start-transport.ts']],
  ['facade', ['create-fake-registry.ts']],
  ['assertions', ['assertions/']],
  ['entries and CLI', ['index.ts', 'seed.ts', 'auth.ts', 'msw.ts', 'memfs.ts', 'vitest.ts', 'cli/']],
]

function rankOf(file: string): number {
  const path = relative(SRC, file).split('\\').join('/')
  const rank = LAYERS.findIndex(([, prefixes]) => prefixes.some((prefix) => path.startsWith(prefix)))
  if (rank < 0) throw new Error(`src/${path} is in no layer of test/architecture.test.ts`)
  return rank
}

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return modules(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : []
  })
}

function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8')
  return [...source.matchAll(/(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]/g)].map(
    (match) => resolve(dirname(file), (match[1] as string).replace(/\.js$/, '.ts')),
  )
}

describe('the layers of src/', () => {
  const files = modules(SRC)

  it('places every module in a layer', () => {
    for (const file of files) expect(() => rankOf(file)).not.toThrow()
  })

  it('has no import from a module to a layer above it', () => {
    const upward = files.flatMap((file) =>
      importsOf(file)
        .filter((target) => rankOf(target) > rankOf(file))
        .map(
          (target) =>
            `${relative(SRC, file)} (${LAYERS[rankOf(file)]?.[0]}) imports ${relative(SRC, target)} (${LAYERS[rankOf(target)]?.[0]})`,
        ),
    )
    expect(upward).toEqual([])
  })

  it('keeps handlers away from the route table: api/ imports nothing of server/', () => {
    for (const file of files.filter((path) => relative(SRC, path).startsWith('api/'))) {
      expect(
        importsOf(file).filter((target) => relative(SRC, target).startsWith('server/')),
        relative(SRC, file),
      ).toEqual([])
    }
  })

  it('reaches the layout backend only through its entry (memfs.ts aside: it loads the optional peer)', () => {
    const inside = (path: string) => relative(SRC, path).startsWith('storage/layout/')
    for (const file of files.filter((path) => !inside(path))) {
      const deep = importsOf(file).filter(
        (target) => inside(target) && !/storage\/layout\/(index|memfs)\.ts$/.test(target),
      )
      expect(deep, relative(SRC, file)).toEqual([])
    }
  })
})
