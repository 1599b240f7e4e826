#!/usr/bin/env bash
# sigint_flood.sh — SIGINT in the middle of a flood: omnisniff -q -i on one
# end of a veth pair between two network namespaces while socat sends 100-byte
# UDP datagrams to the Archiver's port as fast as it can (about 2 s, all
# inside the namespaces), with a small capture buffer (-B 512) so the kernel
# may drop. Asserted: omnisniff stops within 2 s of SIGINT, the summary is
# printed with the flow (thousands of packets) and the kernel's counters, the
# counts are consistent (packets read + dropped by the kernel <= received by
# the filter), nothing on stderr, exit 0 (1 only with an error finding).
# Prints the numbers it saw.
# usage: sigint_flood.sh OMNISNIFF   (exit 77 = skipped: needs root, ip netns, veth, socat)
set -u
export LC_ALL=C
bin=$(readlink -f "$1")
skip() { echo "skip: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root"
for c in ip socat timeout; do
  command -v "$c" >/dev/null || skip "needs $c (packages iproute2, socat, coreutils)"
done
a=osi-a$$ b=osi-b$$ va=via$$ vb=vib$$
. "$(dirname "$0")/netns.sh"

# the Archiver listens (no ICMP errors back), omnisniff watches its side
ip netns exec "$b" timeout -s KILL 30 socat -u UDP-RECV:15000 /dev/null &
pids+=($!)
ip netns exec "$b" timeout -s KILL 30 "$bin" -q -B 512 -i "$vb" >"$tmp/out" 2>"$tmp/err" &
cap=$!; pids+=($cap)
sleep 1
# the flood: 100-byte datagrams from one socket, as fast as socat writes
ip netns exec "$a" timeout -s KILL 30 socat -u -b 100 /dev/zero \
  UDP-SENDTO:192.0.2.2:15000,sourceport=40000 2>/dev/null &
pids+=($!)
sleep 2
fail=0
kill -0 "$cap" 2>/dev/null || { echo "omnisniff ended before SIGINT:"; cat "$tmp/err"; exit 1; }
t0=$(date +%s%N)
kill -INT "$cap"
for ((i = 0; i < 100; i++)); do kill -0 "$cap" 2>/dev/null || break; sleep 0.02; done
ms=$((($(date +%s%N) - t0) / 1000000))
if kill -0 "$cap" 2>/dev/null; then echo "omnisniff still running 2 s after SIGINT"; kill -KILL "$cap"; fi
wait "$cap"; rc=$?
check() { grep -qE "$1" "$tmp/out" || { echo "missing on stdout: $1"; fail=1; }; }
check "^summary: $vb \\(EN10MB\\), [0-9]+ packets"
check '^encoder-archiver-unicast +1 +[0-9]+ '
check '^kernel: [0-9]+ packets received by filter, [0-9]+ dropped by kernel, [0-9]+ dropped by interface$'
pk=$(sed -nE "s/^summary: $vb \\(EN10MB\\), ([0-9]+) packets.*/\\1/p" "$tmp/out")
flow=$(sed -nE 's/^encoder-archiver-unicast +1 +([0-9]+) .*/\1/p' "$tmp/out")
read -r recv drop ifdrop < <(sed -nE 's/^kernel: ([0-9]+) packets received by filter, ([0-9]+) dropped by kernel, ([0-9]+) dropped by interface$/\1 \2 \3/p' "$tmp/out")
echo "stopped ${ms} ms after SIGINT, exit $rc: ${pk:-?} packets read (${flow:-?} in the flood's flow)," \
     "kernel: ${recv:-?} received, ${drop:-?} dropped, ${ifdrop:-?} dropped by the interface"
[ "$ms" -le 2000 ] || { echo "took ${ms} ms to stop (limit 2000)"; fail=1; }
[ "${flow:-0}" -ge 1000 ] || { echo "flood flow has ${flow:-0} packets (expected >= 1000)"; fail=1; }
if [ -n "${pk:-}" ] && [ -n "${recv:-}" ] && [ $((pk + drop)) -gt "$recv" ]; then
  echo "inconsistent: $pk read + $drop dropped > $recv received by the filter"; fail=1
fi
case $rc in
  0) ;;
  1) grep -qE '^findings: [1-9][0-9]* error' "$tmp/out" || { echo "exit 1 without an error finding"; fail=1; } ;;
  *) echo "exit code $rc, expected 0"; fail=1 ;;
esac
[ -s "$tmp/err" ] && { echo "stderr:"; cat "$tmp/err"; fail=1; }
[ $fail = 0 ] || { echo "--- stdout"; cat "$tmp/out"; }
exit $fail
