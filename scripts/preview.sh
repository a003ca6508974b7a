#!/usr/bin/env bash
# The main job: set everything up, then preview a stack through the policy pack.
#   scripts/preview.sh [stack]      (default: dev)
# The stack is created on first use in the local file backend. The pack's per-stack settings come
# from policies/config/<stack>.json.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stack="${1:-dev}"
"$repo/scripts/setup.sh"
# shellcheck source=scripts/env.sh
source "$repo/scripts/env.sh"
cd "$repo"
pulumi stack select "$stack" --create --non-interactive >/dev/null
exec pulumi preview --non-interactive --policy-pack policies \
  --policy-pack-config "policies/config/$stack.json" "${@:2}"
