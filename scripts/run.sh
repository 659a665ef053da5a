#!/usr/bin/env bash
# Start the control plane, then the five services behind their sidecars, in the foreground.
# Ctrl+C stops the services and the control plane this started.
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

bash scripts/controlplane.sh start
trap 'bash scripts/controlplane.sh stop' EXIT
# mTLS: each sidecar asks Sentry for its certificate, and trusts only Sentry's root.
DAPR_TRUST_ANCHORS="${DAPR_TRUST_ANCHORS:-$(cat "${PIZZA_DATA_DIR:-$ROOT/.data}/certs/ca.crt")}"
export DAPR_TRUST_ANCHORS
if command -v dapr >/dev/null 2>&1; then
  dapr run -f .
else
  python scripts/multirun.py run -f dapr.yaml
fi
