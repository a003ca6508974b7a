#!/usr/bin/env bash
# Builds the offline test images from Debian packages: a bookworm base made with debootstrap and
# `docker import`, then one Dockerfile per service on top of it. No registry is needed or used.
# Images are tagged golive.local/<name>:<version>; stacks select them with
# `imageRegistry: golive.local/`. An image is rebuilt when its folder or the base changes.
#   test/images/build.sh [name…]     (default: every image)
#
# <name> is the image's folder under test/images, which holds its Dockerfile and a VERSION file
# (the tag). The folder is the repository path the program asks for after the registry prefix,
# so an image whose default reference has a namespace lives in nested folders: golive's default
# prom/prometheus:v2.54.1 becomes golive.local/prom/prometheus:v2.54.1, built from
# test/images/prom/prometheus (VERSION v2.54.1) with `test/images/build.sh prom/prometheus`.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
registry=golive.local
base="$registry/debian:bookworm"

# The Debian mirror this machine's apt uses (never a hard-coded host).
mirror() {
  local uri
  uri=$(awk '/^URIs:/ {print $2}' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1 || true)
  if [ -z "$uri" ]; then
    uri=$(awk '/^deb / && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  fi
  if [ -z "$uri" ]; then
    echo "images: no Debian mirror found in this machine's apt sources" >&2
    exit 1
  fi
  echo "$uri"
}

have() { docker image inspect "$1" >/dev/null 2>&1; }

if ! have "$base"; then
  command -v debootstrap >/dev/null 2>&1 || {
    echo "images: installing debootstrap"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  start=$SECONDS
  echo "images: debootstrap bookworm (minbase)"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$(mirror)" >"$root.log" 2>&1 || {
    echo "images: debootstrap failed; last lines:" >&2
    tail -n 20 "$root.log" >&2
    exit 1
  }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' - "$base" >/dev/null
  echo "images: $base imported in $((SECONDS - start))s"
fi

build() {
  local name=${1%/} version
  if [ ! -f "$here/$name/Dockerfile" ] || [ ! -f "$here/$name/VERSION" ]; then
    echo "images: no test/images/$name/Dockerfile and VERSION" >&2
    exit 1
  fi
  version=$(cat "$here/$name/VERSION")
  local tag="$registry/$name:$version"
  # The image records a hash of its folder and base: a changed Dockerfile or file rebuilds it.
  local context
  context=$( (cd "$here/$name" && find . -maxdepth 1 -type f -print0 | sort -z | xargs -0 sha256sum
    echo "$base_id") | sha256sum | cut -c1-16)
  if [ "$(docker image inspect -f '{{index .Config.Labels "golive.dev/context"}}' "$tag" 2>/dev/null)" = "$context" ]; then
    echo "images: $tag present"
    return
  fi
  local start=$SECONDS log
  log=$(mktemp)
  # The legacy builder (no buildx here) prints a deprecation notice: keep it in the log.
  if ! DOCKER_BUILDKIT=0 docker build --build-arg BASE="$base" --label "golive.dev/context=$context" -t "$tag" "$here/$name" >"$log" 2>&1; then
    echo "images: building $tag failed; last lines:" >&2
    tail -n 25 "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  echo "images: $tag built in $((SECONDS - start))s"
}

base_id=$(docker image inspect -f '{{.Id}}' "$base")
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  mapfile -t names < <(find "$here" -mindepth 2 -maxdepth 3 -name Dockerfile -printf '%P\n' | xargs -n1 dirname | sort)
fi
for n in "${names[@]}"; do build "$n"; done
