#!/usr/bin/env bash
# check_progress.sh — reading a file with standard error on a terminal shows
# a progress line (percent of the file, packets/s), erased at the end; with
# standard error not a terminal, nothing. The terminal is made by script(1);
# OMNISNIFF_PROGRESS_AFTER=0 shows the line at once instead of after 2 s.
# usage: check_progress.sh BIN OMNIGEN     (exit 77 = skipped: no script(1))
set -u
bin=$1 gen=$2
command -v script >/dev/null || { echo "script(1) not installed: skipped"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$gen" --bench site 20000 "$tmp/site.pcap" >/dev/null || exit 2
fail=0
OMNISNIFF_PROGRESS_AFTER=0 script -qec "$bin -q -r $tmp/site.pcap >/dev/null" "$tmp/tty" >/dev/null
grep -qaE 'omnisniff: +[0-9]+% of .*site\.pcap, [0-9]+ packets/s' "$tmp/tty" ||
  { echo "FAIL: no progress line on a terminal:"; cat -v "$tmp/tty" | head -5; fail=1; }
grep -qa $'\r\e\[K$' "$tmp/tty" || grep -qa $'\r\e\[K' "$tmp/tty" ||
  { echo "FAIL: the progress line is not erased"; fail=1; }
OMNISNIFF_PROGRESS_AFTER=0 "$bin" -q -r "$tmp/site.pcap" >/dev/null 2>"$tmp/err"
[ ! -s "$tmp/err" ] || { echo "FAIL: output on a non-terminal stderr:"; head -3 "$tmp/err"; fail=1; }
[ $fail = 0 ] && echo "ok: progress on a terminal only"
exit $fail
