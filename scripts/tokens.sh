#!/usr/bin/env bash
# Make the suite's secrets once, under the data folder (mode 600, out of git), and print the
# file's path. DAPR_API_TOKEN: every sidecar requires it from its app (header dapr-api-token).
# APP_API_TOKEN: every sidecar sends it to its app, whose routes for Dapr only require it.
# PIZZA_STAFF_TOKEN: the kitchen's, the manager's and the operators' credential (X-Staff-Token,
# or the sign-in link run.sh prints). PIZZA_SECRET_KEY: signs staff sessions and order tokens.
# PIZZA_REDIS_PASSWORD: the locked profile's Redis requires it (controlplane.sh), and the sidecars
# send it (the components' envRef).
# scripts/run.sh loads the file; Endpoints.http reads it through the `.env` link made here.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${PIZZA_DATA_DIR:-$ROOT/.data}"
FILE="$DATA/tokens.env"
NAMES="DAPR_API_TOKEN APP_API_TOKEN PIZZA_STAFF_TOKEN PIZZA_SECRET_KEY PIZZA_REDIS_PASSWORD"

new_token() { head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '='; }

if [ ! -s "$FILE" ]; then
  mkdir -p "$DATA"
  tmp=$(mktemp "$DATA/.tokens.XXXXXX") # mktemp makes it mode 600
  for name in $NAMES; do printf '%s=%s\n' "$name" "$(new_token)"; done > "$tmp"
  # A hard link does not replace: of two runs starting at once, both end up with the first's file.
  ln "$tmp" "$FILE" 2>/dev/null || true
  rm -f "$tmp"
fi
# A file made before a secret was added gets the new ones, once.
for name in $NAMES; do
  grep -q "^$name=" "$FILE" || printf '%s=%s\n' "$name" "$(new_token)" >> "$FILE"
done
# VS Code's REST Client reads `{{$dotenv NAME}}` from a .env beside Endpoints.http; a link, so that
# the secrets stay in the data folder (and git would only ever see the link).
if [ "$DATA" = "$ROOT/.data" ] && [ ! -e "$ROOT/.env" ] && [ ! -L "$ROOT/.env" ]; then
  ln -s .data/tokens.env "$ROOT/.env"
fi
echo "$FILE"
