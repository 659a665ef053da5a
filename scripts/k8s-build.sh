#!/usr/bin/env bash
# Build what `make k8s-up` runs, once, from the Go module proxy into a cache shared by every checkout:
# Kubernetes v1.34.2 (kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy,
# kubectl), etcd v3.6.4, CoreDNS v1.12.1, and Dapr 1.18.3's operator and sidecar injector (its
# daprd, sentry, placement and scheduler are the suite's own, from scripts/install-dapr.sh).
# Each build runs in a scratch module under the cache; nothing it fetches lands in the project.
# Prints the cache's bin directory. A second run, with everything built, takes a second.
set -euo pipefail
K8S_VERSION="v1.34.2"
STAGING_VERSION="v0.34.2"     # the staging modules' tag for Kubernetes 1.34.2
ETCD_VERSION="v3.6.4"         # what Kubernetes 1.34.2's go.mod requires
COREDNS_VERSION="v1.12.1"     # what kubeadm 1.34 installs
DAPR_VERSION="${DAPR_RUNTIME_VERSION:-1.18.3}"
CACHE="${PIZZA_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pizza/k8s}"
BIN="$CACHE/bin"
say() { printf 'k8s-build: %s\n' "$*" >&2; }
die() { printf 'k8s-build: error: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "no Go toolchain: Kubernetes is built from the Go module proxy"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
# The CPU is shared: builds never take it from the suite's tests.
NICE=(nice -n 10)
mkdir -p "$BIN"

module_dir() { go mod download -json "$1" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p'; }

# Kubernetes: k8s.io/kubernetes cannot be `go install`ed (its go.mod points the 31 staging modules at
# ./staging), so a scratch module requires it and replaces each staging module by its own tag.
build_kubernetes() {
  local cmds=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl) c missing=()
  for c in "${cmds[@]}"; do [ -x "$BIN/$c-$K8S_VERSION" ] || missing+=("$c"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "building Kubernetes $K8S_VERSION: ${missing[*]} (about 15 minutes cold on 2 cores)"
  local started; started=$(date +%s)
  local src; src=$(module_dir "k8s.io/kubernetes@$K8S_VERSION")
  [ -f "$src/go.mod" ] || die "no k8s.io/kubernetes@$K8S_VERSION from the module proxy"
  local work="$CACHE/src/kubernetes-$K8S_VERSION"
  mkdir -p "$work"
  if [ ! -f "$work/go.sum" ]; then
    {
      printf 'module pizza.local/k8sbuild\n\ngo 1.24.0\n\ngodebug default=go1.24\n\nrequire k8s.io/kubernetes %s\n\n' "$K8S_VERSION"
      sed -n 's#^\s*\(k8s.io/[a-z-]*\) => ./staging/src/.*#replace \1 => \1 '"$STAGING_VERSION"'#p' "$src/go.mod"
    } > "$work/go.mod"
    {
      printf '//go:build tools\n\npackage tools\n\nimport (\n'
      for c in "${cmds[@]}"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$c"; done
      printf ')\n'
    } > "$work/tools.go"
    (cd "$work" && go mod tidy -e) || die "go mod tidy failed for Kubernetes $K8S_VERSION"
  fi
  local v="k8s.io/component-base/version" cv="k8s.io/client-go/pkg/version" ld="-s -w" p
  for p in "$v" "$cv"; do
    ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=34 -X $p.gitTreeState=clean"
    ld+=" -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  for c in "${missing[@]}"; do
    say "  $c"
    (cd "$work" && "${NICE[@]}" go build -trimpath -tags tools -ldflags "$ld" -o "$BIN/.$c.tmp" "k8s.io/kubernetes/cmd/$c") \
      || die "could not build $c"
    mv "$BIN/.$c.tmp" "$BIN/$c-$K8S_VERSION"
  done
  say "built Kubernetes in $(( $(date +%s) - started ))s"
}

# etcd: `go install` of its server module is refused for its replace directives, so a three-line main.
build_etcd() {
  [ -x "$BIN/etcd-$ETCD_VERSION" ] && return 0
  say "building etcd $ETCD_VERSION"
  local started; started=$(date +%s) work="$CACHE/src/etcd-$ETCD_VERSION"
  mkdir -p "$work"
  cat > "$work/main.go" <<'GO'
// Command etcd is etcd's own server main.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  if [ ! -f "$work/go.mod" ]; then
    printf 'module pizza.local/etcd\n\ngo 1.24.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" > "$work/go.mod"
    (cd "$work" && go mod tidy) || die "go mod tidy failed for etcd"
  fi
  (cd "$work" && "${NICE[@]}" go build -trimpath -ldflags "-s -w" -o "$BIN/.etcd.tmp" .) || die "could not build etcd"
  mv "$BIN/.etcd.tmp" "$BIN/etcd-$ETCD_VERSION"
  say "built etcd in $(( $(date +%s) - started ))s"
}

build_coredns() {
  [ -x "$BIN/coredns-$COREDNS_VERSION" ] && return 0
  say "building CoreDNS $COREDNS_VERSION"
  local started gobin; started=$(date +%s); gobin=$(mktemp -d "$BIN/.coredns.XXXXXX")
  GOBIN="$gobin" GOFLAGS=-mod=mod "${NICE[@]}" go install -trimpath -ldflags "-s -w" \
    "github.com/coredns/coredns@$COREDNS_VERSION" || die "could not build CoreDNS"
  mv "$gobin/coredns" "$BIN/coredns-$COREDNS_VERSION"; rmdir "$gobin"
  say "built CoreDNS in $(( $(date +%s) - started ))s"
}

# Dapr's operator and injector, built as scripts/install-dapr.sh builds daprd: from its copy of the
# module (with the fallbacks it made for versions the proxy refuses), or from a fresh copy.
build_dapr() {
  local missing=() b
  for b in operator injector; do [ -x "$BIN/$b-$DAPR_VERSION" ] || missing+=("$b"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local work="${DAPR_RUNTIME_PATH:-$HOME}/.dapr/build/dapr-$DAPR_VERSION"
  if [ ! -f "$work/go.mod" ]; then
    work="$CACHE/src/dapr-$DAPR_VERSION"
    if [ ! -f "$work/go.mod" ]; then
      local src; src=$(module_dir "github.com/dapr/dapr@v$DAPR_VERSION")
      mkdir -p "$(dirname "$work")"; cp -r "$src" "$work"; chmod -R u+w "$work"
    fi
  fi
  local ld="-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION -X github.com/dapr/kit/logger.DaprVersion=$DAPR_VERSION"
  local started; started=$(date +%s)
  for b in "${missing[@]}"; do
    say "building Dapr $DAPR_VERSION's $b"
    (cd "$work" && "${NICE[@]}" go build -mod=mod -trimpath -ldflags "$ld" -o "$BIN/.$b.tmp" "./cmd/$b") \
      || die "could not build Dapr's $b"
    mv "$BIN/.$b.tmp" "$BIN/$b-$DAPR_VERSION"
  done
  say "built Dapr's ${missing[*]} in $(( $(date +%s) - started ))s"
}

what=("${@:-all}")
for w in "${what[@]}"; do
  case "$w" in
    kubernetes) build_kubernetes ;;
    etcd) build_etcd ;;
    coredns) build_coredns ;;
    dapr) build_dapr ;;
    all) build_etcd; build_coredns; build_kubernetes; build_dapr ;;
    *) die "unknown part: $w" ;;
  esac
done
echo "$BIN"
