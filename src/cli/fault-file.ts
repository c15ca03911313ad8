import { readFile } from 'node:fs/promises'
import { FakeRegistryError } from '../errors/fake-registry-error.js'

/**
 * The fault rules of a `--faults` file: a JSON array of rule objects, as `registry.faults.add`
 * takes them, RegExps written as `pathPattern` / `repositoryPattern` and dates as strings. The
 * rules themselves are checked when added; this checks the file.
 *
 * @example
 * for (const rule of await readFaultFile('faults.json')) registry.faults.add(rule)
 */
export async function readFaultFile(path: string): Promise<object[]> {
  const fail = (reason: string, fix: string, cause?: unknown): FakeRegistryError =>
    new FakeRegistryError('ERR_INVALID_FAULT', { action: 'load faults from', subject: path, reason, fix }, { cause })
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'there is no such file' : `it cannot be read (${code ?? String(error)})`
    throw fail(reason, 'Pass the path of a JSON file holding an array of fault rules', error)
  }
  let rules: unknown
  try {
    rules = JSON.parse(text)
  } catch (error) {
    throw fail(
      `it is not JSON (${(error as Error).message})`,
      'Write an array of fault rules such as [{ "kind": "blob", "status": 503 }]',
      error,
    )
  }
  if (!Array.isArray(rules)) {
    throw fail('it holds no array', 'Write an array of fault rules such as [{ "kind": "blob", "status": 503 }]')
  }
  return rules as object[]
}
