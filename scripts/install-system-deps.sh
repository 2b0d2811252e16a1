#!/usr/bin/env bash
# Install the Debian packages the test suite needs: Chromium (driven by Playwright through
# executable_path), a PostgreSQL server and a Redis server. The suite starts its own
# PostgreSQL/Redis instances in temporary folders (tests/servers.py); this script never starts,
# enables or configures a system service.
#
# Idempotent and fast: when every tool is already present it touches neither apt nor the network.
# Works as root, or as a normal user through sudo. Safe to run from CI (no stdin, CI=true).
#
#   scripts/install-system-deps.sh            install what is missing
#   scripts/install-system-deps.sh --check    exit 1 and list what is missing, install nothing
set -euo pipefail

CHECK_ONLY=0
case "${1:-}" in
  --check) CHECK_ONLY=1 ;;
  "") ;;
  -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

log() { printf 'install-system-deps: %s\n' "$*" >&2; }

have_pkg() {
  # dpkg -s succeeds for a package that is known but only partly installed, so check the status.
  dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed
}

postgres_server_present() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]] && return 0
  done
  return 1
}

missing=()
# chromium: the browser Playwright drives (the Debian build, not a downloaded one).
if ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
# Fonts so that pages render text in headless Chromium (a Recommends of chromium we skip below).
if ! have_pkg fonts-liberation; then missing+=(fonts-liberation); fi
# postgresql: the server binaries live under /usr/lib/postgresql/<major>/bin, not on PATH;
# pg_config may belong to a client-only install, so look for initdb/pg_ctl/postgres themselves.
if ! postgres_server_present; then missing+=(postgresql); fi
if ! command -v redis-server >/dev/null 2>&1; then missing+=(redis-server); fi

if ((${#missing[@]} == 0)); then
  log "all present (chromium, postgresql server, redis-server)"
  exit 0
fi

if ((CHECK_ONLY)); then
  log "missing: ${missing[*]}"
  exit 1
fi

SUDO=()
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
    # Non-interactive sessions (CI, no stdin) cannot answer a password prompt.
    if ! sudo -n true 2>/dev/null && [[ ! -t 0 ]]; then
      log "need root to install: ${missing[*]}; sudo asks for a password and there is no terminal."
      log "Run as root: apt-get install ${missing[*]}  (or run this script with sudo)"
      exit 1
    fi
  else
    log "need root to install: ${missing[*]}, and sudo is not available."
    log "Run this script as root, or as root: apt-get install --no-install-recommends ${missing[*]}"
    exit 1
  fi
fi

if ! command -v apt-get >/dev/null 2>&1; then
  log "apt-get not found: this script supports Debian/Ubuntu. Install by hand: ${missing[*]}"
  exit 1
fi

as_root() { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive "$@"; }

# Never start system services from package scripts: the suite runs its own servers. A policy-rc.d
# that exits 101 makes invoke-rc.d deny every start; add one only if none exists, remove it after.
POLICY=/usr/sbin/policy-rc.d
added_policy=0
cleanup() {
  if ((added_policy)); then as_root rm -f "$POLICY" || true; fi
}
trap cleanup EXIT
if [[ ! -e "$POLICY" ]]; then
  as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $POLICY && chmod 755 $POLICY"
  added_policy=1
fi

# Wait for another apt/dpkg (e.g. unattended-upgrades) rather than failing on its lock.
APT_OPTS=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

log "installing: ${missing[*]}"
start=$SECONDS
as_root apt-get "${APT_OPTS[@]}" update -qq
as_root apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${missing[@]}" </dev/null
log "installed in $((SECONDS - start))s"

# Verify, so that a broken install fails here rather than deep inside the test run.
fail=0
command -v chromium >/dev/null 2>&1 || { log "chromium still missing"; fail=1; }
postgres_server_present || { log "PostgreSQL server (initdb/pg_ctl) still missing"; fail=1; }
command -v redis-server >/dev/null 2>&1 || { log "redis-server still missing"; fail=1; }
exit "$fail"
