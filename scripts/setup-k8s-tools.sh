#!/usr/bin/env bash
# Build the tools that check the Kubernetes chart offline (tests/deploy): Helm, from its Go module at
# a pinned version, and tools/k8scheck, the project's schema checker. Each is built once into a cache
# shared by every checkout and skipped when already there. Prints what the tests need, one KEY=VALUE
# a line: HELM, K8SCHECK and DAPR_CRDS (the CustomResourceDefinitions in Dapr's own module).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HELM_VERSION="v3.19.5"
DAPR_VERSION="${DAPR_RUNTIME_VERSION:-1.18.3}"
BIN="${PIZZA_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pizza/bin}"
say() { printf 'setup-k8s-tools: %s\n' "$*" >&2; }
die() { printf 'setup-k8s-tools: error: %s\n' "$*" >&2; exit 1; }

if ! command -v go >/dev/null 2>&1; then
  say "no Go toolchain: the chart's checks (tests/deploy) will be skipped"
  exit 0
fi
export CGO_ENABLED=0
mkdir -p "$BIN"

# Each tool is built under a temporary name, then renamed: two checkouts setting up at once both succeed.
helm="$BIN/helm-$HELM_VERSION"
if [ ! -x "$helm" ]; then
  say "building Helm $HELM_VERSION from its Go module (a few minutes, once)"
  started=$(date +%s)
  gobin=$(mktemp -d "$BIN/.helm.XXXXXX")
  GOBIN="$gobin" GOFLAGS=-mod=mod go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" || die "could not build Helm $HELM_VERSION"
  mv "$gobin/helm" "$helm"; rmdir "$gobin"
  say "built Helm $HELM_VERSION in $(( $(date +%s) - started ))s"
fi

# The checker is rebuilt when its sources change: its name carries their hash.
src="$ROOT/tools/k8scheck"
hash=$(cat "$src/go.mod" "$src/go.sum" "$src"/*.go | sha256sum | cut -c1-12)
check="$BIN/k8scheck-$hash"
if [ ! -x "$check" ]; then
  say "building tools/k8scheck"
  started=$(date +%s)
  tmp=$(mktemp "$BIN/.k8scheck.XXXXXX")
  (cd "$src" && go build -trimpath -ldflags "-s -w" -o "$tmp" .) || die "could not build tools/k8scheck"
  mv "$tmp" "$check"
  say "built tools/k8scheck in $(( $(date +%s) - started ))s"
fi

dapr=$(go mod download -json "github.com/dapr/dapr@v$DAPR_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[ -d "$dapr/charts/dapr/crds" ] || die "no charts/dapr/crds in github.com/dapr/dapr@v$DAPR_VERSION"
printf 'HELM=%s\nK8SCHECK=%s\nDAPR_CRDS=%s\n' "$helm" "$check" "$dapr/charts/dapr/crds"
