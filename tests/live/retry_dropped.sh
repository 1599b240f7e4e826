#!/usr/bin/env bash
# retry_dropped.sh — several clients retrying a dropped Archiver port, live:
# two network namespaces joined by a veth pair (netns.sh), NC client
# addresses (192.0.2.11 ...) on the client side, the "Archiver" 192.0.2.2 on
# the server side with an nftables input rule dropping TCP 6061 (archiver
# playback) silently: no listener, no RST, no ICMP. Each client opens a fresh
# socket to 192.0.2.2:6061 every second, N times, each bound to a source port
# of its own (the kernel's ephemeral choice may reuse a port whose attempt
# timed out a second ago, which is one flow, not two), each
# given up after 0.7 s (before the kernel's first SYN retransmission at 1 s),
# so every flow is one SYN and is judged by the quick SYN verdict
# (syn-verdict-seconds, default 3), not by a retransmission.
#
# Two omnisniff instances capture on the server-side veth, filter
# "tcp port 6061", both stopped by SIGINT:
#   -l        each output line stamped with the wall clock as it arrives;
#   --json -l JSON Lines to a file.
# Asserted:
#   - the first live "!! <severity> unanswered-connection:" line comes within
#     syn-verdict-seconds + 2 s (5 s) of the test starting the clients;
#   - exactly ONE such open line in all (one problem, not one per flow or per
#     client), then exactly one "!! now error unanswered-connection:" update
#     (persist-peers: a second client failed), after it;
#   - the JSON instance writes a problem "open" record for
#     unanswered-connection while it still runs, and after SIGINT a "final"
#     problem record with "severity":"error", "peers" = NC and "flows" >= the
#     attempts seen minus SLACK;
#   - every attempt timed out (the port really was dropped), every SYN was
#     seen, exit code 1 for both (an error problem, default --fail-on error),
#     nothing on stderr.
# Takes about 10 s.
#
# usage: retry_dropped.sh OMNISNIFF   (exit 77 = skipped: needs root, ip netns,
#                                      veth, nftables (nft), socat)
# KEEP=1 keeps the work directory (outputs) for a look.
set -u
export LC_ALL=C
bin=$(readlink -f "$1")
NC=3       # client addresses
N=8        # attempts per client, one a second
SLACK=1    # attempts the final record may miss
VERDICT=3  # syn-verdict-seconds (default of the shipped rules)
skip() { echo "skip: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root"
for c in ip nft socat timeout; do
  command -v "$c" >/dev/null || skip "needs $c (packages iproute2, nftables, socat, coreutils)"
done
[ -n "${EPOCHREALTIME:-}" ] || skip "needs bash 5 (EPOCHREALTIME)"

a=orr-a$$ b=orr-b$$ va=vra$$ vb=vrb$$
. "$(dirname "$0")/netns.sh"
A=192.0.2.2 PORT=6061 LONE=7999
clients=()
for ((i = 1; i <= NC; i++)); do
  clients+=("192.0.2.$((10 + i))")
  ip -n "$a" addr add "192.0.2.$((10 + i))/24" dev "$va"
done
nsx "$b" nft list tables >/dev/null 2>&1 || skip "nftables unusable (no nf_tables in the kernel?)"
nsx "$b" nft -f - <<EOF || { echo "FAIL: nftables rules not loaded"; exit 1; }
table ip omniretry {
  chain input {
    type filter hook input priority 0; policy accept;
    ip daddr $A tcp dport { $PORT, $LONE } drop
  }
}
EOF
# the link works, a closed port is refused (RST) and ARP is settled, before
# the capture
nsx "$a" timeout 3 bash -c "exec 3<>/dev/tcp/$A/9" 2>&1 | grep -q 'Connection refused' ||
  { echo "FAIL: no link between the namespaces"; exit 1; }

# ---- capture ------------------------------------------------------------------
# the text instance writes into a FIFO read by a loop stamping each line with
# the wall clock when it arrives
mkfifo "$tmp/fifo"
stamp <"$tmp/fifo" >"$tmp/out" &
stamper=$!
pids+=("$stamper")
# (started directly, not through a function, so that $! is the process that
# passes SIGINT on)
ip netns exec "$b" timeout 40 "$bin" -l -i "$vb" tcp port $PORT or tcp port $LONE >"$tmp/fifo" 2>"$tmp/err" &
text=$!
pids+=("$text")
ip netns exec "$b" timeout 40 "$bin" --json -l -i "$vb" tcp port $PORT >"$tmp/json" 2>"$tmp/json.err" &
json=$!
pids+=("$json")
# both packet sockets bound to all protocols (0003) in b, then a moment for
# the BPF filter to be attached (nothing on 6061 may be sent as a probe: it
# would be one more peer)
poll 10 packet_sockets "$b" 2 || { echo "FAIL: omnisniff did not open $vb"; cat "$tmp/err" "$tmp/json.err"; exit 1; }
sleep 0.5

# ---- clients ------------------------------------------------------------------
t0=$EPOCHREALTIME
cl=()
ci=0
for c in "${clients[@]}"; do
  ci=$((ci + 1))
  # shellcheck disable=SC2016
  nsx "$a" bash -c 'for ((i = 0; i < $1; i++)); do
      timeout 5 socat -u /dev/null TCP:$2:$3,bind=$4:$(($6 + i)),connect-timeout=0.7 2>>"$5" &
      sleep 1
    done; wait' retry "$N" "$A" "$PORT" "$c" "$tmp/client-$c.err" $((40000 + 100 * ci)) &
  cl+=($!)
done
pids+=("${cl[@]}")

fail=0
bad() { echo "FAIL: $*"; fail=1; }
TS='[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}'
OPEN="^[0-9.]+ $TS !! (info|warning|error) unanswered-connection: "
NOW="^[0-9.]+ $TS !! now error unanswered-connection: "
opened() { grep -qE "$OPEN" "$tmp/out"; }
jopen() { grep '"type":"problem"' "$tmp/json" | grep '"event":"open"' | grep -q '"kind":"unanswered-connection"'; }
# the live line, while the clients still try
poll $((VERDICT + 5)) opened || bad "no live '!! ... unanswered-connection' line within $((VERDICT + 5)) s"
# the JSON open record, while omnisniff --json still runs
if poll 3 jopen; then
  kill -0 "$json" 2>/dev/null || bad "omnisniff --json ended before its open record was checked"
else
  bad "no JSON problem open record for unanswered-connection while omnisniff --json runs"
fi
wait "${cl[@]}"
# a lone attempt on the DFC port, and then silence: no later packet moves
# the clock, so the verdict comes from the wall clock (the capture's 100 ms
# poll timeout)
tl=$EPOCHREALTIME
nsx "$a" timeout 5 socat -u /dev/null TCP:$A:$LONE,connect-timeout=0.7 2>>"$tmp/lone.err"
LONEOPEN="^[0-9.]+ $TS !! warning unanswered-connection: .* on dfc-command TCP $LONE"
lone() { grep -qE "$LONEOPEN" "$tmp/out"; }
poll $((VERDICT + 2)) lone || bad "no live line for the lone SYN to $LONE within $((VERDICT + 2)) s of silence"
tlo=$(grep -m1 -E "$LONEOPEN" "$tmp/out" | cut -d' ' -f1)
[ -n "$tlo" ] && echo "lone SYN: '!!' line $(awk -v a="$tl" -v b="$tlo" 'BEGIN { printf "%.3f", b - a }') s after it was sent"
sleep 0.5 # both instances read the last SYNs
kill -INT "$text"; wait "$text"; rc=$?
kill -INT "$json"; wait "$json"; rcj=$?
wait "$stamper"
echo "clients and capture: $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"

# ---- checks -------------------------------------------------------------------
# the site behaved as built: every attempt timed out (dropped: no RST, no ICMP)
for c in "${clients[@]}"; do
  n=$(grep -c 'timed out' "$tmp/client-$c.err")
  [ "$n" = "$N" ] || bad "client $c: $n of $N attempts timed out: $(sort -u "$tmp/client-$c.err")"
done
# every SYN was seen, one per attempt (a source port of its own each)
SYN="^[0-9.]+ $TS (192\.0\.2\.[0-9]+)\.([0-9]+) +> 192\.0\.2\.2\.$PORT +TCP +\[S\] "
syns=$(grep -cE "$SYN" "$tmp/out")
flows_seen=$(grep -E "$SYN" "$tmp/out" | sed -E "s/$SYN.*/\1.\2/" | sort -u | wc -l)
[ "$syns" = $((NC * N)) ] && [ "$flows_seen" = $((NC * N)) ] ||
  bad "$syns SYNs from $flows_seen (address, port) pairs seen, want $((NC * N)) of each"
for c in "${clients[@]}"; do
  grep -qE "^[0-9.]+ $TS ${c//./\\.}\.[0-9]+ +>" "$tmp/out" || bad "no SYN from client $c seen"
done

# live lines: one open, soon enough; one update to error, after it
first=$(grep -E "$OPEN" "$tmp/out" | grep -m1 -vE "$LONEOPEN")
if [ -n "$first" ]; then
  delay=$(awk -v a="$t0" -v b="${first%% *}" 'BEGIN { printf "%.3f", b - a }')
  syn1=$(grep -m1 -E "$SYN" "$tmp/out" | awk '{ print $2 }')
  pdelay=$(awk -v a="$syn1" -v b="$(echo "$first" | awk '{ print $2 }')" 'function s(t, v) {
      split(t, v, ":"); return v[1] * 3600 + v[2] * 60 + v[3] }
    BEGIN { d = s(b) - s(a); if (d < 0) d += 86400; printf "%.3f", d }')
  echo "first '!!' line ${delay} s after the clients started (${pdelay} s after the first SYN, packet time)"
  awk -v d="$delay" -v m=$((VERDICT + 2)) 'BEGIN { exit !(d <= m) }' ||
    bad "the first '!!' line came ${delay} s after the clients started, want <= $((VERDICT + 2)) s"
fi
nopen=$(grep -E "$OPEN" "$tmp/out" | grep -vcE "$LONEOPEN")
nnow=$(grep -cE "$NOW" "$tmp/out")
[ "$nopen" = 1 ] || bad "$nopen live open lines for unanswered-connection, want 1 (one problem)"
[ "$nnow" = 1 ] || bad "$nnow live '!! now error unanswered-connection' lines, want 1"
lo=$(grep -nE "$OPEN" "$tmp/out" | head -1 | cut -d: -f1)
ln=$(grep -nE "$NOW" "$tmp/out" | head -1 | cut -d: -f1)
[ -n "$lo" ] && [ -n "$ln" ] && [ "$ln" -gt "$lo" ] || bad "'!! now error' does not follow the open line"
others=$(grep -E "^[0-9.]+ $TS !! " "$tmp/out" | grep -vE "$OPEN|$NOW" | grep -vE "$LONEOPEN")
[ -z "$others" ] || bad "other live problem lines: $others"
[ "$rc" = 1 ] || bad "exit code $rc, want 1 (an error problem, --fail-on error)"
[ -s "$tmp/err" ] && bad "stderr: $(cat "$tmp/err")"

# JSON: the final problem record
jopen || bad "JSON has no problem open record for unanswered-connection"
final=$(grep '"type":"problem"' "$tmp/json" | grep '"event":"final"' | grep '"kind":"unanswered-connection"')
if [ "$(printf '%s\n' "$final" | grep -c .)" != 1 ]; then
  bad "want one final unanswered-connection problem record, got: $final"
else
  num() { printf '%s\n' "$final" | grep -oE "\"$1\":[0-9]+" | head -1 | cut -d: -f2; }
  peers=$(num peers) flows=$(num flows)
  echo "final problem: peers ${peers:-?}, flows ${flows:-?} (attempts seen $flows_seen)"
  [ "${peers:-x}" = "$NC" ] || bad "final problem has \"peers\":${peers:-none}, want $NC"
  [ "${flows:-0}" -ge $((flows_seen - SLACK)) ] ||
    bad "final problem has \"flows\":${flows:-none}, want >= $((flows_seen - SLACK))"
  printf '%s\n' "$final" | grep -q '"severity":"error"' || bad "final problem is not an error"
  printf '%s\n' "$final" | grep -q "\"service_ip\":\"$A\"" || bad "final problem lacks \"service_ip\":\"$A\""
fi
[ "$rcj" = 1 ] || bad "--json: exit code $rcj, want 1"
[ -s "$tmp/json.err" ] && bad "--json: stderr: $(cat "$tmp/json.err")"

if [ $fail != 0 ]; then
  echo "--- text output (wall clock, line)"; cat "$tmp/out"
  echo "--- text stderr"; cat "$tmp/err"
  echo "--- JSON output"; cat "$tmp/json"
  echo "--- JSON stderr"; cat "$tmp/json.err"
  for c in "${clients[@]}"; do echo "--- client $c"; cat "$tmp/client-$c.err"; done
fi
exit $fail
