#!/usr/bin/env bash
# Makes the binaries and images of golive's single-node test cluster available (see "A real
# cluster" in toolchain/README.md): kube-apiserver, kube-controller-manager, kube-scheduler,
# kubelet, kube-proxy and kubectl from k8s.io/kubernetes, etcd, CoreDNS, local-path-provisioner and
# golive's pause, built from Go modules and cached by version (and a hash of the sources that
# decide them) in the toolchain cache like the rest of the toolchain, one progress line per binary;
# the addon images made from those static binaries, without docker or a registry. containerd,
# runc and the CNI plugins are Debian's, installed when missing.
#
# Run by `scripts/kube-cluster.sh start`, not by scripts/setup.sh: a cold build takes minutes and
# only the cluster needs it. Writes $GOLIVE_STATE_DIR/cluster-toolchain.env.
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

if ! command -v go >/dev/null 2>&1; then
  echo "toolchain: go is not installed; the cluster is built from Go modules and needs Go >= 1.26" >&2
  exit 1
fi

# Debian's containerd (1.6), runc and CNI plugins; iptables and conntrack for kube-proxy;
# openssl for the cluster's certificates. Installed when missing, as scripts/docker-engine.sh does.
missing=()
command -v containerd >/dev/null 2>&1 || missing+=(containerd)
command -v runc >/dev/null 2>&1 || missing+=(runc)
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] && [ -x /usr/lib/cni/firewall ] &&
  [ -x /usr/lib/cni/portmap ] || missing+=(containernetworking-plugins)
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
command -v conntrack >/dev/null 2>&1 || missing+=(conntrack)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "toolchain: the cluster needs Debian's ${missing[*]}; installing them needs root" >&2
    exit 1
  fi
  echo "toolchain: installing Debian's ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$cache/logs/cluster-apt.log" 2>&1 || {
    echo "toolchain: apt-get install ${missing[*]} failed; last lines of $cache/logs/cluster-apt.log:" >&2
    tail -n 20 "$cache/logs/cluster-apt.log" >&2
    exit 1
  }
fi

# shellcheck source=toolchain/cache.sh
source "$here/cache.sh"

# pinned DIR MODULE VERSION: fails unless the module folder requires MODULE at exactly VERSION.
pinned() {
  local got
  got=$(cd "$here/cluster/$1" && go list -m -f '{{.Version}}' "$2")
  if [ "$got" != "$3" ]; then
    echo "toolchain/cluster/$1 requires $2 $got; versions.env pins $3" >&2
    return 1
  fi
}

# Without these the binaries report v0.0.0-master+$Format:%H$ (the values upstream's
# hack/lib/version.sh stamps into a release build), and the kubelet registers its node with it.
kube_ldflags() {
  local v=v$KUBERNETES_API_VERSION minor
  minor=$(cut -d. -f2 <<<"$KUBERNETES_API_VERSION")
  local flags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  echo "$flags"
}

# build_kube CMD OUT VERSION: CMD is one of k8s.io/kubernetes/cmd/*.
build_kube() {
  pinned kubernetes k8s.io/kubernetes "v$3" || return 1
  cd "$here/cluster/kubernetes"
  go build -ldflags "$(kube_ldflags)" -o "$2" "k8s.io/kubernetes/cmd/$1"
}
build_kube_apiserver() { build_kube kube-apiserver "$@"; }
build_kube_controller_manager() { build_kube kube-controller-manager "$@"; }
build_kube_scheduler() { build_kube kube-scheduler "$@"; }
build_kubelet() { build_kube kubelet "$@"; }
build_kube_proxy() { build_kube kube-proxy "$@"; }
build_kubectl() { build_kube kubectl "$@"; }

build_etcd() {
  pinned etcd go.etcd.io/etcd/server/v3 "v$2" || return 1
  cd "$here/cluster/etcd"
  go build -ldflags "-s -w" -o "$1" go.etcd.io/etcd/server/v3
}

build_coredns() {
  pinned coredns github.com/coredns/coredns "v$2" || return 1
  cd "$here/cluster/coredns"
  go build -ldflags "-s -w" -o "$1" github.com/coredns/coredns
}

build_local_path_provisioner() {
  pinned local-path-provisioner github.com/rancher/local-path-provisioner "v$2" || return 1
  cd "$here/cluster/local-path-provisioner"
  go build -ldflags "-s -w -X main.VERSION=v$2" -o "$1" github.com/rancher/local-path-provisioner
}

build_pause() {
  cd "$here/cluster/pause"
  go vet . || return 1
  go build -ldflags "-s -w -X main.version=$2" -o "$1" .
}

# local-path-provisioner's helper pod runs upstream's setup/teardown scripts with /bin/sh (its
# default helper image is busybox): Debian's busybox-static, unpacked from the .deb, not installed.
build_busybox() {
  local out=$1 work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  (cd "$work" && apt-get download "busybox-static=$busybox_apt_version") || return 1
  dpkg-deb -x "$work"/busybox-static_*.deb "$work/root" || return 1
  install -m 0755 "$work/root/bin/busybox" "$out"
  "$out" true || return 1
}
busybox_candidate() { apt-cache policy busybox-static 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -vx '(none)' || true; }
busybox_apt_version=$(busybox_candidate)
if [ -z "$busybox_apt_version" ] && [ "$(id -u)" = 0 ]; then
  apt-get update -qq >"$cache/logs/cluster-apt.log" 2>&1 || true
  busybox_apt_version=$(busybox_candidate)
fi
if [ -z "$busybox_apt_version" ]; then
  echo "toolchain: apt knows no busybox-static package (apt-get update, as root, fetches the lists)" >&2
  exit 1
fi
busybox_version=${busybox_apt_version#*:} # without the epoch: the cache folder and the image tag

set_key=$(key cluster)
setdir="$cache/cluster-$set_key"
bindir="$setdir/bin"
mkdir -p "$bindir" "$setdir/images"
kube_key=$(key cluster/kubernetes)
ensure kube-apiserver "$KUBERNETES_API_VERSION" "$kube_key" build_kube_apiserver "$bindir"
ensure kube-controller-manager "$KUBERNETES_API_VERSION" "$kube_key" build_kube_controller_manager "$bindir"
ensure kube-scheduler "$KUBERNETES_API_VERSION" "$kube_key" build_kube_scheduler "$bindir"
ensure kubelet "$KUBERNETES_API_VERSION" "$kube_key" build_kubelet "$bindir"
ensure kube-proxy "$KUBERNETES_API_VERSION" "$kube_key" build_kube_proxy "$bindir"
ensure kubectl "$KUBERNETES_API_VERSION" "$kube_key" build_kubectl "$bindir"
ensure etcd "$ETCD_VERSION" "$(key cluster/etcd)" build_etcd "$bindir"
ensure coredns "$COREDNS_VERSION" "$(key cluster/coredns)" build_coredns "$bindir"
ensure local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" "$(key cluster/local-path-provisioner)" build_local_path_provisioner "$bindir"
ensure pause "$PAUSE_VERSION" "$(key cluster/pause)" build_pause "$bindir"
ensure busybox "$busybox_version" "$(key cluster/image.sh)" build_busybox "$bindir"

# The addon images: each a static binary in one layer (image.sh, docker-save format), imported
# into the cluster's containerd by scripts/kube-cluster.sh. Same binary, same image ID.
image() { # REF FILE ENTRYPOINT-JSON PATH=FILE...
  local ref=$1 file=$2 entrypoint=$3
  shift 3
  "$here/cluster/image.sh" "$setdir/images/$file.tmp" "$ref" "$entrypoint" "$@"
  mv "$setdir/images/$file.tmp" "$setdir/images/$file"
}
image "golive.local/pause:$PAUSE_VERSION" pause.tar '["/pause"]' "/pause=$bindir/pause"
image "golive.local/coredns:v$COREDNS_VERSION" coredns.tar '["/coredns"]' "/coredns=$bindir/coredns"
image "golive.local/local-path-provisioner:v$LOCAL_PATH_PROVISIONER_VERSION" local-path-provisioner.tar '["local-path-provisioner"]' \
  "/usr/bin/local-path-provisioner=$bindir/local-path-provisioner"
busybox_tag=${busybox_version%%-*}
image "golive.local/busybox:$busybox_tag" busybox.tar '["/bin/sh"]' "/bin/busybox=$bindir/busybox" \
  /bin/sh@=busybox /bin/mkdir@=busybox /bin/rm@=busybox /bin/ls@=busybox /bin/cat@=busybox

cat >"$state/cluster-toolchain.env" <<EOF
# Written by toolchain/build-cluster.sh; sourced by scripts/kube-cluster.sh.
GOLIVE_CLUSTER_BIN="$bindir"
GOLIVE_CLUSTER_IMAGES="$setdir/images"
GOLIVE_CLUSTER_KUBERNETES_VERSION="v$KUBERNETES_API_VERSION"
GOLIVE_CLUSTER_PAUSE_IMAGE="golive.local/pause:$PAUSE_VERSION"
GOLIVE_CLUSTER_COREDNS_IMAGE="golive.local/coredns:v$COREDNS_VERSION"
GOLIVE_CLUSTER_PROVISIONER_IMAGE="golive.local/local-path-provisioner:v$LOCAL_PATH_PROVISIONER_VERSION"
GOLIVE_CLUSTER_HELPER_IMAGE="golive.local/busybox:$busybox_tag"
EOF
