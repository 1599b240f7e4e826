#!/usr/bin/env bash
# dot_check.sh — Graphviz parses every --dot omnisniff writes for the bundled
# captures (with their hosts file when there is one, and without), with no
# warning; and, when omnigen is built beside the binary (BUILD/tests/omnigen),
# for a generated busy site whose hosts fold into counted nodes (drawn with
# unclassified traffic too when the binary has the option).
# usage: dot_check.sh BIN SRCDIR. Exit 77 (skipped) without `dot`.
set -u
bin=$1 src=$2
command -v dot >/dev/null || { echo "dot (graphviz) not installed: skipped"; exit 77; }
cd "$src" || exit 2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for pcap in pcaps/*.pcap pcaps/*.pcapng; do
  hosts=${pcap%.*}.hosts
  for with in no yes; do
    args=(-q -r "$pcap")
    if [ $with = yes ]; then [ -f "$hosts" ] || continue; args+=(-H "$hosts"); fi
    "$bin" "${args[@]}" --dot "$tmp/g.dot" >/dev/null 2>"$tmp/err"
    rc=$?
    # captures that cannot be read (exit 2 before the capture) write no graph
    [ -s "$tmp/g.dot" ] || { [ $rc -eq 2 ] && continue; echo "$pcap: no graph (exit $rc)"; fail=1; continue; }
    n=$((n + 1))
    if ! dot -Tsvg "$tmp/g.dot" >/dev/null 2>"$tmp/dot.err" || [ -s "$tmp/dot.err" ]; then
      echo "$pcap (hosts: $with): dot rejects the graph:"; cat "$tmp/dot.err"; fail=1
    fi
    rm -f "$tmp/g.dot"
  done
done
# check_graph NAME ARGS...: omnisniff ARGS --dot writes a graph dot accepts.
check_graph() {
  local name=$1; shift
  "$bin" "$@" --dot "$tmp/g.dot" >/dev/null 2>"$tmp/err" || { echo "$name: exit $?"; cat "$tmp/err"; fail=1; return 1; }
  if ! dot -Tsvg "$tmp/g.dot" >/dev/null 2>"$tmp/dot.err" || [ -s "$tmp/dot.err" ]; then
    echo "$name: dot rejects the graph:"; cat "$tmp/dot.err"; fail=1; return 1
  fi
  n=$((n + 1))
}
gen=$(dirname "$bin")/tests/omnigen
if [ -x "$gen" ] && "$gen" --bench site 3000 "$tmp/busy.pcap" >/dev/null; then
  printf '10.1.0.10 directory,gateway dir-gw1\n10.1.0.20 archiver arch1\n10.2.0.0/16 encoder\n10.3.0.0/16 client\n' >"$tmp/busy.hosts"
  if check_graph "busy site" -q -r "$tmp/busy.pcap" -H "$tmp/busy.hosts"; then
    grep -q '48 hosts' "$tmp/g.dot" || { echo "busy site: the 48 encoders are not folded"; fail=1; }
  fi
  if "$bin" --help 2>&1 | grep -q -- --dot-unclassified; then
    check_graph "busy site, unclassified" -q -r "$tmp/busy.pcap" --dot-unclassified
  fi
fi
[ $n -ge 20 ] || { echo "only $n graphs checked"; fail=1; }
echo "$n graphs parsed by $(dot -V 2>&1)"
exit $fail
