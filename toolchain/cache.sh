# shellcheck shell=bash disable=SC2154,SC2034
# Sourced by toolchain/build.sh and toolchain/build-cluster.sh: the cache every toolchain binary is
# kept in. Expects $here (the toolchain folder) and $cache (the cache root, with a logs/ folder).

# key DIR: a short hash of the sources that decide a binary (its wrapper folder, shared code, versions;
# .js files too: the language host embeds its policy-pack runner; .sh files: the cluster's image
# maker; and the dynamic-provider script).
key() {
  (cd "$here" && find "$@" -type f \( -name '*.go' -o -name '*.js' -o -name '*.sh' -o -name go.mod -o -name go.sum -o -name 'pulumi-resource-pulumi-nodejs' \) -print0 | sort -z |
    xargs -0 sha256sum; cat "$here/versions.env"; go env GOVERSION) | sha256sum | cut -c1-12
}

# ensure NAME VERSION KEY BUILD-FUNCTION [LINK-DIR]: the cached build, or build it (a binary, or a
# folder when there is no LINK-DIR); link a binary into LINK-DIR. Sets $ensured to its path.
ensure() {
  local name=$1 version=$2 k=$3 fn=$4 linkdir=${5:-}
  local dir="$cache/$name/$version-$k"
  local bin="$dir/$name"
  local log="$cache/logs/$name-$version.log"
  ensured=$bin
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
  [ -n "$linkdir" ] || return 0
  # A hard link, not a symlink: the engine looks for its language host and the dynamic provider
  # beside its own resolved path, and warns about any it has to take from PATH instead.
  ln -f "$bin" "$linkdir/$name" 2>/dev/null || cp -f "$bin" "$linkdir/$name"
}
