#!/usr/bin/env bash
# A real single-node Kubernetes cluster on this machine for the engine tests: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, a kubelet running real pods in its own containerd, and
# kube-proxy (iptables), with CoreDNS and local-path-provisioner as Deployments in kube-system.
# Binaries and addon images come from toolchain/build-cluster.sh (built from Go modules, cached).
#   scripts/kube-cluster.sh start      start it (idempotent), build what is missing first, load the
#                                      offline test images; bounded by GOLIVE_CLUSTER_TIMEOUT
#   scripts/kube-cluster.sh stop       stop it and remove everything it made on the host; fails
#                                      when anything is left
#   scripts/kube-cluster.sh status     exit 0 when the API server answers and the node is Ready
#   scripts/kube-cluster.sh leftovers  list what a cluster left on the host; exit 0 when nothing
#   scripts/kube-cluster.sh load IMAGE...  import more Docker images (a test's own tags) into it
#   scripts/kube-cluster.sh env        print the environment file the engine tests source
# The API server answers on https://127.0.0.1:6443; the kubeconfig and the rest of the cluster's
# facts are in $GOLIVE_STATE_DIR/kube-cluster.env. See "A real cluster" in toolchain/README.md
# for every setting that is not upstream's default and why.
#
# Env: GOLIVE_CLUSTER_TIMEOUT (seconds, default 180; the build before it is not counted),
#      GOLIVE_CLUSTER_DIR (default $GOLIVE_STATE_DIR/cluster), GOLIVE_CLUSTER_IMAGES (1: load the
#      offline test images from Docker, building them first; 0: skip; default 1)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/daemon.sh
source "$repo/scripts/daemon.sh"
state="${GOLIVE_STATE_DIR:-$repo/.golive}"
dir="${GOLIVE_CLUSTER_DIR:-$state/cluster}"
envfile="$state/kube-cluster.env"
timeout="${GOLIVE_CLUSTER_TIMEOUT:-180}"
load_images="${GOLIVE_CLUSTER_IMAGES:-1}"
# The host holds one cluster at a time (ports, bridges, iptables chains and cgroups are the
# machine's): the claim names the state folder of the one running.
claim=/run/golive-kube-cluster

# The cluster's fixed facts. 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never routed, so the node's
# address cannot collide with a real one.
node=golive-node
node_ip=192.0.2.2
node_bridge=golive-node0
cni_bridge=golive-cni0
pod_cidr=10.244.0.0/24
service_cidr=10.96.0.0/16
kubernetes_service_ip=10.96.0.1
cluster_dns=10.96.0.10
cluster_domain=cluster.local
nodeport_range=30000-32767
api_port=6443
storage_class=local-path

run="$dir/run"
logs="$dir/logs"
pki="$dir/pki"
sock="$run/containerd.sock"
components=(containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
# Host paths the kubelet, containerd and the CNI plugins write whatever their flags say; stop
# removes those that did not exist before start (recorded in $run/host-paths).
host_paths=(/var/lib/kubelet /var/log/containers /var/log/pods /var/lib/cni /run/netns /run/containerd)
# Host settings the kubelet (kernel tunables it needs) and kube-proxy (localhost NodePorts) change;
# start records them and stop puts them back.
sysctls=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes net.ipv4.conf.all.route_localnet net.ipv4.ip_forward)

say() { echo "kube-cluster: $*"; }
die() { echo "kube-cluster: $*" >&2; exit 1; }

t0=$EPOCHREALTIME
elapsed() { awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
stage() { say "$1 in $(elapsed)s"; }

load_toolchain_env() {
  [ -f "$state/cluster-toolchain.env" ] || return 1
  # shellcheck source=/dev/null
  source "$state/cluster-toolchain.env"
  [ -x "$GOLIVE_CLUSTER_BIN/kube-apiserver" ]
}

kubectl() { "$GOLIVE_CLUSTER_BIN/kubectl" --kubeconfig "$dir/admin.kubeconfig" --request-timeout=10s "$@"; }
ctr() { command ctr -a "$sock" -n k8s.io "$@"; }

pid_of() { cat "$run/$1.pid" 2>/dev/null || true; }
# running PID: the process exists and has not exited. A zombie counts as exited: the components
# are reparented to the machine's init once start returns, which may reap them seconds later.
running() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [ "${st#Z}" = "$st" ]; }
alive() { local p; p=$(pid_of "$1"); [ -n "$p" ] && running "$p"; }

api_ready() {
  curl -sf --max-time 3 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://127.0.0.1:$api_port/readyz" >/dev/null 2>&1
}
node_ready() {
  [ "$(kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

status() {
  load_toolchain_env 2>/dev/null || return 1
  [ -f "$dir/admin.kubeconfig" ] && api_ready && node_ready
}

# --- certificates ---------------------------------------------------------------------------------

# cert NAME CN [O] [SANS]: a key and a certificate signed by the cluster's CA (server and client
# use when SANS are given, client only otherwise).
cert() {
  local name=$1 cn=$2 o=${3:-} sans=${4:-} subj
  subj="/CN=$cn"
  [ -z "$o" ] || subj="/O=$o/CN=$cn"
  openssl req -newkey rsa:2048 -nodes -keyout "$pki/$name.key" -out "$pki/$name.csr" -subj "$subj" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [ -n "$sans" ]; then
      echo "extendedKeyUsage=serverAuth,clientAuth"
      echo "subjectAltName=$sans"
    else
      echo "extendedKeyUsage=clientAuth"
    fi
  } >"$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -out "$pki/$name.crt" -days 365 -extfile "$pki/$name.ext" 2>/dev/null
  rm -f "$pki/$name.csr" "$pki/$name.ext"
}

# kubeconfig FILE USER: for 127.0.0.1, certificates embedded, so the file stands alone.
kubeconfig() {
  local file=$1 user=$2
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: golive
    cluster:
      server: https://127.0.0.1:$api_port
      certificate-authority-data: $(base64 -w0 "$pki/ca.crt")
users:
  - name: $user
    user:
      client-certificate-data: $(base64 -w0 "$pki/$user.crt")
      client-key-data: $(base64 -w0 "$pki/$user.key")
contexts:
  - name: golive
    context: {cluster: golive, user: $user}
current-context: golive
EOF
  chmod 600 "$file"
}

certificates() {
  if [ -f "$pki/ca.crt" ] && openssl x509 -checkend 86400 -noout -in "$pki/ca.crt" >/dev/null 2>&1 &&
    openssl x509 -checkend 86400 -noout -in "$pki/apiserver.crt" >/dev/null 2>&1 && [ -f "$pki/sa.pub" ]; then
    return 0
  fi
  rm -rf "$pki" && mkdir -p "$pki" && chmod 700 "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 365 \
    -subj "/CN=golive-cluster-ca" 2>/dev/null
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  local svc=kubernetes.default.svc
  cert apiserver kube-apiserver "" \
    "IP:127.0.0.1,IP:$kubernetes_service_ip,IP:$node_ip,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:$svc,DNS:$svc.$cluster_domain"
  cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  cert admin kubernetes-admin system:masters
  cert kube-controller-manager system:kube-controller-manager
  cert kube-scheduler system:kube-scheduler
  cert kube-proxy system:kube-proxy
  cert kubelet "system:node:$node" system:nodes
  cert kubelet-serving "system:node:$node" system:nodes "IP:$node_ip,DNS:$node"
  cert front-proxy-client front-proxy-client
  for user in admin kube-controller-manager kube-scheduler kube-proxy kubelet; do
    kubeconfig "$dir/$user.kubeconfig" "$user"
  done
}

# --- configuration --------------------------------------------------------------------------------

configure() {
  mkdir -p "$dir/cni" "$dir/containerd" "$dir/kubelet" "$dir/storage" "$dir/pod-logs"
  # containerd: Debian's 1.6 with its default configuration, changed only where it must differ:
  # its own root, state and socket (never Docker's containerd), golive's pause image, the CNI
  # plugins and config of this cluster, runc's state under the run folder, and
  # restrict_oom_score_adj (runc cannot set the OOM score adjustment the kubelet asks for without
  # CAP_SYS_RESOURCE, which containerized machines like CI's lack; with it, a container that asks for a
  # lower score than containerd's own gets containerd's).
  local conf="$dir/containerd/config.toml"
  command containerd config default >"$conf.default"
  local -a edits=(
    "s|^root = \"/var/lib/containerd\"$|root = \"$dir/containerd/root\"|"
    "s|^state = \"/run/containerd\"$|state = \"$run/containerd\"|"
    "s|^  address = \"/run/containerd/containerd.sock\"$|  address = \"$sock\"|"
    "s|^    restrict_oom_score_adj = false$|    restrict_oom_score_adj = true|"
    "s|^    sandbox_image = \".*\"$|    sandbox_image = \"$GOLIVE_CLUSTER_PAUSE_IMAGE\"|"
    "s|^      bin_dir = \"/opt/cni/bin\"$|      bin_dir = \"/usr/lib/cni\"|"
    "s|^      conf_dir = \"/etc/cni/net.d\"$|      conf_dir = \"$dir/cni\"|"
    "s|^            Root = \"\"$|            Root = \"$run/runc\"|"
    "s|^    path = \"/opt/containerd\"$|    path = \"$dir/containerd/opt\"|"
  )
  cp "$conf.default" "$conf"
  local e
  for e in "${edits[@]}"; do
    if [ "$(sed -n "${e}p" "$conf.default" | wc -l)" != 1 ]; then
      die "containerd's default configuration changed: '$e' does not match exactly one line ($(command containerd --version))"
    fi
    sed -i "$e" "$conf"
  done
  rm -f "$conf.default"

  # The pods' network: CNI's bridge on its own bridge, host-local addresses in the state folder,
  # firewall, portmap for hostPort, loopback. firewall is there because the bridge's frames pass
  # iptables' FORWARD chain (br_netfilter's bridge-nf-call-iptables, which Services between pods
  # of one bridge need), whose policy Docker sets to DROP: it accepts the pods' own traffic.
  cat >"$dir/cni/10-golive.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "golive",
  "plugins": [
    {"type": "bridge", "bridge": "$cni_bridge", "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$pod_cidr"}]], "routes": [{"dst": "0.0.0.0/0"}],
              "dataDir": "$dir/cni/ipam"}},
    {"type": "firewall"},
    {"type": "portmap", "capabilities": {"portMappings": true}},
    {"type": "loopback"}
  ]
}
EOF

  cat >"$dir/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$sock
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
address: $node_ip
port: 10250
tlsCertFile: $pki/kubelet-serving.crt
tlsPrivateKeyFile: $pki/kubelet-serving.key
healthzBindAddress: 127.0.0.1
healthzPort: 10248
readOnlyPort: 0
clusterDNS: [$cluster_dns]
clusterDomain: $cluster_domain
resolvConf: /etc/resolv.conf
podLogsDir: $dir/pod-logs
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
serializeImagePulls: false
EOF

  cat >"$dir/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $dir/kube-proxy.kubeconfig}
mode: iptables
clusterCIDR: $pod_cidr
hostnameOverride: $node
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: [127.0.0.1/32, $node_ip/32]
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
}

# --- processes ------------------------------------------------------------------------------------

# launch NAME BINARY ARGS...: in its own session (it must outlive the shell that started it and not
# receive its signals), output to logs/NAME.log.
launch() {
  local name=$1
  shift
  detached "$logs/$name.log" "$@"
  echo $! >"$run/$name.pid"
}

# fail COMPONENT WHAT: the end of the component's log, then stop what was started.
fail() {
  local name=$1
  echo "kube-cluster: $2 after $(elapsed)s" >&2
  if ! alive "$name"; then echo "kube-cluster: $name is not running" >&2; fi
  if [ -f "$logs/$name.log" ]; then
    echo "kube-cluster: last lines of $logs/$name.log:" >&2
    tail -n 25 "$logs/$name.log" >&2
  fi
  if [ "${GOLIVE_CLUSTER_KEEP_ON_FAILURE:-0}" != 1 ]; then
    echo "kube-cluster: stopping what started (GOLIVE_CLUSTER_KEEP_ON_FAILURE=1 keeps it)" >&2
    stop >&2 || true
  fi
  exit 1
}

# wait_for COMPONENT WHAT CHECK...: until CHECK succeeds, or the component exits, or the deadline.
wait_for() {
  local name=$1 what=$2
  shift 2
  until "$@"; do
    if [ "$name" != - ] && ! alive "$name"; then fail "$name" "$name exited while waiting for $what"; fi
    if [ "$SECONDS" -ge "$deadline" ]; then fail "$name" "timed out (GOLIVE_CLUSTER_TIMEOUT=${timeout}s) waiting for $what"; fi
    sleep 0.2
  done
}

# quiet CMD...: CMD's success, its output dropped (a check polled until it passes).
quiet() { "$@" >/dev/null 2>&1; }

remaining() { local r=$((deadline - SECONDS)); [ "$r" -gt 1 ] || r=1; echo "$r"; }

port_free() { ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

preflight() {
  [ "$(id -u)" = 0 ] || die "the cluster needs root (the kubelet, containerd, iptables, bridges)"
  [ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ] || die "no memory cgroup under /sys/fs/cgroup"
  local p
  for p in 2379 2380 "$api_port" 10248 10249 10250 10256 10257 10259; do
    port_free "$p" || die "port $p is taken on this machine ($(ss -Hltnp "sport = :$p" | head -n1)); the cluster needs it"
  done
  if ip link show "$node_bridge" >/dev/null 2>&1 || ip link show "$cni_bridge" >/dev/null 2>&1; then
    die "bridge $node_bridge or $cni_bridge exists but no cluster of this checkout runs; scripts/kube-cluster.sh stop removes it"
  fi
}

# claim_host: the host is ours, or another checkout's cluster runs (an error), or a stale claim.
claim_host() {
  if [ -f "$claim" ]; then
    local other
    other=$(cat "$claim")
    if [ "$other" != "$dir" ]; then
      if [ -f "$other/run/kube-apiserver.pid" ] && running "$(cat "$other/run/kube-apiserver.pid")"; then
        die "a cluster of another checkout runs on this machine (state $other); stop it with that checkout's scripts/kube-cluster.sh stop"
      fi
      say "a cluster of $other did not stop cleanly; cleaning the host first"
      GOLIVE_CLUSTER_DIR=$other "$repo/scripts/kube-cluster.sh" stop || die "could not clean what $other left"
    fi
  fi
  echo "$dir" >"$claim"
}

record_host() {
  [ -f "$run/host-paths" ] && return 0
  local p
  for p in "${host_paths[@]}"; do
    if [ -e "$p" ]; then echo "keep $p"; else echo "made $p"; fi
  done >"$run/host-paths"
  for p in "${sysctls[@]}"; do
    echo "$p=$(sysctl -n "$p" 2>/dev/null || echo -)"
  done >"$run/sysctl"
}

# --- images ---------------------------------------------------------------------------------------

# has_image REF SOURCE: REF is in the cluster's containerd, imported from SOURCE (a Docker image ID
# or a tar's hash, recorded as the label golive.dev/source), so an unchanged image is not imported
# again.
has_image() {
  ctr images ls 2>/dev/null | awk -v r="$1" -v l="golive.dev/source=$2" '$1 == r && index($NF, l) { f = 1 } END { exit !f }'
}

import_tar() { # REF TAR
  local ref=$1 tar=$2 sum
  sum=$(sha256sum "$tar" | cut -c1-16)
  if has_image "$ref" "$sum"; then return 1; fi
  ctr images import "$tar" >/dev/null
  ctr images label "$ref" "golive.dev/source=$sum" >/dev/null
}

addon_images() {
  local n=0 ref tar
  for ref in "$GOLIVE_CLUSTER_PAUSE_IMAGE:pause" "$GOLIVE_CLUSTER_COREDNS_IMAGE:coredns" \
    "$GOLIVE_CLUSTER_PROVISIONER_IMAGE:local-path-provisioner" "$GOLIVE_CLUSTER_HELPER_IMAGE:busybox"; do
    tar="$GOLIVE_CLUSTER_IMAGES/${ref##*:}.tar"
    if import_tar "${ref%:*}" "$tar"; then n=$((n + 1)); fi
  done
  stage "addon images ready ($n imported)"
}

# build_test_images: every offline test image (test/images/build.sh, tagged
# golive.local/<name>:<version>) in Docker, built when missing or changed; $run/test-images lists
# "REF DOCKER-ID". Before the start's clock: a cold build takes minutes and is not the cluster's.
build_test_images() {
  [ "$load_images" = 1 ] || return 0
  docker info >/dev/null 2>&1 || die "no Docker engine answers: the offline test images are built and saved by Docker (scripts/docker-engine.sh start, or GOLIVE_CLUSTER_IMAGES=0)"
  local start=$SECONDS
  "$repo/test/images/build.sh" >"$logs/images-build.log" 2>&1 || {
    echo "kube-cluster: test/images/build.sh failed; last lines:" >&2
    tail -n 20 "$logs/images-build.log" >&2
    exit 1
  }
  local f d ref
  find "$repo/test/images" -mindepth 2 -maxdepth 3 -name Dockerfile -printf '%P\n' | sort | while read -r f; do
    d=$(dirname "$f")
    ref="golive.local/$d:$(cat "$repo/test/images/$d/VERSION")"
    echo "$ref $(docker image inspect -f '{{.Id}}' "$ref")"
  done >"$dir/test-images.list"
  say "offline test images built in Docker in $((SECONDS - start))s ($(wc -l <"$dir/test-images.list") images)"
}

# import_docker_images REF...: the Docker images not in the cluster's containerd with the same
# Docker image ID, saved from Docker in one stream (a shared base layer once) and imported, bounded
# by GOLIVE_CLUSTER_IMAGE_TIMEOUT (default 600 s). Sets $imported to their number.
import_docker_images() {
  local ref id want=() ids=()
  for ref in "$@"; do
    id=$(docker image inspect -f '{{.Id}}' "$ref" 2>/dev/null) || die "Docker has no image $ref"
    if ! has_image "$ref" "${id#sha256:}"; then
      want+=("$ref")
      ids+=("$id")
    fi
  done
  imported=${#want[@]}
  [ "$imported" -gt 0 ] || return 0
  if ! { docker save "${want[@]}" | timeout "${GOLIVE_CLUSTER_IMAGE_TIMEOUT:-600}" "$(command -v ctr)" -a "$sock" -n k8s.io images import -; } >"$logs/images-import.log" 2>&1; then
    echo "kube-cluster: importing ${want[*]} into containerd failed or timed out; last lines of $logs/images-import.log:" >&2
    tail -n 10 "$logs/images-import.log" >&2
    return 1
  fi
  local i
  for i in "${!want[@]}"; do
    ctr images label "${want[$i]}" "golive.dev/source=${ids[$i]#sha256:}" >/dev/null
  done
}

# load_test_images: the offline test images into the cluster's containerd. The import extends the
# start's deadline by its time (it has its own bound).
load_test_images() {
  if [ "$load_images" = 0 ]; then
    say "offline test images not loaded (GOLIVE_CLUSTER_IMAGES=0)"
    return 0
  fi
  local start=$SECONDS refs
  mapfile -t refs < <(awk '{ print $1 }' "$dir/test-images.list")
  import_docker_images "${refs[@]}" || fail containerd "importing the offline test images failed"
  deadline=$((deadline + SECONDS - start))
  stage "offline test images loaded ($imported of ${#refs[@]} imported in $((SECONDS - start))s, the rest present)"
}

# load REF...: more Docker images (a test's own tags) into the running cluster.
load() {
  [ $# -gt 0 ] || die "usage: $0 load IMAGE..."
  status || die "no cluster of this checkout runs (scripts/kube-cluster.sh start)"
  docker info >/dev/null 2>&1 || die "no Docker engine answers"
  local start=$SECONDS
  import_docker_images "$@" || exit 1
  say "$imported of $# images imported in $((SECONDS - start))s, the rest present"
}

# --- start ----------------------------------------------------------------------------------------

start() {
  case "$timeout" in '' | *[!0-9]* | 0) die "GOLIVE_CLUSTER_TIMEOUT must be a positive number of seconds, not '$timeout'" ;; esac
  case "$load_images" in 0 | 1) ;; *) die "GOLIVE_CLUSTER_IMAGES must be 0 or 1, not '$load_images'" ;; esac
  if status; then
    say "already running (state $dir)"
    write_env
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "the cluster needs root (the kubelet, containerd, iptables, bridges)"
  "$repo/toolchain/build-cluster.sh"
  load_toolchain_env || die "toolchain/build-cluster.sh left no binaries"
  if [ ${#sock} -gt 100 ]; then
    die "the containerd socket path $sock is longer than a unix socket allows; set GOLIVE_CLUSTER_DIR to a shorter folder"
  fi
  mkdir -p "$dir" "$run" "$logs"
  claim_host
  build_test_images
  t0=$EPOCHREALTIME
  deadline=$((SECONDS + timeout))
  # A cluster of this checkout that is half up (a component died): clean it first.
  if alive containerd || alive kube-apiserver || alive etcd || [ -f "$run/host-paths" ]; then
    say "a previous cluster of this checkout is half up; stopping it first"
    stop
    mkdir -p "$run" "$logs"
  fi
  claim_host
  preflight
  record_host
  certificates
  configure
  stage "certificates and configuration ready"

  ip link add "$node_bridge" type bridge
  ip addr add "$node_ip/32" dev "$node_bridge"
  ip link set "$node_bridge" up
  contain_pods

  launch containerd containerd --config "$dir/containerd/config.toml"
  wait_for containerd "containerd to answer" quiet ctr version
  stage "containerd ready"
  addon_images

  launch etcd "$GOLIVE_CLUSTER_BIN/etcd" --name "$node" --data-dir "$dir/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster "$node=http://127.0.0.1:2380" --unsafe-no-fsync
  wait_for etcd "etcd to answer" curl -sf --max-time 2 http://127.0.0.1:2379/health -o /dev/null
  stage "etcd ready"

  launch kube-apiserver "$GOLIVE_CLUSTER_BIN/kube-apiserver" \
    --etcd-servers=http://127.0.0.1:2379 \
    --bind-address=0.0.0.0 --advertise-address="$node_ip" --secure-port="$api_port" \
    --cert-dir="$dir/apiserver" \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" \
    --requestheader-client-ca-file="$pki/ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$pki/front-proxy-client.crt" --proxy-client-key-file="$pki/front-proxy-client.key" \
    --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" --kubelet-client-key="$pki/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$pki/ca.crt" --kubelet-preferred-address-types=InternalIP \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --service-account-issuer="https://kubernetes.default.svc.$cluster_domain" \
    --service-cluster-ip-range="$service_cidr" --service-node-port-range="$nodeport_range" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true --profiling=false
  wait_for kube-apiserver "the API server to be ready" api_ready
  stage "kube-apiserver ready"
  write_env

  launch kube-controller-manager "$GOLIVE_CLUSTER_BIN/kube-controller-manager" \
    --kubeconfig="$dir/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$dir/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$dir/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=10257 --cert-dir="$dir/controller-manager" \
    --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
    --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
    --use-service-account-credentials=true --allocate-node-cidrs=false \
    --service-cluster-ip-range="$service_cidr" --leader-elect=false --profiling=false
  launch kube-scheduler "$GOLIVE_CLUSTER_BIN/kube-scheduler" \
    --kubeconfig="$dir/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="$dir/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$dir/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=10259 --leader-elect=false --profiling=false
  launch kubelet "$GOLIVE_CLUSTER_BIN/kubelet" --config="$dir/kubelet/config.yaml" \
    --kubeconfig="$dir/kubelet.kubeconfig" --root-dir="$dir/kubelet/root" --cert-dir="$dir/kubelet/pki" \
    --hostname-override="$node" --node-ip="$node_ip"
  launch kube-proxy "$GOLIVE_CLUSTER_BIN/kube-proxy" --config="$dir/kube-proxy.yaml"
  wait_for kubelet "node $node to be Ready" node_ready
  for c in kube-controller-manager kube-scheduler kube-proxy; do alive "$c" || fail "$c" "$c exited"; done
  stage "node $node Ready"
  wait_for kube-controller-manager "the default ServiceAccount" quiet kubectl -n default get serviceaccount default -o name
  stage "default ServiceAccount ready"

  local manifest
  for manifest in coredns local-path-storage; do
    sed -e "s|@COREDNS_IMAGE@|$GOLIVE_CLUSTER_COREDNS_IMAGE|g" -e "s|@PROVISIONER_IMAGE@|$GOLIVE_CLUSTER_PROVISIONER_IMAGE|g" \
      -e "s|@HELPER_IMAGE@|$GOLIVE_CLUSTER_HELPER_IMAGE|g" -e "s|@STORAGE_DIR@|$dir/storage|g" \
      -e "s|@CLUSTER_DOMAIN@|$cluster_domain|g" -e "s|@CLUSTER_DNS@|$cluster_dns|g" \
      "$repo/scripts/kube-cluster/$manifest.yaml"
    echo "---"
  done >"$dir/addons.yaml"
  kubectl apply -f "$dir/addons.yaml" >"$logs/addons.log" 2>&1 || fail kube-apiserver "applying the addons failed ($(tail -n 3 "$logs/addons.log"))"
  load_test_images
  local d
  for d in coredns local-path-provisioner; do
    if ! kubectl -n kube-system rollout status "deployment/$d" --timeout="$(remaining)s" >>"$logs/addons.log" 2>&1; then
      kubectl -n kube-system get pods -o wide >>"$logs/addons.log" 2>&1 || true
      kubectl -n kube-system describe pods -l "$([ $d = coredns ] && echo k8s-app=kube-dns || echo app=$d)" >>"$logs/addons.log" 2>&1 || true
      fail kubelet "addon $d not available (see $logs/addons.log)"
    fi
  done
  stage "addons CoreDNS and local-path-provisioner available; cluster up (kubeconfig $dir/admin.kubeconfig)"
}

write_env() {
  cat >"$envfile" <<EOF
# Written by scripts/kube-cluster.sh start: the cluster the engine tests run against.
export GOLIVE_KUBECONFIG="$dir/admin.kubeconfig"
export GOLIVE_KUBECTL="$GOLIVE_CLUSTER_BIN/kubectl"
export GOLIVE_CLUSTER_DIR="$dir"
export GOLIVE_CLUSTER_NODE="$node"
export GOLIVE_CLUSTER_NODE_IP="$node_ip"
export GOLIVE_CLUSTER_KUBERNETES_VERSION="$GOLIVE_CLUSTER_KUBERNETES_VERSION"
export GOLIVE_CLUSTER_STORAGE_CLASS="$storage_class"
export GOLIVE_CLUSTER_NODEPORT_RANGE="$nodeport_range"
export GOLIVE_CLUSTER_SERVICE_CIDR="$service_cidr"
export GOLIVE_CLUSTER_POD_CIDR="$pod_cidr"
export GOLIVE_CLUSTER_DNS="$cluster_dns"
export GOLIVE_CLUSTER_DOMAIN="$cluster_domain"
EOF
}

# --- stop -----------------------------------------------------------------------------------------

# term NAME [SECONDS]: SIGTERM, then SIGKILL after SECONDS (default 10).
term() {
  local name=$1 wait=${2:-10} p i how=exited
  p=$(pid_of "$name")
  if [ -n "$p" ] && running "$p"; then
    kill "$p" 2>/dev/null || true
    for ((i = 0; i < wait * 10; i++)); do running "$p" || break; sleep 0.1; done
    if running "$p"; then
      kill -9 "$p" 2>/dev/null || true
      how=killed
    fi
    echo "$name: $how after $((i / 10)).$((i % 10))s" >>"$logs/stop.log"
  fi
  rm -f "$run/$name.pid"
}

# cluster_pids: processes of this cluster: the cluster's binaries, the containerd with this
# config, the shims serving its socket (the pods' processes are the shims' children, killed with
# them or reparented to them).
cluster_pids() {
  {
    if [ -n "${GOLIVE_CLUSTER_BIN:-}" ]; then
      find /proc -mindepth 2 -maxdepth 2 -name exe -lname "$GOLIVE_CLUSTER_BIN/*" 2>/dev/null | cut -d/ -f3
    fi
    ps -eo pid=,args= | awk -v c="$dir/containerd/config.toml" -v s="-address $sock" \
      '$2 ~ /containerd/ && (index($0, c) || index($0, s)) { print $1 }'
  } | sort -un | grep -vx "$$" || true
}

# pod_pids: the processes in the pods' cgroups (the kubelet's kubepods tree, in every hierarchy).
pod_pids() {
  local h
  for h in /sys/fs/cgroup/* /sys/fs/cgroup; do
    [ -d "$h/kubepods" ] || continue
    find "$h/kubepods" -name cgroup.procs -exec cat {} + 2>/dev/null || true
  done | sort -un
}

# contain_pods: the pods talk to each other and to this machine, and to nothing beyond it. Traffic
# from the pod network to any other address is refused where it would be forwarded off the
# machine: a packet for a Service's cluster IP that kube-proxy has not programmed yet (a Service
# created a moment ago) would otherwise take the default route, and whatever answers there would
# hold the connection (a client keeping it alive, such as Prometheus, never reaching the Service).
# Refused at once (a TCP reset), the client connects again and meets the Service. The rules live in
# CNI-ADMIN, the chain the CNI firewall plugin evaluates before its own accepts and never changes
# (stop removes it with the other CNI-* chains).
contain_pods() {
  iptables -N CNI-ADMIN 2>/dev/null || true
  iptables -A CNI-ADMIN -s "$pod_cidr" ! -d "$pod_cidr" -p tcp -j REJECT --reject-with tcp-reset
  iptables -A CNI-ADMIN -s "$pod_cidr" ! -d "$pod_cidr" -j REJECT --reject-with icmp-net-unreachable
}

# iptables_clean: the chains of the kubelet, kube-proxy and the CNI plugins (KUBE-*, CNI-*) and the
# jumps to them from the built-in chains, in one iptables-restore per table (Docker's and other
# chains untouched); a table whose restore fails is cleaned rule by rule.
iptables_clean() {
  local ipt table saved chains c rule
  for ipt in iptables ip6tables; do
    command -v "$ipt-restore" >/dev/null 2>&1 || continue
    for table in filter nat mangle raw; do
      saved=$("$ipt-save" -t "$table" 2>/dev/null) || continue
      chains=$(grep -oE '^:(KUBE-|CNI-)[^ ]+' <<<"$saved" | tr -d : || true)
      [ -n "$chains" ] || continue
      local jumps
      jumps=$(grep -E '^-A (PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) .*-j (KUBE-|CNI-)' <<<"$saved" | sed 's/^-A /-D /' || true)
      if ! {
        echo "*$table"
        [ -z "$jumps" ] || echo "$jumps"
        for c in $chains; do echo "-F $c"; done
        for c in $chains; do echo "-X $c"; done
        echo COMMIT
      } | "$ipt-restore" --noflush 2>/dev/null; then
        while read -r rule; do
          [ -z "$rule" ] || eval "$ipt -t $table $rule" 2>/dev/null || true
        done <<<"$jumps"
        for c in $chains; do "$ipt" -t "$table" -F "$c" 2>/dev/null || true; done
        for c in $chains; do "$ipt" -t "$table" -X "$c" 2>/dev/null || true; done
      fi
    done
  done
}

stop() {
  load_toolchain_env 2>/dev/null || true
  local start=$EPOCHREALTIME
  mkdir -p "$logs"
  : >"$logs/stop.log"
  if [ ! -d "$run" ]; then
    say "no cluster of this checkout (state $dir)"
  fi
  # 1. The pods, through the kubelet while it runs (CNI teardown, volume unmounts): the controllers
  #    and the scheduler stop first so nothing replaces them; one second of grace. Done when
  #    containerd runs no task (the sandboxes stop after their network is torn down).
  if alive kubelet && alive kube-apiserver && [ -f "$dir/admin.kubeconfig" ]; then
    # (wait by PID: start's own failure path runs stop, and a bare wait would wait for the
    # components start launched.)
    local jobs=()
    term kube-controller-manager 5 &
    jobs+=($!)
    term kube-scheduler 5 &
    jobs+=($!)
    wait "${jobs[@]}"
    kubectl delete pods --all --all-namespaces --grace-period=1 --wait=false >/dev/null 2>&1 || true
    local i
    for ((i = 0; i < 300; i++)); do
      [ -n "$(ctr tasks ls -q 2>/dev/null)" ] || break
      sleep 0.1
    done
  fi
  local t_pods=$EPOCHREALTIME
  # 2. The components, then what is left in containerd (a pod the kubelet did not tear down).
  local c jobs=()
  for c in kube-proxy kubelet kube-scheduler kube-controller-manager; do
    term "$c" 10 &
    jobs+=($!)
  done
  wait "${jobs[@]}"
  if [ -n "${GOLIVE_CLUSTER_BIN:-}" ] && [ -x "$GOLIVE_CLUSTER_BIN/kube-proxy" ]; then
    "$GOLIVE_CLUSTER_BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
  fi
  # The API server drains for longer than a test cluster is worth (its data goes with etcd's), and
  # etcd waits for the API server's watches: the API server first, briefly.
  term kube-apiserver 2
  term etcd 5
  if alive containerd; then
    local t
    for t in $(ctr tasks ls -q 2>/dev/null); do ctr tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true; done
    for t in $(ctr tasks ls -q 2>/dev/null); do ctr tasks rm -f "$t" >/dev/null 2>&1 || true; done
    for t in $(ctr containers ls -q 2>/dev/null); do ctr containers rm "$t" >/dev/null 2>&1 || true; done
  fi
  term containerd 10
  local t_components=$EPOCHREALTIME
  # 3. Any process of the cluster still alive (a shim, a container process). A container's
  #    processes outlive a killed shim: they are found by the pods' cgroups.
  local pids
  pids=$( { cluster_pids; pod_pids; } | sort -un)
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill -9 $pids 2>/dev/null || true
    sleep 0.2
  fi
  # 4. Mounts: under the state folder (overlay snapshots, pod volumes, the sandboxes' /dev/shm)
  #    and the pods' network namespaces.
  local m
  while read -r m; do
    [ -z "$m" ] || umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done < <(awk '{ print $2 }' /proc/mounts | grep -E "^$dir/|^/run/netns/cni-" | sort -r || true)
  rm -f /run/netns/cni-*
  # 5. The network: the bridges (and any pod end left on them), iptables chains of the kubelet,
  #    kube-proxy and the CNI plugins (KUBE-*, CNI-*; Docker's and others' untouched).
  local l
  for l in $(ip -o link show master "$cni_bridge" 2>/dev/null | awk -F': ' '{ print $2 }' | cut -d@ -f1); do
    ip link del "$l" 2>/dev/null || true
  done
  ip link del "$cni_bridge" 2>/dev/null || true
  ip link del "$node_bridge" 2>/dev/null || true
  iptables_clean
  # 6. The pods' cgroups (the kubelet's kubepods tree, in every hierarchy), deepest first.
  local h
  for h in /sys/fs/cgroup/* /sys/fs/cgroup; do
    if [ -d "$h/kubepods" ]; then find "$h/kubepods" -depth -type d -exec rmdir {} \; 2>/dev/null || true; fi
  done
  # 7. Host paths the cluster made, and host settings it changed, put back.
  if [ -f "$run/host-paths" ]; then
    local what p
    while read -r what p; do
      [ "$what" = made ] || continue
      # /run/netns and /run/containerd (the shims' sockets under s/, whatever containerd's state
      # folder) may meanwhile serve another program: removed only when empty.
      case "$p" in
        /run/netns) rmdir "$p" 2>/dev/null || true ;;
        /run/containerd)
          # A killed shim leaves its socket behind: one no process listens on is stale.
          local sk
          for sk in "$p"/s/*; do
            if [ -S "$sk" ] && ! grep -qF " $sk" /proc/net/unix; then rm -f "$sk"; fi
          done
          rmdir "$p/s" "$p/fifo" "$p/runc" "$p" 2>/dev/null || true
          ;;
        *) rm -rf "$p" ;;
      esac
    done <"$run/host-paths"
  fi
  if [ -f "$run/sysctl" ]; then
    local kv
    while read -r kv; do
      [ "${kv#*=}" = - ] || sysctl -qw "$kv" >/dev/null 2>&1 || true
    done <"$run/sysctl"
  fi
  # 8. The cluster's data (etcd, the kubelet's root, the volumes); certificates, the image store
  #    and logs stay for the next start.
  rm -rf "$dir/etcd" "$dir/kubelet/root" "$dir/kubelet/pki" "$dir/storage" "$dir/cni/ipam" \
    "$dir/pod-logs" "$dir/apiserver" "$dir/controller-manager" "$dir/containerd/root/io.containerd.grpc.v1.cri/sandboxes" \
    "$dir/containerd/root/io.containerd.grpc.v1.cri/containers"
  if [ -f "$claim" ] && [ "$(cat "$claim")" = "$dir" ]; then rm -f "$claim"; fi
  rm -f "$envfile"
  # The run folder (its record of the host paths and sysctls) goes only when nothing is left, so
  # a second stop can finish the job.
  local left
  if left=$(leftovers); then
    rm -rf "$run"
    say "stopped in $(awk -v a="$start" -v p="$t_pods" -v c="$t_components" -v b="$EPOCHREALTIME" \
      'BEGIN { printf "%.1fs (pods %.1fs, components %.1fs, host %.1fs)", b - a, p - a, c - p, b - c }'); nothing left"
  else
    echo "kube-cluster: stopped, but the cluster left:" >&2
    echo "$left" >&2
    return 1
  fi
}

# leftovers: what a cluster left on this host, one line each; exit 0 when nothing.
leftovers() {
  load_toolchain_env 2>/dev/null || true
  local out=() p c h m
  for p in $(cluster_pids); do
    local cmd
    cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | cut -c1-120) || continue
    [ -z "$cmd" ] || out+=("process $p: $cmd")
  done
  for c in "${components[@]}"; do
    if alive "$c"; then out+=("process $(pid_of "$c"): $c"); fi
  done
  for l in "$node_bridge" "$cni_bridge"; do
    if ip link show "$l" >/dev/null 2>&1; then out+=("network interface $l"); fi
  done
  local ipt table
  for ipt in iptables ip6tables; do
    command -v "$ipt-save" >/dev/null 2>&1 || continue
    for table in filter nat mangle raw; do
      for c in $("$ipt-save" -t "$table" 2>/dev/null | grep -oE '^:(KUBE-|CNI-)[^ ]+' | tr -d : || true); do
        out+=("$ipt chain $table/$c")
      done
    done
  done
  for h in /sys/fs/cgroup/* /sys/fs/cgroup; do
    if [ -d "$h/kubepods" ]; then out+=("cgroup $h/kubepods"); fi
  done
  while read -r m; do
    [ -n "$m" ] && out+=("mount $m")
  done < <(awk '{ print $2 }' /proc/mounts | grep -E "^$dir/|^/run/netns/cni-" || true)
  for m in /run/netns/cni-*; do
    if [ -e "$m" ]; then out+=("network namespace $m"); fi
  done
  if [ -f "$claim" ] && [ "$(cat "$claim")" = "$dir" ]; then out+=("claim $claim"); fi
  if [ -f "$run/host-paths" ]; then
    local what
    while read -r what p; do
      if [ "$what" = made ] && [ -e "$p" ]; then out+=("host path $p"); fi
    done <"$run/host-paths"
  fi
  if [ ${#out[@]} -eq 0 ]; then return 0; fi
  printf '%s\n' "${out[@]}"
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if status; then
      say "running: $(kubectl get node "$node" --no-headers 2>/dev/null | awk '{ print $1, $2, $NF }'); kubeconfig $dir/admin.kubeconfig"
    else
      say "not running (state $dir)"
      exit 1
    fi
    ;;
  leftovers) leftovers ;;
  load)
    shift
    load "$@"
    ;;
  env)
    [ -f "$envfile" ] || die "no cluster started from this checkout ($envfile missing)"
    cat "$envfile"
    ;;
  *)
    echo "usage: $0 start|stop|status|leftovers|load IMAGE...|env" >&2
    exit 2
    ;;
esac
