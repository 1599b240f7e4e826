#!/usr/bin/env bash
# bench/soak.sh — days without growth, in minutes: omnisniff captures live
# for SOAK_SECONDS while tcpreplay replays a site whose addresses never
# repeat (omnigen --bench soak: five new hosts every 12 packets — inferred
# encoders and Gateways, an unanswered service that makes a problem, a
# playback service that answers) over a veth pair between two network
# namespaces created here. omnisniff's resident memory (VmRSS of
# /proc/PID/status) is sampled every SOAK_SAMPLE seconds next to its packet
# count and the kernel's drops (from its --json-file 'stats' records). At
# the end the curve is printed, and the run FAILS if the highest RSS of the
# last third of the run exceeds the highest of the middle third by more
# than SOAK_MARGIN percent: the tables that grow with distinct addresses
# (flows, hosts, problems, answered services) must have reached their
# bounds by then. Traffic stays inside the two namespaces; they are deleted
# on exit.
#
# usage: bench/soak.sh [BUILD_DIR]          (root; default build)
# Environment:
#   SOAK_SECONDS=600  length of the run
#   SOAK_PPS=6000     packets a second tcpreplay sends (500 rounds of 12:
#                     1 500 host records and 500 problems a second)
#   SOAK_SAMPLE=5     seconds between RSS samples (and --stats-interval)
#   SOAK_MARGIN=5     percent the last third may exceed the middle third by
#   SOAK_ARGS=        more omnisniff options (e.g. --max-flows 20000)
#   BENCH_DIR=/tmp/omnisniff-bench   where the capture is kept
#   SOAK_OMNIGEN=BUILD_DIR/tests/omnigen  the generator
#   KEEP=1            keep the work directory (records, curve)
# Exit: 0 flat, 1 grew (or omnisniff died, or saw no packets), 77 skipped
# (not root, or ip / tcpreplay missing).
set -u
BUILD=${1:-build}
SECS=${SOAK_SECONDS:-600}
PPS=${SOAK_PPS:-6000}
SAMPLE=${SOAK_SAMPLE:-5}
MARGIN=${SOAK_MARGIN:-5}
DIR=${BENCH_DIR:-/tmp/omnisniff-bench}
OMNI=$(readlink -f "$BUILD/omnisniff")
GEN=$(readlink -f "${SOAK_OMNIGEN:-$BUILD/tests/omnigen}")
skip() { echo "skip: $*"; exit 77; }
[ -x "$OMNI" ] && [ -x "$GEN" ] || { echo "soak.sh: build omnisniff and omnigen in $BUILD first" >&2; exit 2; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
for t in ip tcpreplay; do command -v $t >/dev/null || skip "needs $t (apt-get install iproute2 tcpreplay)"; done

# the capture: enough packets for the whole run at SOAK_PPS, never looped
# (a loop would bring the same addresses back)
n=$(((SECS + 30) * PPS))
mkdir -p "$DIR"
cap="$DIR/soak-$n.pcap"
[ -s "$cap" ] || nice "$GEN" --bench soak "$n" "$cap" >/dev/null || exit 2

a=oss-a$$ b=oss-b$$ va=vsa$$ vb=vsb$$
. "$(dirname "$0")/../tests/live/netns.sh"

rec=$tmp/records.json
# shellcheck disable=SC2086
nice ip netns exec "$b" "$OMNI" -q -i "$vb" --json-file "$rec" --stats-interval "$SAMPLE" \
    ${SOAK_ARGS:-} >"$tmp/out" 2>"$tmp/err" &
omni=$!
pids+=("$omni")
poll 10 packet_sockets "$b" 1 || { echo "FAIL: omnisniff did not open $vb"; cat "$tmp/err"; exit 1; }
nsx "$a" tcpreplay -q -T nano --pps="$PPS" --duration="$SECS" -i "$va" "$cap" >"$tmp/replay" 2>&1 &
pids+=($!)

# one sample: seconds, VmRSS KiB, packets and kernel drops of the latest
# stats record (read from the bytes the records file gained since the last
# sample: flow records make it grow by megabytes a second)
off=0 pk=- dr=-
sample() {
  local rss st size
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$omni/status" 2>/dev/null)
  [ -n "$rss" ] || return 1
  size=$(stat -c %s "$rec" 2>/dev/null || echo 0)
  st=$(tail -c +$((off + 1)) "$rec" 2>/dev/null | head -c $((size - off)) | grep -F '"type":"stats"' | tail -1)
  off=$size
  if [ -n "$st" ]; then
    pk=$(sed -n 's/.*"packets":\([0-9]*\).*/\1/p' <<<"$st")
    dr=$(sed -n 's/.*"kernel":{[^}]*"dropped":\([0-9]*\).*/\1/p' <<<"$st")
  fi
  printf '%6d %10d %12s %10s\n' "$1" "$rss" "${pk:--}" "${dr:--}"
}
start=$SECONDS
echo "    s    RSS KiB      packets  k.dropped" >"$tmp/curve"
while (( SECONDS - start < SECS )); do
  sleep "$SAMPLE"
  sample $((SECONDS - start)) >>"$tmp/curve" || { echo "FAIL: omnisniff ended early"; cat "$tmp/err"; exit 1; }
done
kill -INT "$omni"
wait "$omni"
rc=$?
cat "$tmp/curve"
echo "tcpreplay: $(grep -E 'Actual|Rated' "$tmp/replay" | tr -s ' ' | tr '\n' ' ')"
sum=$(tail -1 "$rec")
echo "omnisniff: exit $rc; $(grep -o '"flows":{[^}]*}\|"problems":{[^}]*}\|"kernel":{[^}]*}' <<<"$sum" | tr '\n' ' ')"

# the verdict: highest RSS of the last third against the middle third's
awk -v T="$SECS" -v m="$MARGIN" 'NR > 1 {
       if ($1 >= T / 3 && $1 < 2 * T / 3 && $2 > mid) mid = $2
       if ($1 >= 2 * T / 3 && $2 > last) last = $2
       if ($3 != "-") pk = $3 }
     END {
       if (!mid || !last) { print "FAIL: too few samples"; exit 1 }
       if (pk + 0 == 0) { print "FAIL: omnisniff saw no packets"; exit 1 }
       g = 100 * (last - mid) / mid
       printf "RSS: middle third at most %d KiB, last third at most %d KiB (%+.1f%%, margin %s%%)\n", mid, last, g, m
       if (g > m) { print "FAIL: memory grew in the last third"; exit 1 }
       print "flat" }' "$tmp/curve"
