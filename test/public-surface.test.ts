// The main entry stays small and its values immutable: the names a test needs, no internals.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import * as main from '../src/index.js'
import * as seed from '../src/seed.js'

const INDEX = readFileSync(new URL('../src/index.ts', import.meta.url), 'utf8')

/** Every name the entry exports, values and types, as its source lists them. */
function exportedNames(source: string): string[] {
  return [...source.matchAll(/^export (?:type )?\{([^}]*)\}/gm)].flatMap((match) =>
    (match[1] as string)
      .split(',')
      .map((name) => name.trim().replace(/^type /, ''))
      .filter(Boolean),
  )
}

describe('the main entry', () => {
  it('exports at most 40 names, each once, and no export *', () => {
    const names = exportedNames(INDEX)
    expect(names.length).toBeGreaterThan(0)
    expect(names.length).toBeLessThanOrEqual(40)
    expect(new Set(names).size).toBe(names.length)
    expect(INDEX).not.toMatch(/^export \*/m)
  })

  it('lists every value it exports in its source (nothing slips in by re-export)', () => {
    const names = new Set(exportedNames(INDEX))
    for (const value of Object.keys(main)) expect(names, value).toContain(value)
  })

  it('keeps internals and builders out', () => {
    for (const name of [
      'DEFAULTS',
      'resolveOptions',
      'createSeeder',
      'buildImage',
      'randomLayer',
      'ERROR_CODES',
      'computeDigest',
    ]) {
      expect(Object.keys(main), name).not.toContain(name)
    }
    expect(Object.keys(seed)).toEqual(
      expect.arrayContaining([
        'randomLayer',
        'textLayer',
        'buildImage',
        'buildIndex',
        'buildArtifact',
        'createSeeder',
        'computeDigest',
      ]),
    )
  })

  it('exports no object that a test could change under the next registry', () => {
    for (const [name, value] of [...Object.entries(main), ...Object.entries(seed)]) {
      if (typeof value === 'object' && value !== null) expect(Object.isFrozen(value), name).toBe(true)
    }
  })
})
