// The README's examples are the files in examples/, which the suite runs: this keeps the two
// from drifting apart. A code block marked `<!-- example: examples/x.test.ts -->` must be that
// file byte for byte; one marked `<!-- excerpt: … -->` must consist of lines of that file; the
// block marked `<!-- usage -->` must be the CLI's usage text.
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { USAGE } from '../src/cli/parse-args.js'

const root = new URL('../', import.meta.url)
const readme = await readFile(new URL('README.md', root), 'utf8')

function blocks(kind: 'example' | 'excerpt'): Array<{ file: string; code: string }> {
  const pattern = new RegExp(`<!-- ${kind}: (\\S+) -->\\n\`\`\`ts\\n([\\s\\S]*?)\`\`\``, 'g')
  return [...readme.matchAll(pattern)].map((match) => ({ file: match[1] as string, code: match[2] as string }))
}

describe('README', () => {
  const examples = blocks('example')
  const excerpts = blocks('excerpt')

  it('shows the first test, the MSW, assertion and seeding examples', () => {
    expect(examples.map((example) => example.file)).toEqual([
      'examples/first-test.test.ts',
      'examples/msw-app-test.test.ts',
      'examples/assert-pushed-manifest.test.ts',
      'examples/seed-and-snapshot.test.ts',
    ])
  })

  it.each(examples)('shows $file exactly as the suite runs it', async ({ file, code }) => {
    expect(code).toBe(await readFile(new URL(file, root), 'utf8'))
  })

  it.each(excerpts)('quotes only lines of $file', async ({ file, code }) => {
    const lines = new Set((await readFile(new URL(file, root), 'utf8')).split('\n').map((line) => line.trim()))
    const quoted = code
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0)
    expect(quoted.filter((line) => !lines.has(line))).toEqual([])
  })

  it('shows the CLI usage the CLI prints', () => {
    expect(readme).toContain(`<!-- usage -->\n\`\`\`text\n${USAGE}\`\`\``)
  })
})
