#!/usr/bin/env bash
# iface_gone.sh — the interface goes away under a live capture: omnisniff -q
# -i on one end of a veth pair between two network namespaces, UDP flowing
# to it (documentation addresses, all inside the namespaces), then
# `ip link del`. Asserted: omnisniff ends by itself within 5 s (no hang), with
# ONE line on stderr naming the interface and saying it is gone, the summary
# on stdout (what was read, "input ended early", the kernel's counters), and
# exit code 2 (README: "missing interface").
# usage: iface_gone.sh OMNISNIFF     (exit 77 = skipped: needs root, ip netns, veth)
set -u
export LC_ALL=C
bin=$(readlink -f "$1")
skip() { echo "skip: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root"
command -v ip >/dev/null || skip "needs ip (iproute2)"
a=osg-a$$ b=osg-b$$ va=vga$$ vb=vgb$$
. "$(dirname "$0")/netns.sh"

# the guard (timeout 20) only matters when omnisniff hangs: the check below
# gives it 5 s after the link is gone
ip netns exec "$b" timeout -s KILL 20 "$bin" -q -i "$vb" >"$tmp/out" 2>"$tmp/err" &
cap=$!; pids+=($cap)
# an encoder streaming to the Archiver's port: 100 datagrams a second
ip netns exec "$a" bash -c 'exec 3>/dev/udp/192.0.2.2/15000; while :; do echo video >&3; sleep 0.01; done' 2>/dev/null &
pids+=($!)
sleep 1.5
fail=0
kill -0 "$cap" 2>/dev/null || { echo "omnisniff ended before the link was deleted:"; cat "$tmp/err"; exit 1; }
ip -n "$b" link del "$vb"
t0=$(date +%s%N)
for ((i = 0; i < 50; i++)); do kill -0 "$cap" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$cap" 2>/dev/null; then
  echo "omnisniff still running 5 s after the interface was deleted (hang)"
  fail=1
fi
wait "$cap"; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
echo "omnisniff ended ${ms} ms after the interface was deleted, exit $rc"
check() { grep -qE "$1" "$tmp/out" || { echo "missing on stdout: $1"; fail=1; }; }
check "^summary: $vb \\(EN10MB\\), [0-9]+ packets"
check '^input ended early: .* \(summary of what was read\)$'
check '^encoder-archiver-unicast +1 +[0-9]+ '
check '^kernel: [0-9]+ packets received by filter, [0-9]+ dropped by kernel'
n=$(sed -nE 's/^encoder-archiver-unicast +1 +([0-9]+) .*/\1/p' "$tmp/out")
[ "${n:-0}" -ge 20 ] || { echo "only ${n:-0} datagrams seen in 1.5 s (expected >= 20)"; fail=1; }
[ "$rc" = 2 ] || { echo "exit code $rc, expected 2"; fail=1; }
[ "$(wc -l <"$tmp/err")" = 1 ] || { echo "stderr is not one line"; fail=1; }
grep -qE "^omnisniff: $vb: .*(disappeared|went down|No such device)" "$tmp/err" ||
  { echo "stderr does not say the interface is gone"; fail=1; }
echo "--- stderr"; cat "$tmp/err"
[ $fail = 0 ] || { echo "--- stdout"; cat "$tmp/out"; }
exit $fail
