#!/usr/bin/env bash
# Benchmark the suite: the Dapr workflow against plain service invocation (see `python -m bench -h`).
# Runs the bench, which starts
# the suite as scripts/run.sh does (PIZZA_TIME_SCALE=0), measures it, and stops it.
# Options go through: `bash scripts/bench.sh --orders 50`, or `PIZZA_BENCH_ARGS='--orders 50' make bench`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf 'bench: %s\n' "$*" >&2; }

# `make bench` runs `make setup` first, which installs requirements-bench.txt with the rest.
[ -x .venv/bin/python ] || { say "no .venv: run 'make setup' first"; exit 1; }

export PATH="$ROOT/.venv/bin:$PATH"
# shellcheck disable=SC2086  # PIZZA_BENCH_ARGS holds several options
exec .venv/bin/python -m bench ${PIZZA_BENCH_ARGS:-} "$@"
