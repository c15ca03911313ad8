// The README's examples are the files in examples/, which the suite runs: this keeps the two
// from drifting apart. A code block marked `<!-- example: examples/x.test.ts -->` must be
// that file, byte for byte.
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'

const root = new URL('../', import.meta.url)
const readme = await readFile(new URL('README.md', root), 'utf8')
const marked = [...readme.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```/g)].map((match) => ({
  file: match[1] as string,
  code: match[2] as string,
}))

describe('README examples', () => {
  it('marks at least the first example', () => {
    expect(marked.map((example) => example.file)).toContain('examples/first-test.test.ts')
  })

  it.each(marked)('shows $file exactly as the suite runs it', async ({ file, code }) => {
    expect(code).toBe(await readFile(new URL(file, root), 'utf8'))
  })
})
