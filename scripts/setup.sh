#!/usr/bin/env bash
# Sets up everything golive needs on this machine, idempotently and quickly when warm:
# the Pulumi toolchain (built from Go modules, cached by version), the npm dependencies,
# the compiled policy pack, the providers in PULUMI_HOME, and a Docker engine that answers.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
start=$SECONDS

# First the Docker engine: the docker provider's conformance tests run against it before it is built.
"$repo/scripts/docker-engine.sh" start
"$repo/toolchain/build.sh"

# The end-to-end tests talk to PostgreSQL from the host with psql.
if ! command -v psql >/dev/null 2>&1; then
  echo "setup: installing postgresql-client (psql)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null
fi

# The go-live report's unit tests validate its JUnit file with xmllint and look at its HTML page in
# headless Chromium (test/unit/report/).
missing=()
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lockfile.
stamp=node_modules/.golive-lock-hash
want=$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: npm ci"
  # --ignore-scripts: the provider SDKs' postinstall tries to download plugins from the network.
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

# The policy pack runs compiled (policies/bin/), rebuilt when its sources change.
"$repo/scripts/build-policy-pack.sh"

# shellcheck source=scripts/env.sh
source "$repo/scripts/env.sh"
golive_install_providers
echo "setup: ready in $((SECONDS - start))s"
