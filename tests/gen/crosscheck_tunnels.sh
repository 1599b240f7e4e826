#!/usr/bin/env bash
# crosscheck_tunnels.sh — omnisniff against tshark on the tunnel captures
# (pcaps/tunnel-*.pcap, pcaps/tso.pcap): the frames whose innermost layer
# tshark decodes as TCP or UDP must be omnisniff's "ok" packets, and the
# inner conversations tshark sees — keyed like omnisniff's flows by the
# tunnels' ids (VNI, GRE key, ERSPAN session and version, PPPoE session,
# I-SID, VLAN ids; not MPLS labels) — must be omnisniff's flows.
#
# Two places where the tools differ by design are counted apart and must
# match omnisniff's reasons: tshark opens any number of tunnels (frames
# deeper than 4 are omnisniff's encap-too-deep), and it decodes a Geneve
# header of an unknown version (omnisniff: geneve-bad-version). The
# pseudowire of tunnel-overlay (MPLS label 3000 / 3100) carries a control
# word, which tshark's heuristic misses with the generator's MAC addresses:
# it is decoded as pwethcw. IPv6 payload length 0 (BIG TCP) is taken from
# the frame (ipv6.tso_support; tshark 4.0 leaves it off by default).
#
# usage: tests/gen/crosscheck_tunnels.sh OMNISNIFF SOURCE_DIR
# exit 0 = all agree, 1 = a figure differs, 77 = tshark or jq missing.
set -u
bin=$1 src=$2
command -v tshark >/dev/null && command -v jq >/dev/null || { echo "tshark or jq missing: skipped"; exit 77; }

fields="frame.protocols ip.src ip.dst ipv6.src ipv6.dst tcp.srcport tcp.dstport udp.srcport
        udp.dstport geneve.version vxlan.vni geneve.vni gre.key erspan.version erspan.spanid
        pppoe.session_id ieee8021ah.isid vlan.id ieee8021ad.id"
targs=()
for f in $fields; do targs+=(-e "$f"); done

# tshark's figures: ok, conversations with tunnel ids, 5-tuples alone,
# frames deeper than 4 tunnels, Geneve of an unknown version.
tshark_figures() {
  tshark -r "$1" -o ipv6.tso_support:TRUE -d mpls.label==3000,pwethcw -d mpls.label==3100,pwethcw \
      -T fields \
      -E separator=/t -E occurrence=a -E aggregator=, "${targs[@]}" 2>/dev/null | awk -F'\t' '
  function lastof(s,   a, n) { n = split(s, a, ","); return n ? a[n] : "" }
  {
    n = split($1, P, ":"); l3 = 0
    for (i = 1; i <= n; i++) if (P[i] == "ip" || P[i] == "ipv6") l3 = i
    if (!l3) next
    k = l3 + 1; if (P[k] == "ah") k++
    l4 = P[k]
    if ((l4 != "tcp" && l4 != "udp") || P[k + 1] == "vxlan" || P[k + 1] == "geneve") next
    depth = 0; chain = ""
    for (i = 1; i <= l3; i++) {
      if (P[i] ~ /^(gre|vxlan|geneve|mpls|pppoes|ieee8021ah)$/) depth++
      if ((P[i] == "ip" || P[i] == "ipv6") && (P[i - 1] == "ip" || P[i - 1] == "ipv6")) depth++
      if (P[i] ~ /^(ip|ipv6|gre|erspan|vxlan|geneve|mpls|pppoes|ieee8021ah)$/) chain = chain P[i] " "
    }
    if (depth > 4) { deep++; next }
    if ($10 != "" && $10 != "0") { badver++; next }
    v6 = P[l3] == "ipv6"
    s = lastof(v6 ? $4 : $2); d = lastof(v6 ? $5 : $3)
    sp = lastof(l4 == "tcp" ? $6 : $8); dp = lastof(l4 == "tcp" ? $7 : $9)
    if (sp == "" || dp == "") next # the header was not decoded
    ok++
    a = s "." sp; b = d "." dp
    if (a > b) { t = a; a = b; b = t }
    ids = ""
    for (i = 11; i <= NF; i++) ids = ids "/" $i
    conv[chain "|" ids "|" l4 " " a " " b] = 1
    tuple[l4 " " a " " b] = 1
  }
  END {
    c = 0; for (x in conv) c++
    u = 0; for (x in tuple) u++
    printf "%d %d %d %d %d\n", ok, c, u, deep, badver
  }'
}

printf '%-22s %7s %6s %6s %6s %6s %7s %9s %10s\n' capture packets ok tsh-ok flows \
  tsh-cv tsh-5tu "deep o/t" "badver o/t"
fail=0
for f in "$src"/pcaps/tunnel-*.pcap "$src"/pcaps/tso.pcap; do
  [ -f "$f" ] || { echo "no $f"; fail=1; continue; }
  sum=$("$bin" --json -r "$f" 2>/dev/null | jq -r 'select(.type == "summary") |
        "\(.packets) \(.decode.ok) \(.flows.created) \(.decode_errors["encap-too-deep"] // 0)
         \(.decode_errors["geneve-bad-version"] // 0)"')
  read -r pk ok flows deep badver <<<"$(echo $sum)"
  read -r tok tcv ttu tdeep tbad <<<"$(tshark_figures "$f")"
  printf '%-22s %7s %6s %6s %6s %6s %7s %9s %10s\n' "$(basename "$f")" "$pk" "$ok" \
    "$tok" "$flows" "$tcv" "$ttu" "$deep/$tdeep" "$badver/$tbad"
  if [ "$ok" != "$tok" ] || [ "$flows" != "$tcv" ] || [ "$deep" != "$tdeep" ] ||
     [ "$badver" != "$tbad" ]; then
    echo "  differs: $(basename "$f")"; fail=1
  fi
done
exit $fail
