// docs/options.md is the one naming table: every option of createFakeRegistry, with the CLI flag
// that has its name in kebab-case. A new option or flag without its row fails here.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CLI_FLAGS, type CliOption } from '../src/cli/parse-args.js'
import { OPTION_NAMES } from '../src/options.js'

const TABLE = readFileSync(new URL('../docs/options.md', import.meta.url), 'utf8')

function row(option: string): string | undefined {
  return TABLE.split('\n').find((line) => line.startsWith(`| \`${option}\` |`))
}

describe('docs/options.md', () => {
  it.each(OPTION_NAMES)('has a row for %s naming its CLI flag', (option) => {
    const line = row(option)
    expect(line, `no row for ${option}`).toBeDefined()
    const flag = CLI_FLAGS.get(option as CliOption)
    if (flag === undefined) expect(line).toContain('(code only')
    else expect(line).toMatch(new RegExp(`\`--(\\[no-\\])?${flag.slice(2)}\\b`))
  })

  it('has no row for an option that does not exist', () => {
    const documented = [...TABLE.matchAll(/^\| `(\w+)` \|/gm)].map((match) => match[1])
    expect(documented.sort()).toEqual([...OPTION_NAMES].sort())
  })
})
