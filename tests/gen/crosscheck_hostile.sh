#!/usr/bin/env bash
# crosscheck_hostile.sh — packets read from each pcaps/hostile-* capture by
# omnisniff, tshark and tcpdump, and how each one's read ended: the table in
# tests/gen/README.md ("Hostile captures") comes from it. Not a ctest: tshark
# and tcpdump versions differ between machines; rerun it by hand after
# changing a hostile capture.
# Needs jq, tshark, tcpdump.
# usage: tests/gen/crosscheck_hostile.sh build/omnisniff   (from the repo root)
set -u
bin=$1
first_line() { grep -v -e '^Running as user' -e '^reading from' | head -1 | cut -c1-100; }
printf '%-32s %-4s %-4s %-4s  %s\n' file omni tsh tcpd "errors (omnisniff / tshark / tcpdump)"
for f in pcaps/hostile-*; do
  o=$("$bin" --json -r "$f" 2>/tmp/xc.$$ | jq -r 'select(.type == "summary") | .packets')
  oe=$(first_line </tmp/xc.$$)
  t=$(tshark -r "$f" -T fields -e frame.number 2>/tmp/xc.$$ | wc -l)
  te=$(first_line </tmp/xc.$$)
  d=$(tcpdump -nr "$f" 2>/tmp/xc.$$ | grep -c '^[0-9][0-9]:')
  de=$(first_line </tmp/xc.$$)
  printf '%-32s %-4s %-4s %-4s  %s / %s / %s\n' "${f#pcaps/}" "${o:--}" "$t" "$d" \
    "${oe:-ok}" "${te:-ok}" "${de:-ok}"
done
rm -f /tmp/xc.$$
