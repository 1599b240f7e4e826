#!/usr/bin/env bash
# memcheck.sh — run one golden case under valgrind memcheck: no invalid read
# or write, no use of uninitialised memory, no leak. The output itself is
# the golden test's business; this one fails only on valgrind's verdict.
# usage: memcheck.sh BIN SRCDIR NAME
set -u
bin=$1 src=$2 name=$3
line=$(grep -E "^$name:" "$src/tests/golden/manifest") || { echo "no case '$name'"; exit 2; }
args=${line#*:}
log=$(mktemp) || exit 2
work=$(mktemp -d) || exit 2 # files a case writes (see run.sh)
trap 'rm -rf "$log" "$work"' EXIT
(cd "$src" && TZ=UTC LC_ALL=C eval "exec valgrind -q --tool=memcheck --leak-check=full \
    --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible \
    --track-origins=yes --error-exitcode=99 --log-file=\"$log\" \"$bin\" $args" >/dev/null 2>&1)
rc=$?
if [ "$rc" = 99 ] || [ -s "$log" ]; then
  echo "valgrind memcheck: $name (exit $rc)"; cat "$log"; exit 1
fi
exit 0
