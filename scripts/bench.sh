#!/usr/bin/env bash
# `npm run bench [-- --sizes 10,100 --reps 3 --budget-minutes 30]`: set up, then time previews
# without and with the policy pack (scripts/bench.ts). Prints figures; asserts nothing.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
"$repo/scripts/setup.sh" >&2
# shellcheck source=scripts/env.sh
source "$repo/scripts/env.sh"
exec node --import tsx scripts/bench.ts "$@"
