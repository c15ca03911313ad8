#!/usr/bin/env bash
# The peer versions the package claims, beyond the ones the main suite installs:
#  1. msw 3 and undici 8, which need Node 22: the transport, example and npm-client interop
#     suites on Node 22 and on Node 24, in a copy of the project with those peers installed over
#     its lockfile's (the committed package-lock.json never changes);
#  2. vitest 3, 4 and 5: the matchers' type tests (test/types/matchers.test-d.ts) compiled by tsc
#     with library checks on, and a run of the matchers, in a consumer that installs the packed
#     package.
# Node comes from the `node` npm package. Needs a finished build (dist/). Exits non-zero when any
# run fails, after running them all. `.ci/compat.sh peers` or `.ci/compat.sh vitest` runs one part.
set -euo pipefail
part=${1:-all}

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

NODE_MAJORS=(22 24)
PEERS=(msw@3 undici@8)
PEER_SUITES=(test/transports examples test/regressions/msw-reset-handlers.test.ts test/interop/http-clients.test.ts test/interop/registry-clients.test.ts)
VITEST_MAJORS=(3 4 5)

status=0
fail() {
  echo "FAILED: $*" >&2
  status=1
}

for major in "${NODE_MAJORS[@]}"; do
  npm install --prefix "$work/node$major" --no-audit --no-fund --loglevel=error "node@$major"
done
node_of() {
  echo "$work/node$1/node_modules/.bin/node"
}
# "msw 3.0.5, undici 8.13.1, vitest 4.1.12": the peers a directory's install resolves.
versions() {
  (cd "$1" && node -p "['msw', 'undici', 'vitest'].filter((p) => { try { require.resolve(p + '/package.json'); return true } catch { return false } }).map((p) => p + ' ' + require(p + '/package.json').version).join(', ')")
}

# --- 1. msw 3 + undici 8 on Node 22 and 24 ------------------------------------------------------

if [ "$part" = all ] || [ "$part" = peers ]; then
overlay="$work/project"
mkdir "$overlay"
tar -C "$root" --exclude=./.git --exclude=./dist --exclude='./.vitest-results*' -cf - . | tar -C "$overlay" -xf -
(cd "$overlay" && npm install --no-save --no-audit --no-fund --loglevel=error "${PEERS[@]}")
echo "overlay: $(versions "$overlay")"

for major in "${NODE_MAJORS[@]}"; do
  node_bin=$(node_of "$major")
  echo
  echo "--- Node $("$node_bin" --version): ${PEER_SUITES[*]} with ${PEERS[*]}"
  # The node binary first on PATH too, for the child processes the suites start.
  (cd "$overlay" && PATH="$(dirname "$node_bin"):$PATH" "$node_bin" node_modules/vitest/vitest.mjs run \
    --typecheck.enabled=false "${PEER_SUITES[@]}") || fail "msw 3 + undici 8 on Node $major"
done
fi

# --- 2. vitest 3, 4 and 5: the matchers' types and their registration ---------------------------

if [ "$part" = all ] || [ "$part" = vitest ]; then
tarball="$work/$(npm pack --ignore-scripts --silent --pack-destination "$work" | tail -n 1)"
# vitest 5 needs Node >= 22.12; all three run on the same Node for one comparison.
node_bin=$(node_of 22)
for major in "${VITEST_MAJORS[@]}"; do
  consumer="$work/vitest$major"
  mkdir -p "$consumer/types"
  cp "$root/test/types/matchers.test-d.ts" "$consumer/types/"
  cat > "$consumer/package.json" <<'JSON'
{ "name": "consumer", "version": "1.0.0", "private": true, "type": "module" }
JSON
  cat > "$consumer/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "target": "es2023",
    "lib": ["es2023", "dom", "esnext.disposable"],
    "strict": true,
    "noEmit": true,
    "skipLibCheck": false,
    "types": ["node"]
  },
  "include": ["types"]
}
JSON
  cat > "$consumer/matchers.test.ts" <<'TS'
import { createHash } from 'node:crypto'
import { expect, it } from 'vitest'
import { createFakeRegistry } from 'fake-oci-registry'
import 'fake-oci-registry/vitest'

const sha256 = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`

it('registers the matchers, which pass, fail and negate', async () => {
  const registry = await createFakeRegistry({ transport: 'none' })
  try {
    const pushed = await registry.fetch(`/v2/team/app/blobs/uploads/?digest=${sha256('layer')}`, { method: 'POST', body: 'layer' })
    expect(pushed.status).toBe(201)
    await expect(registry).toHaveBlob('team/app', sha256('layer'), { size: 5 })
    await expect(registry).not.toHaveBlob('team/app', sha256('other'))
    expect(registry).toHaveReceivedRequestTimes(1, { method: 'POST', path: '/v2/team/app/blobs/uploads/' })
    await expect(expect(registry).toHaveTags('team/app', ['1'])).rejects.toThrow(/team\/app/)
  } finally {
    await registry.close()
  }
})
TS
  (cd "$consumer" && npm install --no-audit --no-fund --loglevel=error "$tarball" "vitest@$major")
  # The project's TypeScript and Node types: the check is of vitest's types, not of those.
  ln -s "$root/node_modules/typescript" "$consumer/node_modules/typescript"
  mkdir -p "$consumer/node_modules/@types"
  ln -sfn "$root/node_modules/@types/node" "$consumer/node_modules/@types/node"
  echo
  echo "--- $(versions "$consumer"): tsc on test/types, then the matchers at run time"
  (cd "$consumer" && "$root/node_modules/.bin/tsc" -p tsconfig.json) || fail "types under vitest $major"
  (cd "$consumer" && PATH="$(dirname "$node_bin"):$PATH" "$node_bin" node_modules/vitest/vitest.mjs run matchers.test.ts) \
    || fail "matchers under vitest $major"
done
fi

exit "$status"
