// Checks an unpacked tarball (the `package/` folder `npm pack` makes): no source maps, and no map
// comments pointing at files the package does not ship; LICENSE, CHANGELOG.md and README.md
// present; every relative link of the README naming a file or folder inside the package.
// Prints each problem and exits 1 when there is any.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import process from 'node:process'

const root = process.argv[2]
const files = readdirSync(root, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => relative(root, join(entry.parentPath, entry.name)))
const shipped = new Set(files)
const problems = []

for (const required of ['LICENSE', 'CHANGELOG.md', 'README.md', 'package.json']) {
  if (!shipped.has(required)) problems.push(`does not ship ${required}`)
}
for (const file of files) {
  if (file.endsWith('.map')) problems.push(`ships the source map ${file}`)
  // A `//# sourceMappingURL=` comment left in a shipped file points at a map that is not there.
  else if (/\.(?:js|ts)$/.test(file) && readFileSync(join(root, file), 'utf8').includes('sourceMappingURL=')) {
    problems.push(`${file} names a source map`)
  }
}

const readme = readFileSync(join(root, 'README.md'), 'utf8')
for (const match of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
  const target = match[1]
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue
  const path = target.split('#')[0].replace(/^\.\//, '')
  const folder = path.endsWith('/') ? path : `${path}/`
  if (!shipped.has(path) && !files.some((file) => file.startsWith(folder))) {
    problems.push(`README links to ${target}, which the package does not ship`)
  }
}

for (const problem of problems) process.stderr.write(`package: ${problem}\n`)
if (problems.length > 0) process.exit(1)
process.stdout.write(`package contents: ${files.length} files, no source maps, every README link inside the package\n`)
