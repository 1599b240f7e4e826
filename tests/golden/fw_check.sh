#!/usr/bin/env bash
# fw_check.sh — the firewall rules omnisniff writes for the audit captures
# must load: nftables rulesets with 'nft -c -f -' (check mode, nothing is
# changed), iptables ones with 'iptables-restore --test'.
# usage: fw_check.sh BIN SRCDIR nftables|iptables
# Exit 77 (skipped) when the tool is missing or may not talk to the kernel.
set -u
bin=$1 src=$2 fmt=$3
case $fmt in
  nftables) check() { nft -c -f -; }; probe='table inet omnisniff_probe { }'; tool=nft ;;
  iptables) check() { iptables-restore --test; }; probe=$'*filter\nCOMMIT'; tool=iptables-restore ;;
  *) echo "unknown format $fmt"; exit 2 ;;
esac
command -v "$tool" >/dev/null || { echo "$tool not installed: skipped"; exit 77; }
printf '%s\n' "$probe" | check >/dev/null 2>&1 || { echo "$tool check mode not permitted here: skipped"; exit 77; }
cd "$src" || exit 2
fail=0
for c in healthy:healthy blocked-archiver:blocked-archiver missing-encoder:healthy; do
  cap=pcaps/audit-${c%%:*}.pcap site=pcaps/audit-${c##*:}.site
  out=$("$bin" --firewall-rules "$fmt" -r "$cap" --site "$site")
  rc=$?
  if [ $rc -gt 1 ]; then echo "$cap: omnisniff exited $rc"; fail=1; continue; fi
  if ! printf '%s\n' "$out" | check; then
    echo "$cap: the $fmt rules do not load:"; printf '%s\n' "$out"; fail=1
  fi
  n=$(printf '%s\n' "$out" | grep -c 'accept comment\|-j ACCEPT$')
  [ "$n" -ge 2 ] || { echo "$cap: only $n allow rules"; fail=1; }
done
exit $fail
