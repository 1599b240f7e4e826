# netns.sh — sourced by live tests: two network namespaces $a and $b joined
# by a veth pair ($va 192.0.2.1/24 in $a, $vb 192.0.2.2/24 in $b), IPv6 off,
# torn down on exit with every process in them and those listed in pids[].
# The caller sets a, b, va, vb (unique names) and defines skip().
tmp=$(mktemp -d) made="" pids=()
cleanup() {
  local p ns
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  for ns in $made; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for ns in $a $b; do
  ip netns add "$ns" 2>/dev/null || skip "cannot create network namespaces"
  made="$made $ns"
  ip netns exec "$ns" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6' 2>/dev/null
done
ip link add "$va" type veth peer name "$vb" 2>/dev/null || skip "no veth"
ip link set "$va" netns "$a" && ip link set "$vb" netns "$b"
ip -n "$a" addr add 192.0.2.1/24 dev "$va" && ip -n "$b" addr add 192.0.2.2/24 dev "$vb"
ip -n "$a" link set "$va" up && ip -n "$b" link set "$vb" up
