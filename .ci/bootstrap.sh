#!/usr/bin/env bash
# bootstrap.sh — set up omnisniff on a fresh Debian 12 machine (as root).
#   bash .ci/bootstrap.sh demo   install what is missing, build, run on a bundled capture
#   bash .ci/bootstrap.sh test   the same, then every test: a normal build (with valgrind
#                                memcheck on a subset of the golden cases) and an
#                                ASan+UBSan build, each with the unit and golden suites,
#                                then a 60 s libFuzzer smoke run of each fuzz target
set -euo pipefail
mode=${1:-demo}
cd "$(dirname "$0")/.."

pkgs=(gcc make cmake pkg-config libpcap-dev uthash-dev libcmocka-dev nettle-dev zlib1g-dev libzstd-dev liblz4-dev)
[ "$mode" = test ] && pkgs+=(clang libclang-rt-14-dev iproute2 valgrind nftables socat jq tshark graphviz man-db iptables time python3 logrotate systemd rsyslog rsyslog-relp clickhouse-server clickhouse-client tcpreplay)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc 2>/dev/null || echo 2)
build() { # build DIR [cmake args...]
  local dir=$1; shift
  cmake -S . -B "$dir" -DOMNISNIFF_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

echo "== building (build/)"
build build
case "$mode" in
  demo)
    echo "== omnisniff -r pcaps/omnicast-site.pcap -H pcaps/omnicast-site.hosts"
    ./build/omnisniff -r pcaps/omnicast-site.pcap -H pcaps/omnicast-site.hosts
    ;;
  test)
    ./build/omnisniff -q -r pcaps/omnicast-site.pcap -H pcaps/omnicast-site.hosts
    echo "== tests (build/)"
    ctest --test-dir build --output-on-failure -j "$jobs"
    echo "== building with ASan+UBSan (build-asan/)"
    build build-asan -DOMNISNIFF_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
    echo "== tests under ASan+UBSan (build-asan/)"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --test-dir build-asan --output-on-failure -j "$jobs"
    echo "== fuzz smoke run: 60 s per target (build-fuzz/)"
    CC=clang cmake -S . -B build-fuzz -DOMNISNIFF_FUZZ=ON -DOMNISNIFF_TESTS=OFF >/dev/null
    cmake --build build-fuzz -j "$jobs"
    bash fuzz/run.sh build-fuzz 60
    ;;
  *) echo "usage: bash .ci/bootstrap.sh demo|test" >&2; exit 2 ;;
esac
