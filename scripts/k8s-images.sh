#!/usr/bin/env bash
# The images the local cluster runs (scripts/k8s.sh imports them into every node; the pods never pull):
#   pizza.local/pause:1            the pods' sandbox: a static program that sleeps until stopped
#   pizza.local/coredns:1.12.1     CoreDNS, built by scripts/k8s-build.sh
#   pizza.local/redis:7.0.15       Debian's redis-server and the libraries it links
#   pizza.local/<name>:1.18.3      Dapr: daprd, sentry, placement, scheduler (the suite's own build,
#                                  scripts/install-dapr.sh), operator and injector (k8s-build.sh)
#   pizza.local/pizza:0.1.0        deploy/Dockerfile's image: Debian's Python 3.11, the pinned
#                                  requirements, the project; made without Docker
# Each is a docker-archive tarball (what `ctr images import` reads), one layer, made from a folder
# here; each is rebuilt only when what it is made of changes. Prints the folder of tarballs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${PIZZA_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pizza/k8s}"
OUT="$CACHE/images"
DAPR_VERSION="${DAPR_RUNTIME_VERSION:-1.18.3}"
DAPR_BIN="${DAPR_RUNTIME_PATH:-$HOME}/.dapr/bin"
COREDNS_VERSION="v1.12.1"
PIZZA_TAG="0.1.0"
# Debian's Python 3.11 and what it links, with no package manager, shell or Perl in the image.
PYTHON_PACKAGES=(libc6 libgcc-s1 gcc-12-base libstdc++6 zlib1g libexpat1 libffi8 libssl3 libsqlite3-0 liblzma5
  libbz2-1.0 libncursesw6 libtinfo6 libreadline8 readline-common libuuid1 libdb5.3 libgdbm6 libnsl2 libtirpc3
  libtirpc-common libcrypt1 libgssapi-krb5-2 libkrb5-3 libk5crypto3 libkrb5support0 libkeyutils1 libcom-err2
  libzstd1 media-types netbase libpython3.11-minimal libpython3.11-stdlib python3.11-minimal python3-minimal)
NONROOT="65532:65532"  # Dapr's charts ask for runAsNonRoot: the user must be a number
say() { printf 'k8s-images: %s\n' "$*" >&2; }
die() { printf 'k8s-images: error: %s\n' "$*" >&2; exit 1; }
mkdir -p "$OUT"

# archive REF FOLDER CONFIG: a docker-archive of FOLDER as one layer; CONFIG is the image's
# "config" object (JSON: Entrypoint, Cmd, Env, User, WorkingDir).
archive() {
  local ref=$1 dir=$2 config=$3 tmp
  tmp=$(mktemp -d "$OUT/.build.XXXXXX")
  chmod 0755 "$dir"  # the image's / (a folder from mktemp is 0700: no other user could reach a file)
  tar --sort=name --mtime=@0 --numeric-owner -C "$dir" -cf "$tmp/layer.tar" .
  local diff; diff=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
  mkdir "$tmp/$diff"; mv "$tmp/layer.tar" "$tmp/$diff/layer.tar"
  printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$config" "$diff" > "$tmp/config.json"
  local cfg; cfg=$(sha256sum "$tmp/config.json" | cut -d' ' -f1)
  mv "$tmp/config.json" "$tmp/$cfg.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$cfg" "$ref" "$diff" > "$tmp/manifest.json"
  local name; name=$(echo "$ref" | tr '/:' '__')
  tar -C "$tmp" -cf "$OUT/.$name.tar" manifest.json "$cfg.json" "$diff"
  mv "$OUT/.$name.tar" "$OUT/$name.tar"
  rm -rf "$tmp"
  say "made $ref ($(du -m "$OUT/$name.tar" | cut -f1) MiB)"
}

fresh() { # name stamp: true when the tarball exists and was made from the same inputs
  [ -f "$OUT/$1.tar" ] && [ "$(cat "$OUT/$1.stamp" 2>/dev/null)" = "$2" ]
}
stamp() { echo "$2" > "$OUT/$1.stamp"; }

# One static binary (and an empty /tmp) as an image.
binary_image() { # ref binary path-in-image user
  local ref=$1 src=$2 path=$3 user=$4 name; name=$(echo "$ref" | tr '/:' '__')
  local sum; sum=$(sha256sum "$src" | cut -d' ' -f1)
  fresh "$name" "$sum" && return 0
  local dir; dir=$(mktemp -d)
  install -D -m 0755 "$src" "$dir$path"; install -d -m 1777 "$dir/tmp"
  archive "$ref" "$dir" "{\"Entrypoint\":[\"$path\"],\"User\":\"$user\"}"
  rm -rf "$dir"; stamp "$name" "$sum"
}

pause_image() {
  local src="$CACHE/src/pause" bin="$CACHE/bin/pause"
  mkdir -p "$src"
  cat > "$src/main.go" <<'GO'
// Command pause holds a pod's namespaces: it sleeps until it is told to stop.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
}
GO
  [ -f "$src/go.mod" ] || printf 'module pizza.local/pause\n\ngo 1.24\n' > "$src/go.mod"
  [ -x "$bin" ] || (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bin" .)
  binary_image pizza.local/pause:1 "$bin" /pause 65535:65535
}

redis_image() {
  local name=pizza.local_redis_7.0.15 server=/usr/bin/redis-server
  [ -x "$server" ] || die "no $server: apt-get install redis-server"
  "$server" --version | grep -q 'v=7.0.15' || die "Debian's redis-server is not 7.0.15: $($server --version)"
  local sum; sum=$(sha256sum "$server" | cut -d' ' -f1)
  fresh "$name" "$sum" && return 0
  local dir lib; dir=$(mktemp -d)
  install -D -m 0755 "$server" "$dir/usr/bin/redis-server"
  # 0755: the kernel runs the loader (ld-linux) only if it may execute it.
  for lib in $(ldd "$server" | grep -o '/[^ ]*'); do install -D -m 0755 "$(readlink -f "$lib")" "$dir$lib"; done
  install -d -m 1777 "$dir/tmp" "$dir/data"
  archive pizza.local/redis:7.0.15 "$dir" '{"Entrypoint":["/usr/bin/redis-server"],"User":"999:999","WorkingDir":"/data"}'
  rm -rf "$dir"; stamp "$name" "$sum"
}

pizza_image() {
  local name="pizza.local_pizza_$PIZZA_TAG"
  local sum; sum=$( (cd "$ROOT" && git ls-files -z requirements.txt constraints.txt pyproject.toml pizza_common pizza_run pizza_cli \
    pizza-order pizza-storefront pizza-kitchen pizza-delivery pizza-workflow | xargs -0 sha256sum; echo "${PYTHON_PACKAGES[*]}") | sha256sum | cut -c1-16)
  fresh "$name" "$sum" && return 0
  local py; py=$(command -v python3.11 || true)
  [ -n "$py" ] && "$py" -m pip --version >/dev/null 2>&1 || py=$(command -v python3)
  "$py" -c 'import sys; assert sys.version_info[:2] == (3, 11)' || die "pip of a Python 3.11 is needed to fill the image"
  local dir debs; dir=$(mktemp -d); debs=$(mktemp -d); chmod 755 "$debs"  # apt-get download writes as _apt
  say "Debian's Python 3.11: ${#PYTHON_PACKAGES[@]} packages"
  (cd "$debs" && apt-get download -qq "${PYTHON_PACKAGES[@]}") || die "apt-get download failed (apt-get update first?)"
  local deb; for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$dir"; done
  # Debian's usrmerge: /lib, /lib64 and /bin are links into /usr.
  local l; for l in lib lib64 bin sbin; do [ -e "$dir/$l" ] || ln -s "usr/$l" "$dir/$l"; done
  mkdir -p "$dir/etc" "$dir/app"; install -d -m 1777 "$dir/tmp"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\npizza:x:10001:10001:pizza:/tmp:/usr/sbin/nologin\n' > "$dir/etc/passwd"
  printf 'root:x:0:\npizza:x:10001:\n' > "$dir/etc/group"
  say "the pinned requirements and the project"
  local site="$dir/usr/local/lib/python3.11/dist-packages"
  "$py" -m pip install -q --no-compile --target "$site" -r "$ROOT/requirements.txt" -c "$ROOT/constraints.txt"
  local wheel; wheel=$(mktemp -d)
  "$py" -m pip wheel -q --no-deps -w "$wheel" "$ROOT"
  "$py" -m pip install -q --no-compile --no-deps --target "$site" "$wheel"/*.whl
  rm -rf "$wheel" "$site/bin"
  local svc; for svc in pizza-order pizza-storefront pizza-kitchen pizza-delivery pizza-workflow; do
    (cd "$ROOT" && git ls-files -z "$svc" | tar --null -T - -cf -) | tar -C "$dir/app" -xf -
  done
  archive "pizza.local/pizza:$PIZZA_TAG" "$dir" \
    '{"Cmd":["python3","pizza-order/app.py"],"User":"10001:10001","WorkingDir":"/app","Env":["PATH=/usr/local/bin:/usr/bin:/bin","PYTHONDONTWRITEBYTECODE=1","PYTHONUNBUFFERED=1"]}'
  rm -rf "$dir" "$debs"; stamp "$name" "$sum"
}

dapr_images() {
  local b src
  for b in daprd sentry placement scheduler; do
    src="$DAPR_BIN/$b"
    [ -x "$src" ] || die "no $src: make setup builds the Dapr runtime first"
    binary_image "pizza.local/$b:$DAPR_VERSION" "$src" "/$b" "$NONROOT"
  done
  for b in operator injector; do
    src="$CACHE/bin/$b-$DAPR_VERSION"
    [ -x "$src" ] || die "no $src: scripts/k8s-build.sh dapr builds it"
    binary_image "pizza.local/$b:$DAPR_VERSION" "$src" "/$b" "$NONROOT"
  done
}

"$ROOT/scripts/k8s-build.sh" coredns dapr >/dev/null
pause_image
binary_image "pizza.local/coredns:${COREDNS_VERSION#v}" "$CACHE/bin/coredns-$COREDNS_VERSION" /coredns 65532:65532
redis_image
dapr_images
pizza_image
echo "$OUT"
