#!/usr/bin/env bash
# CI's release jobs (staging on the default branch, production by hand): golive's gated release of
# a version to a stack. With --plan it prints the release's plan and runs nothing.
#   ci/scripts/release.sh <stack> <version> [--plan]
# GOLIVE_PROJECT_DIR: the Pulumi project whose stack is released, when it is not the repository's
# root (a project in a subfolder); relative to the repository.
set -euo pipefail
# shellcheck source=ci/scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ $# -lt 2 ] || [ $# -gt 3 ] || [ -z "$1" ] || [ -z "$2" ] || { [ $# -eq 3 ] && [ "$3" != --plan ]; }; then
  echo "usage: ci/scripts/release.sh <stack> <version> [--plan]" >&2
  exit 2
fi
stack=$1
version=$2
golive_ci_need_backend
golive_ci_need_passphrase
cd "$golive_ci_repo"
project=${GOLIVE_PROJECT_DIR:-.}
if [ ! -f "$project/Pulumi.$stack.yaml" ]; then
  echo "golive ci: no stack file $project/Pulumi.$stack.yaml (GOLIVE_PROJECT_DIR names the Pulumi project)" >&2
  exit 2
fi
exec ./scripts/golive.sh release "$stack" --version "$version" --dir "$project" "${@:3}"
