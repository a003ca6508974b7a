#!/usr/bin/env bash
# Compiles the policy pack ahead of time (policies/*.ts -> policies/bin/, which the pack's
# package.json `main` names), so that the engine starts it with plain node rather than through
# ts-node, which transpiled every file of the pack at each preview. Types are checked by
# `npm run typecheck`, so this only transpiles (tsc with noCheck, as the engine's ts-node did with
# PULUMI_NODEJS_TRANSPILE_ONLY). Cached by a hash of the pack's sources and the compiler version:
# a warm run prints nothing and costs a few milliseconds. policies/bin/ is generated, never committed.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo/policies"
tsc="$repo/node_modules/typescript/bin/tsc"
if [ ! -f "$tsc" ]; then
  echo "golive: TypeScript is not installed; run scripts/setup.sh first" >&2
  exit 1
fi
hash=$({
  find index.ts lib rules -name '*.ts' -print0 | sort -z | xargs -0 sha256sum
  sha256sum package.json tsconfig.json tsconfig.build.json
  node -p 'require(process.argv[1]).version' "$repo/node_modules/typescript/package.json"
} | sha256sum | cut -c1-16)
stamp=bin/.golive-source-hash
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
  exit 0
fi
echo "setup: compiling the policy pack"
tmp="bin.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
node "$tsc" -p tsconfig.build.json --outDir "$tmp"
echo "$hash" >"$tmp/.golive-source-hash"
rm -rf bin && mv "$tmp" bin
