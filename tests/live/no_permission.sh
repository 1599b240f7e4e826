#!/usr/bin/env bash
# no_permission.sh — capturing without the right to: one clear line, exit 2.
# Drops root to nobody with setpriv (util-linux). usage: no_permission.sh OMNISNIFF
set -u
[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null || { echo "skip: needs root and setpriv"; exit 77; }
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$1" -i lo -c 1 2>&1)
rc=$?
echo "$out"
[ "$rc" = 2 ] || { echo "exit code $rc, want 2"; exit 1; }
[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || { echo "want exactly one line"; exit 1; }
printf '%s\n' "$out" | grep -q '^omnisniff: lo: permission denied: capturing needs root or CAP_NET_RAW' || exit 1
