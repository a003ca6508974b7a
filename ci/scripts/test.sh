#!/usr/bin/env bash
# CI's test job: every test of the repository (lint, typecheck, unit, real-engine), as the README's
# test command runs them. It needs no backend or passphrase: the tests make their own.
#   ci/scripts/test.sh
set -euo pipefail
# shellcheck source=ci/scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$golive_ci_repo"
exec ./scripts/test.sh
