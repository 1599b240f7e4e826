#!/usr/bin/env bash
# service_check.sh — the service files of dist/, as `cmake --install` puts
# them (into a temporary DESTDIR, at the build's prefix; and at another
# --prefix, where ExecStart must name that prefix's binary):
#   unit:      omnisniff@.service, verified as omnisniff@eth0.service by
#              `systemd-analyze verify` (offline): any line about the unit
#              fails (verify exits 0 on most of them); its ExecStart names a
#              binary that was installed; `systemd-analyze security
#              --offline` rates it at most 3.0 ("OK").
#   logrotate: `logrotate -d` parses the file and finds
#              /var/log/omnisniff/*/records.json, without an error line.
#   agreement: systemd expands LogsDirectory= for omnisniff@eth0 (its dump,
#              `SYSTEMD_LOG_LEVEL=debug systemd-analyze verify`) to the
#              directory that holds ExecStart's --json-file; that file
#              matches the logrotate file's pattern and the file= pattern of
#              dist/rsyslog/omnisniff-sensor.conf (as shell patterns).
#   self-test: a unit with a bad line and a logrotate file with an unknown
#              directive must both fail those checks (they can fail).
#   live (root, ip netns, setpriv; else said and skipped): the unit's exact
#              ExecStart line for instance IFACE (a veth in a network
#              namespace; OMNISNIFF_OPTS="--udp-timeout 1 udp and dst port
#              9999", as /etc/default/omnisniff could set it), run as nobody
#              with only the unit's capabilities (AmbientCapabilities =
#              CapabilityBoundingSet), NoNewPrivileges and UMask, writes flow
#              records to its --json-file, /var/log/omnisniff/IFACE/records.json
#              (/var/log a tmpfs in a mount namespace of its own; the
#              LogsDirectory= made as systemd makes it with DynamicUser=: a
#              symlink into /var/log/private, 0700, which the service sees
#              through a tmpfs of its own); without any capability the same
#              line exits 2. Then the installed logrotate file, forced twice
#              (service_layout.sh: a stand-in systemctl runs the unit's
#              ExecReload= for the pattern of its postrotate): records.1.json
#              and the new records.json, made by omnisniff as nobody, both
#              hold flow records; after the second records.2.json.gz does,
#              records.1.json.gz does not exist (delaycompress), `logrotate
#              -d` then considers only records.json (the pattern names no
#              rotated file) and every plain file matches the sensor's
#              pattern. SIGTERM (systemctl stop): an exit status the unit
#              counts as success, the summary record last, nothing on stdout
#              or stderr.
# Takes about 10 s as root.
#
# usage: service_check.sh BUILD_DIR SOURCE_DIR
#        (exit 77 = skipped: no systemd-analyze or no logrotate)
# KEEP=1 keeps the work directory.
set -u
export LC_ALL=C
here=$(dirname "$(readlink -f "$0")")
skip() { echo "skip: $*"; exit 77; }
fail=0
bad() { echo "FAIL: $*"; fail=1; }
. "$here/../live/service_layout.sh" # unit_key, unit_json, unit_logs, logs_directory, rotate_shipped

# unit_cmd UNIT KEY IFACE OPTS: cmd=(the words systemd runs for the unit's
# KEY= line, for instance IFACE, OMNISNIFF_OPTS=OPTS and $MAINPID). Fails on
# what this simple expansion does not know (quotes, other specifiers).
unit_cmd() {
  local line w words opts
  line=$(unit_key "$1" "$2")
  [ "$(printf '%s\n' "$line" | wc -l)" = 1 ] && [ -n "$line" ] || { echo "no single $2= line in $1"; return 1; }
  if printf '%s' "$line" | grep -qE "[\"'\\]|^[-@+!:]|%[^i]|%$"; then
    echo "$2=$line: quotes, a prefix or a specifier this test does not expand"
    return 1
  fi
  read -ra words <<<"$line"
  cmd=()
  for w in "${words[@]}"; do
    case $w in
      '$OMNISNIFF_OPTS') read -ra opts <<<"$4"; cmd+=("${opts[@]}") ;;
      '$MAINPID') cmd+=("${MAINPID:?}") ;;
      *'$'*) echo "$2=: unknown variable in '$w'"; return 1 ;;
      *) cmd+=("${w//%i/$3}") ;;
    esac
  done
}

# ---- static checks ------------------------------------------------------------
# verify_unit FILE: systemd-analyze verify FILE, offline; its output (empty
# when clean) in $tmp/verify.out; fails on a line about the unit or rc != 0
verify_unit() {
  systemd-analyze verify --man=no "$1" >"$tmp/verify.out" 2>&1 || return 1
  ! grep -q 'omnisniff@' "$tmp/verify.out"
}

# logrotate_parses FILE: logrotate -d FILE reads the omnisniff pattern, no error
logrotate_parses() {
  logrotate -d -s "$tmp/lr-debug.state" "$1" >"$tmp/lr-debug.out" 2>&1 || return 1
  ! grep -q '^error:' "$tmp/lr-debug.out" &&
    grep -qF 'rotating pattern: /var/log/omnisniff/*/records.json' "$tmp/lr-debug.out"
}

# lr_pattern FILE: the (first) pattern of the logrotate file
lr_pattern() { sed -n 's/^\([^# ][^ ]*\) *{$/\1/p' "$1" | head -1; }

check_unit() { # check_unit UNIT ROOT
  local unit=$1 root=$2 bin v=$tmp/verify
  unit_cmd "$unit" ExecStart eth0 "" || { bad "ExecStart: $(unit_cmd "$unit" ExecStart eth0 "")"; return; }
  bin=${cmd[0]}
  [ -x "$root$bin" ] && [ -f "$root$bin" ] || bad "ExecStart names $bin, not installed (no $root$bin)"
  echo "ExecStart: ${cmd[*]}"
  # verify checks that the binary exists: the copy names it in the DESTDIR,
  # nothing else changes
  mkdir -p "$v/bad"
  sed "s|^ExecStart=$bin |ExecStart=$root$bin |" "$unit" >"$v/omnisniff@eth0.service"
  if verify_unit "$v/omnisniff@eth0.service"; then
    echo "systemd-analyze verify omnisniff@eth0.service: clean"
  else
    bad "systemd-analyze verify omnisniff@eth0.service:"; cat "$tmp/verify.out"
  fi
  { cat "$v/omnisniff@eth0.service"; echo "[Service]"; echo "Restart=sometimes"; } >"$v/bad/omnisniff@eth0.service"
  verify_unit "$v/bad/omnisniff@eth0.service" && bad "verify passes a unit with 'Restart=sometimes': this check cannot fail"
  if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
    local score
    score=$(systemd-analyze security --offline=yes --man=no "$v/omnisniff@eth0.service" 2>&1 |
      sed -n 's/.*Overall exposure level for omnisniff@eth0.service: \([0-9.]*\).*/\1/p')
    echo "systemd-analyze security: exposure ${score:-?}"
    awk -v s="${score:-99}" 'BEGIN { exit !(s <= 3.0) }' || bad "exposure ${score:-unknown}, want <= 3.0"
  fi
}

check_logrotate() { # check_logrotate FILE
  if logrotate_parses "$1"; then
    echo "logrotate -d: $(grep -F 'rotating pattern' "$tmp/lr-debug.out")"
  else
    bad "logrotate -d $1:"; cat "$tmp/lr-debug.out"
  fi
  sed 's/^\( *\)compress$/\1compresss/' "$1" >"$tmp/lr-bad"
  cmp -s "$1" "$tmp/lr-bad" && bad "the logrotate file has no 'compress' line to spoil for the self-test"
  logrotate_parses "$tmp/lr-bad" && bad "logrotate -d passes an unknown directive: this check cannot fail"
}

# sensor_pattern CONF: the file= of the imfile input of the sensor's rsyslog
# config
sensor_pattern() { sed -n 's/^ *file="\([^"]*\)".*/\1/p' "$1" | head -1; }

# check_agreement UNIT LOGROTATE SENSOR: the unit's --json-file for
# omnisniff@eth0 is in its LogsDirectory= (as systemd expands it: the verify
# copy of check_unit, dumped), and the logrotate file and the sensor's
# rsyslog config both name it
check_agreement() {
  local json logs sd lr rs
  json=$(unit_json "$1" eth0) logs=$(unit_logs "$1" eth0)
  sd=$(SYSTEMD_LOG_LEVEL=debug systemd-analyze verify --man=no "$tmp/verify/omnisniff@eth0.service" 2>&1 |
    sed -n 's/^[[:space:]]*LogsDirectory: //p')
  [ -n "$logs" ] && [ "$sd" = "$logs" ] ||
    bad "systemd expands LogsDirectory= for omnisniff@eth0 to '${sd:-nothing}', this test to '$logs'"
  [ -n "$json" ] && [ "$(dirname "$json")" = "/var/log/$logs" ] ||
    bad "ExecStart's --json-file '$json' is not in LogsDirectory= /var/log/$logs"
  lr=$(lr_pattern "$2") rs=$(sensor_pattern "$3")
  # shellcheck disable=SC2053 # (the right side is a pattern)
  [[ $json == $lr ]] || bad "the logrotate file's pattern '$lr' does not name $json"
  # shellcheck disable=SC2053
  [[ $json == $rs ]] || bad "the sensor's file= '$rs' does not name $json"
  echo "agreement: $json, in LogsDirectory=$sd (systemd), named by $lr (logrotate) and $rs (rsyslog)"
}

# ---- live: the ExecStart line, capabilities, rotation -------------------------
IFACE_OPTS="--udp-timeout 1 udp and dst port 9999"

# caps_of UNIT KEY: the capabilities of the unit's KEY= line as setpriv
# wants them (+net_raw,...)
caps_of() { unit_key "$1" "$2" | tr ' ' '\n' | sed -n 's/^CAP_\(.*\)/+\L\1/p' | paste -sd, -; }

# as_service UNIT CAPS CMD...: CMD as nobody with only CAPS (ambient,
# inheritable, bounding), the unit's NoNewPrivileges and UMask, and its view
# of its LogsDirectory= for the instance $iface: with DynamicUser=, systemd
# mounts a tmpfs over /var/log/private (0700 on the host) in the service's
# mount namespace, holding only the instance's directory
as_service() {
  local unit=$1 caps=$2 nnp=()
  shift 2
  [ "$(unit_key "$unit" NoNewPrivileges)" = yes ] && nnp=(--no-new-privs)
  # shellcheck disable=SC2016
  exec unshare -m --propagation private -- sh -ec 'p=/var/log/private/$1 u=$2; shift 2
    mkdir -p /run/logs-view && mount --bind "$p" /run/logs-view
    mount -t tmpfs -o mode=0755 tmpfs /var/log/private
    mkdir -p "$p" && mount --move /run/logs-view "$p"
    umask "$u" && exec "$@"' sh "$(unit_logs "$unit" "$iface")" "$(unit_key "$unit" UMask)" \
    setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups --inh-caps="-all${caps:+,$caps}" \
    --ambient-caps="-all${caps:+,$caps}" --bounding-set="-all${caps:+,$caps}" "${nnp[@]}" -- "$@"
}

# records FILE: flow records in FILE (gzip or plain)
records() { { gzip -dcf "$1" 2>/dev/null || :; } | grep -c '"type":"flow"'; }
has_records() { [ "$(records "$1")" -ge 1 ]; }

# refused UNIT CMD...: without any capability CMD exits 2, permission denied
refused() {
  local unit=$1 rc
  shift
  (as_service "$unit" "" "$@") >"$tmp/nocap.out" 2>&1
  rc=$?
  [ "$rc" = 2 ] && grep -q 'permission denied' "$tmp/nocap.out" ||
    bad "without capabilities: exit $rc, want 2 and 'permission denied': $(head -3 "$tmp/nocap.out")"
}

# stopped PID UNIT JSON: SIGTERM (systemctl stop) ends PID with a status the
# unit counts as success, the summary record last in JSON, nothing else said
stopped() {
  local pid=$1 rc
  kill -TERM "$pid"
  poll 5 eval '! kill -0 '"$pid"' 2>/dev/null' || { bad "omnisniff still running 5 s after SIGTERM"; kill -KILL "$pid"; }
  wait "$pid"
  rc=$?
  case " 0 $(unit_key "$2" SuccessExitStatus) " in
    *" $rc "*) echo "stopped: exit $rc (success for the unit)" ;;
    *) bad "exit $rc after SIGTERM: the unit counts it as a failure" ;;
  esac
  tail -n 1 "$3" | grep -q '"type":"summary"' || bad "the last record of $3 is not the summary"
  [ -s "$tmp/svc.out" ] || [ -s "$tmp/svc.err" ] && bad "output besides the JSON file: $(head -c 300 "$tmp/svc.out" "$tmp/svc.err")"
}

# inner ROOT UNIT LOGROTATE SENSOR IFACE: in the capture's network namespace
# and a mount namespace of its own (tmpfs on /var/log and /run), as root
inner() {
  local root=$1 unit=$2 lr=$3 caps pid json dir
  json=$(unit_json "$unit" "$5") dir=$(unit_logs "$unit" "$5")
  mount -t tmpfs -o mode=0755 tmpfs /var/log && mount -t tmpfs -o mode=0755 tmpfs /run || exit 99
  logs_directory /var/log "$dir" nobody || { bad "cannot make LogsDirectory=$dir"; return; }
  caps=$(caps_of "$unit" AmbientCapabilities)
  [ "$caps" = "$(caps_of "$unit" CapabilityBoundingSet)" ] || bad "AmbientCapabilities and CapabilityBoundingSet differ"
  unit_cmd "$unit" ExecStart "$5" "$IFACE_OPTS" || { bad "$(unit_cmd "$unit" ExecStart "$5" "$IFACE_OPTS")"; return; }
  cmd[0]=$root${cmd[0]}
  refused "$unit" "${cmd[@]}"
  rm -f "$json"

  echo "running as nobody with $caps: ${cmd[*]}"
  (as_service "$unit" "$caps" "${cmd[@]}") >"$tmp/svc.out" 2>"$tmp/svc.err" &
  pid=$!
  poll 10 has_records "$json" || { bad "no flow record in $json within 10 s"; cat "$tmp/svc.err"; kill "$pid" 2>/dev/null; return; }
  local want
  want=$(printf '%o' $((0666 & ~8#$(unit_key "$unit" UMask))))
  [ "$(stat -c '%U %a' "$json")" = "nobody $want" ] || bad "$json is $(stat -c '%U %a' "$json"), want nobody $want"

  local old=${json%.json}
  rotate "$pid" "$unit" "$lr" "$json" || { kill "$pid"; return; }
  for f in "$old.1.json" "$json"; do has_records "$f" || bad "$f: no flow record"; done
  rotate "$pid" "$unit" "$lr" "$json" || { kill "$pid"; return; }
  has_records "$old.2.json.gz" || bad "$old.2.json.gz: no flow record (compressed a rotation later?)"
  [ -e "$old.1.json.gz" ] && bad "$old.1.json.gz: compressed at once (delaycompress?)"
  echo "rotated twice: $(cd "$(dirname "$json")" && ls | tr '\n' ' ')"
  rotated_names "$json" "$lr" "$4"
  stopped "$pid" "$unit" "$json"
}

# rotate PID UNIT LOGROTATE JSON: the installed logrotate file forced
# (rotate_shipped: its postrotate's systemctl runs the unit's ExecReload= for
# PID when its pattern names the instance, $iface); then the new JSON comes
# back, as nobody, with a flow record
rotate() {
  local json=$4
  MAINPID=$1 unit_cmd "$2" ExecReload "$iface" "" || { bad "ExecReload: $(MAINPID=$1 unit_cmd "$2" ExecReload "$iface" "")"; return 1; }
  rotate_shipped "$3" "$tmp/lr.state" "$iface" "${cmd[@]}" || { bad "logrotate -f: $(cat "$tmp/lr.state.out")"; return 1; }
  grep -q 'try-reload-or-restart' "$tmp/lr.state.calls" || bad "logrotate's postrotate did not call systemctl try-reload-or-restart"
  poll 5 has_records "$json" || { bad "no flow record in a new $json within 5 s of the rotation"; return 1; }
  [ "$(stat -c %U "$json")" = nobody ] || bad "the new $json belongs to $(stat -c %U "$json"), not nobody"
}

# rotated_names JSON LOGROTATE SENSOR: after the rotations, logrotate (-d)
# would rotate JSON and no rotated file; every plain file in its directory
# still matches the sensor's file= (rsyslog reads on), no compressed one does
rotated_names() {
  local f p
  logrotate -d -s "$tmp/lr.state" "$2" >"$tmp/lr-after.out" 2>&1
  p=$(sed -n 's/^considering log //p' "$tmp/lr-after.out" | tr '\n' ' ')
  [ "$p" = "$1 " ] || bad "logrotate -d after the rotations considers '$p', want only $1"
  p=$(sensor_pattern "$3")
  # shellcheck disable=SC2053 # (the right sides are patterns)
  for f in "$(dirname "$1")"/*; do
    case $f in
      *.gz) [[ $f == $p ]] && bad "the sensor's file= '$p' names the compressed $f" ;;
      *) [[ $f == $p ]] || bad "the sensor's file= '$p' does not name $f: what omnisniff writes after the rename is not read" ;;
    esac
  done
}

live() { # live ROOT UNIT LOGROTATE SENSOR
  [ "$(id -u)" = 0 ] || skip "live part needs root"
  for c in ip setpriv unshare gzip; do command -v $c >/dev/null || skip "live part needs $c"; done
  id nobody >/dev/null 2>&1 || skip "live part needs a user nobody"
  # shellcheck disable=SC2034 # (va: netns.sh makes the veth pair)
  a=osv-a$$ b=osv-b$$ va=vsa$$ vb=vsb$$
  . "$here/../live/netns.sh"
  # a new UDP socket (source port, flow) every 0.1 s, 3 datagrams each
  # shellcheck disable=SC2016
  nsx "$a" timeout -s KILL 30 bash -c 'while :; do exec 3>/dev/udp/192.0.2.2/9999
    for i in 1 2 3; do echo x >&3; done; exec 3>&-; sleep 0.1; done' 2>/dev/null &
  pids+=($!)
  nsx "$b" unshare -m --propagation private "$0" --inner "$@" "$vb" "$tmp"
  rc=$?
  [ "$rc" = 99 ] && skip "cannot mount a tmpfs"
  exit $rc
}

# ---- main ---------------------------------------------------------------------
case "${1:-}" in
  --inner) # --inner ROOT UNIT LOGROTATE SENSOR IFACE TMP
    tmp=$7 iface=$6
    . "$here/../live/helpers.sh"
    inner "$2" "$3" "$4" "$5" "$6"
    exit $fail ;;
  --live) shift; live "$@" ;;
esac
[ $# = 2 ] || { echo "usage: service_check.sh BUILD_DIR SOURCE_DIR" >&2; exit 2; }
build=$(readlink -f "$1") src=$(readlink -f "$2")
command -v systemd-analyze >/dev/null || skip "needs systemd-analyze (package systemd)"
command -v logrotate >/dev/null || skip "needs logrotate (package logrotate)"
. "$here/../live/teardown.sh"
chmod 0755 "$tmp" # the service's user runs the installed binary from it
cache() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }
# install_at DESTDIR [PREFIX]: cmake --install (at the build's prefix, or
# PREFIX); unit= and lr=: the files installed
install_at() {
  local prefix=${2:-$(cache CMAKE_INSTALL_PREFIX)} d l
  DESTDIR=$1 cmake --install "$build" ${2:+--prefix "$2"} >"$tmp/install.out" 2>&1 ||
    { cat "$tmp/install.out"; exit 1; }
  d=$(cache OMNISNIFF_SYSTEMD_UNITDIR) l=$(cache OMNISNIFF_LOGROTATE_DIR)
  [[ $d = /* ]] || d=$prefix/$d
  [[ $l = /* ]] || l=$prefix/$l
  unit=$1$d/omnisniff@.service lr=$1$l/omnisniff
  [ -f "$unit" ] || { echo "FAIL: $unit not installed"; exit 1; }
  [ -f "$lr" ] || { echo "FAIL: $lr not installed"; exit 1; }
}
# another prefix at install time: ExecStart follows it
install_at "$tmp/other" /opt/omnisniff
unit_cmd "$unit" ExecStart eth0 "" && [ "${cmd[0]}" = /opt/omnisniff/bin/omnisniff ] &&
  [ -x "$tmp/other${cmd[0]}" ] || bad "installed with --prefix /opt/omnisniff, ExecStart names ${cmd[0]:-?}"
root=$tmp/root
install_at "$root"
echo "installed: ${unit#"$root"}, ${lr#"$root"}"
check_unit "$unit" "$root"
check_logrotate "$lr"
check_agreement "$unit" "$lr" "$src/dist/rsyslog/omnisniff-sensor.conf"
"$0" --live "$root" "$unit" "$lr" "$src/dist/rsyslog/omnisniff-sensor.conf"
case $? in
  0) ;;
  77) echo "(live part skipped)" ;;
  *) fail=1 ;;
esac
[ $fail = 0 ] && echo "service files: all checks passed"
exit $fail
