#!/usr/bin/env bash
# ship_clickhouse.sh — the central store of docs/pipeline.md, end to end,
# with the shipped files: omnisniff --json-file on a sensor, rsyslog with
# dist/rsyslog/omnisniff-sensor.conf shipping over RELP to a collector
# rsyslog with dist/rsyslog/omnisniff-collector.conf (and
# omnisniff-clickhouse), inserting into a ClickHouse server loaded with
# dist/clickhouse/schema.sql. The test edits only addresses, paths and one
# site name in the copies it runs (subst below fails when the text it edits
# is gone from a dist file).
#
# Two network namespaces joined by a veth pair (netns.sh): the sensor side
# (192.0.2.1) runs two sensor rsyslogs, one per site, each with its own work
# directory and log directory; the collector side (192.0.2.2) runs the
# collector rsyslog and clickhouse-server (its own config and data under the
# test's directory, on the namespace's loopback). Traffic stays in the
# namespaces.
#
# Each site's directory stands for its /var/log: the files are where the
# shipped unit (dist/systemd/omnisniff@.service.in) puts them, in the
# LogsDirectory= it names, made as systemd makes it with DynamicUser= (a
# symlink into private/); the sensor reads them with the shipped pattern;
# they are rotated by the shipped logrotate file (dist/logrotate/omnisniff,
# service_layout.sh: logrotate -f with a stand-in systemctl whose reload is
# the unit's SIGHUP), into its names (records.1.json, records.2.json.gz).
#
#   site north (the template unchanged: the site is the host name)
#     omnisniff@eth1's file: pcaps/field-six-problems.pcap fed through a
#     pipe to `omnisniff -r -` (--stats-interval 1): the first half, then —
#     with omnisniff still waiting for more — north's records must already
#     be in ClickHouse (records stream as packets arrive). Once the
#     collector is down (below): rotated, then the second half (omnisniff
#     writes its first records to records.1.json after the rename: it
#     reopens at its next tick), and once the sensor has read records.1.json
#     rotated again (records.2.json.gz), the sensor still reading.
#   site south (the template's %HOSTNAME% replaced by "site-south")
#     omnisniff@lo's file: a live capture (omnisniff -i lo -B 1
#     --stats-interval 1, "udp port 9999") is stopped (SIGSTOP) while 3000
#     datagrams go by, so its kernel drops packets, then continued; once its
#     records are in ClickHouse the sensor's rsyslog is stopped (SIGTERM),
#     the file rotated (stats records written before and after), the
#     capture stopped (SIGINT) and the sensor's rsyslog started again: it
#     reads the rest of records.1.json from where it was.
#     Then pcaps/field-dropped-playback.pcap read with -r into
#     omnisniff/field/playback.json (a file by hand, which the logrotate
#     file leaves alone); once ClickHouse has some of its records,
#     clickhouse-server is stopped (SIGSTOP) until an insert is under way,
#     the collector's rsyslog is killed (SIGKILL) and the server continued:
#     that batch is inserted, its confirmation lost. The collector's rsyslog
#     is started again after north's rotations.
#   ClickHouse restarted (SIGTERM, 2 s down, started again) while the
#   collector inserts the backlog: its inserts fail and are tried again.
#
# Asserted, once ClickHouse holds as many records as the files have lines
# (at most 45 s): every omnisniff exited 0; omnisniff wrote to north's
# records.1.json after the rename; the collector was killed mid-flow; some insert failed while ClickHouse was down (the retry ran);
# no line repeats within a site's files (the premise); per site and type,
# the records counted with FINAL equal the lines of the files; per site, the
# lines in ClickHouse are the files' lines byte for byte (sorted, compared);
# the flow, problem, stream and stats tables have a row per record of their
# type; some records were inserted twice (the batch whose confirmation was
# lost, sent again: counted by a view the test adds) and count once; the
# four queries of docs/pipeline.md (read from it, between
# "<!-- query: NAME -->" and the end of the sql block after it; "this
# week" with now() as 2026-01-16 UTC) answer what jq computes from the
# files, and say what the captures hold: north has 6 problems, TCP 6061
# archiver-playback is blocked at both sites, only site-south has kernel
# drops.
# Takes about 22 s.
#
# usage: ship_clickhouse.sh OMNISNIFF SOURCE_DIR   (exit 77 = skipped: needs
#        root, ip netns, veth, rsyslog + rsyslog-relp, clickhouse-server +
#        clickhouse-client, jq)
# KEEP=1 keeps the work directory (files, logs, ClickHouse data) for a look.
set -u
export LC_ALL=C
bin=$(readlink -f "$1")
src=$(readlink -f "$2")
skip() { echo "skip: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root"
PATH=$PATH:/usr/sbin:/sbin
for c in ip rsyslogd clickhouse-server clickhouse-client jq timeout mkfifo ss; do
  command -v "$c" >/dev/null ||
    skip "needs $c (packages iproute2, rsyslog, rsyslog-relp, clickhouse-server, clickhouse-client, jq)"
done
"$bin" --help 2>&1 | grep -q -- '--json-file' || skip "this omnisniff has no --json-file option"
probe=$(mktemp)
printf 'module(load="imrelp")\nmodule(load="omrelp")\n*.* action(type="omfile" file="/dev/null")\n' >"$probe"
rsyslogd -N1 -f "$probe" >/dev/null 2>&1 || { rm -f "$probe"; skip "rsyslog cannot load imrelp/omrelp (package rsyslog-relp)"; }
rm -f "$probe"

a=oshp-s$$ b=oshp-c$$ va=vsa$$ vb=vsb$$
. "$(dirname "$0")/netns.sh"
. "$(dirname "$0")/service_layout.sh" # unit_json, unit_logs, logs_directory, rotate_shipped
ip -n "$a" link set lo up && ip -n "$b" link set lo up
T0=$EPOCHREALTIME
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
fail=0
bad() { echo "FAIL: $*"; fail=1; }
die() { echo "FAIL: $*"; exit 1; }
COL=192.0.2.2
h=$(hostname)
NORTH=${h%%.*} SOUTH=site-south # rsyslog's %HOSTNAME%: the short host name

# subst IN OUT FROM TO [FROM TO]...: IN with each FROM (which must be in it)
# replaced by TO, written to OUT
subst() {
  local in=$1 out=$2 text
  shift 2
  text=$(<"$in")
  while [ $# -ge 2 ]; do
    [[ $text == *"$1"* ]] || die "$in no longer has '$1' (the test edits it)"
    text=${text//"$1"/"$2"}
    shift 2
  done
  printf '%s\n' "$text" >"$out"
}
# rsyslog NS DIR CONF: start rsyslogd in NS with DIR/main.conf, which
# includes CONF (work directory DIR/work, rsyslog's own messages to
# DIR/rsyslog.log); its pid in $rpid
rsyslog() {
  local ns=$1 d=$2
  mkdir -p "$d/work"
  printf 'global(workDirectory="%s" processInternalMessages="on")\ninclude(file="%s")\n*.* action(type="omfile" file="%s")\n' \
    "$d/work" "$3" "$d/rsyslog.log" >"$d/main.conf"
  rm -f "$d/pid"
  # (7>&-: not holding the pipe to north's omnisniff open)
  ip netns exec "$ns" rsyslogd -n -f "$d/main.conf" -i "$d/pid" >>"$d/rsyslog.out" 2>&1 7>&- &
  rpid=$!
  pids+=("$rpid")
  disown "$rpid" # no "Killed" notice from bash for the collector killed below
}
dead() { ! kill -0 "$1" 2>/dev/null; }
ch() { ip netns exec "$b" timeout 20 clickhouse-client --host 127.0.0.1 --port 9000 "$@"; }
chq() { ch --query "$1"; }
# content FILE...: the lines of the files, gzipped or plain
content() { gzip -dcf "$@" 2>/dev/null; }
lines() { content "$@" | wc -l; }
# records SITE: rows of SITE in ClickHouse (each record once)
records() { chq "SELECT count() FROM omnisniff.records FINAL WHERE site = '$1'" 2>/dev/null || echo 0; }

# ---- ClickHouse, its own config and data ------------------------------------
C=$tmp/clickhouse
mkdir -p "$C/data"
cat >"$C/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$C/server.log</log><errorlog>$C/server.err.log</errorlog><size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>9000</tcp_port>
  <http_port>8123</http_port>
  <path>$C/data/</path>
  <tmp_path>$C/data/tmp/</tmp_path>
  <user_files_path>$C/data/user_files/</user_files_path>
  <users_config>$C/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
</yandex>
EOF
cat >"$C/users.xml" <<'EOF'
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
EOF
# start_clickhouse: clickhouse-server in the collector namespace ($chs),
# answering
start_clickhouse() {
  ip netns exec "$b" clickhouse-server --config-file="$C/config.xml" >>"$C/out" 2>&1 &
  chs=$!
  pids+=("$chs")
  poll 30 chq 'SELECT 1' >/dev/null 2>&1 ||
    { tail -20 "$C/out" "$C/server.err.log" 2>/dev/null; die "clickhouse-server did not answer within 30 s"; }
}
start_clickhouse
ch --multiquery <"$src/dist/clickhouse/schema.sql" || die "dist/clickhouse/schema.sql does not load"
# the test's own count of every row inserted, copies included (the tables
# fold copies when they merge)
chq "CREATE MATERIALIZED VIEW omnisniff.test_inserted ENGINE = MergeTree ORDER BY site
     AS SELECT site, id FROM omnisniff.records" || die "cannot create the test's view"
echo "ClickHouse $(chq 'SELECT version()') up, schema loaded at $(since "$T0") s"

# ---- the collector and the two sensors, with the shipped configs ------------
D=$src/dist/rsyslog
cd_=$tmp/collector
mkdir -p "$cd_"
subst "$D/omnisniff-collector.conf" "$cd_/omnisniff-collector.conf" \
  '/usr/local/bin/omnisniff-clickhouse' "$D/omnisniff-clickhouse" \
  '/var/log/omnisniff-clickhouse.log' "$cd_/omnisniff-clickhouse.log"
start_collector() {
  rsyslog "$b" "$cd_" "$cd_/omnisniff-collector.conf"
  col=$rpid
}
start_collector
listening() { ip netns exec "$b" ss -ltn | grep -q ':2514 '; }
poll 10 listening || die "the collector's rsyslog does not listen on TCP 2514: $(tail -5 "$cd_/rsyslog.out")"
# The sensors' files as the shipped unit and logrotate file lay them out,
# under DIR/log (standing for /var/log) for each site's DIR
UNIT=$src/dist/systemd/omnisniff@.service.in
# instance DIR IFACE: make the LogsDirectory= of omnisniff@IFACE under
# DIR/log as systemd does (DynamicUser=: a symlink into DIR/log/private);
# json= the unit's --json-file there
instance() {
  json=$(unit_json "$UNIT" "$2")
  [ -n "$json" ] && [[ $json == /var/log/* ]] || die "$UNIT: no --json-file under /var/log in ExecStart"
  logs_directory "$1/log" "$(unit_logs "$UNIT" "$2")" root || die "cannot make LogsDirectory= of omnisniff@$2"
  json=$1/log${json#/var/log}
}
# sensor SITE DIR: a sensor rsyslog for one site, reading DIR/log/omnisniff
# (its pid in $rpid); and DIR/logrotate.conf, the shipped logrotate file for
# DIR/log/omnisniff
sensor() {
  local site=$1 d=$2 rest=()
  mkdir -p "$d/log/omnisniff"
  [ "$site" = "$NORTH" ] || rest=('%HOSTNAME% %APP-NAME%' "$site %APP-NAME%")
  subst "$D/omnisniff-sensor.conf" "$d/omnisniff-sensor.conf" \
    'file="/var/log/omnisniff/' "file=\"$d/log/omnisniff/" \
    'target="collector.example"' "target=\"$COL\"" "${rest[@]}"
  subst "$src/dist/logrotate/omnisniff" "$d/logrotate.conf" '/var/log/omnisniff/' "$d/log/omnisniff/"
  rsyslog "$a" "$d" "$d/omnisniff-sensor.conf"
}
# read_to_end DIR FILE: the sensor rsyslog of DIR has read FILE to its end
# (its imfile state for FILE's inode)
read_to_end() {
  local at
  at=$(cat "$1/work/imfile-state:$(stat -c %i "$2"):"* 2>/dev/null | jq -s 'map(.curr_offs) | max // 0' 2>/dev/null)
  [ "${at:-0}" -ge "$(stat -c %s "$2")" ]
}
N=$tmp/north S=$tmp/south
sensor "$NORTH" "$N"
sensor "$SOUTH" "$S"
ssen=$rpid
echo "collector and sensors ($NORTH, $SOUTH) started at $(since "$T0") s"

# ---- north: a capture through a pipe, records shipped as they come ---------
P6=$src/pcaps/field-six-problems.pcap
half=$(($(stat -c %s "$P6") / 2))
mkfifo "$tmp/north.fifo"
instance "$N" eth1
NJ=$json NR=${json%.json} # north: omnisniff@eth1's records.json, rotated $NR.1.json, $NR.2.json.gz
ip netns exec "$a" "$bin" -r - -H "$src/pcaps/field-six-problems.hosts" --stats-interval 1 --fail-on never \
  --json-file "$NJ" <"$tmp/north.fifo" >"$tmp/north.out" 2>"$tmp/north.err" &
om=$!
pids+=("$om")
exec 7>"$tmp/north.fifo"
head -c "$half" "$P6" >&7
t=$EPOCHREALTIME
north_in() { [ "$(records "$NORTH")" -gt 0 ]; }
if poll 20 north_in; then
  echo "north: $(records "$NORTH") records in ClickHouse $(since "$t") s after the first half of the capture," \
    "omnisniff still reading the pipe ($(lines "$NJ") lines written)"
  kill -0 "$om" 2>/dev/null || bad "omnisniff (north) ended before the second half of the capture"
else
  bad "no north record reached ClickHouse within 20 s of the first half of the capture"
fi

# ---- south: a live capture with kernel drops, rotated with rsyslog stopped --
# omnisniff@lo's file. Its sensor rsyslog is stopped once it has sent every
# record (an rsyslog stopped with a batch in flight to a collector it cannot
# reach loses that batch: rsyslog issue 5364), the file rotated by the
# shipped logrotate file (SIGHUP: omnisniff reopens within 0.1 s), and
# rsyslog started again: it reads records.1.json on from where it was
instance "$S" lo
SJ=$json SR=${json%.json}
ip netns exec "$a" "$bin" -i lo -B 1 --stats-interval 1 --json-file "$SJ" udp port 9999 \
  >"$tmp/live.out" 2>"$tmp/live.err" &
lv=$!
pids+=("$lv")
poll 10 packet_sockets "$a" 1 || bad "omnisniff -i lo did not open lo"
sleep 0.3
kill -STOP "$lv"
# shellcheck disable=SC2016
ip netns exec "$a" timeout 20 bash -c \
  'exec 3>/dev/udp/127.0.0.1/9999; for ((i = 0; i < 3000; i++)); do echo "datagram $i" >&3; done' 2>/dev/null
kill -CONT "$lv"
sleep 1.2 # a stats record with the drops
south_sent() { [ "$(records "$SOUTH")" = "$(lines "$SJ")" ]; }
poll 10 south_sent || bad "south's first $(lines "$SJ") records not in ClickHouse within 10 s"
kill -TERM "$ssen"
poll 10 dead "$ssen" || bad "south's sensor rsyslog still runs 10 s after SIGTERM"
sleep 1.2 # stats records, unread
rotate_shipped "$S/logrotate.conf" "$S/lr.state" lo kill -HUP "$lv" || bad "logrotate (south): $(cat "$S/lr.state.out")"
grep -q "try-reload-or-restart" "$S/lr.state.calls" || bad "the logrotate file's postrotate did not reload the units"
sleep 1.2 # and some in the new records.json
kill -INT "$lv"
wait "$lv"
rc=$?
[ $rc = 0 ] || bad "omnisniff -i lo: exit $rc, want 0: $(head -3 "$tmp/live.err")"
rsyslog "$a" "$S" "$S/omnisniff-sensor.conf"
echo "south: rotated with its rsyslog stopped: records.1.json $(lines "$SR.1.json") lines," \
  "records.json $(lines "$SJ") lines"

# ---- south: a capture read whole; the collector killed mid-flow -------------
# (an analysis by hand: a directory of its own, which logrotate leaves alone)
SP=$S/log/omnisniff/field/playback.json
mkdir -p "${SP%/*}"
ip netns exec "$a" "$bin" -r "$src/pcaps/field-dropped-playback.pcap" --fail-on never \
  --json-file "$SP" >"$tmp/south.out" 2>"$tmp/south.err"
rc=$?
[ $rc = 0 ] || bad "omnisniff -r field-dropped-playback.pcap: exit $rc, want 0"
want=$(lines "$SP" "$SR.1.json" "$SJ")
south_in() { [ "$(records "$SOUTH")" -gt "$(lines "$SR.1.json" "$SJ")" ]; }
poll 20 south_in || bad "no south record of the capture reached ClickHouse within 20 s"
# catch a batch mid-insert: ClickHouse stopped, the collector killed while
# its clickhouse-client waits, ClickHouse continued (the batch is inserted,
# its answer lost: the restarted collector sends it again)
inserting() {
  local p
  for p in $(ip netns pids "$b"); do
    tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -q 'INSERT INTO omnisniff.records' && { ins=$p; return 0; }
  done
  return 1
}
kill -STOP "$chs"
poll 10 inserting || bad "no insert under way 10 s after ClickHouse was stopped"
kill -KILL "$col"
poll 5 dead "$col" || bad "the collector's rsyslog still runs 5 s after SIGKILL"
kill -CONT "$chs"
poll 10 dead "$ins" || bad "the insert under way when the collector was killed did not end within 10 s"
got=$(records "$SOUTH")
echo "collector rsyslog killed (SIGKILL) during an insert, with $got of south's $want records in ClickHouse"
[ "$got" -lt "$want" ] || bad "the collector was killed after every south record had arrived: not mid-flow"
tdown=$EPOCHREALTIME

# ---- north, while the collector is down: rotated twice ----------------------
# by the shipped logrotate file (its postrotate's systemctl reloads
# omnisniff@eth1: SIGHUP), then the second half of the capture: omnisniff
# writes its first records to records.1.json, and reopens at its next tick
# (1024 packets here; 0.1 s in a live capture)
before=$(lines "$NJ")
rotate_shipped "$N/logrotate.conf" "$N/lr.state" eth1 kill -HUP "$om" ||
  bad "logrotate (north): $(cat "$N/lr.state.out")"
grep -q "try-reload-or-restart" "$N/lr.state.calls" || bad "the logrotate file's postrotate did not reload the units"
tail -c +$((half + 1)) "$P6" >&7
exec 7>&-
wait "$om"
rc=$?
[ $rc = 0 ] || bad "omnisniff -r - (north): exit $rc, want 0: $(head -3 "$tmp/north.err")"
echo "north: rotated, records.1.json $(lines "$NR.1.json") lines ($before before the rename)," \
  "records.json $(lines "$NJ") lines"
[ "$(lines "$NR.1.json")" -gt "$before" ] ||
  bad "omnisniff wrote nothing to records.1.json after the rename: the test misses its point"
# once the sensor has read records.1.json (in real life it has a day before
# the next rotation), rotated again while the sensor may still read
# records.json (omnisniff@eth1 has stopped: the reload does nothing)
poll 10 read_to_end "$N" "$NR.1.json" || bad "north's sensor did not read records.1.json to its end within 10 s"
rotate_shipped "$N/logrotate.conf" "$N/lr.state" eth1 true || bad "logrotate (north, again): $(cat "$N/lr.state.out")"
echo "north: rotated again: $(cd "${NJ%/*}" && echo *)"
[ -f "$NR.2.json.gz" ] && [ -f "$NR.1.json" ] || bad "north not rotated into records.2.json.gz and records.1.json"
sleep 2 # the sensors find the collector gone (they try again every 2 s)
start_collector
echo "collector rsyslog started again after $(since "$tdown") s down"

# ---- ClickHouse restarted while the collector inserts --------------------------
# (inserts fail: omnisniff-clickhouse says so, rsyslog keeps the batch and
# sends it again once ClickHouse is back)
n0=$(records "$NORTH")
more() { [ "$(records "$NORTH")" -gt "$n0" ]; }
poll 20 more || bad "no north record arrived within 20 s of the collector's restart"
kill -TERM "$chs"
wait "$chs"
tch=$EPOCHREALTIME
sleep 2
start_clickhouse
NF=("$NR.2.json.gz" "$NR.1.json") SF=("$SP" "$SR.1.json" "$SJ")
echo "ClickHouse restarted ($(since "$tch") s down) with north at $(records "$NORTH") of $(lines "${NF[@]}") records"

# ---- everything arrives, once -------------------------------------------------
nn=$(lines "${NF[@]}") ns=$(lines "${SF[@]}")
t=$EPOCHREALTIME
all_in() { [ "$(records "$NORTH")" = "$nn" ] && [ "$(records "$SOUTH")" = "$ns" ]; }
poll 45 all_in || bad "after 45 s ClickHouse has $(records "$NORTH") of north's $nn and $(records "$SOUTH") of south's $ns records"
echo "all in $(since "$t") s after the restart: north $nn, south $ns records"

for f in "${NF[@]}" "${SF[@]}"; do [ -s "$f" ] || bad "$f is missing or empty"; done
retries=$(grep -c 'insert failed' "$cd_/omnisniff-clickhouse.log" 2>/dev/null)
echo "inserts tried again while ClickHouse was down: ${retries:-0}"
[ "${retries:-0}" -gt 0 ] || bad "no insert failed while ClickHouse was down (the retry was not exercised)"
# the premise: no line twice within a site (else content identity folds them)
for s in north south; do
  if [ $s = north ]; then files=("${NF[@]}"); else files=("${SF[@]}"); fi
  d=$(content "${files[@]}" | sort | uniq -d | wc -l)
  [ "$d" = 0 ] || bad "$d lines repeat within $s's files (the test's premise)"
done
# per site and type
{ content "${NF[@]}" | jq -r --arg s "$NORTH" '[$s, .type] | @tsv'
  content "${SF[@]}" | jq -r --arg s "$SOUTH" '[$s, .type] | @tsv'; } | sort | uniq -c |
  awk '{ printf "%s\t%s\t%s\n", $2, $3, $1 }' >"$tmp/want.types"
chq "SELECT site, type, count() FROM omnisniff.records FINAL GROUP BY site, type ORDER BY site, type FORMAT TSV" \
  >"$tmp/got.types"
diff "$tmp/want.types" "$tmp/got.types" >"$tmp/types.diff" ||
  { bad "records per site and type (< the files, > ClickHouse):"; cat "$tmp/types.diff"; }
echo "--- records per site and type (FINAL):"
cat "$tmp/got.types"
# byte for byte
for s in "$NORTH" "$SOUTH"; do
  if [ "$s" = "$NORTH" ]; then files=("${NF[@]}"); else files=("${SF[@]}"); fi
  content "${files[@]}" | sort >"$tmp/want.lines"
  chq "SELECT line FROM omnisniff.records FINAL WHERE site = '$s' FORMAT TSVRaw" | sort >"$tmp/got.lines"
  cmp -s "$tmp/want.lines" "$tmp/got.lines" ||
    bad "$s: the lines in ClickHouse differ from the files': $(diff "$tmp/want.lines" "$tmp/got.lines" | head -c 600)"
done
# the typed tables
for ty in flow problem stream stats; do
  w=$(awk -v t="$ty" '$2 == t { n += $3 } END { print n + 0 }' "$tmp/want.types")
  g=$(chq "SELECT count() FROM omnisniff.$ty FINAL")
  [ "$w" = "$g" ] || bad "omnisniff.$ty has $g rows, the files $w $ty records"
done
read -r copies ids <<<"$(chq "SELECT count(), uniqExact(id) FROM omnisniff.test_inserted")"
echo "rows inserted: $copies for $ids records ($((copies - ids)) copies, which the tables count once)"
[ "$ids" = $((nn + ns)) ] || bad "$ids distinct records inserted, want $((nn + ns))"
[ "$copies" -gt "$ids" ] ||
  bad "no record was inserted twice: the batch whose answer the killed collector never read was not sent again?"

# ---- the queries of docs/pipeline.md ------------------------------------------
# query NAME: the sql block after "<!-- query: NAME -->"
query() {
  awk -v m="<!-- query: $1 -->" '$0 == m { f = 1; next } f && /^```sql/ { q = 1; next }
    q && /^```/ { exit } q { print }' "$src/docs/pipeline.md"
}
# every record of both sites as {"site", "r"} for jq -s
{ content "${NF[@]}" | jq -c --arg s "$NORTH" '{site: $s, r: .}'
  content "${SF[@]}" | jq -c --arg s "$SOUTH" '{site: $s, r: .}'; } >"$tmp/all.json"
JQDEF='def arr: "[" + (map(if type == "string" then "'"'"'" + . + "'"'"'" else tostring end) | join(",")) + "]";
  def secs: .[0:19] | sub("T"; " ");
  def blocked: IN("unanswered-connection", "connection-refused", "icmp-unreachable");
  def problems: .[] | select(.r.type == "problem");'
expect() { jq -s -r "$JQDEF $1" "$tmp/all.json"; }
# check NAME JQ [SED]: the docs' query NAME (edited by SED) against JQ's rows
check() {
  local q
  q=$(query "$1")
  [ -n "$q" ] || { bad "docs/pipeline.md has no query '$1'"; return; }
  [ -n "${3:-}" ] && q=$(sed "$3" <<<"$q")
  expect "$2" >"$tmp/$1.want"
  chq "$q FORMAT TSV" >"$tmp/$1.got" 2>&1
  echo "--- $1:"
  cat "$tmp/$1.got"
  cmp -s "$tmp/$1.want" "$tmp/$1.got" ||
    { bad "query $1 (< jq on the files, > ClickHouse):"; diff "$tmp/$1.want" "$tmp/$1.got"; }
}
check problems-per-site-per-day '[problems | {site, day: (.r.timestamp[0:10]), id: .r.problem_id,
    sev: .r.severity, kind: .r.kind}] | group_by([.day, .site])[]
  | [.[0].site, .[0].day, (map(.id) | unique | length), (map(select(.sev == "error").id) | unique | length),
     (map(.kind) | unique | arr)] | @tsv'
check top-blocked-services '[problems | select(.r.kind | blocked) | . as $p | .r.ports[]
    | {site: $p.site, id: $p.r.problem_id, role: $p.r.role, proto: $p.r.proto, port: ., flows: $p.r.flows,
       last: $p.r.last_seen}]
  | group_by([.site, .id, .role, .proto, .port])
  | map(.[0] + {attempts: (map(.flows) | max), last: (map(.last) | max)})
  | group_by([.role, .proto, .port])
  | map({role: .[0].role, proto: .[0].proto, port: .[0].port, sites: (map(.site) | unique),
         problems: length, attempts: (map(.attempts) | add), last: (map(.last) | max)})
  | sort_by([-(.sites | length), -.attempts, .role, .proto, .port])[:20][]
  | [.role, .proto, .port, (.sites | length), (.sites | arr), .problems, .attempts, (.last | secs)] | @tsv'
check blocked-playback-this-week '[problems | select(.r.role == "archiver-playback" and (.r.kind | blocked)
    and .r.timestamp >= "2026-01-09")] | group_by(.site)[]
  | [.[0].site, (map(.r.service_ip) | unique | arr), (map(.r.ports[]) | unique | arr),
     (map(.r.last_seen) | max | secs)] | @tsv' \
  "s/now()/toDateTime('2026-01-16 00:00:00', 'UTC')/"
check sensors-with-kernel-drops '[.[] | select(.r.type == "stats" and .r.kernel != null
    and (.r.kernel.dropped > 0 or .r.kernel.ifdropped > 0)) | {site, day: .r.timestamp[0:10], k: .r.kernel}]
  | group_by([.day, .site])[]
  | [.[0].site, .[0].day, (map(.k.dropped) | max), (map(.k.ifdropped) | max), (map(.k.received) | max)] | @tsv'
# and what the captures hold
awk -F'\t' -v s="$NORTH" '$1 == s && $3 == 6 { f = 1 } END { exit !f }' "$tmp/problems-per-site-per-day.got" ||
  bad "problems-per-site-per-day: no row of 6 problems for $NORTH (field-six-problems)"
awk -F'\t' '$1 == "archiver-playback" && $3 == 6061 && $4 == 2 { f = 1 } END { exit !f }' "$tmp/top-blocked-services.got" ||
  bad "top-blocked-services: archiver-playback TCP 6061 is not blocked at both sites"
[ "$(cut -f1 "$tmp/blocked-playback-this-week.got" | tr '\n' ' ')" = "$(printf '%s\n' "$NORTH" "$SOUTH" | sort | tr '\n' ' ')" ] ||
  bad "blocked-playback-this-week: want both sites"
awk -F'\t' -v s="$SOUTH" '$1 != s || $3 <= 0 { f = 1 } END { exit f || NR != 1 }' "$tmp/sensors-with-kernel-drops.got" ||
  bad "sensors-with-kernel-drops: want one row, $SOUTH, with drops"

if [ $fail != 0 ]; then
  for f in "$cd_/rsyslog.log" "$cd_/rsyslog.out" "$cd_/omnisniff-clickhouse.log" "$N/rsyslog.log" "$S/rsyslog.log" "$C/server.err.log"; do
    [ -s "$f" ] && { echo "--- $f (last lines)"; tail -5 "$f"; }
  done
fi
echo "total $(since "$T0") s"
exit $fail
