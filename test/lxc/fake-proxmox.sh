#!/usr/bin/env bash
# Starts an SSH server on 127.0.0.1 whose PATH puts the stand-in `pct` and `ha-manager` first:
# golive's LXC runtime then really runs its create/update/delete scripts over SSH, and a test reads
# what they did. Installs Debian's openssh-server when sshd is missing.
#   test/lxc/fake-proxmox.sh start <dir> <port>   prints nothing; writes <dir>/id_ed25519 (client key)
#   test/lxc/fake-proxmox.sh stop <dir>
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cmd=$1; dir=$2
case "$cmd" in
  start)
    port=$3
    if [ ! -x /usr/sbin/sshd ]; then
      apt-get update -qq >/dev/null 2>&1 || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/dev/null 2>&1
      systemctl disable --now ssh >/dev/null 2>&1 || true
    fi
    mkdir -p "$dir/state" "$dir/bin" /run/sshd
    install -m 0755 "$here/pct" "$here/ha-manager" "$dir/bin/"
    [ -f "$dir/host_key" ] || ssh-keygen -q -t ed25519 -N "" -f "$dir/host_key"
    [ -f "$dir/id_ed25519" ] || ssh-keygen -q -t ed25519 -N "" -f "$dir/id_ed25519"
    cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
    cat >"$dir/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_key
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $dir/sshd.pid
SetEnv PATH=$dir/bin:/usr/sbin:/usr/bin:/sbin:/bin FAKEPVE_STATE=$dir/state
CONF
    /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
    for _ in $(seq 1 50); do [ -s "$dir/sshd.pid" ] && break; sleep 0.1; done
    ;;
  stop)
    [ -s "$dir/sshd.pid" ] && kill "$(cat "$dir/sshd.pid")" 2>/dev/null || true
    rm -f "$dir/sshd.pid" ;;
esac
