#!/usr/bin/env bash
# run.sh — run omnisniff's libFuzzer targets.
# usage: fuzz/run.sh FUZZ_BUILD_DIR SECONDS [TARGET...]   (targets: decode pipeline rules hosts site pcapng)
# Corpora grow in FUZZ_BUILD_DIR/corpus/TARGET, seeded from the repo (sample
# captures, rules and hosts files, fuzz/seeds/); crashes are written to
# FUZZ_BUILD_DIR/artifacts/ and make the script exit 1.
set -u
build=$(cd "$1" && pwd); secs=$2; shift 2
src=$(cd "$(dirname "$0")/.." && pwd)
targets=${*:-decode pipeline rules hosts site pcapng}
mkdir -p "$build/artifacts"
seed() { # seed TARGET DIR
  case $1 in
    decode) cp "$src"/fuzz/seeds/decode/* "$2"/ ;;
    pipeline) for f in "$src"/pcaps/*.pcap*; do [ "$(stat -c %s "$f")" -lt 40000 ] && cp "$f" "$2"/; done ;;
    rules) cp "$src"/rules/omnicast4.rules "$src"/tests/golden/data/*.rules "$2"/ ;;
    hosts) cp "$src"/pcaps/omnicast-site.hosts "$src"/tests/golden/data/bad.hosts "$2"/ ;;
    site) cp "$src"/pcaps/*.site "$src"/rules/example.site "$src"/tests/golden/data/bad.site "$2"/ ;;
    pcapng) for f in "$src"/pcaps/*.pcapng "$src"/pcaps/linktype-*.pcap "$src"/pcaps/hostile-*.pcap; do
              [ "$(stat -c %s "$f")" -lt 40000 ] && cp "$f" "$2"/ && gzip -c "$f" >"$2/$(basename "$f").gz"
            done
            cat "$src"/pcaps/linktype-raw.pcap "$src"/pcaps/linktype-sll.pcap >"$2"/joined-with-cat.pcap ;;
  esac
}
status=0
for t in $targets; do
  corpus="$build/corpus/$t"
  mkdir -p "$corpus"
  [ -n "$(ls -A "$corpus")" ] || seed "$t" "$corpus"
  echo "== fuzz_$t for ${secs}s"
  "$build/fuzz/fuzz_$t" "$corpus" -max_total_time="$secs" -print_final_stats=1 \
      -artifact_prefix="$build/artifacts/$t-" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      2>&1 | grep -E '^(#[0-9]+ +DONE|stat::|==|SUMMARY|.*(ERROR|crash|leak))' || true
  ls "$build"/artifacts/"$t"-* >/dev/null 2>&1 && { echo "fuzz_$t found a crash: $(ls "$build"/artifacts/"$t"-*)"; status=1; }
done
exit $status
