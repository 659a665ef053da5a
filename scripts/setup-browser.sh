#!/usr/bin/env bash
# Install headless Chromium for the browser tests (tests/browser): Debian's package, no browser
# download. Skipped when it is there; without root or apt-get it says how, and the tests skip.
set -euo pipefail
say() { printf 'setup-browser: %s\n' "$*" >&2; }
CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  say "installing chromium with apt-get"
  if { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null; then
    exit 0
  fi
  say "apt-get could not install chromium: the browser tests will be skipped"
  exit 0
fi
say "no $CHROMIUM: the browser tests will be skipped; to run them, install Debian's chromium package"
say "  (as root: apt-get update && apt-get install -y chromium)"
exit 0
