#!/usr/bin/env bash
# Start, stop or show the suite's control plane, on 127.0.0.1 with its data under .data/.
# PIZZA_BIND_ADDRESS (default 127.0.0.1) is where Redis, Sentry, placement and scheduler listen for
# sidecars on other hosts (docs/running.md#several-hosts); health checks, etcd and Zipkin stay on loopback.
#   start [locked]  for `make run` (dapr.locked.yaml): Redis, Dapr Sentry (the certificate authority
#                   behind mTLS), and placement and scheduler that accept only Sentry's certificates.
#   start dev       for `dapr run -f .` (dapr.yaml) without Docker: Redis, placement and scheduler
#                   without mTLS on their default ports, as `dapr init` runs them; no Sentry.
#   env             print the locked profile's environment for a shell: eval "$(bash scripts/controlplane.sh env)"
# Both profiles also start Zipkin (in memory, on loopback), where the sidecars and apps send their spans,
# unless PIZZA_TRACING=off. A Redis or a Zipkin already answering on its port (say, a user's `dapr init`)
# is used as it is; so are placement and scheduler in the dev profile. The locked profile needs its own,
# and says so if the ports are taken.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${PIZZA_DATA_DIR:-$ROOT/.data}"
RUN="$DATA/run"; LOGS="$DATA/logs"
DAPR_BIN="${DAPR_RUNTIME_PATH:-$HOME}/.dapr/bin"
REDIS_PORT="${PIZZA_REDIS_PORT:-6379}"
SENTRY_PORT=50001  # where the Dapr CLI looks for Sentry when a configuration enables mTLS
PLACEMENT_PORT=50005
SCHEDULER_PORT=50006
ZIPKIN_PORT=9411  # the address the Dapr configurations send spans to (config/*.yaml)
ZIPKIN_JAR="$ROOT/.cache/zipkin/zipkin-server-3.5.1-exec.jar"  # fetched by scripts/setup-zipkin.sh
CERTS="$DATA/certs"  # Sentry's root and issuer, made on its first start; ca.crt is the trust anchor
# Placement and scheduler get their certificates from Sentry and accept only sidecars that have one.
BIND="${PIZZA_BIND_ADDRESS:-127.0.0.1}"
TLS_FLAGS=(--tls-enabled --trust-anchors-file "$CERTS/ca.crt" --sentry-address "$BIND:$SENTRY_PORT")
export DAPR_HOST_IP="$BIND"
REDIS_BIND=(127.0.0.1); [ "$BIND" = 127.0.0.1 ] || REDIS_BIND+=("$BIND")  # redis-cli checks on loopback
# Placement's and scheduler's metrics listen where the service does, whatever --metrics-listen-address
# says: off the loopback they are switched off, as no one reads them.
METRICS=(); [ "$BIND" = 127.0.0.1 ] || METRICS=(--enable-metrics=false)

say() { printf 'controlplane: %s\n' "$*" >&2; }
die() { printf 'controlplane: error: %s\n' "$*" >&2; exit 1; }

port_owner() { # name of the process listening on 127.0.0.1:$1, or nothing
  ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'users:(("[^"]*"' | head -n1 | cut -d'"' -f2 || true
}

# A zombie has stopped: its parent (init, as each was started detached) only has not reaped it yet.
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
running() { [ -f "$RUN/$1.pid" ] && alive "$(cat "$RUN/$1.pid")"; }

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
  if [ "$PROFILE" = locked ] && [ "$name" != redis ] && { [ "$owner" = "$name" ] || [ "$owner" = docker-proxy ]; }; then
    die "port $port holds a $name that is not this suite's (a 'dapr init' container, without mTLS?): the locked-down 'make run' needs its own. Stop it ('docker stop dapr_placement dapr_scheduler'), or run the development profile against it: 'dapr run -f .'"
  fi
  die "port $port, needed by $name, is taken by process '$owner'; stop it or free the port"
}

redis_answers() { # PONG, with the password if one is set: not an error such as NOAUTH or LOADING
  [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
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
  local was; was=$(cat "$RUN/profile" 2>/dev/null || true)
  if [ -n "$was" ] && [ "$was" != "$PROFILE" ] && { running placement || running scheduler; }; then
    die "this suite's control plane runs in the $was profile, not $PROFILE: stop it first (make stop)"
  fi
  echo "$PROFILE" > "$RUN/profile"
  launch_zipkin  # first, as the JVM is the slowest to answer; waited for last
  # Locked: Redis requires the suite's password, kept in a config file of mode 600 (not on a command
  # line any local user can read). Development: none, as a `dapr init` Redis.
  local conf="$DATA/redis/redis.conf"
  ( umask 077; : > "$conf" )
  if [ "$PROFILE" = locked ] && [ -n "${PIZZA_REDIS_PASSWORD:-}" ]; then
    printf 'requirepass %s\n' "$PIZZA_REDIS_PASSWORD" > "$conf"
    export REDISCLI_AUTH="$PIZZA_REDIS_PASSWORD"
  else
    unset REDISCLI_AUTH
  fi
  if claim redis "$REDIS_PORT" redis-server redis-check-rdb docker-proxy; then
    launch redis redis-server "$conf" --bind "${REDIS_BIND[@]}" --port "$REDIS_PORT" --dir "$DATA/redis" \
      --appendonly yes --appendfsync everysec --save "" --daemonize no --protected-mode yes
  elif ! redis_answers && redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>&1 | grep -qE 'NOAUTH|WRONGPASS|without any password'; then
    die "the Redis on 127.0.0.1:$REDIS_PORT does not take this suite's password (another profile's, or not this suite's): the locked profile needs its own; stop it (make stop, or your Redis service), or run the development profile: 'dapr run -f .'"
  fi
  wait_for redis 20 redis_answers
  if [ "$PROFILE" = dev ]; then
    start_placement_and_scheduler
    wait_zipkin
    say "ready (dev: no mTLS, as 'dapr init'): redis 127.0.0.1:$REDIS_PORT, placement 127.0.0.1:$PLACEMENT_PORT, scheduler 127.0.0.1:$SCHEDULER_PORT, $ZIPKIN"
    return
  fi
  if claim sentry "$SENTRY_PORT" sentry docker-proxy; then
    launch sentry "$DAPR_BIN/sentry" --port "$SENTRY_PORT" --listen-address "$BIND" \
      --issuer-credentials "$CERTS" --config "$ROOT/config/sentry-config.yaml" \
      --healthz-port 58082 --healthz-listen-address 127.0.0.1 \
      --enable-metrics=false  # its metrics server ignores --metrics-listen-address: off, as no one reads it
    wait_for sentry 30 curl -fsS http://127.0.0.1:58082/healthz
  fi
  [ -s "$CERTS/ca.crt" ] || die "Sentry wrote no trust anchor to $CERTS/ca.crt; see $LOGS/sentry.log"
  start_placement_and_scheduler
  wait_zipkin
  say "ready (locked: mTLS with Sentry): redis $BIND:$REDIS_PORT, sentry $BIND:$SENTRY_PORT, placement $BIND:$PLACEMENT_PORT, scheduler $BIND:$SCHEDULER_PORT, $ZIPKIN"
}

zipkin_up() { curl -fsS "http://127.0.0.1:$ZIPKIN_PORT/health"; }

# Zipkin is optional: without it, or with tracing off, the suite runs the same and its spans go nowhere.
# ZIPKIN is what the ready line says of it.
launch_zipkin() {
  ZIPKIN="zipkin 127.0.0.1:$ZIPKIN_PORT"
  if [ "${PIZZA_TRACING:-on}" = off ]; then ZIPKIN="no zipkin (PIZZA_TRACING=off)"; return; fi
  running zipkin && { say "zipkin already running (pid $(cat "$RUN/zipkin.pid"))"; return; }
  if zipkin_up >/dev/null 2>&1; then
    say "using the Zipkin already answering on 127.0.0.1:$ZIPKIN_PORT (a 'dapr init' one?)"; return
  fi
  local owner; owner=$(port_owner "$ZIPKIN_PORT")
  if [ -n "$owner" ]; then ZIPKIN="no zipkin (port $ZIPKIN_PORT taken by '$owner')"; return; fi
  if ! command -v java >/dev/null || [ ! -f "$ZIPKIN_JAR" ]; then
    ZIPKIN="no zipkin (no java or no $ZIPKIN_JAR: 'make setup' fetches it)"; return
  fi
  # In-memory storage, bounded by the heap; Armeria's own port list, as --server.address binds every interface.
  launch zipkin java -Xmx256m -jar "$ZIPKIN_JAR" "--armeria.ports[0].ip=127.0.0.1" \
    "--armeria.ports[0].port=$ZIPKIN_PORT" "--armeria.ports[0].protocols[0]=http"
}

wait_zipkin() { [ -f "$RUN/zipkin.pid" ] && wait_for zipkin 60 zipkin_up; return 0; }

# Placement and scheduler: in the locked profile with TLS, and only this suite's own; in the dev
# profile as `dapr init` runs them (no TLS, default ports), reusing a `dapr init` pair already there.
start_placement_and_scheduler() {
  local tls=() reuse_p=() reuse_s=() broadcast="$BIND:$SCHEDULER_PORT"
  if [ "$PROFILE" = locked ]; then
    tls=("${TLS_FLAGS[@]}")
  else
    reuse_p=(placement docker-proxy); reuse_s=(scheduler docker-proxy); broadcast="localhost:$SCHEDULER_PORT"
  fi
  if claim placement "$PLACEMENT_PORT" "${reuse_p[@]}"; then
    launch placement "$DAPR_BIN/placement" --port "$PLACEMENT_PORT" --listen-address "$BIND" "${tls[@]}" \
      --healthz-port 58080 --healthz-listen-address 127.0.0.1 \
      --metrics-port 59090 --metrics-listen-address 127.0.0.1 "${METRICS[@]}"
    wait_for placement 30 curl -fsS http://127.0.0.1:58080/healthz
  fi
  if claim scheduler "$SCHEDULER_PORT" "${reuse_s[@]}"; then
    launch scheduler "$DAPR_BIN/scheduler" --port "$SCHEDULER_PORT" --listen-address "$BIND" "${tls[@]}" \
      --healthz-port 58081 --healthz-listen-address 127.0.0.1 \
      --metrics-port 59091 --metrics-listen-address 127.0.0.1 "${METRICS[@]}" \
      --etcd-data-dir "$DATA/scheduler" --etcd-client-port 52379 --etcd-client-listen-address 127.0.0.1 \
      --etcd-initial-cluster "dapr-scheduler-server-0=http://127.0.0.1:52380" \
      --override-broadcast-host-port "$broadcast"
    wait_for scheduler 60 curl -fsS http://127.0.0.1:58081/healthz
  fi
}

# The locked profile's environment, for a shell that runs `dapr run -f dapr.locked.yaml` itself.
print_env() {
  local file; file=$(bash "$ROOT/scripts/tokens.sh")
  sed 's/^\([A-Z_]*\)=\(.*\)$/export \1=\2/' "$file"
  [ -s "$CERTS/ca.crt" ] || die "no trust anchor yet in $CERTS/ca.crt: run 'bash scripts/controlplane.sh start' first"
  printf "export DAPR_TRUST_ANCHORS='%s'\n" "$(cat "$CERTS/ca.crt")"
}

stop_one() {
  local name=$1 pid
  # Read once: a second `stop` (make stop beside make run's own) may remove the file meanwhile.
  pid=$(cat "$RUN/$name.pid" 2>/dev/null) || return 0
  alive "$pid" || { rm -f "$RUN/$name.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.05; done
  alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$RUN/$name.pid"
  say "stopped $name"
}

stop() { for n in zipkin scheduler placement sentry redis; do stop_one "$n"; done; rm -f "$RUN/profile"; }

status() {
  for n in redis sentry placement scheduler zipkin; do
    if running "$n"; then echo "$n: running (pid $(cat "$RUN/$n.pid"))"; else echo "$n: not started by this project"; fi
  done
}

PROFILE=locked
case "${1:-}" in
  start)
    PROFILE="${2:-locked}"
    case "$PROFILE" in locked|dev) ;; *) die "usage: $0 start [locked|dev]" ;; esac
    start ;;
  env) print_env ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start [locked|dev] | stop | status | env" ;;
esac
