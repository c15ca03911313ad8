#!/usr/bin/env bash
# The newest peers on the Node versions they need: the transport and example suites with msw 3
# and undici 8 on Node 22 and on Node 24. Node comes from the `node` npm package; msw and undici
# are installed in a copy of the project, so the committed package-lock.json never changes.
# Exits non-zero when any run fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

NODE_MAJORS=(22 24)
PEERS=(msw@3 undici@8)
SUITES=(test/transports examples test/regressions/msw-reset-handlers.test.ts)

for major in "${NODE_MAJORS[@]}"; do
  npm install --prefix "$work/node$major" --no-audit --no-fund --silent "node@$major"
done

# The project without its build output and VCS data, then the newer peers over its install.
overlay="$work/project"
mkdir "$overlay"
tar -C "$root" --exclude=./.git --exclude=./dist --exclude='./.vitest-results*' -cf - . | tar -C "$overlay" -xf -
(cd "$overlay" && npm install --no-save --no-audit --no-fund --silent "${PEERS[@]}")
echo "overlay: msw $(node -p "require('$overlay/node_modules/msw/package.json').version"), undici $(node -p "require('$overlay/node_modules/undici/package.json').version")"

status=0
for major in "${NODE_MAJORS[@]}"; do
  node_bin="$work/node$major/node_modules/.bin/node"
  echo
  echo "--- Node $("$node_bin" --version): ${SUITES[*]} with ${PEERS[*]}"
  # The node binary first on PATH too, for the child processes the suites start.
  (cd "$overlay" && PATH="$(dirname "$node_bin"):$PATH" "$node_bin" node_modules/vitest/vitest.mjs run \
    --typecheck.enabled=false "${SUITES[@]}") || status=1
done
exit "$status"
