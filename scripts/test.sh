#!/usr/bin/env bash
# Runs every test: lint, typecheck, unit tests (mocks, pure functions, policies without the CLI),
# then the real-engine tests (pulumi preview/up through the policy pack). Sets up what it needs
# first, and stops a Docker daemon it started.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
started_docker=0
if ! "$repo/scripts/docker-engine.sh" status; then started_docker=1; fi
cleanup() {
  if [ "$started_docker" = 1 ]; then "$repo/scripts/docker-engine.sh" stop; fi
}
trap cleanup EXIT

"$repo/scripts/setup.sh"
# shellcheck source=scripts/env.sh
source "$repo/scripts/env.sh"

echo "== lint"
npm run --silent lint
echo "== typecheck"
npm run --silent typecheck
echo "== unit tests"
npm run --silent test:unit
echo "== real-engine tests"
npm run --silent test:engine
