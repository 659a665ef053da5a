#!/usr/bin/env bash
# Install what the suite needs, each step skipped when already done:
# the Python environment (.venv), Redis, the pinned Dapr runtime, the .http client, and the
# tools that check the Kubernetes chart.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# 1. Python 3.11+ and the pinned packages, reinstalled only when a requirements file changes.
PY="${PYTHON:-python3}"
command -v "$PY" >/dev/null || die "no $PY: install Python 3.11 or newer"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "$PY is $("$PY" -V 2>&1): the suite needs Python 3.11 or newer"
want=$(cat requirements.txt requirements-dev.txt requirements-bench.txt constraints.txt pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat .venv/.pizza-deps 2>/dev/null)" != "$want" ]; then
  say "installing the Python packages into .venv"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -r requirements-dev.txt -r requirements-bench.txt -c constraints.txt
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
  echo "$want" > .venv/.pizza-deps
fi

# 2. Redis: Debian's redis-server, unless a Redis already answers on its port.
if ! command -v redis-server >/dev/null; then
  if redis-cli -h 127.0.0.1 -p "${PIZZA_REDIS_PORT:-6379}" ping >/dev/null 2>&1; then
    say "no redis-server installed; using the Redis that answers on 127.0.0.1:${PIZZA_REDIS_PORT:-6379}"
  elif command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    say "installing redis-server with apt-get"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; } >/dev/null \
      || die "apt-get could not install redis-server: install Redis 7 yourself and start it on 127.0.0.1:6379"
  else
    die "redis-server is missing and apt-get cannot run here (needs Debian/Ubuntu as root): install Redis 7"
  fi
fi

# 3. The pinned Dapr runtime, reused or built from the Go module proxy.
bash scripts/install-dapr.sh
# The pinned Zipkin server that receives the traces (without Java: the suite runs without traces).
bash scripts/setup-zipkin.sh

# 4. The .http client that runs Endpoints.http in the tests (pinned by tools/http/package-lock.json).
if [ ! -x tools/http/node_modules/.bin/httpyac ]; then
  if command -v npm >/dev/null; then
    say "installing httpyac"
    (cd tools/http && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in tools/http"
  else
    say "no npm: the test that runs Endpoints.http will be skipped"
  fi
fi
# 5. Chromium from the system's packages, for the browser tests (no browser download).
bash scripts/setup-browser.sh

# 6. Helm and the schema checker for the Kubernetes chart's tests (built with Go, once; without Go, skipped).
bash scripts/setup-k8s-tools.sh >/dev/null

# 7. The suite's API tokens (run.sh loads them; Endpoints.http reads them through .env).
bash scripts/tokens.sh >/dev/null
say "ready"
