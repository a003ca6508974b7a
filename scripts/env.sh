# Sourced by golive's scripts: the environment every Pulumi command runs in.
# - the toolchain from toolchain/build.sh first on PATH, providers installed into PULUMI_HOME
# - the embedded default backend: a local file backend in .golive/backend (ignored by git)
# - no update checks and no automatic plugin downloads (nothing tries an unreachable host)
# - the secrets passphrase from PULUMI_CONFIG_PASSPHRASE(_FILE); when neither is set, the
#   documented dev-only default below. Never use it for a stack holding real secrets.
golive_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
golive_state="${GOLIVE_STATE_DIR:-$golive_repo/.golive}"
if [ ! -f "$golive_state/toolchain.env" ]; then
  echo "golive: no toolchain yet; run scripts/setup.sh first" >&2
  return 1 2>/dev/null || exit 1
fi
# shellcheck source=/dev/null
source "$golive_state/toolchain.env"
export PULUMI_HOME="${PULUMI_HOME:-$golive_state/pulumi-home}"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$golive_state/backend}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
# Types are checked by `npm run typecheck`; the engine only needs to transpile.
export PULUMI_NODEJS_TRANSPILE_ONLY="${PULUMI_NODEJS_TRANSPILE_ONLY:-true}"
export GOLIVE_DEV_PASSPHRASE="golive-dev-only-not-a-secret"
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE="$GOLIVE_DEV_PASSPHRASE"
fi
mkdir -p "${PULUMI_BACKEND_URL#file://}" "$PULUMI_HOME"

# Installs each provider built by the toolchain into PULUMI_HOME at the version the npm SDK asks
# for, once per build (a stamp records which binary is installed).
golive_install_providers() {
  local entry name version bin stamp
  for entry in $GOLIVE_PROVIDERS; do
    name=${entry%%:*}
    version=${entry#*:}
    bin="$GOLIVE_PROVIDER_BIN/pulumi-resource-$name"
    stamp="$PULUMI_HOME/plugins/.golive-$name-$version"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(readlink -f "$bin")" ] &&
      [ -x "$PULUMI_HOME/plugins/resource-$name-v$version/pulumi-resource-$name" ]; then
      continue
    fi
    pulumi plugin rm resource "$name" "$version" --yes >/dev/null 2>&1 || true
    if ! pulumi plugin install resource "$name" "$version" --file "$bin" >/dev/null; then
      echo "golive: installing provider $name $version into $PULUMI_HOME failed" >&2
      return 1
    fi
    readlink -f "$bin" >"$stamp"
  done
}
