#!/usr/bin/env bash
# `make run`: start the locked-down control plane, then the five services behind their sidecars
# (dapr.locked.yaml) with the Dapr CLI, or with its stand-in (python -m pizza_run) where the CLI is
# missing. Ctrl+C stops the services and the control plane this started.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/.venv/bin:$PATH" DAPR_HOST_IP=127.0.0.1
export PIZZA_TIME_SCALE="${PIZZA_TIME_SCALE:-1}"

# Locked down: every sidecar requires DAPR_API_TOKEN from its app and sends APP_API_TOKEN to it,
# which the apps require on their routes for Dapr only. Tokens already in the environment win.
while IFS='=' read -r name value; do
  [ -n "${!name:-}" ] || export "$name=$value"
done < "$(bash scripts/tokens.sh)"

trap 'bash scripts/controlplane.sh stop' EXIT  # set first: a start that fails half-way is undone too
bash scripts/controlplane.sh start locked
# Without a Zipkin (no Java, say) the apps record nothing rather than fail to send every span.
curl -fsS http://127.0.0.1:9411/health >/dev/null 2>&1 || export PIZZA_TRACING=off
# mTLS: each sidecar asks Sentry for its certificate, and trusts only Sentry's root.
DAPR_TRUST_ANCHORS="${DAPR_TRUST_ANCHORS:-$(cat "${PIZZA_DATA_DIR:-$ROOT/.data}/certs/ca.crt")}"
export DAPR_TRUST_ANCHORS

# A one-time link (an hour, one browser): `pizza staff-link` prints another for the next browser.
echo "run: staff sign in (kitchen, manager, operators), once: $(pizza staff-link)" >&2

echo "run: the sidecars' Prometheus metrics: $(python -m pizza_run metrics -f dapr.locked.yaml)" >&2
if [ -n "${PIZZA_REPLICAS:-}" ]; then
  # The CLI runs two entries with one appID, but logs them to one folder, told apart by the second they
  # started in, and prints both under one name: the stand-in gives each replica its folder and its name.
  echo "run: PIZZA_REPLICAS=$PIZZA_REPLICAS: the stand-in, python -m pizza_run run -f dapr.locked.yaml" >&2
  python -m pizza_run run -f dapr.locked.yaml &
elif command -v dapr >/dev/null 2>&1; then
  echo "run: the Dapr CLI ($(command -v dapr)): dapr run -f dapr.locked.yaml" >&2
  dapr run -f dapr.locked.yaml &
else
  echo "run: no Dapr CLI on PATH: its stand-in, python -m pizza_run run -f dapr.locked.yaml" >&2
  python -m pizza_run run -f dapr.locked.yaml &
fi
runner=$!
# Both lead a process group of their own (as `dapr run` does), so the terminal's Ctrl+C reaches only
# this script: pass it on, and wait until the runner has stopped every app and sidecar.
trap 'kill -INT "$runner" 2>/dev/null || true' INT TERM
while kill -0 "$runner" 2>/dev/null; do
  wait "$runner" || true
done
