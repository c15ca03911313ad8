#!/usr/bin/env bash
# Checks the package as npm would publish it, from the dist/ of a finished build: its contents,
# its types for ESM and CommonJS consumers (attw), and a consumer that installs the tarball and
# loads every entry with import and with require. Exits non-zero on the first failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --ignore-scripts: prepack would build again; the caller has just built.
tarball="$work/$(npm pack --ignore-scripts --silent --pack-destination "$work" | tail -n 1)"
echo "packed $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"

mkdir "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked"
node .ci/package-contents.mjs "$work/unpacked/package"

# attw 0.18 predates require(esm): see docs/decisions/0006-package-shape.md for the profile and
# the one ignored rule, which the consumer below checks for real.
npx --no-install attw "$tarball" --profile node16 --ignore-rules cjs-resolves-to-esm --format table-flipped

consumer="$work/consumer"
mkdir -p "$consumer"
cd "$consumer"
echo '{ "name": "consumer", "version": "1.0.0", "private": true }' > package.json
npm install --no-audit --no-fund --ignore-scripts --silent "$tarball"
# The optional peers and the type tools, from the project's own install.
for peer in msw undici vitest memfs typescript @types/node; do
  mkdir -p "node_modules/$(dirname "$peer")"
  ln -s "$root/node_modules/$peer" "node_modules/$peer"
done

cat > require.cjs <<'JS'
// CommonJS, as a Jest suite or an older tool would load the package (Node >= 20.19 require(esm)).
const assert = require('node:assert/strict')
const { createFakeRegistry, FakeRegistryError } = require('fake-oci-registry')
const { registryHandlers } = require('fake-oci-registry/msw')
const { buildImage } = require('fake-oci-registry/seed')
const { memfsStorage } = require('fake-oci-registry/memfs')
assert.equal(typeof registryHandlers, 'function')
assert.equal(typeof buildImage, 'function')
assert.equal(typeof memfsStorage, 'function')
assert.equal(require('fake-oci-registry/package.json').name, 'fake-oci-registry')
;(async () => {
  const registry = await createFakeRegistry({ transport: 'none' })
  const response = await registry.fetch('/v2/')
  assert.deepEqual([response.status, await response.text()], [200, '{}'])
  await registry.close()
  assert.ok(new FakeRegistryError('ERR_SEED', { action: 'a', subject: 'b', reason: 'c', fix: 'd' }) instanceof Error)
  // The same module instance as import() gives: one package, not two copies.
  assert.equal((await import('fake-oci-registry')).createFakeRegistry, createFakeRegistry)
  console.log('require: every entry loads and serves')
})().catch((error) => {
  console.error(error)
  process.exit(1)
})
JS
node require.cjs

cat > import.mjs <<'JS'
import assert from 'node:assert/strict'
import { createFakeRegistry } from 'fake-oci-registry'
import { registryHandlers } from 'fake-oci-registry/msw'
const registry = await createFakeRegistry({ transport: 'none' })
assert.equal(registryHandlers(registry).length, 1)
assert.equal((await registry.fetch('/v2/')).status, 200)
await registry.close()
console.log('import: every entry loads and serves')
JS
node import.mjs

# TypeScript types a require() of the package from a CommonJS file (.cts) with module nodenext.
cat > consumer.cts <<'TS'
import fake = require('fake-oci-registry')
import msw = require('fake-oci-registry/msw')
export async function check(): Promise<number> {
  const registry: fake.FakeRegistry = await fake.createFakeRegistry({ transport: 'none' })
  const handlers: unknown[] = msw.registryHandlers(registry)
  return handlers.length
}
TS
cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "target": "es2022",
    "strict": true,
    "noEmit": true,
    "skipLibCheck": true,
    "types": ["node"]
  },
  "files": ["consumer.cts"]
}
JSON
"$root/node_modules/.bin/tsc" -p tsconfig.json
echo 'tsc: a CommonJS consumer type-checks'
