# shellcheck shell=bash
# service_layout.sh — sourced by the tests that run the shipped service
# set-up (tests/dist/service_check.sh, tests/live/ship_clickhouse.sh): what
# the unit says about its files, its log directory made as systemd makes it,
# and the shipped logrotate file run as on a systemd host.

# unit_key UNIT KEY: the value of the unit's (only) KEY= line
unit_key() { sed -n "s/^$2=//p" "$1"; }

# unit_json UNIT IFACE: the --json-file of the unit's ExecStart= for the
# instance IFACE (empty when there is none)
unit_json() { unit_key "$1" ExecStart | sed -n "s/.* --json-file \([^ ]*\).*/\1/p" | sed "s/%i/$2/g"; }

# unit_logs UNIT IFACE: the unit's LogsDirectory= for the instance IFACE
unit_logs() { unit_key "$1" LogsDirectory | sed "s/%i/$2/g"; }

# logs_directory VARLOG DIR OWNER: LogsDirectory=DIR under VARLOG (standing
# for /var/log) as systemd makes it for a DynamicUser= unit: the directory is
# VARLOG/private/DIR (0755, OWNER's), VARLOG/private 0700 and the directories
# between them 0755, root's; VARLOG/DIR is a relative symlink to it, in a
# plain directory of root's (0755).
logs_directory() {
  local v=$1 d=$2
  install -d -m 0700 "$v/private" &&
    (umask 022 && mkdir -p "$v/private/$d" "$(dirname "$v/$d")") &&
    chown "$3:" "$v/private/$d" && chmod 0755 "$v/private/$d" &&
    ln -sr "$v/private/$d" "$v/$d"
}

# rotate_shipped CONF STATE IFACE RELOAD...: logrotate -f CONF (its state in
# STATE) as on a systemd host, in a mount namespace of its own where
# /run/systemd/system exists (its postrotate tests for it) and `systemctl` is
# a stand-in that logs its arguments to STATE.calls and, for
# `try-reload-or-restart PATTERN` where PATTERN names omnisniff@IFACE.service,
# runs RELOAD (what the unit's ExecReload= does). logrotate's output in
# STATE.out; fails when logrotate fails or says anything.
rotate_shipped() {
  local conf=$1 state=$2 iface=$3 bin=$2.bin
  shift 3
  mkdir -p "$bin"
  # shellcheck disable=SC2016 # (the stand-in's own variables)
  {
    echo '#!/bin/bash'
    echo "echo \"systemctl \$*\" >>$(printf '%q' "$state.calls")"
    echo '[ "$1" = try-reload-or-restart ] || exit 1'
    echo "case omnisniff@$iface.service in \$2) exec $(printf '%q ' "$@") ;; esac"
  } >"$bin/systemctl"
  chmod +x "$bin/systemctl"
  : >"$state.calls"
  # shellcheck disable=SC2016
  PATH=$bin:$PATH unshare -m --propagation private sh -c \
    'mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -p /run/systemd/system && exec logrotate -f -s "$1" "$2"' \
    sh "$state" "$conf" >"$state.out" 2>&1 && ! [ -s "$state.out" ]
}
