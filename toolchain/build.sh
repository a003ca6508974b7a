#!/usr/bin/env bash
# Makes the Pulumi toolchain available: the engine, the Node.js language host and the command,
# docker and kubernetes resource providers, the manifest checker kubeconform with the JSON
# schemas of the Kubernetes API it reads, and the manifest linter kube-score, built from Go modules
# and cached by version outside the repository, so a warm run costs seconds. One progress line per binary; a failed build names the
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

# shellcheck source=toolchain/cache.sh
source "$here/cache.sh"

build_pulumi() {
  cd "$here/pulumi"
  go build -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$2" \
    -o "$1" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
}

build_language_nodejs() {
  cd "$here/pulumi-language-nodejs"
  # Explicit: errexit does not apply inside ensure's `if ! (...)`.
  go test . || return 1
  go build -ldflags "-s -w -X main.version=$2+golive" -o "$1" .
}

build_docker() {
  cd "$here/pulumi-resource-docker"
  # Its conformance tests (upstream's semantics, against the real Docker engine) first.
  # Explicit: errexit does not apply inside ensure's `if ! (...)`.
  go test -count=1 . || return 1
  go build -ldflags "-s -w -X main.version=$2+golive" -o "$1" .
}

build_command() {
  cd "$here/pulumi-resource-command"
  # Explicit: errexit does not apply inside ensure's `if ! (...)`.
  go test . || return 1
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

build_kubeconform() {
  cd "$here/kubeconform"
  go build -ldflags "-s -w -X main.version=v$2" -o "$1" github.com/yannh/kubeconform/cmd/kubeconform
}

build_kube_score() {
  cd "$here/kube-score"
  go build -ldflags "-s -w -X main.version=v$2" -o "$1" github.com/zegl/kube-score/cmd/kube-score
}

# kubeconform cannot download schemas here. They are made from the Kubernetes API's own OpenAPI
# spec, api/openapi-spec/swagger.json of the k8s.io/kubernetes module: its zip is fetched through
# the module proxy into a scratch module cache (checked by the checksum database and against the
# pinned hash), converted by toolchain/kubeconform/openapi2jsonschema (its tests run first), and
# the scratch cache removed. Output: <out>/v<version>-standalone{,-strict}/<kind>[-<group>]-<version>.json.
build_kubernetes_schemas() {
  local out=$1 version=$2 work info sum dir
  work=$(mktemp -d)
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' RETURN
  info=$(cd "$work" && GOMODCACHE="$work/mod" GOFLAGS=-modcacherw go mod download -json "k8s.io/kubernetes@v$version")
  echo "$info"
  sum=$(sed -n 's/^\t"Sum": "\(.*\)",$/\1/p' <<<"$info")
  dir=$(sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' <<<"$info")
  if [ "$sum" != "$KUBERNETES_API_MODULE_SUM" ]; then
    echo "k8s.io/kubernetes@v$version has hash '$sum'; versions.env pins $KUBERNETES_API_MODULE_SUM" >&2
    return 1
  fi
  # Explicit: errexit does not apply inside ensure's `if ! (...)`.
  cd "$here/kubeconform" && go test ./openapi2jsonschema || return 1
  go run ./openapi2jsonschema -in "$dir/api/openapi-spec/swagger.json" -out "$out" -kubernetes-version "$version"
}

# bin/ goes on PATH (engine and language host); providers/ is installed into PULUMI_HOME by
# scripts/env.sh, because a provider found on PATH is used whatever version a program asks for.
set_key=$(key pulumi pulumi-language-nodejs pulumi-resource-docker pulumi-resource-command providerkit pulumi-resource-kubernetes \
  pulumi-resource-pulumi-nodejs dynamic-provider-lifecycle.js)
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
ensure pulumi-language-nodejs "$LANGUAGE_NODEJS_VERSION" "$(key pulumi-language-nodejs providerkit)" build_language_nodejs "$bindir"
ensure pulumi-resource-command "$COMMAND_PROVIDER_VERSION" "$(key pulumi-resource-command providerkit)" build_command "$providerdir"
ensure pulumi-resource-docker "$DOCKER_PROVIDER_VERSION" "$(key pulumi-resource-docker providerkit)" build_docker "$providerdir"
ensure pulumi-resource-kubernetes "$KUBERNETES_PROVIDER_VERSION" "$(key pulumi-resource-kubernetes)" build_kubernetes "$providerdir"

ensure kubeconform "$KUBECONFORM_VERSION" "$(key kubeconform/go.mod kubeconform/go.sum kubeconform/tools.go)" build_kubeconform "$bindir"
ensure kubernetes-schemas "$KUBERNETES_API_VERSION" "$(key kubeconform/openapi2jsonschema kubeconform/go.mod)" build_kubernetes_schemas
schemas=$ensured
ensure kube-score "$KUBE_SCORE_VERSION" "$(key kube-score/go.mod kube-score/go.sum kube-score/tools.go)" build_kube_score "$bindir"

# The provider behind dynamic resources is a script run by node; it belongs on PATH like upstream's,
# with the lifecycle it preloads beside it.
install -m 0755 "$here/pulumi-resource-pulumi-nodejs" "$bindir/pulumi-resource-pulumi-nodejs"
install -m 0644 "$here/dynamic-provider-lifecycle.js" "$bindir/dynamic-provider-lifecycle.js"

cat >"$state/toolchain.env" <<EOF
# Written by toolchain/build.sh; sourced by scripts/env.sh.
export PATH="$bindir:\$PATH"
export GOLIVE_TOOLCHAIN_BIN="$bindir"
export GOLIVE_PROVIDER_BIN="$providerdir"
export GOLIVE_PROVIDERS="command:$COMMAND_PROVIDER_VERSION docker:$DOCKER_PROVIDER_VERSION kubernetes:$KUBERNETES_PROVIDER_VERSION"
# kubeconform (on PATH) reads these schemas: -kubernetes-version \$GOLIVE_KUBERNETES_VERSION
# -schema-location '\$GOLIVE_KUBERNETES_SCHEMAS/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json'
export GOLIVE_KUBERNETES_VERSION="$KUBERNETES_API_VERSION"
export GOLIVE_KUBERNETES_SCHEMAS="$schemas"
# kube-score (on PATH) lints the same manifests; its --kubernetes-version takes vMAJOR.MINOR (v1.33).
export GOLIVE_KUBE_SCORE_VERSION="$KUBE_SCORE_VERSION"
EOF
