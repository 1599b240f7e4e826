#!/usr/bin/env bash
# check_community_id.sh — omnisniff's community_id of every TCP/UDP flow in
# the sample captures equals the one Wireshark's tshark computes for the same
# packets (exit 77 = skipped: tshark or jq missing).
# usage: check_community_id.sh BIN SRCDIR
set -u
bin=$1 src=$2
command -v tshark >/dev/null && command -v jq >/dev/null || { echo "tshark/jq not installed: skipped"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
for cap in omnicast-site.pcap ipv6-site.pcapng vlan-qinq.pcap findings-icmp.pcap; do
  "$bin" --json -r "$src/pcaps/$cap" | jq -r 'select(.type == "flow") | .community_id // empty' |
    sort -u >"$tmp/ours"
  tshark -n -r "$src/pcaps/$cap" --enable-protocol communityid -Y '(tcp or udp) and not icmp and not icmpv6' \
    -T fields -e communityid 2>/dev/null | sort -u >"$tmp/theirs"
  if [ ! -s "$tmp/ours" ] || ! diff "$tmp/theirs" "$tmp/ours" >"$tmp/diff"; then
    echo "$cap: community_id differs from tshark's:"; head -20 "$tmp/diff"; fail=1
  else
    echo "$cap: $(wc -l <"$tmp/ours") community ids match tshark"
  fi
done
exit $fail
