#!/usr/bin/env bash
# stream_stopped.sh — a camera that stops while another goes on, live: two
# network namespaces joined by a veth pair (netns.sh), two "cameras"
# (192.0.2.21 and 192.0.2.22) on the sender side, the "Archiver" 192.0.2.2
# on the other, receiving (a small UDP listener, so no ICMP port unreachable
# goes back) on 15000 and 15002 (encoder-archiver-unicast, UDP 15000-16000:
# an unshared range, so no hosts file). Each camera sends RTP-like datagrams
# (RTP v2 header, its own SSRC, sequence +1 and timestamp +9000 per packet,
# 200 bytes in all) ten a second; camera 1 stops for good after C1 s, camera
# 2 goes on for C2 s more.
#
# Two omnisniff instances capture on the Archiver-side veth, filter
# "udp portrange 15000-16000", both stopped by SIGINT:
#   -l        each output line stamped with the wall clock as it arrives;
#   --json -l JSON Lines to a file.
# Asserted:
#   - the first live "!! error stream-stopped:" line comes no sooner than
#     stream-stop-seconds (5 s) and within stream-stop-seconds + 2 s of camera
#     1's last datagram (the wall clock its sender read just after sending it);
#   - it names camera 1 and not camera 2; exactly one such line, and no other
#     live problem line;
#   - the JSON instance writes a problem "open" record for stream-stopped
#     while it still runs;
#   - after SIGINT: exit code 1 for both (an error problem, default
#     --fail-on error), nothing on stderr; every datagram sent was seen (text
#     lines, JSON stream packets); the JSON has one "stream" record per
#     camera, camera 1's "stopped":true and camera 2's "stopped":false, each
#     with its own RTP SSRC and no RTP loss.
# Takes about 18 s.
#
# usage: stream_stopped.sh OMNISNIFF   (exit 77 = skipped: needs root, ip
#                                       netns, veth, python3, timeout)
# KEEP=1 keeps the work directory (outputs) for a look.
set -u
export LC_ALL=C
bin=$(readlink -f "$1")
STOP=5     # stream-stop-seconds (default of the shipped rules)
LATE=2     # the line may come this long after the stop delay (1 s tick + slack)
C1=7       # camera 1 sends this long (more than stream-stop-seconds: a stream, not a burst), then stops
C2=12      # camera 2 goes on this long after camera 1 stopped
RATE=10    # datagrams a second per camera
skip() { echo "skip: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root"
for c in ip python3 timeout; do
  command -v "$c" >/dev/null || skip "needs $c (packages iproute2, python3, coreutils)"
done
[ -n "${EPOCHREALTIME:-}" ] || skip "needs bash 5 (EPOCHREALTIME)"
python3 -c 'import socket, struct' 2>/dev/null || skip "python3 does not run"

a=oss-a$$ b=oss-b$$ va=vsa$$ vb=vsb$$
. "$(dirname "$0")/netns.sh"
A=192.0.2.2
CAM1=192.0.2.21 PORT1=15000 SSRC1=287454020   # 0x11223344
CAM2=192.0.2.22 PORT2=15002 SSRC2=1432778632  # 0x55667788
N1=$((C1 * RATE)) N2=$(((C1 + C2) * RATE))
for c in $CAM1 $CAM2; do ip -n "$a" addr add "$c/24" dev "$va"; done
# the link works, a closed port is refused (RST) and ARP is settled, before
# the capture (TCP: outside the capture filter)
nsx "$a" timeout 3 bash -c "exec 3<>/dev/tcp/$A/9" 2>&1 | grep -q 'Connection refused' ||
  { echo "FAIL: no link between the namespaces"; exit 1; }

# a camera: SRC DST PORT SSRC COUNT RATE OUT — COUNT RTP-like datagrams from
# SRC, paced to a schedule; OUT gets the count sent and the wall clock read
# just after the last one
# shellcheck disable=SC2016
CAMERA='
import socket, struct, sys, time
src, dst, port, ssrc, n, rate, out = sys.argv[1:8]
port, ssrc, n, rate = int(port), int(ssrc), int(n), float(rate)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 0))
seq, ts = ssrc & 0xffff, ssrc ^ 0x5a5a5a5a
body = bytes(range(188))
t0 = time.monotonic()
sent = 0
last = 0.0
for i in range(n):
    d = t0 + i / rate - time.monotonic()
    if d > 0:
        time.sleep(d)
    hdr = struct.pack("!BBHII", 0x80, 96, (seq + i) & 0xffff, (ts + 9000 * i) & 0xffffffff, ssrc)
    s.sendto(hdr + body, (dst, port))
    last = time.time()
    sent += 1
with open(out, "w") as f:
    f.write("%d %.6f\n" % (sent, last))
'
# the Archiver: listens on the ports given, counts datagrams per source until
# SIGTERM (timeout sends it twice: to its child and to its process group, so
# the handler only raises a flag), then writes "SRC PORT COUNT" lines to OUT
# shellcheck disable=SC2016
ARCHIVER='
import select, signal, socket, sys
out, addr, ports = sys.argv[1], sys.argv[2], [int(p) for p in sys.argv[3:]]
done = []
signal.signal(signal.SIGTERM, lambda *_: done.append(1))
socks = []
for p in ports:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, p))
    socks.append(s)
count = {}
while not done:
    for s in select.select(socks, [], [], 0.1)[0]:
        src = s.recvfrom(65536)[1][0]
        k = (src, s.getsockname()[1])
        count[k] = count.get(k, 0) + 1
with open(out, "w") as f:
    for (src, p), c in sorted(count.items()):
        f.write("%s %d %d\n" % (src, p, c))
'
# (started directly, not through a function, so that $! is timeout, which
# passes SIGTERM on)
ip netns exec "$b" timeout 50 python3 -c "$ARCHIVER" "$tmp/archiver" $A $PORT1 $PORT2 2>"$tmp/archiver.err" &
archiver=$!
pids+=("$archiver")
# both ports bound (0.0.0.0 or 192.0.2.2 in /proc/net/udp, hex)
listening() {
  local p
  for p in $PORT1 $PORT2; do
    nsx "$b" grep -qi ":$(printf '%04X' "$p") 00000000:0000" /proc/net/udp || return 1
  done
}
poll 5 listening || { echo "FAIL: the Archiver listener did not start"; cat "$tmp/archiver.err"; exit 1; }

# ---- capture ------------------------------------------------------------------
# the text instance writes into a FIFO read by a loop stamping each line with
# the wall clock when it arrives
mkfifo "$tmp/fifo"
stamp <"$tmp/fifo" >"$tmp/out" &
stamper=$!
pids+=("$stamper")
# (started directly, not through a function, so that $! is the process that
# passes SIGINT on)
ip netns exec "$b" timeout 45 "$bin" -l -i "$vb" udp portrange 15000-16000 >"$tmp/fifo" 2>"$tmp/err" &
text=$!
pids+=("$text")
ip netns exec "$b" timeout 45 "$bin" --json -l -i "$vb" udp portrange 15000-16000 >"$tmp/json" 2>"$tmp/json.err" &
json=$!
pids+=("$json")
# both packet sockets bound to all protocols (0003) in b, then a moment for
# the BPF filter to be attached (no datagram may be sent as a probe: it
# would be one more stream)
poll 10 packet_sockets "$b" 2 || { echo "FAIL: omnisniff did not open $vb"; cat "$tmp/err" "$tmp/json.err"; exit 1; }
sleep 0.5

# ---- cameras ------------------------------------------------------------------
t0=$EPOCHREALTIME
nsx "$a" python3 -c "$CAMERA" $CAM1 $A $PORT1 $SSRC1 $N1 $RATE "$tmp/cam1" 2>"$tmp/cam1.err" &
cam1=$!
nsx "$a" python3 -c "$CAMERA" $CAM2 $A $PORT2 $SSRC2 $N2 $RATE "$tmp/cam2" 2>"$tmp/cam2.err" &
cam2=$!
pids+=("$cam1" "$cam2")

fail=0
bad() { echo "FAIL: $*"; fail=1; }
TS='[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}'
OPEN="^[0-9.]+ $TS !! error stream-stopped: "
# an address as a word: 192.0.2.2 is not 192.0.2.21
word() { printf '(^|[^0-9.])%s([^0-9]|$)' "${1//./\\.}"; }
opened() { grep -qE "$OPEN" "$tmp/out"; }
jopen() { grep '"type":"problem"' "$tmp/json" | grep '"event":"open"' | grep -q '"kind":"stream-stopped"'; }

wait "$cam1"
tstop=$EPOCHREALTIME
read -r sent1 t1 2>/dev/null <"$tmp/cam1" || { sent1=0 t1=$tstop; bad "camera 1 did not finish: $(cat "$tmp/cam1.err")"; }
# the live line, while camera 2 still sends
poll $((STOP + LATE + 1)) opened || bad "no live '!! error stream-stopped' line within $((STOP + LATE + 1)) s of camera 1 stopping"
# the JSON open record, while omnisniff --json still runs
if poll 3 jopen; then
  kill -0 "$json" 2>/dev/null || bad "omnisniff --json ended before its open record was checked"
else
  bad "no JSON problem open record for stream-stopped while omnisniff --json runs"
fi
kill -0 "$cam2" 2>/dev/null || bad "camera 2 stopped before the verdict was checked"
wait "$cam2"
read -r sent2 _ 2>/dev/null <"$tmp/cam2" || { sent2=0; bad "camera 2 did not finish: $(cat "$tmp/cam2.err")"; }
sleep 0.5 # both instances read the last datagrams
kill -INT "$text"; wait "$text"; rc=$?
kill -INT "$json"; wait "$json"; rcj=$?
wait "$stamper"
kill -TERM "$archiver"; wait "$archiver"
echo "cameras and capture: $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"

# ---- checks -------------------------------------------------------------------
# the site behaved as built: every datagram sent and received
[ "$sent1" = "$N1" ] || bad "camera 1 sent $sent1 datagrams, want $N1"
[ "$sent2" = "$N2" ] || bad "camera 2 sent $sent2 datagrams, want $N2"
touch "$tmp/archiver"
for c in "$CAM1 $PORT1 $N1" "$CAM2 $PORT2 $N2"; do
  grep -qx "$c" "$tmp/archiver" || bad "the Archiver did not receive '$c' (source, port, datagrams): $(cat "$tmp/archiver")"
done
# every datagram was seen by the text instance
PKT() { printf '^[0-9.]+ %s %s\\.[0-9]+ +> %s\\.%s +UDP ' "$TS" "${1//./\\.}" "${A//./\\.}" "$2"; }
seen1=$(grep -cE "$(PKT $CAM1 $PORT1)" "$tmp/out")
seen2=$(grep -cE "$(PKT $CAM2 $PORT2)" "$tmp/out")
[ "$seen1" = "$N1" ] || bad "camera 1: $seen1 packet lines, want $N1"
[ "$seen2" = "$N2" ] || bad "camera 2: $seen2 packet lines, want $N2"

# live lines: one open, in time, about camera 1
first=$(grep -m1 -E "$OPEN" "$tmp/out")
if [ -n "$first" ]; then
  delay=$(awk -v a="$t1" -v b="${first%% *}" 'BEGIN { printf "%.3f", b - a }')
  last1=$(grep -E "$(PKT $CAM1 $PORT1)" "$tmp/out" | tail -1 | awk '{ print $2 }')
  pdelay=$(awk -v a="$last1" -v b="$(echo "$first" | awk '{ print $2 }')" 'function s(t, v) {
      split(t, v, ":"); return v[1] * 3600 + v[2] * 60 + v[3] }
    BEGIN { d = s(b) - s(a); if (d < 0) d += 86400; printf "%.3f", d }')
  echo "first '!!' line ${delay} s after camera 1's last datagram (${pdelay} s in packet time)"
  awk -v d="$delay" -v lo=$STOP -v hi=$((STOP + LATE)) 'BEGIN { exit !(d >= lo && d <= hi) }' ||
    bad "the first '!!' line came ${delay} s after camera 1's last datagram, want ${STOP} to $((STOP + LATE)) s"
  # in omnisniff's own clock (the line's time, the last packet's time) too
  awk -v d="$pdelay" -v lo=$STOP 'BEGIN { exit !(d >= lo - 0.000001) }' ||
    bad "the verdict came ${pdelay} s after camera 1's last packet (packet time), want >= ${STOP} s"
  echo "$first" | grep -qE "$(word $CAM1)" || bad "the '!!' line does not name camera 1 ($CAM1): $first"
  echo "$first" | grep -qE "$(word $CAM2)" && bad "the '!!' line names camera 2 ($CAM2): $first"
fi
nopen=$(grep -cE "$OPEN" "$tmp/out")
[ "$nopen" = 1 ] || bad "$nopen live '!! error stream-stopped' lines, want 1"
others=$(grep -E "^[0-9.]+ $TS !! " "$tmp/out" | grep -vE "$OPEN")
[ -z "$others" ] || bad "other live problem lines: $others"
[ "$rc" = 1 ] || bad "exit code $rc, want 1 (an error problem, --fail-on error)"
[ -s "$tmp/err" ] && bad "stderr: $(cat "$tmp/err")"

# JSON: the stream records
jopen || bad "JSON has no problem open record for stream-stopped"
jstream() { grep '"type":"stream"' "$tmp/json" | grep "\"src_ip\":\"$1\"" | grep "\"dest_port\":${2}[,}]"; }
for c in "$CAM1 $PORT1 $N1 true $SSRC1" "$CAM2 $PORT2 $N2 false $SSRC2"; do
  read -r ip port n stopped ssrc <<<"$c"
  rec=$(jstream "$ip" "$port")
  if [ "$(printf '%s\n' "$rec" | grep -c .)" != 1 ]; then
    bad "want one JSON stream record from $ip to $port, got: $rec"
    continue
  fi
  printf '%s\n' "$rec" | grep -q "\"stopped\":${stopped}[,}]" || bad "stream from $ip: want \"stopped\":$stopped: $rec"
  printf '%s\n' "$rec" | grep -q "\"packets\":${n}[,}]" || bad "stream from $ip: want \"packets\":$n: $rec"
  printf '%s\n' "$rec" | grep -q "\"rtp_ssrc\":${ssrc}[,}]" || bad "stream from $ip: want \"rtp_ssrc\":$ssrc (RTP): $rec"
  printf '%s\n' "$rec" | grep -q '"rtp_lost":0[,}]' || bad "stream from $ip: want \"rtp_lost\":0: $rec"
done
[ "$rcj" = 1 ] || bad "--json: exit code $rcj, want 1"
[ -s "$tmp/json.err" ] && bad "--json: stderr: $(cat "$tmp/json.err")"

if [ $fail != 0 ]; then
  echo "--- text output (wall clock, line)"; cat "$tmp/out"
  echo "--- text stderr"; cat "$tmp/err"
  echo "--- JSON output"; cat "$tmp/json"
  echo "--- JSON stderr"; cat "$tmp/json.err"
  echo "--- camera 1 (sent, wall clock of the last)"; cat "$tmp/cam1" "$tmp/cam1.err"
  echo "--- camera 2"; cat "$tmp/cam2" "$tmp/cam2.err"
  echo "--- Archiver (source, port, received)"; cat "$tmp/archiver" "$tmp/archiver.err"
fi
exit $fail
