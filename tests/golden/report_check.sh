#!/usr/bin/env bash
# report_check.sh — every --report omnisniff writes for the bundled captures
# has its sections in order (the problems right after the capture facts);
# as many ladders as failed-handshake problems (unanswered, refused, ICMP
# unreachable); and each problem's "capture it again" BPF filter compiles
# and selects packets of that very capture.
# usage: report_check.sh BIN SRCDIR
set -u
bin=$1 src=$2
cd "$src" || exit 2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0 filters=0 ladders=0
want=$'## Capture\n## Problems\n## Hosts\n## Traffic by role\n## Conversations'
for pcap in pcaps/omnicast-site.pcap pcaps/healthy-extras.pcap pcaps/findings-*.pcap pcaps/ipv6-site.pcapng; do
  hosts=${pcap%.*}.hosts
  args=(-q -r "$pcap")
  [ -f "$hosts" ] && args+=(-H "$hosts")
  "$bin" "${args[@]}" --report "$tmp/r.md" >/dev/null 2>"$tmp/err"
  rc=$?
  [ $rc -le 1 ] || { echo "$pcap: exit $rc"; cat "$tmp/err"; fail=1; continue; }
  got=$(grep -E '^## ' "$tmp/r.md" | grep -vE '^## (What the findings mean|Streams)$')
  # ## Streams, when the capture has streams, comes right after ## Problems
  if grep -q '^## Streams$' "$tmp/r.md"; then
    grep -E '^## ' "$tmp/r.md" | grep -A1 -x '## Problems' | tail -1 | grep -qx '## Streams' ||
      { echo "$pcap: ## Streams is not right after ## Problems"; fail=1; }
  fi
  [ "$got" = "$want" ] || { echo "$pcap: sections:"; echo "$got"; fail=1; }
  head -1 "$tmp/r.md" | grep -qx "# omnisniff report: $pcap" || { echo "$pcap: title"; fail=1; }
  # one fenced ladder per failed-handshake problem, inside ## Problems
  nk=$(grep -cE '^### [0-9]+\. [a-z]+ (unanswered-connection|connection-refused|icmp-unreachable) — ' "$tmp/r.md")
  nl=$(sed -n '/^## Problems$/,/^## \(Streams\|Hosts\)$/p' "$tmp/r.md" | grep -c '^```text$')
  [ "$nk" = "$nl" ] || { echo "$pcap: $nk failed handshakes, $nl ladders"; fail=1; }
  ladders=$((ladders + nl))
  # every BPF filter selects packets of the capture
  grep -o 'capture it again: `[^`]*`' "$tmp/r.md" | sed 's/^capture it again: `//; s/`$//' >"$tmp/f"
  while IFS= read -r f; do
    filters=$((filters + 1))
    out=$("$bin" -q -r "$pcap" "$f" 2>&1 | head -1)
    pk=$(sed -n 's/^summary: [^,]*, \([0-9]*\) packets.*/\1/p' <<<"$out")
    [ -n "$pk" ] && [ "$pk" -gt 0 ] || { echo "$pcap: filter '$f' selects nothing: $out"; fail=1; }
  done <"$tmp/f"
done
[ $filters -ge 15 ] && [ $ladders -ge 6 ] || { echo "too few checked: $filters filters, $ladders ladders"; fail=1; }
echo "$filters filters and $ladders ladders checked"
exit $fail
