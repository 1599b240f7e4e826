#!/usr/bin/env bash
# check_write.sh — -w evidence captures read back by libpcap (omnisniff -r,
# and tcpdump when installed): the expected packets, only the flagged flows
# or the --write-role role, time order; rotated files (-G, -C) hold together
# what one file holds, each in time order, -G's within their minute (but for
# held packets of a flow flagged then), -C's within the size; -Z USER owns
# the file it writes.
# usage: check_write.sh BIN SRCDIR      (exit 77 = skipped: jq missing)
set -u
bin=$1 src=$2
command -v jq >/dev/null || { echo "jq not installed: skipped"; exit 77; }
tmp=$(mktemp -d); chmod 755 "$tmp"; trap 'rm -rf "$tmp"' EXIT
cd "$src" || exit 2
fail=0
check() { # check WHAT GOT WANT
  if [ "$2" = "$3" ]; then echo "ok: $1 = $3"; else echo "FAIL: $1: got '$2', want '$3'"; fail=1; fi
}
packets() { "$bin" --json -r "$1" | jq -s 'map(select(.type == "summary"))[0].packets'; }
ordered() { "$bin" --json -r "$1" | jq -s '[.[] | select(.type == "flow") | .timestamp] | . == sort'; }
# every packet in time order (the lines of one day start with the time)
pkts_ordered() { "$bin" -r "$1" | awk '/^[0-9][0-9]:/ { print $1 }' | sort -c 2>/dev/null && echo true; }

# flagged flows: the unanswered 6061 connection (3 SYNs) and the DFC 7999 SYN
"$bin" -q -r pcaps/findings-unanswered.pcap -H pcaps/findings-unanswered.hosts -w "$tmp/flagged.pcap" \
  >/dev/null 2>"$tmp/err"
check "flagged: packets read back" "$(packets "$tmp/flagged.pcap")" 4
check "flagged: stderr" "$(cat "$tmp/err")" "omnisniff: wrote 4 packets of 2 flagged flows to $tmp/flagged.pcap"
check "flagged: flows are the flagged ones" \
  "$("$bin" --json -r "$tmp/flagged.pcap" | jq -r 'select(.type == "flow") | "\(.dest_port) \(.tcp.syn_count)"' | tr '\n' ' ')" \
  "6061 3 7999 1 "
# every flow of a flagged capture, both directions, in time order
"$bin" -q -r pcaps/findings-reversed.pcap -H pcaps/findings-reversed.hosts -w "$tmp/rev.pcap" >/dev/null 2>&1
check "reversed: flows in time order" "$(ordered "$tmp/rev.pcap")" true
check "reversed: findings found again in the evidence" \
  "$("$bin" --json -r "$tmp/rev.pcap" -H pcaps/findings-reversed.hosts | jq -c 'select(.type == "summary") | .findings')" \
  "$("$bin" --json -r pcaps/findings-reversed.pcap -H pcaps/findings-reversed.hosts | jq -c 'select(.type == "summary") | .findings')"
# one traffic role
"$bin" -q -r pcaps/omnicast-site.pcap --write-role gateway-command -w "$tmp/role.pcap" >/dev/null 2>&1
check "role: packets" "$(packets "$tmp/role.pcap")" \
  "$("$bin" --json -r pcaps/omnicast-site.pcap | jq -s 'map(select(.type == "summary"))[0].roles["gateway-command"].packets')"
check "role: only that role" \
  "$("$bin" --json -r "$tmp/role.pcap" | jq -r 'select(.type == "flow") | .role' | sort -u)" gateway-command
if command -v tcpdump >/dev/null; then
  check "tcpdump reads the evidence" "$(tcpdump -nr "$tmp/flagged.pcap" 2>/dev/null | wc -l)" 4
fi
# -G 60: the files together hold the one file's packets; each in time order,
# its own count as its line says; a file's packets are of its minute or
# earlier (held until the flow was flagged), never later
"$bin" -q -r pcaps/field-six-problems.pcap -w "$tmp/one.pcap" >/dev/null 2>&1
"$bin" -q -r pcaps/field-six-problems.pcap -w "$tmp/g-%H%M.pcap" -G 60 >/dev/null 2>"$tmp/err"
check "-G: files" "$(cd "$tmp" && echo g-*.pcap)" "g-1000.pcap g-1001.pcap g-1002.pcap g-1003.pcap g-1004.pcap"
total=0 ok=true
for f in "$tmp"/g-*.pcap; do
  n=$(packets "$f"); total=$((total + n))
  grep -qF "wrote $n packets of " "$tmp/err" || ok="no line says $n packets ($f)"
  [ "$(pkts_ordered "$f")" = true ] || ok="$f is not in time order"
  mm=${f##*/g-10}; mm=${mm%.pcap}
  last=$("$bin" --json -r "$f" | jq -r 'select(.type == "flow") | .flow.end' | sort | tail -1)
  [[ $last < "2026-01-15T10:$mm:60" ]] || ok="$f has a packet after its minute: $last"
done
check "-G: packets of all files" "$total" "$(packets "$tmp/one.pcap")"
check "-G: each file as its line says, in time order, none after its minute" "$ok" true
# -C 1: files no larger than 1,000,000 bytes, together the role's packets
"$bin" -q -r pcaps/streams-cameras.pcap --write-role encoder-archiver-unicast -w "$tmp/c.pcap" -C 1 \
  >/dev/null 2>&1
check "-C: files" "$(cd "$tmp" && echo c.pcap*)" "c.pcap c.pcap1"
check "-C: sizes within 1000000 bytes" "$(stat -c %s "$tmp"/c.pcap* | awk '$1 > 1000000' | wc -l)" 0
check "-C: packets of both files" "$(( $(packets "$tmp/c.pcap") + $(packets "$tmp/c.pcap1") ))" \
  "$("$bin" --json -r pcaps/streams-cameras.pcap | jq -s 'map(select(.type == "summary"))[0].roles["encoder-archiver-unicast"].packets')"
# -Z: the file is created after dropping privileges, so USER owns it
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
  "$bin" -q -Z nobody -r pcaps/findings-unanswered.pcap -H pcaps/findings-unanswered.hosts \
    -w "$tmp/z.pcap" >/dev/null 2>"$tmp/err"
  check "-Z nobody: exit code where nobody may not write" "$?" 2
  check "-Z nobody: message" "$(cat "$tmp/err")" "omnisniff: $tmp/z.pcap: Permission denied"
  mkdir -m 777 "$tmp/z"
  "$bin" -q -Z nobody -r pcaps/findings-unanswered.pcap -H pcaps/findings-unanswered.hosts \
    -w "$tmp/z/z.pcap" >/dev/null 2>&1
  check "-Z nobody: owner of the evidence file" "$(stat -c %U "$tmp/z/z.pcap" 2>/dev/null)" nobody
fi
exit $fail
