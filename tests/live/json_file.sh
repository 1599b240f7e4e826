#!/usr/bin/env bash
# json_file.sh — the sensor outputs live: --json-file FILE with
# --stats-interval, across a logrotate-style rotation and on a full disk.
# Two network namespaces joined by a veth pair (netns.sh); a sender on the
# client side sends UDP to 192.0.2.2:9999 (no traffic role; a receiver
# listens there, so no ICMP comes back), a fresh socket (new source port)
# every 0.1 s with 5 datagrams 20 ms apart (about 50 datagrams/s, 10
# flows/s); omnisniff runs on the server-side veth with --udp-timeout 1, so
# flows keep ending and flow records keep coming.
#
#   rotation:  --json-file DIR/records.json --stats-interval 1 for about 6 s;
#              after about 3 s `mv records.json records.json.1` and SIGHUP
#              (what logrotate does without copytruncate), then about 3 s
#              more and SIGINT. Asserted: flow records reach the file while
#              omnisniff runs, before and after the rotation; both files
#              exist; every line of both is one whole JSON object with a
#              type (none split, none empty, each file ends with a newline);
#              both files hold flow records; every stats record of
#              records.json.1 is older than every one of records.json, the
#              old file's stamped before the SIGHUP, the new file's no
#              earlier than 1.5 s before it; exactly one summary record, the
#              last line of records.json; stats records about one a second
#              (>= 4, one in each second of the clock: none twice, none
#              skipped), each with a numeric flows_active and a kernel object
#              (received, dropped, ifdropped); the flow records of both files
#              together number the summary's flows.created (none lost across
#              the rotation); exit code 0, nothing on stdout or stderr.
#   full disk: DIR on a 64 KiB tmpfs (private mount namespace, gone with it),
#              a burst of 300 one-datagram flows before the steady stream:
#              their flow records (a second later) fill the disk. Asserted:
#              omnisniff stops by itself (no signal) within 3 s of the tmpfs
#              filling up, exit code 2, exactly one line on stderr naming the
#              file and saying "No space left on device".
# Takes about 10 s.
#
# usage: json_file.sh OMNISNIFF   (exit 77 = skipped: needs root, ip netns,
#                                  veth, socat, jq, unshare, tmpfs, and an
#                                  omnisniff with --json-file)
# KEEP=1 keeps the work directory (outputs) for a look.
set -u
export LC_ALL=C # strerror texts
bin=$(readlink -f "$1")
skip() { echo "skip: $*"; exit 77; }
"$bin" --help 2>&1 | grep -q -- '--json-file' || skip "this omnisniff has no --json-file option yet"
[ "$(id -u)" = 0 ] || skip "needs root"
for c in ip socat jq unshare timeout; do
  command -v "$c" >/dev/null || skip "needs $c (packages iproute2, socat, jq, util-linux, coreutils)"
done
[ -n "${EPOCHREALTIME:-}" ] || skip "needs bash 5 (EPOCHREALTIME)"

a=ojf-a$$ b=ojf-b$$ va=vja$$ vb=vjb$$
. "$(dirname "$0")/netns.sh"
# since T: seconds from the wall clock time T ($EPOCHREALTIME) to now
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'; }
# gone PID SECONDS: wait at most SECONDS for PID to end (then reap it: $rc)
gone() {
  local p=$1 t=$(($2 * 50))
  while kill -0 "$p" 2>/dev/null; do ((t-- > 0)) || return 1; sleep 0.02; done
  wait "$p"; rc=$?
}
# UDP 9999: no traffic role (15000, encoder-archiver-unicast, is a video
# stream port: each short flow would be a stream that stops while others go
# on, a stream-stopped error and exit 1)
A=192.0.2.2 PORT=9999
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# the receiver (no ICMP port unreachable back); the link works (a closed TCP
# port is refused) and ARP is settled, before the capture
ip netns exec "$b" timeout -s KILL 50 socat -u UDP-RECV:$PORT /dev/null &
pids+=($!)
nsx "$a" timeout 3 bash -c "exec 3<>/dev/tcp/$A/9" 2>&1 | grep -q 'Connection refused' ||
  { echo "FAIL: no link between the namespaces"; exit 1; }

# sender [BURST]: BURST one-datagram flows as fast as bash opens sockets, then
# the steady stream (a new socket every 0.1 s, 5 datagrams 20 ms apart) until
# killed
sender() {
  # shellcheck disable=SC2016
  ip netns exec "$a" timeout -s KILL 50 bash -c '
    for ((i = 0; i < $3; i++)); do echo "burst $i" >/dev/udp/$1/$2; done
    for ((i = 0; ; i++)); do
      exec 3>/dev/udp/$1/$2
      for j in 1 2 3 4 5; do echo "flow $i datagram $j" >&3; sleep 0.02; done
      exec 3>&-
    done' sender $A $PORT "${1:-0}" 2>/dev/null &
  snd=$!
  pids+=("$snd")
}
# jq helpers: a timestamp ("2026-01-15T10:00:01.000000+0000") as seconds
# since the epoch
JQTS='def ts: (.[0:19] + "Z" | fromdateiso8601) + (.[19:26] | tonumber)
  - ((if .[26:27] == "-" then -1 else 1 end) * ((.[27:29] | tonumber) * 3600 + (.[29:31] | tonumber) * 60));'

# ---- 1. rotation ----------------------------------------------------------------
d=$tmp/rot
mkdir "$d"
# (started directly, not through a function, so that $! is omnisniff itself:
# ip netns exec execs it)
ip netns exec "$b" "$bin" --json-file "$d/records.json" --stats-interval 1 --udp-timeout 1 -i "$vb" \
  >"$tmp/rot.out" 2>"$tmp/rot.err" &
cap=$!
pids+=("$cap")
poll 10 packet_sockets "$b" 1 || { echo "FAIL: omnisniff did not open $vb"; cat "$tmp/rot.err"; exit 1; }
sleep 0.3 # the filter attached
t0=$EPOCHREALTIME
sender
sleep 3
kill -0 "$cap" 2>/dev/null || { echo "FAIL: omnisniff ended before the rotation"; cat "$tmp/rot.err"; exit 1; }
# written live (line-buffered), not only at the end
live() { grep -q '"type":"flow"' "$1" 2>/dev/null; }
live "$d/records.json" || bad "no flow record in records.json after 3 s of traffic (not written live?)"
thup=$EPOCHREALTIME
mv "$d/records.json" "$d/records.json.1" || bad "records.json was not there to rotate after 3 s"
kill -HUP "$cap"
# the new file shows up (at the next record: stats within a second)
poll 3 test -e "$d/records.json" || bad "records.json not recreated within 3 s of SIGHUP"
echo "records.json recreated $(since "$thup") s after SIGHUP"
sleep 2.5
live "$d/records.json" || bad "no flow record in the new records.json 2.5 s after SIGHUP (not written live?)"
kill -0 "$cap" 2>/dev/null || bad "omnisniff ended after SIGHUP (before SIGINT)"
tint=$EPOCHREALTIME
kill -INT "$cap"
gone "$cap" 5 || { bad "omnisniff still running 5 s after SIGINT"; kill -KILL "$cap"; wait "$cap"; rc=KILL; }
echo "rotation: omnisniff ran $(awk -v a="$t0" -v b="$tint" 'BEGIN { printf "%.1f", b - a }') s with traffic," \
  "stopped $(since "$tint") s after SIGINT, exit $rc"
kill "$snd" 2>/dev/null; wait "$snd" 2>/dev/null

old=$d/records.json.1 new=$d/records.json
[ "$rc" = 0 ] || bad "exit code $rc, want 0"
[ -s "$tmp/rot.err" ] && bad "stderr: $(cat "$tmp/rot.err")"
[ -s "$tmp/rot.out" ] && bad "stdout is not empty (the records belong in the file): $(head -c 300 "$tmp/rot.out")"
parsed=1
for f in "$old" "$new"; do
  if [ ! -s "$f" ]; then bad "$(basename "$f") missing or empty"; parsed=0; continue; fi
  lines=$(wc -l <"$f")
  # one whole object a line: a split or empty line does not parse alone
  ok=$(jq -R 'fromjson | select(type == "object" and (.type | type) == "string") | 1' "$f" 2>"$tmp/jq.err" | wc -l)
  if [ "$ok" != "$lines" ] || [ -s "$tmp/jq.err" ]; then
    bad "$(basename "$f"): $ok of $lines lines are whole JSON records: $(head -3 "$tmp/jq.err")"
    parsed=0
  fi
  [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || bad "$(basename "$f") does not end with a newline"
  jq -c . "$f" >/dev/null 2>&1 || bad "$(basename "$f") does not parse as JSON"
done
if [ $parsed = 1 ]; then
  count() { jq -R "fromjson | select(.type == \"$1\") | 1" "$2" | wc -l; }
  fo=$(count flow "$old") fn=$(count flow "$new")
  so=$(count stats "$old") sn=$(count stats "$new")
  echo "records.json.1: $(wc -l <"$old") records ($fo flow, $so stats);" \
    "records.json: $(wc -l <"$new") records ($fn flow, $sn stats)"
  [ "$fo" -ge 1 ] || bad "records.json.1 has no flow record (from before the rotation)"
  [ "$fn" -ge 1 ] || bad "records.json has no flow record (from after the rotation)"
  # the stats records, in file order, as "file seconds" lines
  { jq -R -r "$JQTS fromjson | select(.type == \"stats\") | \"old \\(.timestamp | ts)\"" "$old"
    jq -R -r "$JQTS fromjson | select(.type == \"stats\") | \"new \\(.timestamp | ts)\"" "$new"
  } >"$tmp/stats"
  awk -v h="$thup" '
    $1 == "old" && $2 > h + 0.2 { print "FAIL: records.json.1 holds a stats record of " $2 ", after the SIGHUP at " h; f = 1 }
    $1 == "new" && $2 < h - 1.5 { print "FAIL: records.json holds a stats record of " $2 ", 1.5 s or more before the SIGHUP at " h; f = 1 }
    $1 == "new" { seen_new = 1 }
    $1 == "old" && seen_new { print "FAIL: stats records out of order across the rotation"; f = 1 }
    # stamped at the packet (or the poll timeout) that crossed the second
    NR > 1 && int($2) - int(p) != 1 { print "FAIL: stats records of " p " then " $2 ": not one a second"; f = 1 }
    { p = $2 }
    END { exit f }' "$tmp/stats" || fail=1
  ns=$(wc -l <"$tmp/stats")
  echo "stats records: $ns (first $(head -1 "$tmp/stats" | cut -d' ' -f2), last $(tail -1 "$tmp/stats" | cut -d' ' -f2);" \
    "SIGHUP at $thup)"
  [ "$ns" -ge 4 ] || bad "$ns stats records over about 6 s, want >= 4"
  nk=$(cat "$old" "$new" | jq -R 'fromjson | select(.type == "stats")
    | select((.flows_active | type) == "number" and (.kernel | type) == "object"
             and (.kernel.received | type) == "number" and (.kernel.dropped | type) == "number"
             and (.kernel.ifdropped | type) == "number") | 1' | wc -l)
  [ "$nk" = "$ns" ] || bad "$((ns - nk)) of $ns stats records lack a numeric flows_active or a kernel object"
  # the summary: once, last
  nsum=$(cat "$old" "$new" | jq -R 'fromjson | select(.type == "summary") | 1' | wc -l)
  [ "$nsum" = 1 ] || bad "$nsum summary records, want 1"
  last=$(tail -n 1 "$new" | jq -r .type)
  [ "$last" = summary ] || bad "the last line of records.json is a '$last' record, not the summary"
  created=$(tail -n 1 "$new" | jq -r '.flows.created // empty')
  echo "flow records: $fo + $fn = $((fo + fn)); summary flows.created ${created:-?}"
  [ "${created:-x}" = $((fo + fn)) ] ||
    bad "$((fo + fn)) flow records in both files, the summary says ${created:-?} flows were created (lost across the rotation?)"
fi
if [ $fail != 0 ]; then
  echo "--- stats records (file, time)"; cat "$tmp/stats" 2>/dev/null
  echo "--- stderr"; cat "$tmp/rot.err"
fi

# ---- 2. full disk ---------------------------------------------------------------
# omnisniff in a mount namespace of its own with a 64 KiB tmpfs; the shell
# around it keeps the namespace 1 s after omnisniff ends (for the poller
# below), notes when omnisniff ended and its exit code, and keeps a copy of
# the file
mnt=$tmp/mnt
mkdir "$mnt"
# shellcheck disable=SC2016
ip netns exec "$b" unshare -m --propagation private bash -c '
  mount -t tmpfs -o size=64k tmpfs "$1" || exit 99
  timeout -s KILL 20 "$2" --json-file "$1/records.json" --stats-interval 1 --udp-timeout 1 -i "$3" >"$4.out" 2>"$4.err"
  echo $? >"$4.rc"
  echo "$EPOCHREALTIME" >"$4.end"
  cp "$1/records.json" "$4.json" 2>/dev/null
  df -k "$1" >"$4.df"
  sleep 1' _ "$mnt" "$bin" "$vb" "$tmp/full" &
holder=$!
pids+=("$holder")
started() { packet_sockets "$b" 1 || [ -e "$tmp/full.rc" ]; }
poll 10 started
[ "$(cat "$tmp/full.rc" 2>/dev/null)" = 99 ] && skip "cannot mount a tmpfs"
packet_sockets "$b" 1 || { bad "omnisniff (full disk) did not open $vb"; cat "$tmp/full.err"; exit 1; }
sleep 0.3
tb=$EPOCHREALTIME
sender 300
# the poller: when the tmpfs is full (no free block), through the namespace of
# the shell around omnisniff
tfull=""
for ((i = 0; i < 750; i++)); do # 15 s
  avail=$(stat -f -c %a "/proc/$holder/root$mnt" 2>/dev/null) || break
  if [ "$avail" = 0 ]; then tfull=$EPOCHREALTIME; break; fi
  [ -e "$tmp/full.rc" ] && break
  sleep 0.02
done
gone "$holder" 20 || { bad "the full-disk run did not end within 20 s"; kill -KILL "$holder"; }
kill "$snd" 2>/dev/null; wait "$snd" 2>/dev/null
rcf=$(cat "$tmp/full.rc" 2>/dev/null) tend=$(cat "$tmp/full.end" 2>/dev/null)
[ "${rcf:-}" = 99 ] && skip "cannot mount a tmpfs"
if [ -z "$tfull" ]; then
  bad "the tmpfs never filled up (omnisniff ended first, or no records?)"
elif [ -n "$tend" ]; then
  lag=$(awk -v a="$tfull" -v b="$tend" 'BEGIN { printf "%.3f", b - a }')
  echo "full disk: the tmpfs full $(awk -v a="$tb" -v b="$tfull" 'BEGIN { printf "%.3f", b - a }') s after the burst," \
    "omnisniff ended ${lag} s later, exit ${rcf:-?}"
  awk -v l="$lag" 'BEGIN { exit !(l <= 3) }' || bad "omnisniff ended ${lag} s after the disk filled up, want <= 3 s"
fi
f=$mnt/records.json
[ "${rcf:-}" = 2 ] || bad "full disk: exit code ${rcf:-none}, want 2 ($( [ "${rcf:-}" = 137 ] && echo "killed after 20 s: a hang"))"
[ "$(wc -l <"$tmp/full.err")" = 1 ] || bad "full disk: stderr is $(wc -l <"$tmp/full.err") lines, want 1"
grep -qF "$f" "$tmp/full.err" || bad "full disk: stderr does not name $f"
grep -qF "No space left on device" "$tmp/full.err" || bad "full disk: stderr does not say 'No space left on device'"
echo "--- full disk: stderr:"; cat "$tmp/full.err"
[ -s "$tmp/full.out" ] && echo "--- full disk: stdout: $(head -c 500 "$tmp/full.out")"
if [ -s "$tmp/full.json" ]; then
  lines=$(wc -l <"$tmp/full.json")
  ok=$(jq -R 'fromjson | 1' "$tmp/full.json" 2>/dev/null | wc -l)
  cut=""
  [ "$(tail -c 1 "$tmp/full.json" | od -An -c | tr -d ' ')" = '\n' ] || cut=" and a cut last record"
  echo "full disk: the file has $(wc -c <"$tmp/full.json") bytes: $lines whole lines ($ok parse)$cut"
fi
[ $fail = 0 ] || { echo "--- full disk: df"; cat "$tmp/full.df" 2>/dev/null; }
echo "total $(since "$t0") s"
exit $fail
