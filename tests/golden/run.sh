#!/usr/bin/env bash
# run.sh — run one golden case and compare stdout, stderr and exit code.
# usage: run.sh BIN SRCDIR NAME [--update]
# The case's arguments come from tests/golden/manifest ("NAME: ARGS"); they
# are evaluated by bash in SRCDIR, so they may use relative paths and '<'.
# A case may write files under "$work", a directory of its own (removed
# after it; its path reads WORK in the output compared).
# Expected output lives in tests/golden/expected/NAME.{out,err,rc}.
set -u
bin=$1 src=$2 name=$3 update=${4:-}
manifest="$src/tests/golden/manifest"
exp="$src/tests/golden/expected/$name"
line=$(grep -E "^$name:" "$manifest") || { echo "no case '$name' in $manifest"; exit 2; }
args=${line#*:}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
work=$tmp/work
mkdir "$work" || exit 2
(cd "$src" && TZ=UTC LC_ALL=C eval "exec \"$bin\" $args" >"$tmp/out" 2>"$tmp/err")
echo $? >"$tmp/rc"
# the binary's path and the work directory's must not leak into expected output
sed -i "s#$bin#omnisniff#g; s#$work#WORK#g" "$tmp/out" "$tmp/err"
if [ "$update" = --update ]; then
  cp "$tmp/out" "$exp.out"; cp "$tmp/err" "$exp.err"; cp "$tmp/rc" "$exp.rc"
  echo "updated $name"; exit 0
fi
fail=0
for k in out err rc; do
  if ! diff -u "$exp.$k" "$tmp/$k" >"$tmp/diff.$k" 2>&1; then
    echo "golden $name: $k differs:"; head -40 "$tmp/diff.$k"; fail=1
  fi
done
exit $fail
