#!/usr/bin/env bash
# A Kubernetes v1.34.2 cluster on this machine, without Docker (make k8s-up, k8s-down, k8s-kubectl):
# three nodes, each a network namespace with its own containerd (Debian's, with runc) and kubelet and
# kube-proxy, cabled to a switch namespace; node1 also runs etcd and the control plane. The pods'
# addresses are routed between the nodes, so a pod can be lost with its node (tests/k8s).
#
#   10.79.0.0/24    the nodes (node1 10.79.0.11, node2 .12, node3 .13), on the switch
#   10.79.N.0/24    node N's pods (the CNI bridge, host-local addresses)
#   10.79.200.0/24  the Services (the API server 10.79.200.1, CoreDNS 10.79.200.10)
#
# Every address lives inside the namespaces made here: nothing is added to the machine's own
# interfaces, routes or iptables, and nothing listens on its loopback. What the kubelets change on
# the machine (six kernel settings) is recorded first and put back by `down`, which also kills every
# process started here (found by their cgroups), unmounts what they mounted and removes the
# namespaces, cgroups and state.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODES="${PIZZA_K8S_NODES:-3}"
STATE="${PIZZA_K8S_STATE:-/var/lib/pk8s}"   # etcd, the PKI, containerd's images, the kubelets' pods
RUN=/run/pk8s                                # sockets and pids (short paths: sockets are limited to 108 bytes)
CGROUP=pk8s                                  # in every cgroup v1 hierarchy: daemons/ and node<N>/
SWITCH=pk8s-switch
SERVICES=10.79.200.0/24
API=10.79.0.11
K8S_VERSION=v1.34.2
ETCD_VERSION=v3.6.4
# What the kubelet sets at start (setupKernelTunables): recorded by `up`, restored by `down`.
SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes)
HIERARCHIES=(cpu cpuacct cpuset memory devices freezer blkio pids systemd)

say() { printf 'k8s: %s\n' "$*" >&2; }
die() { printf 'k8s: error: %s\n' "$*" >&2; exit 1; }
node_ip() { echo "10.79.0.1$1"; }
netns() { echo "pk8s-node$1"; }
# A command in node N's network namespace. Not `ip netns exec`: it remounts /sys and so hides the
# cgroup hierarchies the kubelet and runc need; nsenter changes the network namespace only.
in_node() { local n=$1; shift; nsenter --net="/run/netns/$(netns "$n")" -- "$@"; }

bin_dir() { "$ROOT/scripts/k8s-build.sh" "$@"; }

# --- the network ------------------------------------------------------------------------------
make_network() {
  ip netns add "$SWITCH"
  ip -n "$SWITCH" link add br0 type bridge
  ip -n "$SWITCH" link set br0 up
  local n m
  for n in $(seq 1 "$NODES"); do
    ip netns add "$(netns "$n")"
    ip -n "$SWITCH" link add "port-node$n" type veth peer name eth0 netns "$(netns "$n")"
    ip -n "$SWITCH" link set "port-node$n" master br0 up
    ip -n "$(netns "$n")" link set lo up
    ip -n "$(netns "$n")" addr add "$(node_ip "$n")/24" dev eth0
    ip -n "$(netns "$n")" link set eth0 up
    in_node "$n" sysctl -qw net.ipv4.ip_forward=1
  done
  # Each node reaches the others' pods through them; the Services are kube-proxy's, on every node.
  for n in $(seq 1 "$NODES"); do
    for m in $(seq 1 "$NODES"); do
      [ "$n" = "$m" ] || ip -n "$(netns "$n")" route add "10.79.$m.0/24" via "$(node_ip "$m")"
    done
    # Packets to a Service's address need a route before kube-proxy's rules rewrite them.
    ip -n "$(netns "$n")" route add "$SERVICES" dev eth0
  done
}

make_cgroups() {
  local h n
  for h in "${HIERARCHIES[@]}"; do
    [ -d "/sys/fs/cgroup/$h" ] || continue
    for sub in "" /daemons $(for n in $(seq 1 "$NODES"); do echo "/node$n /daemons/node$n"; done); do
      mkdir -p "/sys/fs/cgroup/$h/$CGROUP$sub"
      # A new cpuset has no CPUs nor memory nodes until given its parent's.
      if [ "$h" = cpuset ]; then
        local parent; parent=$(dirname "/sys/fs/cgroup/$h/$CGROUP$sub")
        cat "$parent/cpuset.cpus" > "/sys/fs/cgroup/$h/$CGROUP$sub/cpuset.cpus"
        cat "$parent/cpuset.mems" > "/sys/fs/cgroup/$h/$CGROUP$sub/cpuset.mems"
      fi
    done
  done
}

# --- the PKI: one CA made here, a certificate per component ------------------------------------
cert() { # name CN O [SANs]
  local name=$1 cn=$2 o=$3 sans=${4:-} pki="$STATE/pki"
  openssl ecparam -name prime256v1 -genkey -noout -out "$pki/$name.key" 2>/dev/null
  local subj="/CN=$cn"; [ -n "$o" ] && subj="/O=$o/CN=$cn"
  openssl req -new -key "$pki/$name.key" -subj "$subj" -out "$pki/$name.csr" 2>/dev/null
  local ext="$pki/$name.ext"
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"; [ -n "$sans" ] && echo "subjectAltName=$sans"; } > "$ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 30 -extfile "$ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$ext"
}

kubeconfig() { # name user
  local name=$1 pki="$STATE/pki"
  cat > "$pki/$name.kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
- cluster: {certificate-authority: $pki/ca.crt, server: "https://$API:6443"}
  name: pk8s
users:
- name: $name
  user: {client-certificate: $pki/$name.crt, client-key: $pki/$name.key}
contexts:
- context: {cluster: pk8s, user: $name}
  name: pk8s
current-context: pk8s
YAML
}

make_pki() {
  local pki="$STATE/pki" n
  mkdir -p "$pki"; chmod 700 "$pki"
  openssl ecparam -name prime256v1 -genkey -noout -out "$pki/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=pk8s-ca" -days 30 -out "$pki/ca.crt" 2>/dev/null
  cert apiserver kube-apiserver "" \
    "IP:$API,IP:10.79.200.1,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost"
  cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  cert admin admin system:masters; kubeconfig admin
  cert controller-manager system:kube-controller-manager ""; kubeconfig controller-manager
  cert scheduler system:kube-scheduler ""; kubeconfig scheduler
  cert kube-proxy system:kube-proxy ""; kubeconfig kube-proxy
  for n in $(seq 1 "$NODES"); do
    cert "node$n" "system:node:node$n" system:nodes "IP:$(node_ip "$n"),DNS:node$n"; kubeconfig "node$n"
  done
  openssl ecparam -name prime256v1 -genkey -noout -out "$pki/sa.key" 2>/dev/null
  openssl ec -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
}

# --- the processes ---------------------------------------------------------------------------
# Start a daemon in node N's namespace, in the node's cgroup of daemons (so `down` and `stop-node`
# find it and all it forks, containerd's shims included), in a session of its own (an interrupted
# make leaves it be).
start() { # node name command...
  local n=$1 name=$2; shift 2
  local cg
  cg=$(for h in "${HIERARCHIES[@]}"; do [ -d "/sys/fs/cgroup/$h/$CGROUP" ] && printf '/sys/fs/cgroup/%s/%s/daemons/node%s/cgroup.procs ' "$h" "$CGROUP" "$n"; done)
  setsid nsenter --net="/run/netns/$(netns "$n")" -- \
    bash -c 'for f in $0; do echo $$ > "$f"; done; exec "$@"' "$cg" "$@" \
    > "$STATE/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/pids/$name"
}

wait_for() { # what seconds command...
  local what=$1 limit=$2; shift 2
  local deadline=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || die "$what not ready after ${limit}s (logs: $STATE/logs)"
    sleep 0.5
  done
}

nodes_ready() { [ "$(kubectl_ get nodes --no-headers 2>/dev/null | grep -cw Ready)" = "$NODES" ]; }

kubectl_() { in_node 1 "$BIN/kubectl-$K8S_VERSION" --kubeconfig "$STATE/pki/admin.kubeconfig" "$@"; }

start_control_plane() {
  local pki="$STATE/pki"
  start 1 etcd "$BIN/etcd-$ETCD_VERSION" --name pk8s --data-dir "$STATE/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster pk8s=http://127.0.0.1:2380 --listen-metrics-urls "" --log-level warn
  # Eviction from a lost node after 15 s, not 5 minutes: the drills lose nodes on purpose.
  start 1 kube-apiserver "$BIN/kube-apiserver-$K8S_VERSION" \
    --etcd-servers http://127.0.0.1:2379 --bind-address "$API" --advertise-address "$API" --secure-port 6443 \
    --service-cluster-ip-range "$SERVICES" --client-ca-file "$pki/ca.crt" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction --allow-privileged=true \
    --default-not-ready-toleration-seconds 15 --default-unreachable-toleration-seconds 15 \
    --profiling=false
  wait_for "the API server" 120 in_node 1 curl -sf --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "https://$API:6443/readyz"
  start 1 kube-controller-manager "$BIN/kube-controller-manager-$K8S_VERSION" \
    --kubeconfig "$pki/controller-manager.kubeconfig" --authentication-kubeconfig "$pki/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$pki/controller-manager.kubeconfig" --bind-address 127.0.0.1 \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --use-service-account-credentials --leader-elect=false --node-monitor-grace-period 20s \
    --controllers '*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller'
  start 1 kube-scheduler "$BIN/kube-scheduler-$K8S_VERSION" --kubeconfig "$pki/scheduler.kubeconfig" \
    --authentication-kubeconfig "$pki/scheduler.kubeconfig" --authorization-kubeconfig "$pki/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false
}

write_node_config() { # node
  local n=$1
  local d="$STATE/node$n" pki="$STATE/pki"
  mkdir -p "$d/cni" "$d/containerd" "$d/kubelet" "$d/pod-logs" "$RUN/node$n"
  cat > "$d/containerd.toml" <<TOML
version = 2
root = "$d/containerd/root"
state = "$RUN/node$n/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$RUN/node$n/containerd.sock"
[ttrpc]
  address = "$RUN/node$n/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "pizza.local/pause:1"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # root here lacks CAP_SYS_RESOURCE: runc may not lower a sandbox's oom_score_adj below its own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$d/cni"
TOML
  # The pods' bridge. Replies from a Service's pod on the same bridge must come back through the
  # node to be un-NATed: kube-proxy masquerades every Service connection (masqueradeAll), as this
  # kernel's bridge does not pass bridged packets to iptables (no br_netfilter here).
  cat > "$d/cni/10-pk8s.conflist" <<JSON
{"cniVersion": "1.0.0", "name": "pk8s-node$n", "plugins": [
  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.79.$n.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}],
            "dataDir": "$d/cni-ipam"}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
JSON
  cat > "$d/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
address: $(node_ip "$n")
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
tlsCertFile: $pki/node$n.crt
tlsPrivateKeyFile: $pki/node$n.key
containerRuntimeEndpoint: unix://$RUN/node$n/containerd.sock
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP/node$n
# This machine's cgroups are v1, which kubelet 1.34 refuses unless told.
failCgroupV1: false
failSwapOn: false
clusterDNS: [10.79.200.10]
clusterDomain: cluster.local
# The pods get no search domain nor server of the machine's: nothing resolves outside the cluster.
resolvConf: $STATE/resolv.conf
podLogsDir: $d/pod-logs
# The images are imported, never pulled: never collect them, and evict nothing for a full disk.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
nodeStatusUpdateFrequency: 5s
maxPods: 60
YAML
  cat > "$d/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $pki/kube-proxy.kubeconfig}
hostnameOverride: node$n
bindAddress: $(node_ip "$n")
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
mode: iptables
clusterCIDR: 10.79.0.0/16
iptables: {masqueradeAll: true}
# The conntrack table's size and timeouts are the machine's, not a namespace's: leave them.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s, udpTimeout: 0s, udpStreamTimeout: 0s}
YAML
}

start_containerd() { # node
  local n=$1
  start "$n" "containerd-node$n" containerd --config "$STATE/node$n/containerd.toml"
  wait_for "containerd on node$n" 30 ctr --address "$RUN/node$n/containerd.sock" version
}

start_node() { # node
  local n=$1
  local d="$STATE/node$n"
  # node1 keeps the control plane, DNS and Redis (which tolerate its taint); the shop runs on the
  # others, so that the drills can lose a node without losing the cluster.
  local role=(--node-labels pk8s.local/role=worker)
  [ "$n" = 1 ] && role=(--node-labels pk8s.local/role=system --register-with-taints pk8s.local/system=true:NoSchedule)
  start "$n" "kubelet-node$n" "$BIN/kubelet-$K8S_VERSION" --config "$d/kubelet.yaml" \
    --kubeconfig "$STATE/pki/node$n.kubeconfig" --root-dir "$d/kubelet" --cert-dir "$d/kubelet/pki" \
    --hostname-override "node$n" --node-ip "$(node_ip "$n")" "${role[@]}"
  start "$n" "kube-proxy-node$n" "$BIN/kube-proxy-$K8S_VERSION" --config "$d/kube-proxy.yaml"
  # Every kubelet serves device plugins on the same path whatever its --root-dir
  # (/var/lib/kubelet/device-plugins/kubelet.sock): each replaces the socket of the one before, and
  # two starting together fail (bind: address already in use). So one at a time, each Ready first.
  wait_for "node$n Ready" 120 node_ready "node$n"
}

node_ready() { kubectl_ get node "$1" --no-headers 2>/dev/null | grep -qw Ready; }

import_images() { # tarballs... into every node's containerd
  local n t
  for n in $(seq 1 "$NODES"); do
    for t in "$@"; do
      ctr --address "$RUN/node$n/containerd.sock" -n k8s.io images import --no-unpack=false "$t" >/dev/null \
        || die "could not import $t on node$n"
    done
  done
}

# Debian's containerd, runc and CNI plugins (and the tools this script uses), installed if missing.
install_packages() {
  local missing=() c
  for c in containerd runc ctr nsenter openssl curl iptables; do command -v "$c" >/dev/null || missing+=("$c"); done
  [ -x /usr/lib/cni/bridge ] || missing+=(cni)
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing ${missing[*]}: install containerd, runc and the CNI plugins"
  say "installing containerd, runc and the CNI plugins with apt-get (missing: ${missing[*]})"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      containerd runc containernetworking-plugins curl openssl iptables util-linux; } >/dev/null \
    || die "apt-get could not install containerd, runc and containernetworking-plugins"
}

up() {
  [ "$(id -u)" = 0 ] || die "making a cluster needs root (namespaces, cgroups, mounts)"
  [ -e "/run/netns/$SWITCH" ] && die "a cluster is already up (make k8s-down first)"
  local t0; t0=$(date +%s)
  install_packages
  BIN=$(bin_dir etcd kubernetes coredns | tail -n1)
  say "binaries ready in $(( $(date +%s) - t0 ))s"
  t0=$(date +%s)
  mkdir -p "$STATE/logs" "$RUN/pids"
  # What `down` must put back as it was.
  for s in "${SYSCTLS[@]}"; do echo "$s=$(sysctl -n "$s")"; done > "$STATE/sysctls"
  { [ -d /run/containerd ] && echo run-containerd; [ -d /var/lib/cni ] && echo var-lib-cni; [ -d /var/lib/kubelet ] && echo var-lib-kubelet; ls /run/netns 2>/dev/null | sed 's/^/netns:/'; } > "$STATE/before" || true
  : > "$STATE/resolv.conf"
  echo "options ndots:5" > "$STATE/resolv.conf"
  make_network; make_cgroups; make_pki
  local n
  for n in $(seq 1 "$NODES"); do write_node_config "$n"; done
  start_control_plane
  for n in $(seq 1 "$NODES"); do start_containerd "$n"; done
  local images; images=$("$ROOT/scripts/k8s-images.sh" | tail -n1)
  say "importing the images into every node"
  import_images "$images"/*.tar
  for n in $(seq 1 "$NODES"); do start_node "$n"; done
  wait_for "the nodes" 120 nodes_ready
  kubectl_ apply -f "$ROOT/deploy/cluster/coredns.yaml" >/dev/null
  kubectl_ -n kube-system rollout status deployment/coredns --timeout=120s >/dev/null
  say "cluster up in $(( $(date +%s) - t0 ))s: $NODES nodes Ready, CoreDNS available"
}

# --- down ------------------------------------------------------------------------------------
cluster_pids() { # [cgroups under pk8s/...]: all of the cluster's by default
  local dirs=("$@"); [ ${#dirs[@]} -gt 0 ] || dirs=("")
  local d; for d in "${dirs[@]}"; do
    find "/sys/fs/cgroup/pids/$CGROUP/$d" -name cgroup.procs -exec cat {} + 2>/dev/null || true
  done | sort -u
}

kill_all() { # cgroups...: SIGKILL their processes until none is left
  local pids p
  # Killed processes stay in their cgroup until reaped, by this machine's init for the orphans.
  for _ in $(seq 1 300); do
    pids=$(cluster_pids "$@")
    [ -z "$pids" ] && return 0
    for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
    sleep 0.2
  done
  die "processes still running in the cluster's cgroups: $(cluster_pids "$@" | tr '\n' ' ')"
}

# A node lost as a machine is lost: its kubelet, containerd, kube-proxy and every pod killed at once.
stop_node() { # node number
  [ "$1" != 1 ] || die "node1 holds the control plane: lose node2 or node3"
  kill_all "node$1" "daemons/node$1"
}

# The node back, as a machine restarted: its containerd finds its pods dead, the kubelet removes them.
start_again() { # node number
  BIN=$(bin_dir kubernetes | tail -n1)
  start_containerd "$1"; start_node "$1"
}

down() {
  kill_all
  # What the kubelets and containerd mounted (secrets, overlays, shm, pods' namespaces), deepest first.
  local m
  for m in $(awk '{print $5}' /proc/self/mountinfo | grep -E "^($STATE|$RUN|/run/netns/cni-|/run/containerd)" | sort -r || true); do
    umount -l "$m" 2>/dev/null || true
  done
  if [ -f "$STATE/before" ]; then
    for f in /run/netns/cni-*; do
      [ -e "$f" ] || continue
      grep -qx "netns:$(basename "$f")" "$STATE/before" || rm -f "$f"
    done
    grep -qx run-containerd "$STATE/before" || rm -rf /run/containerd
    grep -qx var-lib-cni "$STATE/before" || rm -rf /var/lib/cni
    grep -qx var-lib-kubelet "$STATE/before" || rm -rf /var/lib/kubelet
  fi
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^pk8s-'); do ip netns del "$ns"; done
  # Depth first: a cgroup is removed once it has no child.
  local h
  for h in "${HIERARCHIES[@]}"; do
    [ -d "/sys/fs/cgroup/$h/$CGROUP" ] || continue
    find "/sys/fs/cgroup/$h/$CGROUP" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    [ -d "/sys/fs/cgroup/$h/$CGROUP" ] && die "cgroup $h/$CGROUP still there"
  done
  if [ -f "$STATE/sysctls" ]; then
    while IFS='=' read -r k v; do sysctl -qw "$k=$v"; done < "$STATE/sysctls"
  fi
  rm -rf "$STATE" "$RUN"
  say "down: no process, mount, namespace, cgroup or state of the cluster left; kernel settings restored"
}

[ "${BASH_SOURCE[0]}" = "$0" ] || return 0  # sourced: the functions only
case "${1:-}" in
  up) up ;;
  down) down ;;
  stop-node) stop_node "${2:?node number}" ;;
  start-node) start_again "${2:?node number}" ;;
  kubectl) shift; BIN=$(bin_dir kubernetes | tail -n1); kubectl_ "$@" ;;
  *) die "usage: k8s.sh up|down|kubectl ARGS|stop-node N|start-node N" ;;
esac
