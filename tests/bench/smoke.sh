#!/usr/bin/env bash
# smoke.sh — bench/run.sh at toy sizes, so the benchmark script cannot rot
# unnoticed: it must generate its captures, build the floor and the mmap
# walk, run every omnisniff mode, and print a full table for each section
# (the tunnel and compressed-input tables too); the SYN storm must fold into
# one problem.
# Timings are not checked (tests assert behaviour, bench/ proves speed).
# usage: smoke.sh SOURCE_DIR BUILD_DIR
set -u
src=$1 build=$2
[ -x /usr/bin/time ] || { echo "SKIP: needs /usr/bin/time"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$(cd "$src" && RUNS=1 SITE_N=2000 SNAP_N=4000 FLOWS_N=2000 CHURN_N=4000 CG_N=2000 TSHARK=0 \
      BENCH_DIR="$dir" bash bench/run.sh "$build" 2>&1) || { echo "$out"; echo "FAIL: run.sh exited non-zero"; exit 1; }
fail=0
expect() { # COUNT PATTERN
    local n
    n=$(grep -c -- "$2" <<<"$out")
    [ "$n" -eq "$1" ] || { echo "FAIL: expected $1 line(s) matching '$2', got $n"; fail=1; }
}
expect 2 '^| floor (pcap_next_ex + ports) '
expect 2 '^| mmap walk (map + ports, nothing else) '
expect 2 '^| omnisniff -q -r  '
expect 2 '^| omnisniff -q -r (libpcap reader) '
expect 2 '^| omnisniff --json -r '
expect 2 '^| omnisniff -r (text lines) '
expect 1 '^| per-packet work, site (plain Ethernet) '
expect 1 '^| per-packet work, site in VXLAN '
expect 1 '^| per-packet work, site in ERSPAN '
expect 1 '^| plain: omnisniff -q -r  '
expect 1 '^| plain: omnisniff -q -r (libpcap reader) '
expect 1 '^| gzip input, [0-9.]*[KMG]: omnisniff -q -r '
for z in zstd lz4; do
    command -v $z >/dev/null && expect 1 "^| $z input, [0-9.]*[KMG]: omnisniff -q -r "
done
expect 1 '^| 2000 concurrent flows: omnisniff -q -r '
expect 2 '^| churn, [0-9]* packets: omnisniff -q -r '
expect 1 '^flows capture: flows: 2000 created, 2000 at most at once'
expect 1 '^| SYN storm: floor '
expect 1 '^| SYN storm: omnisniff -q -r  '
expect 1 '^| SYN storm: omnisniff --json -r '
expect 1 '^| SYN storm: omnisniff -q -r --max-flows 10000 '
expect 1 '^| 2000 concurrent flows, no finding (above) '
expect 1 'SYN storm: problems: 1 error, 0 warnings, 0 info, from 2000 findings'
expect 1 "SYN storm: 1 '!! error' line(s); 1 final JSON problem record(s), 1 with \"flows\":2000"
# every table row has a number in each column (instructions: "-" without
# valgrind); the columns of the main tables, the tunnel table's, the
# compressed-input table's
num='\| +[0-9.]+'
main="$num \\| +[0-9.]+x $num M $num \\|\$"
tunnel="$num \\| +[0-9.]+x $num \\| +([0-9.]+|-) \\| +([+-][0-9.]+|-) $num \\|\$"
compressed="$num \\| +[0-9.]+x $num \\| +[0-9.]+x $num \\|\$"
bad=$(grep '^| [A-Za-z0-9]' <<<"$out" | grep -v '^| command ' | grep -v -E "$main|$tunnel|$compressed")
[ -z "$bad" ] || { echo "FAIL: malformed rows:"; echo "$bad"; fail=1; }
[ $fail -eq 0 ] || { echo "$out"; exit 1; }
echo "PASS: bench/run.sh prints every row at toy sizes"
