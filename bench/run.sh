#!/usr/bin/env bash
# bench/run.sh — omnisniff side by side with the libpcap floor and the tools
# a user would pick instead (tcpdump, ndpiReader, tshark: each when
# installed), on generated captures. Prints a Markdown table of medians, the
# ratio to the floor, packets/s and peak memory.
#
# usage: bench/run.sh [BUILD_DIR]       (from the repository root; default build)
#
# Environment (defaults are the figures of bench/RESULTS.md; small values make
# a CI-size smoke run):
#   RUNS=5            runs per command (the median is reported)
#   SITE_N=500000     packets of the full-size site capture
#   SNAP_N=4000000    packets of the snaplen-96 capture
#   FLOWS_N=1000000   concurrent flows of the flows capture
#   CHURN_N=4000000   packets of the churn capture (also run at CHURN_N/4 to
#                     show memory does not grow with capture length)
#   CG_N=50000        packets of the captures callgrind counts instructions on
#                     (the site, plain and in tunnels)
#   SYN_N=$FLOWS_N    flows (one SYN each, never answered, all to TCP 6061)
#                     of the SYN-storm capture; its peak memory is shown
#                     next to that of FLOWS_N concurrent flows without
#                     findings
#   BENCH_DIR=/tmp/omnisniff-bench   where captures and the floor go
#   TSHARK=1          0 skips tshark (slow: ~100x the floor; run on the
#                     full-size capture only)
#
# Wall time is measured around each run (date +%s%N); peak memory is the
# "Maximum resident set size" of /usr/bin/time -v, CPU time its user plus
# system time. Instructions are callgrind's (valgrind, when installed), on
# one CPU (taskset -c 0: no read-ahead thread, so the count is the reader's
# own work).
#
# Every run reads its capture from the page cache, in the same state for
# every tool (settle, below): evicted once and read back in order before its
# table, and read again (cat, not timed) before each run.
set -euo pipefail

BUILD=${1:-build}
RUNS=${RUNS:-5}
SITE_N=${SITE_N:-500000}
SNAP_N=${SNAP_N:-4000000}
FLOWS_N=${FLOWS_N:-1000000}
CHURN_N=${CHURN_N:-4000000}
SYN_N=${SYN_N:-$FLOWS_N}
CG_N=${CG_N:-50000}
DIR=${BENCH_DIR:-/tmp/omnisniff-bench}
TSHARK=${TSHARK:-1}
FLOOR=
HERE=$(cd "$(dirname "$0")" && pwd)
PIN=
! command -v taskset >/dev/null || PIN="taskset -c 0"
OMNI=$(cd "$BUILD" && pwd)/omnisniff
GEN=$(cd "$BUILD" && pwd)/tests/omnigen
PROTOS=$HERE/omnicast.protos

[ -x "$OMNI" ] && [ -x "$GEN" ] || { echo "run.sh: build omnisniff and omnigen in $BUILD first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "run.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
mkdir -p "$DIR"
cc -O2 -Wall -o "$DIR/floor" "$HERE/floor.c" -lpcap
cc -O2 -Wall -o "$DIR/mapwalk" "$HERE/mapwalk.c"

# Generate a capture unless one of that size is there already.
capture() { # KIND N -> path
    local f="$DIR/$1-$2.pcap"
    [ -s "$f" ] || "$GEN" --bench "$1" "$2" "$f" >&2
    echo "$f"
}

# Put capture FILE in one page-cache state for all that follows, and make it
# the one measure() refreshes before each run. It is evicted (dd
# iflag=nocache: posix_fadvise DONTNEED on this file only) and read back in
# order, so it sits in the cache in the large folios of sequential
# read-ahead: a capture the generator has just written sits in small ones,
# which take about 15x the page faults to map (~12 000 vs ~800 on the full-size
# capture) and made the mapped reader's times depend on the file's history.
# The cat before each run brings back what the machine reclaimed meanwhile
# (this VM trims the page cache in the background).
CAPTURE=
settle() { # FILE
    CAPTURE=$1
    dd if="$1" iflag=nocache count=0 status=none
    cat "$1" >/dev/null
}

# Run a command RUNS times; print "median_seconds peak_kib median_cpu_seconds".
measure() {
    local i t0 t1 mem cpu times=() mems=() cpus=()
    for ((i = 0; i < RUNS; i++)); do
        [ -z "$CAPTURE" ] || cat "$CAPTURE" >/dev/null
        t0=$(date +%s%N)
        /usr/bin/time -v -o "$DIR/time.txt" "$@" >/dev/null 2>"$DIR/stderr.txt" || {
            local rc=$?
            # omnisniff exits 1 on findings; anything else is a failure
            [ "$rc" -eq 1 ] && [[ "$1" == *omnisniff* || "$1" == env ]] ||
                { echo "run.sh: '$*' failed ($rc):" >&2; cat "$DIR/stderr.txt" >&2; exit 1; }
        }
        t1=$(date +%s%N)
        mem=$(awk -F': ' '/Maximum resident/ {print $2}' "$DIR/time.txt")
        cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$DIR/time.txt")
        times+=("$(( (t1 - t0) / 1000 ))")
        mems+=("$mem")
        cpus+=("$cpu")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.4f ", a[int((NR+1)/2)]/1e6}'
    printf '%s\n' "${mems[@]}" | sort -n | tail -1 | tr '\n' ' '
    printf '%s\n' "${cpus[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# Print one row: NAME PACKETS FLOOR_SECONDS SECONDS PEAK_KIB.
print_row() {
    awk -v n="$1" -v p="$2" -v f="$3" -v s="$4" -v m="$5" 'BEGIN {
        printf "| %-44s | %8.3f | %6.2fx | %7.2f M | %7.1f |\n", n, s, s / f, p / s / 1e6, m / 1024 }'
}

# One row of the table: NAME PACKETS FLOOR_SECONDS command...
row() {
    local name=$1 pkts=$2 floor=$3 s m
    shift 3
    read -r s m _ < <(measure "$@")
    print_row "$name" "$pkts" "$floor" "$s" "$m"
}

# The floor's row; sets FLOOR to its median.
floor_row() { # NAME FILE PACKETS
    local m
    read -r FLOOR m _ < <(measure "$DIR/floor" "$2")
    print_row "$1" "$3" "$FLOOR" "$FLOOR" "$m"
}

header() {
    echo
    echo "### $1"
    echo
    echo "| command | median s | vs floor | packets/s | peak MiB |"
    echo "|---|---:|---:|---:|---:|"
}

# The comparison on one capture: floor, omnisniff's modes, the other tools
# (tshark only when WITH_TSHARK is 1: it takes minutes on the large ones).
compare() { # TITLE FILE PACKETS WITH_TSHARK
    local title=$1 f=$2 n=$3 with_tshark=$4 floor
    settle "$f"
    header "$title"
    floor_row "floor (pcap_next_ex + ports)" "$f" "$n"
    floor=$FLOOR
    row "mmap walk (map + ports, nothing else)" "$n" "$floor" "$DIR/mapwalk" "$f"
    row "omnisniff -q -r" "$n" "$floor" "$OMNI" -q -r "$f"
    if command -v taskset >/dev/null; then # one CPU: no read-ahead thread
        row "omnisniff -q -r (one CPU: taskset -c 0)" "$n" "$floor" taskset -c 0 "$OMNI" -q -r "$f"
    fi
    row "omnisniff -q -r (libpcap reader)" "$n" "$floor" env OMNISNIFF_READER=libpcap "$OMNI" -q -r "$f"
    row "omnisniff --json -r" "$n" "$floor" "$OMNI" --json -r "$f"
    row "omnisniff -r (text lines)" "$n" "$floor" "$OMNI" -r "$f"
    if command -v tcpdump >/dev/null; then
        row "tcpdump -nr" "$n" "$floor" tcpdump -nr "$f"
    fi
    if command -v ndpiReader >/dev/null; then
        row "ndpiReader -i FILE -p omnicast.protos" "$n" "$floor" ndpiReader -q -i "$f" -p "$PROTOS"
    fi
    if command -v tshark >/dev/null && [ "$TSHARK" = 1 ] && [ "$with_tshark" = 1 ]; then
        row "tshark -r FILE -q -z conv,ip" "$n" "$floor" tshark -r "$f" -q -z conv,ip
    fi
}

# Memory only: omnisniff -q on a capture, floor for the ratio. Keeps the
# omnisniff row's figures in MEM_ROW ("floor seconds peak_kib").
MEM_ROW=
memory() { # TITLE FILE PACKETS
    local s m
    settle "$2"
    floor_row "$1: floor" "$2" "$3"
    read -r s m _ < <(measure "$OMNI" -q -r "$2")
    print_row "$1: omnisniff -q -r" "$3" "$FLOOR" "$s" "$m"
    MEM_ROW="$FLOOR $s $m"
}

# Instructions of omnisniff -q -r on FILE under callgrind, on one CPU; "-"
# without valgrind, or for a build with AddressSanitizer (its runtime must
# come first and cannot under valgrind; its counts would say nothing anyway).
instructions() { # FILE
    local out
    command -v valgrind >/dev/null || { echo -; return; }
    ldd "$OMNI" 2>/dev/null | grep -q libasan && { echo -; return; }
    out=$($PIN valgrind --tool=callgrind --callgrind-out-file=/dev/null "$OMNI" -q -r "$1" 2>&1 >/dev/null) ||
        [ $? -eq 1 ] || { echo "run.sh: callgrind on $1 failed:" >&2; echo "$out" >&2; exit 1; }
    awk '/Collected :/ {print $NF}' <<<"$out"
}

# The tunnel path next to plain Ethernet: the same site traffic wrapped in
# VXLAN and in ERSPAN (omnigen --bench vxlan, erspan). Time on SITE_N
# packets, instructions on CG_N; "vs plain" is against the first row (time:
# the ratio; instructions: the difference per packet).
tunnels() {
    local kind f s m c i plain_s plain_i
    local -A name=([site]="(plain Ethernet)" [vxlan]="in VXLAN" [erspan]="in ERSPAN")
    echo
    echo "### Tunnels: the site capture wrapped, $SITE_N packets (time), $CG_N (instructions)"
    echo
    echo "| command | median s | vs plain | CPU s | instr./packet | vs plain | peak MiB |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for kind in site vxlan erspan; do
        f=$(capture "$kind" "$SITE_N")
        settle "$f"
        read -r s m c < <(measure "$OMNI" -q -r "$f")
        i=$(instructions "$(capture "$kind" "$CG_N")")
        [ "$kind" != site ] || plain_s=$s plain_i=$i
        awk -v n="per-packet work, site ${name[$kind]}" -v s="$s" -v c="$c" -v m="$m" -v i="$i" \
            -v ps="$plain_s" -v pi="$plain_i" -v k="$CG_N" 'BEGIN {
            ip = i == "-" ? "-" : sprintf("%.1f", i / k)
            dp = i == "-" ? "-" : sprintf("%+.1f", (i - pi) / k)
            printf "| %-44s | %8.3f | %6.2fx | %7.2f | %8s | %7s | %7.1f |\n", n, s, s / ps, c, ip, dp, m / 1024 }'
    done
}

# A compressed copy of FILE (TOOL gzip, zstd or lz4 at its default level),
# made once and kept in BENCH_DIR next to it.
compressed_copy() { # TOOL FILE -> path
    local ext
    case $1 in gzip) ext=gz ;; zstd) ext=zst ;; *) ext=$1 ;; esac
    if [ ! -s "$2.$ext" ]; then
        "$1" -q -c "$2" >"$2.$ext.part"
        mv "$2.$ext.part" "$2.$ext"
    fi
    echo "$2.$ext"
}

# Compressed input: omnisniff -q -r on the site capture compressed (read
# through libpcap behind a decompressing stream, one thread) next to the
# plain file (mapped, read-ahead thread) and the plain file through libpcap.
compressed() { # FILE PACKETS
    local f=$1 n=$2 tool z label s m c plain_s plain_c
    echo
    echo "### Compressed input: the site capture, $n packets, $(du -h "$f" | cut -f1)"
    echo
    echo "| command | median s | vs plain | CPU s | vs plain | peak MiB |"
    echo "|---|---:|---:|---:|---:|---:|"
    for tool in plain libpcap gzip zstd lz4; do
        z=$f label="plain: omnisniff -q -r"
        set -- "$OMNI" -q -r
        if [ "$tool" = libpcap ]; then
            label="plain: omnisniff -q -r (libpcap reader)"
            set -- env OMNISNIFF_READER=libpcap "$@"
        elif [ "$tool" != plain ]; then
            command -v "$tool" >/dev/null || continue
            z=$(compressed_copy "$tool" "$f")
            label="$tool input, $(du -h "$z" | cut -f1): omnisniff -q -r"
        fi
        settle "$z"
        read -r s m c < <(measure "$@" "$z")
        [ "$tool" != plain ] || plain_s=$s plain_c=$c
        awk -v n="$label" -v s="$s" -v c="$c" -v m="$m" -v ps="$plain_s" -v pc="$plain_c" 'BEGIN {
            printf "| %-44s | %8.3f | %6.2fx | %7.2f | %6.2fx | %7.1f |\n", n, s, s / ps, c, (pc > 0 ? c / pc : 0), m / 1024 }'
    done
}

# The SYN storm: N flows of one unanswered SYN each to one port, which fold
# into one problem. Timed like the other rows, and once more with the flow
# table capped (--max-flows 10000: memory that does not grow with N). Under
# them, the flow table's own row (FLOWS_N concurrent flows, no finding,
# measured above) is printed again: the difference in peak memory is what
# the findings and the problem cost. The check runs once more, untimed: one
# "!! error" line in the summary, one final JSON problem record, and it
# counts all N flows.
synstorm() { # FILE N FLOWS_ROW
    local f=$1 n=$2 s m ff fs fm q errors folded finals nfinal nflows
    settle "$f"
    header "SYN storm: $n single-SYN flows to one port, $(du -h "$f" | cut -f1)"
    floor_row "SYN storm: floor" "$f" "$n"
    read -r s m _ < <(measure "$OMNI" -q -r "$f")
    print_row "SYN storm: omnisniff -q -r" "$n" "$FLOOR" "$s" "$m"
    row "SYN storm: omnisniff --json -r" "$n" "$FLOOR" "$OMNI" --json -r "$f"
    row "SYN storm: omnisniff -q -r --max-flows 10000" "$n" "$FLOOR" "$OMNI" --max-flows 10000 -q -r "$f"
    read -r ff fs fm <<<"$3"
    print_row "$FLOWS_N concurrent flows, no finding (above)" "$FLOWS_N" "$ff" "$fs" "$fm"
    # omnisniff exits 1 on findings
    q=$("$OMNI" -q -r "$f") || [ $? -eq 1 ]
    errors=$(grep -c '^!! error' <<<"$q" || true)
    folded=$(grep '^problems:' <<<"$q" || true)
    finals=$({ "$OMNI" --json -r "$f" || [ $? -eq 1 ]; } | grep '"type":"problem"' | grep '"event":"final"' || true)
    nfinal=$(grep -c . <<<"$finals" || true)
    nflows=$(grep -c "\"flows\":$n," <<<"$finals" || true)
    echo
    echo "    SYN storm: $folded"
    echo "    SYN storm: $errors '!! error' line(s); $nfinal final JSON problem record(s), $nflows with \"flows\":$n"
    awk -v s="$m" -v f="$fm" 'BEGIN {
        printf "    SYN storm: peak %.1f MiB (-q -r) vs %.1f MiB for the flow table alone: %+.1f MiB\n", s / 1024, f / 1024, (s - f) / 1024 }'
    [ "$errors" = 1 ] && [ "$nfinal" = 1 ] && [ "$nflows" = 1 ] ||
        { echo "run.sh: the SYN storm did not fold into one problem of $n flows" >&2; exit 1; }
}

site=$(capture site "$SITE_N")
for kind in site vxlan erspan; do # the tunnel table's (tunnels, below)
    capture "$kind" "$SITE_N" >/dev/null
    capture "$kind" "$CG_N" >/dev/null
done
snap=$(capture snap96 "$SNAP_N")
flows=$(capture flows "$FLOWS_N")
churn=$(capture churn "$CHURN_N")
churn4=$(capture churn $((CHURN_N / 4)))
syn=$(capture synstorm "$SYN_N")

echo "## omnisniff benchmark"
echo
echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r), $RUNS runs each (median time, highest peak RSS)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
compare "Full-size site capture: $SITE_N packets, $(du -h "$site" | cut -f1)" "$site" "$SITE_N" 1
tunnels
compressed "$site" "$SITE_N"
compare "Site capture at snaplen 96: $SNAP_N packets, $(du -h "$snap" | cut -f1)" "$snap" "$SNAP_N" 0
header "Memory: concurrent flows and churn"
memory "$FLOWS_N concurrent flows" "$flows" "$FLOWS_N"
flows_row=$MEM_ROW
memory "churn, $((CHURN_N / 4)) packets" "$churn4" "$((CHURN_N / 4))"
memory "churn, $CHURN_N packets" "$churn" "$CHURN_N"
echo
echo "flows capture: $("$OMNI" -q -r "$flows" | grep '^flows:')"
echo "churn capture: $("$OMNI" -q -r "$churn" | grep '^flows:')"
synstorm "$syn" "$SYN_N" "$flows_row"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
