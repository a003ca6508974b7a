#!/usr/bin/env bash
# Makes the Pulumi toolchain available: the engine, the Node.js language host and the command,
# docker and kubernetes resource providers, built from Go modules and cached by version outside the
# repository, so a warm run costs seconds. One progress line per binary; a failed build names the
# binary and shows the end of its log.
#
# Prints nothing else on success. Writes the environment the other scripts source to
# $GOLIVE_STATE_DIR/toolchain.env (PATH with the cached binaries first).
#
# Env: GOLIVE_TOOLCHAIN_CACHE (default ~/.cache/golive/toolchain), GOLIVE_STATE_DIR (default .golive)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=toolchain/versions.env
source "$here/versions.env"
cache="${GOLIVE_TOOLCHAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/golive/toolchain}"
state="${GOLIVE_STATE_DIR:-$repo/.golive}"
mkdir -p "$cache/logs" "$state"

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false -trimpath"
# The checksum database has no record of some pulumi module versions the proxy serves (the
# pseudo-versioned Kubernetes provider, cloud-ready-checks); the committed go.sum files pin them.
export GONOSUMDB="github.com/pulumi"

if ! command -v go >/dev/null 2>&1; then
  echo "toolchain: go is not installed; golive builds Pulumi from Go modules and needs Go >= 1.25" >&2
  exit 1
fi

# key DIR: a short hash of the sources that decide a binary (its wrapper folder, shared code, versions).
key() {
  (cd "$here" && find "$@" -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 | sort -z |
    xargs -0 sha256sum; cat "$here/versions.env"; go env GOVERSION) | sha256sum | cut -c1-12
}

# ensure NAME VERSION KEY BUILD-FUNCTION LINK-DIR: cached binary, or build it; link it into LINK-DIR.
ensure() {
  local name=$1 version=$2 k=$3 fn=$4 linkdir=$5
  local dir="$cache/$name/$version-$k"
  local bin="$dir/$name"
  local log="$cache/logs/$name-$version.log"
  if [ -x "$bin" ]; then
    echo "toolchain: $name $version cached"
  else
    echo "toolchain: $name $version building (log: $log)"
    local start=$SECONDS tmp="$dir.tmp.$$"
    rm -rf "$tmp" && mkdir -p "$tmp"
    if ! ("$fn" "$tmp/$name" "$version") >"$log" 2>&1; then
      echo "toolchain: building $name $version failed; last lines of $log:" >&2
      tail -n 25 "$log" >&2
      rm -rf "$tmp"
      exit 1
    fi
    rm -rf "$dir" && mv "$tmp" "$dir"
    echo "toolchain: $name $version built in $((SECONDS - start))s"
  fi
  # A hard link, not a symlink: the engine looks for its language host and the dynamic provider
  # beside its own resolved path, and warns about any it has to take from PATH instead.
  ln -f "$bin" "$linkdir/$name" 2>/dev/null || cp -f "$bin" "$linkdir/$name"
}

build_pulumi() {
  cd "$here/pulumi"
  go build -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$2" \
    -o "$1" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
}

build_language_nodejs() {
  cd "$here/pulumi-language-nodejs"
  go build -ldflags "-s -w -X main.version=$2+golive" -o "$1" .
}

build_docker() {
  cd "$here/pulumi-resource-docker"
  go build -ldflags "-s -w -X main.version=$2+golive" -o "$1" .
}

build_command() {
  cd "$here/pulumi-resource-command"
  go build -ldflags "-s -w -X main.version=$2+golive" -o "$1" .
}

# The upstream main package embeds files its release build generates; make them from the module's
# own schema.json (with the pinned version set) in a scratch copy of the wrapper, then build there.
build_kubernetes() {
  local out=$1 version=$2 work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  cp "$here/pulumi-resource-kubernetes/"{main.go,go.mod,go.sum} "$work/"
  cd "$work"
  go mod download "github.com/pulumi/pulumi-kubernetes/provider/v4@$KUBERNETES_PROVIDER_MODULE_VERSION"
  local src
  src="$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)/cmd/pulumi-resource-kubernetes"
  node "$here/kubernetes-embed.js" "$src" "$work" "$version"
  go build -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$version" \
    -o "$out" .
}

# bin/ goes on PATH (engine and language host); providers/ is installed into PULUMI_HOME by
# scripts/env.sh, because a provider found on PATH is used whatever version a program asks for.
set_key=$(key pulumi pulumi-language-nodejs pulumi-resource-docker pulumi-resource-command providerkit pulumi-resource-kubernetes)
bindir="$cache/set-$set_key/bin"
providerdir="$cache/set-$set_key/providers"
mkdir -p "$bindir" "$providerdir"

# Use an engine already on PATH when it is the pinned version.
existing=$(command -v pulumi 2>/dev/null || true)
if [ -n "$existing" ] && [ "$(readlink -f "$existing")" != "$(readlink -f "$bindir/pulumi" 2>/dev/null)" ] &&
  [ "$("$existing" version 2>/dev/null)" = "v$PULUMI_VERSION" ]; then
  echo "toolchain: pulumi $PULUMI_VERSION installed at $existing"
  ln -sfn "$existing" "$bindir/pulumi" # beside it, the language host is taken from PATH
else
  ensure pulumi "$PULUMI_VERSION" "$(key pulumi)" build_pulumi "$bindir"
fi
ensure pulumi-language-nodejs "$LANGUAGE_NODEJS_VERSION" "$(key pulumi-language-nodejs)" build_language_nodejs "$bindir"
ensure pulumi-resource-command "$COMMAND_PROVIDER_VERSION" "$(key pulumi-resource-command providerkit)" build_command "$providerdir"
ensure pulumi-resource-docker "$DOCKER_PROVIDER_VERSION" "$(key pulumi-resource-docker providerkit)" build_docker "$providerdir"
ensure pulumi-resource-kubernetes "$KUBERNETES_PROVIDER_VERSION" "$(key pulumi-resource-kubernetes)" build_kubernetes "$providerdir"

# The provider behind dynamic resources is a script run by node; it belongs on PATH like upstream's.
install -m 0755 "$here/pulumi-resource-pulumi-nodejs" "$bindir/pulumi-resource-pulumi-nodejs"

cat >"$state/toolchain.env" <<EOF
# Written by toolchain/build.sh; sourced by scripts/env.sh.
export PATH="$bindir:\$PATH"
export GOLIVE_TOOLCHAIN_BIN="$bindir"
export GOLIVE_PROVIDER_BIN="$providerdir"
export GOLIVE_PROVIDERS="command:$COMMAND_PROVIDER_VERSION docker:$DOCKER_PROVIDER_VERSION kubernetes:$KUBERNETES_PROVIDER_VERSION"
EOF
