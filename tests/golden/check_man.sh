#!/usr/bin/env bash
# check_man.sh — the manual page omnisniff(1): renders with man -l without a
# warning, names every option --help lists and every finding kind, carries
# the version the binary reports, and `cmake --install` installs it.
# usage: check_man.sh BIN SRCDIR BUILDDIR     (exit 77 = skipped: no man)
set -u
bin=$1 src=$2 build=$3
command -v man >/dev/null || { echo "man not installed: skipped"; exit 77; }
page="$src/docs/omnisniff.1" tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
MANWIDTH=1000 man -l "$page" >"$tmp/page" 2>/dev/null
[ -z "$warn" ] || { echo "FAIL: man -l warns: $warn"; fail=1; }
grep -q '^NAME' "$tmp/page" || { echo "FAIL: man -l rendered nothing"; fail=1; }
# every option of --help, and every finding kind
opts=$("$bin" --help | grep -oE '^ +(-[A-Za-z]|--[a-z-]+)' | tr -d ' ' | sort -u)
kinds=$("$bin" --explain no-such-kind 2>&1 | sed 's/.*kinds://' | tr ' ' '\n' | grep .)
[ -n "$opts" ] && [ -n "$kinds" ] || { echo "FAIL: no options or kinds found"; fail=1; }
for w in $opts $kinds; do
  grep -qF -- "$w" "$tmp/page" || { echo "FAIL: the manual does not mention $w"; fail=1; }
done
ver=$("$bin" --version | awk '{print $2}')
grep -q "^\.TH OMNISNIFF 1 .*\"omnisniff $ver\"" "$page" || { echo "FAIL: manual is not for version $ver"; fail=1; }
# installed where man finds it
cmake --install "$build" --prefix "$tmp/inst" >/dev/null || { echo "FAIL: cmake --install"; fail=1; }
[ -f "$tmp/inst/share/man/man1/omnisniff.1" ] || { echo "FAIL: not installed in share/man/man1"; fail=1; }
[ $fail = 0 ] && echo "ok: manual renders, names $(echo $opts $kinds | wc -w) options and kinds, installs"
exit $fail
