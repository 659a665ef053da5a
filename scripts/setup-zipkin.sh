#!/usr/bin/env bash
# Fetch the pinned Zipkin server into the project's cache (.cache/zipkin), checking its checksum, for
# scripts/controlplane.sh to start. Skipped when it is there; without Java or Maven it says so in one
# line and the suite runs without traces.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION=3.5.1
SHA256=7ac633a6832647e71e50012a5e3e91fbc7054414955261724526030faf271d8d
JAR="$ROOT/.cache/zipkin/zipkin-server-$VERSION-exec.jar"
M2_REPO="${MAVEN_REPO:-$HOME/.m2/repository}"  # passed to mvn, so that it fetches where this looks
M2_JAR="$M2_REPO/io/zipkin/zipkin-server/$VERSION/zipkin-server-$VERSION-exec.jar"
say() { printf 'setup-zipkin: %s\n' "$*" >&2; }

checked() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$SHA256" ]; }

checked "$JAR" && exit 0
command -v java >/dev/null || { say "no java: the suite runs without traces (install a Java 17+ runtime for Zipkin)"; exit 0; }
if ! checked "$M2_JAR"; then
  command -v mvn >/dev/null || { say "no mvn to fetch Zipkin $VERSION: the suite runs without traces"; exit 0; }
  say "fetching Zipkin $VERSION with mvn"
  mvn -q -B dependency:get "-Dartifact=io.zipkin:zipkin-server:$VERSION:jar:exec" -Dtransitive=false \
    "-Dmaven.repo.local=$M2_REPO" >&2 \
    || { say "mvn could not fetch Zipkin $VERSION: the suite runs without traces"; exit 0; }
fi
checked "$M2_JAR" || { say "error: $M2_JAR does not have the pinned sha256 $SHA256: delete it and run 'make setup' again"; exit 1; }
mkdir -p "$(dirname "$JAR")"
cp "$M2_JAR" "$JAR.part" && mv "$JAR.part" "$JAR"
