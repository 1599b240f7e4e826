#!/usr/bin/env bash
# check_pcaps.sh — the committed captures must be exactly what the generator writes.
# usage: check_pcaps.sh OMNIGEN PCAPS_DIR
set -u
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
"$1" "$tmp" >/dev/null || { echo "generator failed"; exit 1; }
fail=0
for f in "$tmp"/*; do
  b=$(basename "$f")
  cmp -s "$f" "$2/$b" || { echo "pcaps/$b differs from the generator's output (run omnigen pcaps)"; fail=1; }
done
exit $fail
