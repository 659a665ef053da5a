#!/usr/bin/env bash
# Install the pinned Dapr runtime (daprd, placement, scheduler, sentry) and CLI into the
# self-hosted layout, reusing an installation at the pinned version or building
# it from the Go module proxy. Idempotent: a second run takes seconds.
set -euo pipefail

RUNTIME_VERSION="${DAPR_RUNTIME_VERSION:-1.18.3}"
CLI_VERSION="${DAPR_CLI_VERSION:-1.18.0}"
TAGS="${DAPR_BUILD_TAGS:-stablecomponents}"
DAPR_HOME="${DAPR_RUNTIME_PATH:-$HOME}/.dapr"
BIN="$DAPR_HOME/bin"
STAMP="$BIN/.pizza-build-$RUNTIME_VERSION-$CLI_VERSION-$TAGS"
CLI_LINK_DIR="${PIZZA_BIN_DIR:-/usr/local/bin}"

log() { printf 'install-dapr: %s\n' "$*" >&2; }
die() { printf 'install-dapr: error: %s\n' "$*" >&2; exit 1; }

version_of() { # print the version a binary reports, or nothing
  "$1" --version 2>/dev/null | grep -Eo '[0-9]+\.[0-9]+\.[0-9]+' | head -n1 || true
}

have_pinned() {
  for b in daprd placement scheduler sentry; do [ -x "$BIN/$b" ] || return 1; done
  # Only daprd reports its version; the control plane comes from the same installation.
  [ "$(version_of "$BIN/daprd")" = "$RUNTIME_VERSION" ] || return 1
  [ -f "$STAMP" ] && return 0  # built here: with the CLI if the proxy served it
  local cli; cli=$(command -v dapr || true)
  [ -n "$cli" ] && "$cli" version 2>/dev/null | grep -q "CLI version: $CLI_VERSION"
}

link_cli() {
  [ -x "$BIN/dapr" ] || return 0
  if [ -w "$CLI_LINK_DIR" ]; then
    ln -sf "$BIN/dapr" "$CLI_LINK_DIR/dapr"
  else
    log "add $BIN to PATH to use the dapr CLI"
  fi
}

write_config() {
  [ -f "$DAPR_HOME/config.yaml" ] && return 0
  cat > "$DAPR_HOME/config.yaml" <<'YAML'
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: daprConfig
spec: {}
YAML
}

if have_pinned; then
  log "Dapr runtime $RUNTIME_VERSION already installed in $DAPR_HOME ($(command -v dapr >/dev/null && echo "with" || echo "without") the dapr CLI)"
  mkdir -p "$DAPR_HOME"; write_config; link_cli
  exit 0
fi

command -v go >/dev/null 2>&1 \
  || die "no Dapr $RUNTIME_VERSION in $DAPR_HOME and no Go toolchain to build it: install Go 1.26+ or run 'dapr init --slim' with CLI $CLI_VERSION"

export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
mkdir -p "$BIN"
started=$(date +%s)

log "fetching github.com/dapr/dapr@v$RUNTIME_VERSION from the Go module proxy"
src=$(go mod download -json "github.com/dapr/dapr@v$RUNTIME_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[ -d "$src" ] || die "go mod download gave no module directory for dapr v$RUNTIME_VERSION"

# The module cache is read-only and go.mod has replace directives, so build in a copy.
work="${PIZZA_BUILD_DIR:-$DAPR_HOME/build}/dapr-$RUNTIME_VERSION"
rm -rf "$work"; mkdir -p "$(dirname "$work")"
cp -r "$src" "$work"; chmod -R u+w "$work"

available() { go mod download -json "$1" 2>/dev/null | grep -q '"Zip"'; }

# Fallbacks for module versions the proxy refuses (each is said, never silent):
# - durabletask-go: the newest 0.12.x patch the proxy serves, at or after Dapr 1.18.0's.
dt_want=$(awk '$1 == "github.com/dapr/durabletask-go" {print $2; exit}' "$work/go.mod")
if ! available "github.com/dapr/durabletask-go@$dt_want"; then
  dt_use=""
  for v in ${DAPR_DURABLETASK_FALLBACKS:-v0.12.3 v0.12.2 v0.12.1}; do
    if available "github.com/dapr/durabletask-go@$v"; then dt_use=$v; break; fi
  done
  [ -n "$dt_use" ] || die "the Go module proxy serves neither durabletask-go $dt_want nor a fallback"
  log "the module proxy refuses durabletask-go $dt_want: building with $dt_use instead"
  (cd "$work" && go mod edit -replace "github.com/dapr/durabletask-go=github.com/dapr/durabletask-go@$dt_use")
fi
# - pulsar: its pub/sub registers through forks the proxy may refuse; the suite uses Redis.
if ! available "github.com/iskorotkov/avro/v2@$(awk '$1 == "github.com/iskorotkov/avro/v2" {print $2; exit}' "$work/go.mod")"; then
  log "the module proxy refuses the pulsar forks: building daprd without the pulsar pub/sub"
  rm -f "$work/cmd/daprd/components/pubsub_pulsar.go"
fi

ldflags="-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$RUNTIME_VERSION -X github.com/dapr/kit/logger.DaprVersion=$RUNTIME_VERSION"
for b in placement scheduler sentry daprd; do
  tags=""; [ "$b" = daprd ] && tags="$TAGS"
  log "building $b (tags: ${tags:-none})"
  (cd "$work" && go build -mod=mod -trimpath -tags "$tags" -ldflags "$ldflags" -o "$BIN/$b" "./cmd/$b")
done

if available "github.com/dapr/cli@v$CLI_VERSION"; then
  log "building the dapr CLI v$CLI_VERSION"
  gobin=$(mktemp -d)
  GOBIN="$gobin" go install -trimpath \
    -ldflags "-s -w -X main.version=$CLI_VERSION -X main.apiVersion=1.0" "github.com/dapr/cli@v$CLI_VERSION"
  mv "$gobin/cli" "$BIN/dapr"; rmdir "$gobin"
else
  log "the module proxy refuses github.com/dapr/cli@v$CLI_VERSION: no dapr CLI; make run uses its stand-in, python -m pizza_run"
fi

write_config; link_cli
rm -f "$BIN"/.pizza-build-*; touch "$STAMP"
cli_note="and CLI $CLI_VERSION"; [ -x "$BIN/dapr" ] || cli_note="without the CLI"
log "built Dapr $RUNTIME_VERSION ($TAGS) $cli_note in $(( $(date +%s) - started ))s"
