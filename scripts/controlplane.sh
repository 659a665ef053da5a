#!/usr/bin/env bash
# Start, stop or show the suite's control plane: Redis, Dapr Sentry (the certificate authority
# behind mTLS), Dapr placement and Dapr scheduler, all on 127.0.0.1 with their data under .data/.
# A service of the same kind already answering on its port (say, a user's `dapr init`) is used
# as it is; placement and scheduler must then speak TLS with this Sentry's certificates.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${PIZZA_DATA_DIR:-$ROOT/.data}"
RUN="$DATA/run"; LOGS="$DATA/logs"
DAPR_BIN="${DAPR_RUNTIME_PATH:-$HOME}/.dapr/bin"
REDIS_PORT="${PIZZA_REDIS_PORT:-6379}"
SENTRY_PORT=50001  # where the Dapr CLI looks for Sentry when a configuration enables mTLS
PLACEMENT_PORT=50005
SCHEDULER_PORT=50006
CERTS="$DATA/certs"  # Sentry's root and issuer, made on its first start; ca.crt is the trust anchor
# Placement and scheduler get their certificates from Sentry and accept only sidecars that have one.
TLS_FLAGS=(--tls-enabled --trust-anchors-file "$CERTS/ca.crt" --sentry-address "127.0.0.1:$SENTRY_PORT")
export DAPR_HOST_IP=127.0.0.1

say() { printf 'controlplane: %s\n' "$*" >&2; }
die() { printf 'controlplane: error: %s\n' "$*" >&2; exit 1; }

port_owner() { # name of the process listening on 127.0.0.1:$1, or nothing
  ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'users:(("[^"]*"' | head -n1 | cut -d'"' -f2 || true
}

running() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

wait_for() { # wait_for NAME SECONDS CMD...: poll CMD until it succeeds or the deadline passes
  local name=$1 deadline=$(( $(date +%s) + $2 )); shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      die "$name did not become healthy within the deadline; see $LOGS/$name.log"
    fi
    if [ -f "$RUN/$name.pid" ] && ! running "$name"; then
      die "$name exited at start; last lines of $LOGS/$name.log: $(tail -n 3 "$LOGS/$name.log" | tr '\n' ' ')"
    fi
    sleep 0.2
  done
}

# claim NAME PORT KIND...: 0 if we should start NAME, 1 if one of KIND already serves the port.
claim() {
  local name=$1 port=$2; shift 2
  running "$name" && { say "$name already running (pid $(cat "$RUN/$name.pid"))"; return 1; }
  local owner; owner=$(port_owner "$port")
  [ -z "$owner" ] && return 0
  for kind in "$@"; do
    if [ "$owner" = "$kind" ]; then say "using the $name already listening on 127.0.0.1:$port ($owner)"; return 1; fi
  done
  die "port $port, needed by $name, is taken by process '$owner'; stop it or free the port"
}

launch() { # launch NAME CMD...: run in the background, detached, logging to $LOGS/NAME.log
  local name=$1; shift
  setsid "$@" >"$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
}

start() {
  mkdir -p "$RUN" "$LOGS" "$DATA/redis" "$DATA/scheduler" "$CERTS"
  chmod 700 "$CERTS"
  command -v redis-server >/dev/null || die "redis-server is not installed: run 'make setup' (Debian/Ubuntu) or start a Redis on 127.0.0.1:$REDIS_PORT"
  for b in sentry placement scheduler; do
    [ -x "$DAPR_BIN/$b" ] || die "$DAPR_BIN/$b is missing: run 'make setup' first"
  done
  if claim redis "$REDIS_PORT" redis-server redis-check-rdb docker-proxy; then
    launch redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DATA/redis" \
      --appendonly yes --appendfsync everysec --save "" --daemonize no --protected-mode yes
  fi
  wait_for redis 20 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping
  if claim sentry "$SENTRY_PORT" sentry docker-proxy; then
    launch sentry "$DAPR_BIN/sentry" --port "$SENTRY_PORT" --listen-address 127.0.0.1 \
      --issuer-credentials "$CERTS" --config "$ROOT/config/sentry-config.yaml" \
      --healthz-port 58082 --healthz-listen-address 127.0.0.1 \
      --enable-metrics=false  # its metrics server ignores --metrics-listen-address: off, as no one reads it
    wait_for sentry 30 curl -fsS http://127.0.0.1:58082/healthz
  fi
  [ -s "$CERTS/ca.crt" ] || die "Sentry wrote no trust anchor to $CERTS/ca.crt; see $LOGS/sentry.log"
  if claim placement "$PLACEMENT_PORT" placement docker-proxy; then
    launch placement "$DAPR_BIN/placement" --port "$PLACEMENT_PORT" --listen-address 127.0.0.1 "${TLS_FLAGS[@]}" \
      --healthz-port 58080 --healthz-listen-address 127.0.0.1 \
      --metrics-port 59090 --metrics-listen-address 127.0.0.1
    wait_for placement 30 curl -fsS http://127.0.0.1:58080/healthz
  fi
  if claim scheduler "$SCHEDULER_PORT" scheduler docker-proxy; then
    launch scheduler "$DAPR_BIN/scheduler" --port "$SCHEDULER_PORT" --listen-address 127.0.0.1 "${TLS_FLAGS[@]}" \
      --healthz-port 58081 --healthz-listen-address 127.0.0.1 \
      --metrics-port 59091 --metrics-listen-address 127.0.0.1 \
      --etcd-data-dir "$DATA/scheduler" --etcd-client-port 52379 --etcd-client-listen-address 127.0.0.1 \
      --etcd-initial-cluster "dapr-scheduler-server-0=http://127.0.0.1:52380" \
      --override-broadcast-host-port "127.0.0.1:$SCHEDULER_PORT"
    wait_for scheduler 60 curl -fsS http://127.0.0.1:58081/healthz
  fi
  say "ready: redis 127.0.0.1:$REDIS_PORT, sentry 127.0.0.1:$SENTRY_PORT, placement 127.0.0.1:$PLACEMENT_PORT, scheduler 127.0.0.1:$SCHEDULER_PORT"
}

stop_one() {
  local name=$1 pid
  running "$name" || { rm -f "$RUN/$name.pid"; return 0; }
  pid=$(cat "$RUN/$name.pid")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$RUN/$name.pid"
  say "stopped $name"
}

stop() { for n in scheduler placement sentry redis; do stop_one "$n"; done; }

status() {
  for n in redis sentry placement scheduler; do
    if running "$n"; then echo "$n: running (pid $(cat "$RUN/$n.pid"))"; else echo "$n: not started by this project"; fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
