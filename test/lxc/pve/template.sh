#!/usr/bin/env bash
# Builds a Debian container template offline-style with debootstrap, from the Debian mirror the
# host's apt is configured with, and caches it by suite and recipe under the golive cache:
#   test/lxc/pve/template.sh <suite>      (bookworm | trixie) prints the tarball's path
# A warm call costs a stat. The tarball is what `pct create <vmid> local:vztmpl/<name>` unpacks.
# Env: GOLIVE_LXC_TEMPLATE_CACHE (default ~/.cache/golive/lxc-templates)
set -euo pipefail
suite=${1:?usage: template.sh bookworm|trixie}
case "$suite" in
  bookworm) release=12 ;;
  trixie) release=13 ;;
  *) echo "template: unsupported suite '$suite' (bookworm or trixie)" >&2; exit 2 ;;
esac
cache="${GOLIVE_LXC_TEMPLATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/golive/lxc-templates}"

# What Proxmox's "standard" Debian template boots with that a minimal base lacks: systemd as init,
# ifupdown (pct writes /etc/network/interfaces), a DHCP client for ip=dhcp, iproute2 and ping for
# checks, CA certificates for apt over HTTPS. Not included, unlike Proxmox's: postfix, openssh-server.
packages=systemd,systemd-sysv,dbus,ifupdown,isc-dhcp-client,iproute2,iputils-ping,procps,ca-certificates,netbase,less,apt-utils
recipe=$(printf '%s\n' "$suite" "$packages" | cat - "$0" | sha256sum | cut -c1-12)
out="$cache/debian-$release-golive_${recipe}_amd64.tar.zst"
if [ -s "$out" ]; then
  echo "$out"
  exit 0
fi

for tool in debootstrap zstd; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "template: installing $tool" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
  fi
done

# The mirror the host's apt uses (deb822 sources or a one-line sources.list), never another.
mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)[[:space:]]*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
if [ -z "$mirror" ]; then
  mirror=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\/debian\)[[:space:]].*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1)
fi
[ -n "$mirror" ] || { echo "template: no Debian mirror found in the host's apt sources" >&2; exit 1; }

mkdir -p "$cache"
work=$(mktemp -d "$cache/.build-$suite-XXXXXX")
trap 'umount -R "$work/root/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
start=$SECONDS
echo "template: debootstrap $suite from $mirror" >&2
if ! debootstrap --variant=minbase --include="$packages" "$suite" "$work/root" "$mirror" \
  >"$work/debootstrap.log" 2>&1; then
  tail -20 "$work/debootstrap.log" >&2
  tail -20 "$work/root/debootstrap/debootstrap.log" >&2 2>/dev/null || true
  exit 1
fi
root=$work/root
# The same apt sources as the host's suite layout, for this suite.
security=${mirror%/debian}/debian-security
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<SRC
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
# A template is generic: the machine ID, hostname and resolver are the container's, written at
# create (pct) or first boot (systemd), as in Proxmox's templates.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root/etc/hostname" "$root/etc/resolv.conf"
echo localhost >"$root/etc/hostname"
# What a container cannot do, and would end every boot "degraded" without the mask: mount
# debugfs, load kernel modules (trixie's systemd tries whenever it sees CAP_SYS_MODULE).
for unit in sys-kernel-debug.mount systemd-modules-load.service; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"* "$root/debootstrap"
# Device nodes are LXC's to make (autodev); an unprivileged container could not unpack them.
tar --numeric-owner -C "$root" --exclude='./dev/*' -I 'zstd -q -T0 -3' -cf "$work/t.tar.zst" .
mv "$work/t.tar.zst" "$out"
echo "template: $suite built in $((SECONDS - start))s ($(du -h "$out" | cut -f1))" >&2
echo "$out"
