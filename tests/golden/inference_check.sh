#!/usr/bin/env bash
# inference_check.sh — host roles inferred without a hosts file, judged
# against the truth of the field captures (issue 17). The field site
# (tests/gen/gen_field.c, pcaps/field-six-problems.hosts) is captured
# mid-life: every long-lived TCP connection already open, noise around it.
# For each field capture, run without -H and read the roles back from
# --write-hosts, then require:
#   - every server the traffic can tell: the Directory 10.10.0.10, both
#     Gateways 10.10.0.11/.12, the DFC 10.10.0.15, both Archivers .20/.21,
#     the federation server 10.10.0.40 and the remote Gateway 10.10.5.10
#     (their 5001 one way and 6000 the other corroborate each other);
#   - at least 90% of the 40 clients 10.10.3.101-140;
#   - no wrong role on any host: each inferred role is the host's true one
#     (the foreign multicast source 10.10.8.31 is an encoder of another
#     system); the noise hosts (10.10.9.0/24: iperf on 5001, X11 on 6000),
#     the router 10.10.0.1 and the failover Directory (5001 only, like a
#     client's command channel) get none;
#   - the same problems (kind, role, service host) as with the hosts file.
# usage: inference_check.sh BIN SRCDIR
set -u
bin=$1 src=$2
cd "$src" || exit 2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# the true roles of an address (from the hosts file of the field captures)
truth() {
  case $1 in
    10.10.0.10) echo directory ;;    10.10.0.11|10.10.0.12) echo gateway ;;
    10.10.0.15) echo dfc ;;          10.10.0.16) echo failover-directory ;;
    10.10.0.20|10.10.0.21) echo archiver ;;
    10.10.0.40) echo federation ;;   10.10.5.10) echo remote-gateway ;;
    10.10.2.*|10.10.8.31) echo encoder ;;
    10.10.3.*) echo client ;;
    *) echo none ;;
  esac
}

for cap in field-healthy field-six-problems field-dropped-playback; do
  TZ=UTC "$bin" -q -r "pcaps/$cap.pcap" --write-hosts "$tmp/$cap.hosts" >"$tmp/$cap.nohosts" 2>&1
  grep -v '^#' "$tmp/$cap.hosts" | awk '{ print $1, $2 }' >"$tmp/$cap.roles"
  wrong=0
  while read -r ip roles; do
    want=$(truth "$ip")
    for r in ${roles//,/ }; do
      [ "$r" = "$want" ] || { bad "$cap: $ip inferred $r, but it is ${want/none/no Omnicast host}"; wrong=1; }
    done
  done <"$tmp/$cap.roles"
  for s in 10.10.0.10:directory 10.10.0.11:gateway 10.10.0.12:gateway 10.10.0.15:dfc \
           10.10.0.20:archiver 10.10.0.21:archiver 10.10.0.40:federation \
           10.10.5.10:remote-gateway; do
    grep -qE "^${s%%:*} ([a-z-]+,)*${s#*:}(,|$)" "$tmp/$cap.roles" ||
      bad "$cap: server ${s%%:*} not inferred ${s#*:}"
  done
  clients=$(grep -cE '^10\.10\.3\.(1[0-3][0-9]|140) client$' "$tmp/$cap.roles")
  [ "$clients" -ge 36 ] || bad "$cap: $clients of 40 clients inferred, want at least 36 (90%)"
  echo "$cap: $(wc -l <"$tmp/$cap.roles") hosts with a role, $clients of 40 clients, wrong roles: $wrong"
done

# the faults, with and without the hosts file: the same problems
heads() { grep -E '^(!!| !|  ) (error|warning|info) ' "$1" | awk '{ print $2, $3, $4, $5 }' | sort; }
TZ=UTC "$bin" -q -r pcaps/field-six-problems.pcap -H pcaps/field-six-problems.hosts >"$tmp/six.hosts.out"
if ! diff <(heads "$tmp/six.hosts.out") <(heads "$tmp/field-six-problems.nohosts") >"$tmp/diff"; then
  bad "problems differ without the hosts file:"; cat "$tmp/diff"
fi
echo "six-problems: $(heads "$tmp/field-six-problems.nohosts" | wc -l) problems without the hosts file, as with it"
[ $fail = 0 ] && echo "ok: roles inferred from the field captures are right, and enough"
exit $fail
