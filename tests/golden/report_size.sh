#!/usr/bin/env bash
# report_size.sh — the reports of a site whose faults repeat stay short,
# whatever the number of flows behind them (issue 16). Counts lines as a
# technician reads them, on the field captures of tests/gen/gen_field.c:
#   field-dropped-playback: 10 clients x 200 attempts to a dropped port
#     (2,000 flows) on a healthy mid-life site with noise: one problem;
#   field-six-problems: six faults, each repeated by several clients.
# usage: report_size.sh BIN SRCDIR
set -u
bin=$1 src=$2
cd "$src" || exit 2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
# at_most WHAT N FILE: FILE has at most N lines
at_most() {
  local n; n=$(wc -l <"$3")
  [ "$n" -le "$2" ] || bad "$1: $n lines, want at most $2"
  echo "$1: $n lines (at most $2)"
}
count_is() { # WHAT WANT GOT
  [ "$3" = "$2" ] || bad "$1: $3, want $2"
}
dp=pcaps/field-dropped-playback.pcap six=pcaps/field-six-problems.pcap
hosts=pcaps/field-six-problems.hosts

# one problem for 2,000 flows: the -q report fits a screen
TZ=UTC "$bin" -q -r $dp >"$tmp/dp.q"; count_is "dropped-playback exit code" 1 $?
at_most "dropped-playback -q" 55 "$tmp/dp.q" # a screen
count_is "dropped-playback problems" 1 "$(grep -c '^!! error ' "$tmp/dp.q")"
grep -q '^problems: 1 error, 0 warnings, 0 info, from 2000 findings' "$tmp/dp.q" ||
  bad "dropped-playback: the problems line does not fold 2000 findings into 1 error"
grep -qE '^   10 [a-z]+ \(10\.10\.3\.101-10\.10\.3\.110\) cannot reach Archiver 10\.10\.0\.20 .*2000 attempts .*none answered.*every 3\.0 s' \
  "$tmp/dp.q" || bad "dropped-playback: the sentence does not say 10 peers, 2000 attempts, none answered, every 3.0 s"

# the packet lines: the problem shows up within the first hundred lines
# (it was line 122,077 when every flow had its finding), once, then its
# escalation to error once a second client failed
TZ=UTC "$bin" -r $dp >"$tmp/dp.lines"
first=$(grep -n ' !! ' "$tmp/dp.lines" | head -1 | cut -d: -f1)
[ -n "$first" ] && [ "$first" -le 100 ] || bad "dropped-playback: first !! line at line ${first:-none}, want <= 100"
count_is "dropped-playback live !! lines" 2 "$(grep -c '^[0-9:.]* !! ' "$tmp/dp.lines")"
grep -q '^[0-9:.]* !! now error unanswered-connection: ' "$tmp/dp.lines" ||
  bad "dropped-playback: no '!! now error' line when the second client failed"
echo "dropped-playback: first !! line at line $first of $(wc -l <"$tmp/dp.lines")"

# the Markdown report: one section and one ladder, not 2,000
TZ=UTC "$bin" -q -r $dp --report "$tmp/dp.md" >/dev/null
at_most "dropped-playback --report" 320 "$tmp/dp.md"
count_is "dropped-playback report ladders" 1 \
  "$(awk '/^## Problems/{on=1; next} on && /^## /{exit} on' "$tmp/dp.md" | grep -c '^```text')"

# JSON: every finding record names the one problem; one final record
TZ=UTC "$bin" --json -r $dp >"$tmp/dp.json"
count_is "dropped-playback final problem records" 1 \
  "$(grep -c '"type":"problem",.*"event":"final"' "$tmp/dp.json")"
grep -q '"type":"problem",.*"event":"final".*"severity":"error".*"peers":10,.*"flows":2000,' "$tmp/dp.json" ||
  bad "dropped-playback: the final problem record is not an error of 10 peers and 2000 flows"
pid=$(grep -o '"event":"final","problem_id":[0-9]*' "$tmp/dp.json" | grep -o '[0-9]*$')
count_is "finding records naming the problem" 2000 \
  "$(grep '"type":"finding"' "$tmp/dp.json" | grep -c "\"problem_id\":$pid}")"

# six repeated faults, with and without a hosts file: a few lines each
for h in hosts nohosts; do
  args=(-q -r $six); want=6 # without a hosts file too: the roles are inferred
  [ $h = hosts ] && args+=(-H $hosts)
  TZ=UTC "$bin" "${args[@]}" >"$tmp/six.$h"
  at_most "six-problems -q ($h)" 80 "$tmp/six.$h"
  count_is "six-problems problems ($h)" $want "$(grep -cE '^(!!| !|  ) (error|warning|info) ' "$tmp/six.$h")"
  # the problems section: a count line, then 4 lines a problem at most
  sec=$(awk '/^problems:/{on=1; next} on && /^$/{exit} on' "$tmp/six.$h" | wc -l)
  [ "$sec" -le $((4 * want)) ] || bad "six-problems ($h): the problems section has $sec lines for $want problems"
done
TZ=UTC "$bin" -q -r $six -H $hosts --report "$tmp/six.md" >/dev/null
at_most "six-problems --report" 600 "$tmp/six.md"
count_is "six-problems report sections" 6 "$(grep -c '^### [0-9]*\. ' "$tmp/six.md")"
TZ=UTC "$bin" -q -r $six -H $hosts --dot "$tmp/six.dot" >/dev/null
nodes=$(grep -cE '^  "[^"]+" \[' "$tmp/six.dot")
[ "$nodes" -le 25 ] || bad "six-problems --dot: $nodes nodes, want at most 25"
echo "six-problems --dot: $nodes nodes"
[ $fail = 0 ] && echo "ok: reports of repeated faults stay short"
exit $fail
