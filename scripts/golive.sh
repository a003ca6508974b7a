#!/usr/bin/env bash
# The golive command (cli/golive.ts: verify, report) in the environment every golive script runs
# Pulumi in (scripts/env.sh: the toolchain, the embedded default backend, the passphrase).
#   scripts/golive.sh report <stack> [options]      scripts/golive.sh verify <stack> [options]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/env.sh
source "$repo/scripts/env.sh"
exec node --import tsx "$repo/cli/golive.ts" "$@"
