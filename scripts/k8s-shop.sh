#!/usr/bin/env bash
# Put the shop on the local cluster (make k8s-up first), as docs/kubernetes.md tells it for any cluster:
# Dapr 1.18.3 with its own Helm chart (from its Go module), mTLS on, its images the local ones; Redis
# in namespace `redis`, its password in a Secret; the shop's Secrets; `helm install pizza deploy/pizza`.
# Each step is skipped when done. Prints what the tests need, KEY=VALUE a line.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DAPR_VERSION="${DAPR_RUNTIME_VERSION:-1.18.3}"
NS="${PIZZA_K8S_NAMESPACE:-shop}"
# The workshop's stage durations, ten times faster: a batch of 20 orders takes minutes, not an hour.
TIME_SCALE="${PIZZA_K8S_TIME_SCALE:-0.1}"
say() { printf 'k8s-shop: %s\n' "$*" >&2; }
die() { printf 'k8s-shop: error: %s\n' "$*" >&2; exit 1; }
[ -e /run/netns/pk8s-node1 ] || die "no cluster: make k8s-up first"

kubectl() { "$ROOT/scripts/k8s.sh" kubectl "$@"; }
HELM=$("$ROOT/scripts/setup-k8s-tools.sh" | sed -n 's/^HELM=//p')
[ -x "$HELM" ] || die "no Helm: make setup builds it"
helm() { nsenter --net=/run/netns/pk8s-node1 -- "$HELM" --kubeconfig /var/lib/pk8s/pki/admin.kubeconfig "$@"; }
token() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='; }
secret() { # namespace name key=value...
  local ns=$1 name=$2; shift 2
  kubectl -n "$ns" get secret "$name" >/dev/null 2>&1 && return 0
  local args=() kv; for kv in "$@"; do args+=(--from-literal="$kv"); done
  kubectl -n "$ns" create secret generic "$name" "${args[@]}" >/dev/null
}
namespace() { kubectl get namespace "$1" >/dev/null 2>&1 || kubectl create namespace "$1" >/dev/null; }

install_dapr() {
  helm status dapr -n dapr-system >/dev/null 2>&1 && return 0
  local chart started; started=$(date +%s)
  chart=$(go mod download -json "github.com/dapr/dapr@v$DAPR_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')/charts/dapr
  [ -f "$chart/Chart.yaml" ] || die "no charts/dapr in github.com/dapr/dapr@v$DAPR_VERSION"
  say "installing Dapr $DAPR_VERSION with its Helm chart"
  # The control plane on node1 (the drills lose the others); the scheduler's and placement's logs
  # in memory (this cluster has no volume provisioner); mTLS as the chart has it, on.
  helm install dapr "$chart" --namespace dapr-system --create-namespace --wait --timeout 10m \
    --set global.registry=pizza.local --set global.tag="$DAPR_VERSION" --set global.imagePullPolicy=Never \
    --set dapr_sidecar_injector.sidecarImagePullPolicy=Never --set global.mtls.enabled=true \
    --set-string 'global.nodeSelector.pk8s\.local/role=system' --set 'global.tolerations[0].key=pk8s.local/system' \
    --set 'global.tolerations[0].operator=Exists' --set 'global.tolerations[0].effect=NoSchedule' \
    --set dapr_scheduler.cluster.inMemoryStorage=true --set dapr_placement.cluster.forceInMemoryLog=true >/dev/null
  say "Dapr's control plane Ready in $(( $(date +%s) - started ))s"
}

install_redis() {
  namespace redis
  secret redis redis "password=$(token)"
  kubectl apply -f "$ROOT/deploy/cluster/redis.yaml" >/dev/null
  kubectl -n redis rollout status deployment/redis-master --timeout=180s >/dev/null
}

install_shop() {
  namespace "$NS"
  local password; password=$(kubectl -n redis get secret redis -o jsonpath='{.data.password}' | base64 -d)
  secret "$NS" pizza-redis "password=$password"
  secret "$NS" pizza-dapr-api-token "token=$(token)"
  secret "$NS" pizza-app-api-token "token=$(token)"
  secret "$NS" pizza-staff "staff-token=$(token)" "secret-key=$(token)"
  helm status pizza -n "$NS" >/dev/null 2>&1 && return 0
  local started; started=$(date +%s)
  say "helm install pizza deploy/pizza"
  helm install pizza "$ROOT/deploy/pizza" --namespace "$NS" \
    --set image.repository=pizza.local/pizza --set image.tag=0.1.0 --set image.pullPolicy=Never \
    --set timeScale="$TIME_SCALE" --set services.pizza-kitchen.env.PIZZA_INITIAL_STOCK=1000 \
    --set services.pizza-workflow.env.PIZZA_VALIDATION_TIMEOUT_S=600 >/dev/null
  kubectl -n "$NS" wait --for=condition=Available deployment --all --timeout=10m >/dev/null \
    || { kubectl -n "$NS" get pods -o wide >&2; die "the shop's Deployments are not Available"; }
  say "the shop Ready in $(( $(date +%s) - started ))s (helm install to every Deployment Available)"
}

install_dapr
install_redis
install_shop
echo "NAMESPACE=$NS"
