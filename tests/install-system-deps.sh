#!/bin/sh
# System packages the test suite needs: Chromium for the phone-viewport browser
# tests, socat for a real serial (pty) pair, nftables and systemd to check the
# image's firewall rules and units, openssh-client for host keys, faketime to run a
# command at another time of day (the night patrol at 01:30), a CUPS server of
# the tests' own with the Generic PDF driver (cups-daemon, cups-client,
# cups-ipp-utils, cups-filters), poppler-utils to read the A4 PDFs back, and
# nginx-light and openssl for HTTPS through a real nginx with a test CA, and
# valgrind to count a page's instructions in the server (bench.instructions).
# Installed only when missing.
set -eu
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v socat >/dev/null 2>&1 || missing="$missing socat"
command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || missing="$missing nftables"
command -v systemd-analyze >/dev/null 2>&1 || missing="$missing systemd"
command -v ssh-keygen >/dev/null 2>&1 || missing="$missing openssh-client"
command -v faketime >/dev/null 2>&1 || missing="$missing faketime"
command -v cupsd >/dev/null 2>&1 || [ -x /usr/sbin/cupsd ] || missing="$missing cups-daemon"
command -v lp >/dev/null 2>&1 || missing="$missing cups-client"
command -v ipptool >/dev/null 2>&1 || missing="$missing cups-ipp-utils"
[ -f /usr/share/ppd/cupsfilters/Generic-PDF_Printer-PDF.ppd ] || missing="$missing cups-filters"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "tests: missing$missing; install them (apt-get install$missing) or the tests that need them are skipped" >&2
    exit 0
fi
echo "tests: installing$missing" >&2
# Wait for another apt run (a second checkout's make test) instead of failing on its lock.
apt="apt-get -o DPkg::Lock::Timeout=900 -o Acquire::Retries=3"
$apt update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $apt install -y -qq $missing >/dev/null
