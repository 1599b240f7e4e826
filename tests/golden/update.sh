#!/usr/bin/env bash
# update.sh — regenerate every expected output from the current binary.
# usage: tests/golden/update.sh BUILD_DIR   (review the diff before committing!)
set -eu
build=$(cd "$1" && pwd); src=$(cd "$(dirname "$0")/../.." && pwd)
grep -E '^[a-z0-9-]+:' "$src/tests/golden/manifest" | cut -d: -f1 | while read -r n; do
  "$src/tests/golden/run.sh" "$build/omnisniff" "$src" "$n" --update
done
