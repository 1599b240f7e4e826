#!/usr/bin/env bash
# full_disk.sh — `-w FILE` (packets of flagged flows written to a pcap) on a
# full disk. FILE lies on a 16 KiB tmpfs mounted in a private mount namespace
# (gone with it), two ways:
#   mid-write: pcaps/findings-reversed.pcap with its hosts file: the flows
#              with findings carry about 60 KB of packets, so the disk fills
#              while they are written;
#   full:      the same tmpfs filled to the last byte first, so even the file
#              header does not fit;
#   rotated:   -w ev-%H%M.pcap -G 60 of pcaps/field-six-problems.pcap (about
#              85 KB a minute) on a 128 KiB tmpfs: the first file fits, the
#              second fills the disk.
# The contract, every way: ONE line on stderr naming FILE, saying "No space
# left on device" and that the file is incomplete; the summary still on
# stdout (the findings report included); exit code 2. Rotated, the files
# finished before it have their "wrote" lines (the first file's only here).
# Skipped (77) while the binary has no -w (the option is being added).
# usage: full_disk.sh OMNISNIFF SRCDIR   (exit 77 = skipped: needs root, unshare,
#                                         tmpfs, and an omnisniff with -w)
set -u
export LC_ALL=C # strerror texts
bin=$(readlink -f "$1") src=$(readlink -f "$2")
skip() { echo "skip: $*"; exit 77; }
"$bin" --help 2>&1 | grep -qE -- '(^|[[:space:]])-w[ ,]' || skip "this omnisniff has no -w FILE option yet"
[ "$(id -u)" = 0 ] || skip "needs root (to mount a tmpfs)"
command -v unshare >/dev/null || skip "needs unshare (util-linux)"
unshare -m --propagation private true 2>/dev/null || skip "cannot make a mount namespace"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cap=pcaps/findings-reversed.pcap hosts=pcaps/findings-reversed.hosts

# run NAME FILL [SIZE WNAME -w's options...]: omnisniff -q -r $cap -H $hosts
# -w MNT/WNAME (flagged.pcap) on a fresh tmpfs of SIZE (16k; filled first if
# FILL=1), inside a mount namespace of its own; outputs in $tmp/NAME.*
run() {
  local name=$1 fill=$2 size=${3:-16k} wname=${4:-flagged.pcap} mnt=$tmp/mnt-$1
  shift $(($# < 4 ? $# : 4))
  mkdir -p "$mnt"
  (cd "$src" && unshare -m --propagation private bash -c '
    mount -t tmpfs -o size=$7 tmpfs "$1" || exit 99
    if [ "$2" = 1 ]; then dd if=/dev/zero of="$1/filler" bs=1k count=64 2>/dev/null; fi
    timeout -s KILL 20 "$3" -q -r "$4" -H "$5" -w "$1/$8" "${@:9}" >"$6.out" 2>"$6.err"
    echo $? >"$6.rc"
    ls -l "$1" >"$6.ls"' _ "$mnt" "$fill" "$bin" "$cap" "$hosts" "$tmp/$name" "$size" "$wname" "$@")
  [ "$(cat "$tmp/$name.rc" 2>/dev/null)" != 99 ] || skip "cannot mount a tmpfs"
}

fail=0
# verify NAME [FILE [LINES]]: the contract for the run NAME, whose failing
# file is FILE (flagged.pcap) after LINES "wrote" lines (none)
verify() {
  local name=$1 f="$tmp/mnt-$1/${2:-flagged.pcap}" wrote=${3:-0} rc
  rc=$(cat "$tmp/$name.rc")
  [ "$rc" = 2 ] || { echo "$name: exit code $rc, expected 2"; fail=1; }
  [ "$(grep -vc '^omnisniff: wrote ' "$tmp/$name.err")" = 1 ] ||
    { echo "$name: stderr has not one line of failure"; fail=1; }
  [ "$(grep -c '^omnisniff: wrote ' "$tmp/$name.err")" = "$wrote" ] ||
    { echo "$name: stderr has not $wrote lines of files finished"; fail=1; }
  grep -v '^omnisniff: wrote ' "$tmp/$name.err" | grep -qF "$f" ||
    { echo "$name: the failure does not name $f"; fail=1; }
  grep -qF "No space left on device" "$tmp/$name.err" ||
    { echo "$name: stderr does not say 'No space left on device'"; fail=1; }
  grep -qiE "incomplete" "$tmp/$name.err" || { echo "$name: stderr does not say the file is incomplete"; fail=1; }
  grep -qE '^traffic role ' "$tmp/$name.out" || { echo "$name: no summary on stdout"; fail=1; }
  grep -qE '^problems: [1-9][0-9]* error' "$tmp/$name.out" ||
    { echo "$name: the problems report is missing from the summary"; fail=1; }
  echo "--- $name: exit $rc; stderr:"; cat "$tmp/$name.err"
  [ $fail = 0 ] || { echo "--- $name: stdout"; cat "$tmp/$name.out"; echo "--- $name: tmpfs"; cat "$tmp/$name.ls"; }
}
run mid-write 0
verify mid-write
run full 1
verify full
cap=pcaps/field-six-problems.pcap hosts=pcaps/field-six-problems.hosts
run rotated 0 128k 'ev-%H%M.pcap' -G 60
verify rotated ev-1001.pcap 1
exit $fail
