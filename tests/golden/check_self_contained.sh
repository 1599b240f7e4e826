#!/usr/bin/env bash
# check_self_contained.sh — the repository carries its own documentation:
# no file points outside it to the developers' folder (a users' path would
# not exist), and every docs/ file the README or the manual names exists.
# usage: check_self_contained.sh SRCDIR
set -u
cd "$1" || exit 2
fail=0
up='\.\./'"shared"  # split so this script does not match itself
hits=$(git ls-files 2>/dev/null | grep -v '^tests/golden/expected/' |
       xargs -r grep -lE "$up" 2>/dev/null | grep -v '^tests/golden/check_self_contained.sh$')
[ -z "$hits" ] || { echo "FAIL: files pointing outside the repository:"; echo "$hits"; fail=1; }
for f in $(grep -ohE 'docs/[a-z0-9_.-]+\.(md|svg|1)' README.md docs/omnisniff.1 | sort -u); do
  [ -f "$f" ] || { echo "FAIL: $f is named but missing"; fail=1; }
done
[ $fail = 0 ] && echo "ok: self-contained"
exit $fail
