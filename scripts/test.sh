#!/usr/bin/env bash
# Runs every test: lint, typecheck, unit tests (mocks, pure functions, policies without the CLI),
# then the real-engine tests (pulumi preview/up through the policy pack, and the Kubernetes ones
# against a real single-node cluster). Sets up what it needs first, and stops the Docker daemon
# and the cluster it started.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
started_docker=0
started_cluster=0
if ! "$repo/scripts/docker-engine.sh" status; then started_docker=1; fi
cleanup() {
  local rc=$?
  if [ "$started_cluster" = 1 ]; then "$repo/scripts/kube-cluster.sh" stop || rc=1; fi
  if [ "$started_docker" = 1 ]; then "$repo/scripts/docker-engine.sh" stop; fi
  exit "$rc"
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
# The cluster the Kubernetes engine tests run against (its binaries built and cached on first use,
# the offline test images loaded); stopped at exit if this run started it.
if ! "$repo/scripts/kube-cluster.sh" status >/dev/null 2>&1; then
  started_cluster=1
  "$repo/scripts/kube-cluster.sh" start
fi
# shellcheck source=/dev/null
source "${GOLIVE_STATE_DIR:-$repo/.golive}/kube-cluster.env"
npm run --silent test:engine
