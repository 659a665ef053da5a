#!/usr/bin/env bash
# Make the suite's two secrets once, under the data folder (mode 600, out of git), and print the
# file's path. DAPR_API_TOKEN: every sidecar requires it from its app (header dapr-api-token).
# APP_API_TOKEN: every sidecar sends it to its app, whose routes for Dapr only require it.
# scripts/run.sh loads the file; Endpoints.http reads it through the `.env` link made here.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${PIZZA_DATA_DIR:-$ROOT/.data}"
FILE="$DATA/tokens.env"

new_token() { head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '='; }

if [ ! -s "$FILE" ]; then
  mkdir -p "$DATA"
  tmp=$(mktemp "$DATA/.tokens.XXXXXX") # mktemp makes it mode 600
  printf 'DAPR_API_TOKEN=%s\nAPP_API_TOKEN=%s\n' "$(new_token)" "$(new_token)" > "$tmp"
  # A hard link does not replace: of two runs starting at once, both end up with the first's file.
  ln "$tmp" "$FILE" 2>/dev/null || true
  rm -f "$tmp"
fi
# VS Code's REST Client reads `{{$dotenv NAME}}` from a .env beside Endpoints.http; a link, so that
# the secrets stay in the data folder (and git would only ever see the link).
if [ "$DATA" = "$ROOT/.data" ] && [ ! -e "$ROOT/.env" ] && [ ! -L "$ROOT/.env" ]; then
  ln -s .data/tokens.env "$ROOT/.env"
fi
echo "$FILE"
