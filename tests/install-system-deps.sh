#!/bin/sh
# System packages the test suite needs: Chromium for the phone-viewport browser
# tests, socat for a real serial (pty) pair. Installed only when missing.
set -eu
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v socat >/dev/null 2>&1 || missing="$missing socat"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "tests: missing$missing; install them (apt-get install$missing) or the tests that need them are skipped" >&2
    exit 0
fi
echo "tests: installing$missing" >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
