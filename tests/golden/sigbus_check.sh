#!/usr/bin/env bash
# sigbus_check.sh — a capture file truncated by another program while
# omnisniff reads it through its mapping raises SIGBUS when the truncation
# falls between two of the reader's size checks. omnisniff must then print
# one line naming the file and exit 2, not dump core. The SIGBUS is sent by
# hand: omnisniff is held after mapping the file by opening a FIFO given
# as -w (the evidence file is opened after the capture), so the test does
# not depend on winning a race with the reader.
# usage: sigbus_check.sh BIN SRCDIR
set -u
bin=$1 src=$2
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
mkfifo "$dir/fifo" || exit 2
cd "$src" || exit 2
"$bin" -q -r pcaps/omnicast-site.pcap -w "$dir/fifo" >"$dir/out" 2>"$dir/err" &
pid=$!
# wait until it blocks opening the FIFO (openat is syscall 257 on x86-64),
# or 3 s where /proc/PID/syscall cannot be read
for ((i = 0; i < 100; i++)); do
    sc=$(cut -d' ' -f1 "/proc/$pid/syscall" 2>/dev/null) || { sleep 3; break; }
    [ "$sc" = 257 ] && break
    sleep 0.1
done
kill -BUS "$pid"
wait "$pid"
rc=$?
want="omnisniff: pcaps/omnicast-site.pcap: the file was truncated while being read (bus error on its mapping); no summary: run again on a copy nothing writes to"
fail=0
[ "$rc" -eq 2 ] || { echo "FAIL: exit $rc, want 2"; fail=1; }
[ "$(cat "$dir/err")" = "$want" ] || { echo "FAIL: stderr:"; cat "$dir/err"; fail=1; }
[ ! -s "$dir/out" ] || { echo "FAIL: stdout not empty:"; cat "$dir/out"; fail=1; }
[ $fail -eq 0 ] && echo "PASS: SIGBUS on the mapped file: one line, exit 2"
exit $fail
