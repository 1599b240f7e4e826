# netns.sh — sourced by live tests: two network namespaces $a and $b joined
# by a veth pair ($va 192.0.2.1/24 in $a, $vb 192.0.2.2/24 in $b), IPv6 off,
# torn down on exit (teardown.sh).
# The caller sets a, b, va, vb (unique names) and defines skip(); nsx, poll,
# stamp and packet_sockets come with it (helpers.sh).
. "$(dirname "${BASH_SOURCE[0]}")/teardown.sh"
. "$(dirname "${BASH_SOURCE[0]}")/helpers.sh"
for ns in $a $b; do
  ip netns add "$ns" 2>/dev/null || skip "cannot create network namespaces"
  made="$made $ns"
  ip netns exec "$ns" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6' 2>/dev/null
done
ip link add "$va" type veth peer name "$vb" 2>/dev/null || skip "no veth"
ip link set "$va" netns "$a" && ip link set "$vb" netns "$b"
ip -n "$a" addr add 192.0.2.1/24 dev "$va" && ip -n "$b" addr add 192.0.2.2/24 dev "$vb"
ip -n "$a" link set "$va" up && ip -n "$b" link set "$vb" up
