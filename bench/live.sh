#!/usr/bin/env bash
# bench/live.sh — live capture under load: the generated site capture is
# replayed with `tcpreplay --topspeed` over a veth pair between two network
# namespaces created here, while omnisniff (and then tcpdump -w /dev/null,
# under the same replay) captures on the far end. Prints, per capturer and
# run: packets sent and the rate tcpreplay reached, packets the capturer
# saw, and the kernel's received/dropped counters. Traffic stays inside the
# two namespaces; they are deleted on exit. Not a ctest (root, slow, noisy).
#
# usage: bench/live.sh [BUILD_DIR]     (root; from the repository root)
# Environment: LIVE_N=500000 packets of the site capture, LIVE_RUNS=3,
#              BENCH_DIR=/tmp/omnisniff-bench (shared with run.sh)
set -euo pipefail

BUILD=${1:-build}
N=${LIVE_N:-500000}
RUNS=${LIVE_RUNS:-3}
DIR=${BENCH_DIR:-/tmp/omnisniff-bench}
OMNI=$(cd "$BUILD" && pwd)/omnisniff
GEN=$(cd "$BUILD" && pwd)/tests/omnigen

[ "$(id -u)" = 0 ] || { echo "live.sh: needs root (network namespaces)" >&2; exit 2; }
for t in ip tcpreplay tcpdump; do
    command -v $t >/dev/null || { echo "live.sh: needs $t" >&2; exit 2; }
done
mkdir -p "$DIR"
cap="$DIR/site-$N.pcap"
[ -s "$cap" ] || "$GEN" --bench site "$N" "$cap" >&2

a=osb-a$$ b=osb-b$$
tmp=$(mktemp -d)
cleanup() { ip netns del "$a" 2>/dev/null || true; ip netns del "$b" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
ip netns add "$a"
ip netns add "$b"
ip link add vra$$ type veth peer name vrb$$
ip link set vra$$ netns "$a" name va
ip link set vrb$$ netns "$b" name vb
ip -n "$a" link set va up
ip -n "$b" link set vb up

# Start a capturer in b, replay from a, stop it with SIGINT; print one row.
# NAME command... (the command's stdout and stderr go to $tmp/out, $tmp/err)
one_run() {
    local name=$1 pid sent rate seen recv drop
    shift
    ip netns exec "$b" "$@" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    sleep 1
    ip netns exec "$a" tcpreplay --topspeed -i va "$cap" >"$tmp/replay" 2>&1
    sleep 1
    kill -INT "$pid"
    wait "$pid" || true
    sent=$(awk '/Actual:/ {print $2}' "$tmp/replay")
    rate=$(awk '/Rated:/ {for (i = 1; i <= NF; i++) if ($i ~ /pps/) print $(i - 1)}' "$tmp/replay")
    if [[ "$name" == omnisniff* ]]; then
        seen=$(sed -n 's/^summary: .*), \([0-9]*\) packets.*/\1/p' "$tmp/out")
        recv=$(sed -n 's/^kernel: \([0-9]*\) packets received.*/\1/p' "$tmp/out")
        drop=$(sed -n 's/^kernel: .*, \([0-9]*\) dropped by kernel.*/\1/p' "$tmp/out")
    else
        seen=$(awk '/packets captured/ {print $1}' "$tmp/err")
        recv=$(awk '/received by filter/ {print $1}' "$tmp/err")
        drop=$(awk '/dropped by kernel/ {print $1}' "$tmp/err")
    fi
    printf '| %-36s | %8s | %10s | %8s | %8s | %8s |\n' "$name" "$sent" "$rate" "$seen" "$recv" "$drop"
}

echo "## Live: tcpreplay --topspeed over veth, $N packets of the site capture"
echo
echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| capturer | sent | sent pps | captured | kernel received | kernel dropped |"
echo "|---|---:|---:|---:|---:|---:|"
for ((r = 0; r < RUNS; r++)); do
    one_run "omnisniff -q -i vb" "$OMNI" -q -i vb
    one_run "omnisniff -q -i vb -s 96" "$OMNI" -q -i vb -s 96
    one_run "omnisniff -q -l -i vb (immediate)" "$OMNI" -q -l -i vb
    one_run "tcpdump -i vb -w /dev/null" tcpdump -i vb -w /dev/null
    one_run "tcpdump -B 32768 -i vb -w /dev/null" tcpdump -B 32768 -i vb -w /dev/null
done
