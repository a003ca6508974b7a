#!/usr/bin/env bash
# After an interrupted `pulumi up` (killed, machine lost): releases the lock, imports every object
# the interrupted run had created but not recorded, clears the rest, so that `pulumi up` converges.
# Pending operations, as the engine documents them; see scripts/recover.ts.
#   scripts/recover.sh <stack> [project dir, default: the current directory]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$(pwd)
# shellcheck source=scripts/env.sh
source "$repo/scripts/env.sh"
cd "$repo"
exec node --import tsx scripts/recover.ts "$1" "${2:-$dir}"
