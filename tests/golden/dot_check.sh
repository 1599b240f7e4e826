#!/usr/bin/env bash
# dot_check.sh — Graphviz parses every --dot omnisniff writes for the bundled
# captures (with their hosts file when there is one, and without), with no
# warning. usage: dot_check.sh BIN SRCDIR. Exit 77 (skipped) without `dot`.
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
[ $n -ge 20 ] || { echo "only $n graphs checked"; fail=1; }
echo "$n graphs parsed by $(dot -V 2>&1)"
exit $fail
