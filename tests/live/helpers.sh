# helpers.sh — sourced by the live tests (through netns.sh, or directly):
# the small shell functions every one of them needs.

# nsx NS CMD...: run CMD in network namespace NS
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# poll SECONDS CMD...: run CMD every 0.1 s until it succeeds, at most SECONDS
poll() { local t=$(($1 * 10)); shift; until "$@"; do ((t-- > 0)) || return 1; sleep 0.1; done; }

# stamp: copy standard input to standard output, each line preceded by the
# wall clock ($EPOCHREALTIME) at which it arrived
stamp() { local l; while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done; }

# packet_sockets NS N: at least N packet sockets bound to all protocols
# (0003) in NS — the captures there have opened their interface
packet_sockets() { [ "$(nsx "$1" grep -c ' 0003 ' /proc/net/packet)" -ge "$2" ]; }
