#!/usr/bin/env bash
# live_capture.sh — omnisniff -i on a real link: two network namespaces
# joined by a veth pair, real kernel TCP and UDP on Omnicast ports, capture
# stopped by SIGINT. Asserts the roles are labelled, the summary is printed
# with the kernel's counters, and the exit code is 0.
# usage: live_capture.sh OMNISNIFF     (exit 77 = skipped: needs root and ip netns)
set -u
bin=$1
[ "$(id -u)" = 0 ] && command -v ip >/dev/null || { echo "skip: needs root and iproute2"; exit 77; }
a=osn-a$$ b=osn-b$$
cleanup() { ip netns del "$a" 2>/dev/null; ip netns del "$b" 2>/dev/null; rm -rf "$tmp"; }
tmp=$(mktemp -d); trap cleanup EXIT
ip netns add "$a" && ip netns add "$b" || { echo "skip: cannot create network namespaces"; exit 77; }
ip link add va type veth peer name vb || { echo "skip: no veth"; exit 77; }
ip link set va netns "$a"; ip link set vb netns "$b"
ip -n "$a" addr add 192.0.2.1/24 dev va; ip -n "$b" addr add 192.0.2.2/24 dev vb
ip -n "$a" link set va up; ip -n "$b" link set vb up
ip -n "$a" link set lo up; ip -n "$b" link set lo up

# omnisniff watches b's side of the link; a connects to b's closed TCP 5001
# (the kernel answers RST) and sends five datagrams to UDP 15000 (answered by
# ICMP port unreachable): real kernel traffic, nothing to install
ip netns exec "$b" timeout 10 "$bin" -i vb -l >"$tmp/out" 2>"$tmp/err" &
cap=$!
sleep 1
ip netns exec "$a" bash -c '
  (exec 3<>/dev/tcp/192.0.2.2/5001) 2>/dev/null
  for i in 1 2 3 4 5; do echo video$i > /dev/udp/192.0.2.2/15000; done' 2>/dev/null
sleep 0.5
kill -INT "$cap"
wait "$cap"; rc=$?
fail=0
check() { grep -qE "$1" "$tmp/out" || { echo "missing: $1"; fail=1; }; }
check '192\.0\.2\.1\.[0-9]+ +> 192\.0\.2\.2\.5001 +TCP +\[S\].*gateway-command +port'
check '192\.0\.2\.1\.[0-9]+ +> 192\.0\.2\.2\.15000 +UDP .*encoder-archiver-unicast'
check '192\.0\.2\.2\.5001 +> 192\.0\.2\.1\.[0-9]+ +TCP +\[R\.\].*gateway-command'
check 'ICMP +t3/c3 .* quotes UDP 192\.0\.2\.1\.[0-9]+ > 192\.0\.2\.2\.15000'
check '^gateway-command +1 +2 '
check '^encoder-archiver-unicast +5 +5 '
check '^tcp handshakes: 0 established, 1 refused, 0 unanswered'
check '^kernel: [0-9]+ packets received by filter, 0 dropped by kernel'
[ "$rc" = 0 ] || { echo "exit code $rc"; fail=1; }
[ -s "$tmp/err" ] && { echo "stderr:"; cat "$tmp/err"; fail=1; }
[ $fail = 0 ] || { echo "--- output"; cat "$tmp/out"; }

# --status and SIGUSR1 while capturing: the per-role table on stderr every
# second, the summary so far on stderr at SIGUSR1, the capture going on
# (packets sent after SIGUSR1 are in the final summary)
ip netns exec "$b" timeout 10 "$bin" -q -i vb --status 1 >"$tmp/out2" 2>"$tmp/err2" &
cap=$!
sleep 1
udp() { ip netns exec "$a" bash -c "for i in \$(seq $1); do echo v > /dev/udp/192.0.2.2/15000; done" 2>/dev/null; }
udp 3
sleep 1.5
kill -USR1 "$(pgrep -P "$cap")" # omnisniff itself: timeout does not pass SIGUSR1 on
sleep 0.5
udp 4
sleep 1.2
kill -INT "$cap"
wait "$cap"; rc=$?
check2() { grep -qE "$2" "$tmp/$1" || { echo "missing in $1: $2"; fail=1; }; }
check2 err2 '^role +pkts/s +flows +problems$'
check2 err2 '^encoder-archiver-unicast +[0-9]+ +3 +[0-9]+$'   # bash opens a socket (a flow) per datagram
check2 err2 '^--- summary so far \([0-9]+ flows still active'
# the summary so far counts the flows still active (3 datagrams, 3 flows)
# and shows the problem as it stands (the ICMP port unreachable answers)
check2 err2 '^encoder-archiver-unicast +3 +3 +132$'
check2 err2 '^problems: 0 errors, 1 warning, 0 info, from [0-9]+ findings'
check2 err2 '^omnisniff: [0-9]+ packets, [0-9]+ flows active, 1 problem \(0 errors, 1 warning\)$'
check2 err2 '^kernel: [0-9]+ packets received by filter'
check2 out2 '^encoder-archiver-unicast +7 +7 '
[ "$rc" = 0 ] || { echo "exit code $rc (status run)"; fail=1; }
[ $fail = 0 ] || { echo "--- stdout"; cat "$tmp/out2"; echo "--- stderr"; cat "$tmp/err2"; }
exit $fail
