#!/usr/bin/env bash
# Writes a one-layer container image in `docker save` format (manifest.json, the config and the
# layer tar), the format `ctr images import` reads, without docker or a registry.
#   image.sh OUT.tar REF ENTRYPOINT-JSON PATH-IN-IMAGE=FILE... [PATH-IN-IMAGE@=TARGET (a symlink)]
# e.g. image.sh coredns.tar golive.local/coredns:v1.14.7 '["/coredns"]' /coredns=./coredns
# Files keep their mode, owned by root; every timestamp is the epoch, so the same inputs give the
# same image ID.
set -euo pipefail
if [ $# -lt 4 ]; then
  echo "usage: $0 OUT.tar REF ENTRYPOINT-JSON PATH=FILE|PATH@=TARGET..." >&2
  exit 2
fi
out=$1 ref=$2 entrypoint=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root" "$work/out"
for spec in "$@"; do
  case "$spec" in
    *@=*)
      dest=${spec%%@=*}
      mkdir -p "$work/root$(dirname "$dest")"
      ln -s "${spec#*@=}" "$work/root$dest"
      ;;
    *=*)
      dest=${spec%%=*} src=${spec#*=}
      [ -f "$src" ] || { echo "image: no file $src" >&2; exit 1; }
      mkdir -p "$work/root$(dirname "$dest")"
      cp -p "$src" "$work/root$dest"
      ;;
    *) echo "image: '$spec' is neither PATH=FILE nor PATH@=TARGET" >&2; exit 2 ;;
  esac
done
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/root" -cf "$work/layer.tar" .
layer=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir "$work/out/$layer"
mv "$work/layer.tar" "$work/out/$layer/layer.tar"
printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Entrypoint":%s,"Env":["PATH=/usr/local/bin:/usr/bin:/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"golive toolchain/cluster/image.sh"}]}' \
  "$entrypoint" "$layer" >"$work/config.json"
config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/out/$config.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config" "$ref" "$layer" >"$work/out/manifest.json"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/out" -cf "$out" .
