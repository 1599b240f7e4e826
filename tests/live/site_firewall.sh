#!/usr/bin/env bash
# site_firewall.sh — omnisniff -i on a small Omnicast site with a real
# firewall in the middle, built from network namespaces (all traffic stays in
# them; the addresses are documentation ranges):
#
#   dirgw   198.51.100.10  Directory + Gateway  TCP 5001 listening (echo), 5002 closed
#   arch    198.51.100.20  Archiver             UDP 15000 and 15002 listening
#              \_ br-srv 198.51.100.1 _/
#                     fw   ip_forward; nftables forward chain: TCP to the
#              /  br-cli 203.0.113.1  \   Archiver's 6061 dropped, to its 6062
#                                          rejected with ICMP admin-prohibited
#   enc1    203.0.113.31   encoder  -> Archiver UDP 15000, N datagrams
#   enc2    203.0.113.32   encoder  -> Archiver UDP 15002, N datagrams
#   client  203.0.113.50   client   -> Gateway 5001 (data, echoed), Gateway 5002
#                                      (RST), Archiver 6061 (dropped: SYN
#                                      retransmitted), Archiver 6062 (ICMP 3/13)
#
# Two omnisniff instances capture on fw's client-side bridge br-cli with a
# hosts file declaring every role, one printing text (-l), one --json; both
# are stopped by SIGINT. Asserted:
#   - the packet lines carry the roles (gateway-command, gateway-tcp-video,
#     encoder-archiver-unicast, archiver-playback, all "declared") and the
#     ICMP 3/13 names the flow it quotes;
#   - findings: icmp-unreachable (error) for 6062 reported by fw 203.0.113.1,
#     unanswered-connection (warning) for 6061 raised live right after the
#     first SYN retransmission, connection-refused (warning) for 5002, each
#     printed right after the packet that raised it, in the report and as
#     JSON finding records; no other finding (see ALLOWED_EXTRA below);
#   - encoder-archiver-unicast: 2 flows, 2N packets, 2N*58 bytes, exactly
#     what the encoders sent (and the Archiver received);
#   - TCP handshake verdicts, the host table, the kernel counters line (0
#     dropped), exit code 1 for both (an error finding, default --fail-on
#     error) and nothing on stderr.
# The Directory link (Gateway -> Directory 7998) is not exercised: both roles
# share one host, so that traffic never crosses a link a capture can see.
# Takes about 3 s.
#
# usage: site_firewall.sh OMNISNIFF   (exit 77 = skipped: needs root, ip netns,
#                                      veth, bridge, nftables (nft), socat)
# KEEP=1 keeps the work directory (outputs, hosts file) for a look.
set -u
export LC_ALL=C # the error texts checked below (strerror) and the decimal point
bin=$(readlink -f "$1")
N=20 # datagrams each encoder sends
skip() { echo "skip: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root"
for c in ip nft socat ss timeout; do
  command -v "$c" >/dev/null || skip "needs $c (packages iproute2, nftables, socat, coreutils)"
done

fw=osf-fw$$ dg=osf-dg$$ ar=osf-ar$$ e1=osf-e1$$ e2=osf-e2$$ cl=osf-cl$$
all="$fw $dg $ar $e1 $e2 $cl"
. "$(dirname "$0")/teardown.sh"
. "$(dirname "$0")/helpers.sh"

# ---- the site ---------------------------------------------------------------
for ns in $all; do
  ip netns add "$ns" 2>/dev/null || skip "cannot create network namespaces"
  made="$made $ns"
  nsx "$ns" ip link set lo up
  # no IPv6 chatter (router and neighbour solicitations, MLD) on the links
  nsx "$ns" sh -c 'for f in /proc/sys/net/ipv6/conf/all/disable_ipv6 /proc/sys/net/ipv6/conf/default/disable_ipv6
                   do [ -w "$f" ] && echo 1 >"$f"; done; true'
done
nsx "$fw" ip link add br-srv type bridge 2>/dev/null &&
  nsx "$fw" ip link add br-cli type bridge 2>/dev/null || skip "no bridge support"
# routed traffic only: frames bridged inside fw must not meet the IP hooks
nsx "$fw" sh -c 'for f in /proc/sys/net/bridge/bridge-nf-call-iptables /proc/sys/net/bridge/bridge-nf-call-ip6tables
                 do [ -w "$f" ] && echo 0 >"$f"; done; true'
nsx "$fw" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward' 2>/dev/null || skip "cannot enable ip_forward"
nsx "$fw" ip addr add 198.51.100.1/24 dev br-srv
nsx "$fw" ip addr add 203.0.113.1/24 dev br-cli
nsx "$fw" ip link set br-srv up
nsx "$fw" ip link set br-cli up
attach() { # NS ADDR BRIDGE ROUTER: NS's eth0 becomes a port of fw's BRIDGE
  local port=p${1%"$$"}
  ip link add "$port" netns "$fw" type veth peer name eth0 netns "$1" 2>/dev/null || skip "no veth"
  nsx "$fw" ip link set "$port" master "$3" up
  nsx "$1" ip addr add "$2/24" dev eth0
  nsx "$1" ip link set eth0 up
  nsx "$1" ip route add default via "$4"
}
attach "$dg" 198.51.100.10 br-srv 198.51.100.1
attach "$ar" 198.51.100.20 br-srv 198.51.100.1
attach "$e1" 203.0.113.31 br-cli 203.0.113.1
attach "$e2" 203.0.113.32 br-cli 203.0.113.1
attach "$cl" 203.0.113.50 br-cli 203.0.113.1
nsx "$fw" nft list tables >/dev/null 2>&1 || skip "nftables unusable (no nf_tables in the kernel?)"
nsx "$fw" nft -f - <<'EOF' || { echo "FAIL: nftables rules not loaded"; exit 1; }
table ip omnisite {
  chain filter_forward {
    type filter hook forward priority 0; policy accept;
    ip daddr 198.51.100.20 tcp dport 6061 drop
    ip daddr 198.51.100.20 tcp dport 6062 reject with icmp type admin-prohibited
  }
}
EOF

cat >"$tmp/site.hosts" <<'EOF'
# the site behind the firewall
198.51.100.10  directory,gateway  dirgw
198.51.100.20  archiver           arch1
203.0.113.31   encoder            enc1
203.0.113.32   encoder            enc2
203.0.113.50   client             client1
EOF

# ---- services -----------------------------------------------------------------
# (started directly, not through a function, so that $! is the process itself)
ip netns exec "$dg" timeout 30 socat TCP-LISTEN:5001,bind=198.51.100.10,reuseaddr EXEC:cat &
pids+=($!)
ip netns exec "$ar" timeout 30 socat -u UDP-RECV:15000,bind=198.51.100.20 "OPEN:$tmp/ar15000,creat,append" &
pids+=($!)
ip netns exec "$ar" timeout 30 socat -u UDP-RECV:15002,bind=198.51.100.20 "OPEN:$tmp/ar15002,creat,append" &
pids+=($!)
listening() { nsx "$1" ss -Hln "$2" "sport = :$3" | grep -q .; }
poll 5 listening "$dg" -t 5001 && poll 5 listening "$ar" -u 15000 && poll 5 listening "$ar" -u 15002 ||
  { echo "FAIL: the listeners did not come up"; exit 1; }

# Before the capture: routing through fw works both ways (closed ports answer
# RST, and the Archiver's 6063 is not filtered); this also settles every ARP
# entry on the way.
refused() { nsx "$1" timeout 5 bash -c "exec 3<>/dev/tcp/$2/$3" 2>&1 | grep -q 'Connection refused'; }
for route in "$cl 198.51.100.10 5002" "$e1 198.51.100.20 6063" "$e2 198.51.100.20 6063"; do
  # shellcheck disable=SC2086
  refused $route || { echo "FAIL: no route through the firewall ($route)"; exit 1; }
done

# ---- capture ------------------------------------------------------------------
# JSON instance first, then the text one. Both have a packet socket bound in
# fw (/proc/net/packet, protocol 0003 = all) before the text instance is seen
# printing a probe datagram (client -> fw UDP 9, unclassified): from then on
# both see everything. A probe after the traffic tells when the text instance
# has read all of it; the JSON instance is stopped after the text one.
# The JSON instance runs with -s 96 (the README's advice for live captures),
# the text one with the default snaplen (262144): on an interface with
# offloads libpcap sizes ring frames for 64 KB packets, so libpcap's default
# 2 MiB buffer would hold only 32 of them; omnisniff's 32 MiB default (-B)
# must hold this burst with "0 dropped by kernel".
sockets() { [ "$(nsx "$fw" grep -c ' 0003 ' /proc/net/packet)" -ge "$1" ]; }
ip netns exec "$fw" timeout 30 "$bin" --json -l -s 96 -i br-cli -H "$tmp/site.hosts" >"$tmp/json" 2>"$tmp/json.err" &
json=$!
pids+=("$json")
poll 10 sockets 1 || { echo "FAIL: omnisniff --json did not open br-cli"; cat "$tmp/json.err"; exit 1; }
ip netns exec "$fw" timeout 30 "$bin" -l -i br-cli -H "$tmp/site.hosts" >"$tmp/out" 2>"$tmp/err" &
text=$!
pids+=("$text")
poll 10 sockets 2 || { echo "FAIL: omnisniff did not open br-cli"; cat "$tmp/err"; exit 1; }
probes_seen() { grep -cE '> 203\.0\.113\.1\.9 +UDP' "$tmp/out"; }
probe() { # send probe datagrams until the text instance prints one more
  local before t=50
  before=$(probes_seen)
  until [ "$(probes_seen)" -gt "$before" ]; do
    ((t-- > 0)) || { echo "FAIL: omnisniff does not show the traffic on br-cli"; cat "$tmp/out" "$tmp/err"; exit 1; }
    nsx "$cl" bash -c 'echo probe >/dev/udp/203.0.113.1/9'
    sleep 0.1
  done
}
probe
start=$EPOCHREALTIME

# ---- traffic (concurrently; the dropped 6061 takes longest: 1.5 s) ---------------
nsx "$cl" timeout 10 bash -c 'printf "omnicast command %s\n" 1 2 3 |
  socat -t 2 - TCP:198.51.100.10:5001,connect-timeout=3' >"$tmp/c5001.out" 2>"$tmp/c5001.err" &
c5001=$!
traffic=()
for port in 6061 6062; do
  nsx "$cl" timeout 10 socat -u /dev/null TCP:198.51.100.20:$port,connect-timeout=1.5 2>"$tmp/c$port.err" &
  traffic+=($!)
done
nsx "$cl" timeout 10 socat -u /dev/null TCP:198.51.100.10:5002,connect-timeout=1.5 2>"$tmp/c5002.err" &
traffic+=($!)
send() { # NS PORT NAME: N datagrams of 16 bytes from one socket
  nsx "$1" bash -c "exec 3>/dev/udp/198.51.100.20/$2
    for ((i = 1; i <= $N; i++)); do printf '%s video %04d\n' $3 \$i >&3; done"
}
send "$e1" 15000 enc1 &
traffic+=($!)
send "$e2" 15002 enc2 &
traffic+=($!)
wait "$c5001"; rc5001=$?
wait "${traffic[@]}" # the other clients and the encoders
received() { [ "$( (wc -l <"$tmp/ar$1") 2>/dev/null)" -ge "$N" ] 2>/dev/null; }
poll 5 received 15000; poll 5 received 15002
probe # the text instance has read every packet above
kill -INT "$text"; wait "$text"; rc=$?
kill -INT "$json"; wait "$json"; rcj=$?
elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
echo "traffic and capture: $elapsed s"

# ---- checks -------------------------------------------------------------------
fail=0
bad() { echo "FAIL: $*"; fail=1; }
# the site behaved as built
[ "$rc5001" = 0 ] && [ "$(cat "$tmp/c5001.out")" = "$(printf 'omnicast command %s\n' 1 2 3)" ] ||
  bad "client -> Gateway 5001 not echoed (exit $rc5001): $(cat "$tmp/c5001.out" "$tmp/c5001.err")"
grep -q 'timed out' "$tmp/c6061.err" || bad "6061 not dropped: $(cat "$tmp/c6061.err")"
grep -q 'No route to host' "$tmp/c6062.err" || bad "6062 not rejected: $(cat "$tmp/c6062.err")"
grep -q 'Connection refused' "$tmp/c5002.err" || bad "5002 not refused: $(cat "$tmp/c5002.err")"
for p in 15000 15002; do
  n=$( (wc -l <"$tmp/ar$p") 2>/dev/null)
  [ "$n" = "$N" ] || bad "the Archiver received $n datagrams on UDP $p, the encoder sent $N"
done

A='198\.51\.100\.20' G='198\.51\.100\.10' C='203\.0\.113\.50' P='[0-9]+'
has() { grep -qE -- "$1" "$tmp/out" || bad "text output lacks: $1"; }
count() { # REGEX WANT
  local n; n=$(grep -cE -- "$1" "$tmp/out")
  [ "$n" = "$2" ] || bad "text output has $n lines like '$1', want $2"
}
# line after the NTH line matching RE (a finding follows the packet that raised it)
after() { re=$1 nth=$2 awk 'BEGIN { re = ENVIRON["re"]; nth = ENVIRON["nth"] } $0 ~ re && ++n == nth { getline; print; exit }' "$tmp/out"; }
follows() { # RE NTH WANT
  after "$1" "$2" | grep -qE -- "$3" || bad "the line after '$1' (#$2) is not '$3': $(after "$1" "$2")"
}
# packet lines: roles, confidence, the ICMP error's quoted flow
has "^[0-9:.]+ $C\.$P +> $G\.5001 +TCP +\[S\] +0 +gateway-command +declared\$"
has "^[0-9:.]+ $G\.5001 +> $C\.$P +TCP +\[S\.\] +0 +gateway-command +declared\$"
has "^[0-9:.]+ $G\.5001 +> $C\.$P +TCP +\[P\.\] +57 +gateway-command +declared\$"
count "^[0-9:.]+ 203\.0\.113\.31\.$P +> $A\.15000 +UDP +16 +encoder-archiver-unicast +declared\$" "$N"
count "^[0-9:.]+ 203\.0\.113\.32\.$P +> $A\.15002 +UDP +16 +encoder-archiver-unicast +declared\$" "$N"
has "^[0-9:.]+ $C\.$P +> $G\.5002 +TCP +\[S\] +0 +gateway-tcp-video +declared\$"
has "^[0-9:.]+ $G\.5002 +> $C\.$P +TCP +\[R\.\] +0 +gateway-tcp-video +declared\$"
syn6061="^[0-9:.]+ $C\.$P +> $A\.6061 +TCP +\[S\] +0 +archiver-playback +declared\$"
[ "$(grep -cE -- "$syn6061" "$tmp/out")" -ge 2 ] || bad "want 2 or more SYNs to 6061 (retransmitted)"
has "^[0-9:.]+ $C\.$P +> $A\.6062 +TCP +\[S\] +0 +archiver-playback +declared\$"
icmp="^[0-9:.]+ 203\.0\.113\.1 +> $C +ICMP +t3/c13 .* quotes TCP $C\.$P > $A\.6062\$"
has "$icmp"
# problems, live, each right after the packet that opened it
follows "$syn6061" 2 "^[0-9:.]+ !! warning unanswered-connection: client $C cannot reach Archiver $A on archiver-playback TCP 6061: 1 attempt over 1\.[0-9] s, none answered"
follows "$icmp" 1 "^[0-9:.]+ !! error icmp-unreachable: host 203\.0\.113\.1 answered TCP from client $C to Archiver $A port 6062 \(archiver-playback\) with ICMP destination unreachable, administratively prohibited \(type 3 code 13, 1 time\)"
follows "$G\.5002 +> $C\.$P +TCP +\[R\.\]" 1 "^[0-9:.]+ !! warning connection-refused: Gateway $G refused every connection from client $C on gateway-tcp-video TCP 5002"
# The rejected 6062 SYN got no SYN-ACK (its handshake counts as unanswered)
# but was answered by ICMP 3/13: that is the problem, not unanswered-connection
# (whose problem names 6061 alone).
has "^   client $C cannot reach Archiver $A on archiver-playback TCP 6061: "
# the report: problems first, worst first
has "^problems: 1 error, 2 warnings, 0 info, from 3 findings "
has "^!! error +icmp-unreachable +archiver-playback +$A\$"
has "^ ! warning unanswered-connection +archiver-playback +$A\$"
has "^ ! warning connection-refused +gateway-tcp-video +$G\$"
has "^   1 flow, 1 packet, 1 peer, .*e\.g\. flow [0-9]+ $C\.$P > $A\.6062\$"
has "^   1 flow, [2-9] packets, 1 peer, 0 handshakes completed, .*e\.g\. flow [0-9]+ $C\.$P > $A\.6061\$"
has "^   1 flow, 2 packets, 1 peer, 0 handshakes completed, .*e\.g\. flow [0-9]+ $C\.$P > $G\.5002\$"
# the summary
has "^summary: br-cli \(EN10MB\), $P packets"
has "^gateway-command +1 +$P +$P\$"
has "^gateway-tcp-video +1 +2 +$P\$"
has "^encoder-archiver-unicast +2 +$((2 * N)) +$((2 * N * 58))\$"
has "^archiver-playback +2 +$P +$P\$"
for role in directory-link gateway-udp-video archiver-gateway-unicast; do
  grep -qE "^$role " "$tmp/out" && bad "text summary has unexpected role $role"
done
has "^198\.51\.100\.10 +directory,gateway +declared +dirgw"
has "^198\.51\.100\.20 +archiver +declared +arch1"
has "^203\.0\.113\.31 +encoder +declared +enc1"
has "^tcp handshakes: 1 established, 1 refused, 2 unanswered, 0 midstream, 0 partial\$"
has "^kernel: $P packets received by filter, 0 dropped by kernel"
[ "$rc" = 1 ] || bad "exit code $rc, want 1 (an error finding, --fail-on error)"
[ -s "$tmp/err" ] && bad "stderr: $(cat "$tmp/err")"

# the JSON instance saw the same
jhas() { grep -qE -- "$1" "$tmp/json" || bad "JSON output lacks: $1"; }
findings=$(grep -c '"type":"finding"' "$tmp/json")
[ "$findings" = 3 ] || bad "JSON has $findings finding records, want 3"
jhas '"type":"finding","schema_version":2,"kind":"icmp-unreachable","severity":"error",.*"dest_ip":"198.51.100.20","dest_port":6062,"proto":"TCP","reporter_ip":"203.0.113.1","role":"archiver-playback",'
jhas '"type":"finding","schema_version":2,"kind":"unanswered-connection","severity":"warning",.*"src_ip":"203.0.113.50",.*"dest_ip":"198.51.100.20","dest_port":6061,"proto":"TCP","role":"archiver-playback",.*"packets":[2-9],'
jhas '"type":"finding","schema_version":2,"kind":"connection-refused","severity":"warning",.*"src_ip":"203.0.113.50",.*"dest_ip":"198.51.100.10","dest_port":5002,"proto":"TCP","role":"gateway-tcp-video",'
jhas '"type":"flow",.*"dest_port":5001,"proto":"TCP","role":"gateway-command","confidence":"declared",.*"state":"established"'
jhas '"type":"flow",.*"dest_port":5002,"proto":"TCP","role":"gateway-tcp-video","confidence":"declared",.*"state":"refused"'
jhas '"type":"flow",.*"dest_port":6061,"proto":"TCP","role":"archiver-playback","confidence":"declared",.*"state":"unanswered","syn_count":[2-9]\}'
jhas "\"type\":\"flow\",.*\"src_ip\":\"203.0.113.31\",.*\"dest_port\":15000,\"proto\":\"UDP\",\"role\":\"encoder-archiver-unicast\",\"confidence\":\"declared\",.*\"pkts_toserver\":$N,\"pkts_toclient\":0,"
jhas "\"type\":\"flow\",.*\"src_ip\":\"203.0.113.32\",.*\"dest_port\":15002,\"proto\":\"UDP\",\"role\":\"encoder-archiver-unicast\",\"confidence\":\"declared\",.*\"pkts_toserver\":$N,\"pkts_toclient\":0,"
jhas "\"type\":\"summary\",\"schema_version\":2,\"source\":\"br-cli\",\"linktype\":\"EN10MB\",.*\"encoder-archiver-unicast\":\\{\"packets\":$((2 * N)),\"bytes\":$((2 * N * 58)),\"flows\":2,"
jhas '"type":"summary",.*"icmp-unreachable":1'
jhas '"type":"summary",.*"connection-refused":1'
jhas '"type":"summary",.*"kernel":\{"received":[0-9]+,"dropped":0,'
[ "$rcj" = 1 ] || bad "--json: exit code $rcj, want 1"
[ -s "$tmp/json.err" ] && bad "--json: stderr: $(cat "$tmp/json.err")"

if [ $fail != 0 ]; then
  echo "--- text output"; cat "$tmp/out"
  echo "--- JSON output"; cat "$tmp/json"
fi
exit $fail
