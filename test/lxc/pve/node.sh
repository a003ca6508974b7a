#!/usr/bin/env bash
# A Proxmox node on this machine's LXC, reached over SSH on 127.0.0.1 as golive reaches a real one:
# sshd whose PATH puts the faithful `pct`, `ha-manager` and `pvesh` (pve.py) first, a bridge with
# addresses that exist only here, DHCP for ip=dhcp, and an apt proxy as the containers' only way
# out (to the host's Debian mirror). Installs what it needs from Debian's packages.
#   test/lxc/pve/node.sh start <dir> <port>   writes <dir>/id_ed25519 (client key), <dir>/root
#   test/lxc/pve/node.sh stop <dir>           destroys every container left, removes all it made
#   test/lxc/pve/node.sh leftovers <dir>      prints what of the node still exists (nothing: ok)
# Env: GOLIVE_PVE_BRIDGE (golivebr0), GOLIVE_PVE_NET (198.51.100: TEST-NET-2, never routed),
#      GOLIVE_PVE_NODE (pve), GOLIVE_PVE_SUITES (bookworm trixie: the templates made available),
#      GOLIVE_APT_CACHE (~/.cache/golive/apt: the packages and indexes by hash the proxy keeps)
# Host settings: the inotify limits of a Proxmox host (pve-container's sysctl file), put back by stop.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
bridge=${GOLIVE_PVE_BRIDGE:-golivebr0}
net=${GOLIVE_PVE_NET:-198.51.100}
nodename=${GOLIVE_PVE_NODE:-pve}
chain=GOLIVE-PVE
root=$dir/root
proxy_port=3142
pve_sysctls=(fs.inotify.max_queued_events=8388608 fs.inotify.max_user_instances=65536
  fs.inotify.max_user_watches=4194304)

need() { # need <command> <package>: installs the Debian package when the command is missing
  if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$1" ]; then
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  fi
}

# The proxy forwards to the hosts of the host's own apt sources, and no other.
mirror_hosts() {
  { sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null
    sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*/\2/p' /etc/apt/sources.list 2>/dev/null
  } | tr ' ' '\n' | sed -n 's#^http://\([^/:]*\).*#\1#p' | sort -u
}

stop_pid() { # stop_pid <pidfile>: the one process this script started, by its recorded id
  if [ -s "$1" ]; then kill "$(cat "$1")" 2>/dev/null || true; fi
  rm -f "$1"
}

case "$cmd" in
  start)
    port=$3
    alive() { [ -s "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }
    # One node per machine: another one's SSH port or apt proxy would answer in this one's place.
    if ! alive sshd && ss -Hltn "sport = :$port" | grep -q .; then
      echo "node: 127.0.0.1:$port is in use" >&2
      exit 1
    fi
    if ! alive apt-proxy && ss -Hltn "src $net.1" | grep -q ":$proxy_port\b"; then
      echo "node: $net.1:$proxy_port is in use: another node holds $bridge" >&2
      exit 1
    fi
    need lxc-start lxc
    need newuidmap uidmap
    need iptables iptables
    need dnsmasq dnsmasq-base
    need zstd zstd
    need debootstrap debootstrap
    need mkfs.ext4 e2fsprogs
    [ -x /usr/bin/python3 ] || need /usr/bin/python3 python3
    if [ ! -x /usr/sbin/sshd ]; then
      need sshd openssh-server
      systemctl disable --now ssh >/dev/null 2>&1 || true
    fi
    # Proxmox's ID range for unprivileged containers.
    grep -q '^root:100000:65536$' /etc/subuid 2>/dev/null || echo root:100000:65536 >>/etc/subuid
    grep -q '^root:100000:65536$' /etc/subgid 2>/dev/null || echo root:100000:65536 >>/etc/subgid
    # The host's inotify limits as a Proxmox node has them: pve-container's sysctl file raises the
    # kernel's defaults by 512 (queued events 2^23, instances 2^16, watches 2^22), so that many
    # containers with a recent systemd can run. The kernel counts the inotify instances of every
    # unprivileged container against root, who owns their user namespaces: with the default 128,
    # 15 containers beside root's own daemons left a container's systemd unable to start ("Failed
    # to allocate manager object: Too many open files"). A lower value is raised, never a higher
    # one lowered; the values before are kept in <dir>/sysctl and put back by stop.
    if [ ! -f "$dir/sysctl" ]; then
      for kv in "${pve_sysctls[@]}"; do echo "${kv%%=*}=$(sysctl -n "${kv%%=*}")"; done >"$dir/sysctl"
    fi
    for kv in "${pve_sysctls[@]}"; do
      if [ "$(sysctl -n "${kv%%=*}")" -lt "${kv#*=}" ]; then sysctl -qw "$kv"; fi
    done

    mkdir -p "$root/var/lib/vz/template/cache" "$root/var/lib/vz-lvm" "$root/var/lib/lxc" \
      "$root/etc/pve/nodes/$nodename/lxc" "$root/etc/pve/ha" "$root/run" "$dir/bin" /run/sshd
    # Templates under the names Proxmox's appliance index gives them (`pveam available`).
    for suite in ${GOLIVE_PVE_SUITES:-bookworm trixie}; do
      t=$("$here/template.sh" "$suite")
      case "$suite" in
        bookworm) name=debian-12-standard_12.7-1_amd64.tar.zst ;;
        trixie) name=debian-13-standard_13.1-2_amd64.tar.zst ;;
      esac
      ln -sfn "$t" "$root/var/lib/vz/template/cache/$name"
    done
    cat >"$root/node.json" <<JSON
{
  "node": "$nodename",
  "bridge": "$bridge",
  "aptProxy": "http://$net.1:$proxy_port",
  "storages": {
    "local": { "type": "dir", "path": "$root/var/lib/vz", "content": ["vztmpl", "rootdir", "images"] },
    "local-lvm": { "type": "lvmthin", "path": "$root/var/lib/vz-lvm", "content": ["rootdir", "images"] }
  }
}
JSON
    install -m 0755 "$here/pve.py" "$dir/bin/pve.py"
    for c in pct ha-manager pvesh; do ln -sfn pve.py "$dir/bin/$c"; done

    # The bridge, its address, and no way off it: bridged traffic between containers passes
    # (br_netfilter sends it through FORWARD), anything else from or to the bridge is dropped.
    if [ ! -d "/sys/class/net/$bridge" ]; then
      ip link add "$bridge" type bridge
      ip addr add "$net.1/24" dev "$bridge"
    fi
    ip link set "$bridge" up
    iptables -N "$chain" 2>/dev/null || iptables -F "$chain"
    iptables -A "$chain" -i "$bridge" -o "$bridge" -j ACCEPT
    iptables -A "$chain" -i "$bridge" -j DROP
    iptables -A "$chain" -o "$bridge" -j DROP
    iptables -C FORWARD -j "$chain" 2>/dev/null || iptables -I FORWARD 1 -j "$chain"

    # DHCP for ip=dhcp (no DNS: port 0), addresses .100-.199 of the bridge's network.
    if ! alive dnsmasq; then
      dnsmasq --conf-file=/dev/null --port=0 --interface="$bridge" --bind-interfaces \
        --except-interface=lo --dhcp-range="$net.100,$net.199,255.255.255.0,1h" \
        --dhcp-leasefile="$dir/dnsmasq.leases" --pid-file="$dir/dnsmasq.pid" \
        --log-facility="$dir/dnsmasq.log" --dhcp-authoritative
    fi
    if ! alive apt-proxy; then
      rm -f "$dir/apt-proxy.pid"
      # shellcheck disable=SC2046
      GOLIVE_APT_CACHE=${GOLIVE_APT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/golive/apt} \
        setsid /usr/bin/python3 "$here/apt-proxy.py" "$net.1" "$proxy_port" "$dir/apt-proxy.log" \
        "$dir/apt-proxy.pid" $(mirror_hosts) >"$dir/apt-proxy.out" 2>&1 </dev/null &
      for _ in $(seq 1 50); do [ -s "$dir/apt-proxy.pid" ] && break; sleep 0.1; done
      if ! alive apt-proxy; then
      rm -f "$dir/apt-proxy.pid"
        echo "node: the apt proxy did not start:" >&2
        cat "$dir/apt-proxy.out" >&2
        exit 1
      fi
    fi

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
SetEnv PATH=$dir/bin:/usr/sbin:/usr/bin:/sbin:/bin PVE_ROOT=$root
CONF
    echo "$port" >"$dir/port"
    if ! alive sshd; then
      /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
      for _ in $(seq 1 50); do [ -s "$dir/sshd.pid" ] && break; sleep 0.1; done
    fi
    ;;
  stop)
    if [ -d "$root/etc/pve/nodes/$nodename/lxc" ]; then
      for conf in "$root/etc/pve/nodes/$nodename/lxc/"*.conf; do
        [ -e "$conf" ] || continue
        id=$(basename "$conf" .conf)
        PVE_ROOT=$root "$dir/bin/pct" destroy "$id" --force --purge >/dev/null 2>&1 || true
      done
    fi
    stop_pid "$dir/sshd.pid"
    stop_pid "$dir/dnsmasq.pid"
    stop_pid "$dir/apt-proxy.pid"
    if iptables -C FORWARD -j "$chain" 2>/dev/null; then iptables -D FORWARD -j "$chain"; fi
    if iptables -S "$chain" >/dev/null 2>&1; then iptables -F "$chain" && iptables -X "$chain"; fi
    if [ -d "/sys/class/net/$bridge" ]; then ip link del "$bridge"; fi
    if [ -f "$dir/sysctl" ]; then
      while IFS= read -r kv; do sysctl -qw "$kv" || true; done <"$dir/sysctl"
      rm -f "$dir/sysctl"
    fi
    # LXC removes a stopped container's cgroups, but on cgroup v1 a hierarchy may still hold the
    # exiting processes at that moment (memory, pids, devices, …) and keep an empty cgroup. Empty
    # LXC cgroups are removed here, deepest first, for a few seconds (a container that runs has
    # its init in its cgroup, which rmdir refuses; a killed run's leftovers go too).
    for _ in $(seq 1 20); do
      left=0
      for cg in /sys/fs/cgroup/*/lxc.payload.* /sys/fs/cgroup/*/lxc.monitor.*; do
        [ -d "$cg" ] || continue
        find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null || true
        [ ! -d "$cg" ] || left=1
      done
      [ "$left" = 1 ] || break
      sleep 0.25
    done
    ;;
  leftovers)
    # Containers, veths, the bridge, mounts and loop devices of the node, the firewall chain,
    # processes: one line for each that still exists.
    if [ -d "$root/var/lib/lxc" ]; then
      lxc-ls -P "$root/var/lib/lxc" -1 | sed 's/^/container /'
    fi
    for link in /sys/class/net/veth*i*; do
      [[ -e "$link" && "${link##*/}" =~ ^veth[0-9]+i[0-9]+$ ]] && echo "veth ${link##*/}"
    done
    [ ! -d "/sys/class/net/$bridge" ] || echo "bridge $bridge"
    grep -F "$root" /proc/mounts | sed 's/^/mount /' || true
    losetup -l -n -O BACK-FILE 2>/dev/null | grep -F "$root" | sed 's/^/loop /' || true
    iptables -S "$chain" >/dev/null 2>&1 && echo "iptables chain $chain"
    [ ! -f "$dir/sysctl" ] || echo "host settings not restored: $(tr '\n' ' ' <"$dir/sysctl")"
    for p in sshd dnsmasq apt-proxy; do
      if [ -s "$dir/$p.pid" ] && kill -0 "$(cat "$dir/$p.pid")" 2>/dev/null; then echo "process $p"; fi
    done
    ss -Hltn "src $net.1" | awk '{print "listener " $4}'
    if [ -s "$dir/port" ]; then ss -Hltn "sport = :$(cat "$dir/port")" | awk '{print "listener " $4}'; fi
    for cg in /sys/fs/cgroup/*/lxc.payload.* /sys/fs/cgroup/*/lxc.monitor.*; do
      [ -e "$cg" ] && echo "cgroup $cg"
    done
    true
    ;;
  *) echo "usage: node.sh start <dir> <port> | stop <dir> | leftovers <dir>" >&2; exit 2 ;;
esac
