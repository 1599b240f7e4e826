#!/usr/bin/env bash
# check_json.sh — every line of every --json golden case parses as JSON
# (jq) and uses only the keys docs/json-schema.md lists for its record type;
# every key listed as required is there; every record has the schema_version
# the document's title names.
# usage: check_json.sh BIN SRCDIR      (exit 77 = skipped: jq missing)
set -u
bin=$1 src=$2
command -v jq >/dev/null || { echo "jq not installed: skipped"; exit 77; }
doc="$src/docs/json-schema.md" tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the ```keys TYPE blocks of the schema: one pattern list per type
awk -v d="$tmp" '/^```keys /{t=$2; next} /^```/{t=""} t{print > (d "/keys." t)}' "$doc"
version=$(sed -n '1s/.*, version \([0-9][0-9]*\)$/\1/p' "$doc")
[ -n "$version" ] || { echo "no version in the title of $doc"; exit 1; }
ls "$tmp"/keys.* >/dev/null 2>&1 || { echo "no key lists in $doc"; exit 1; }
# leaf paths of each record, dotted, array indexes as []
leaves='.type as $t | [paths(scalars)] | map(map(if type == "number" then "[]" else tostring end) | join(".")) | .[] | "\($t) \(.)"'
fail=0 n=0
while IFS= read -r line; do
  name=${line%%:*} args=${line#*:}
  (cd "$src" && TZ=UTC eval "\"$bin\" $args" >"$tmp/out" 2>/dev/null)
  if ! jq -e . "$tmp/out" >/dev/null 2>&1; then
    echo "$name: output is not JSON Lines"; fail=1; continue
  fi
  n=$((n + $(wc -l <"$tmp/out")))
  jq -r "$leaves" "$tmp/out" | sort -u >"$tmp/paths"
  for t in $(cut -d' ' -f1 "$tmp/paths" | sort -u); do
    [ -f "$tmp/keys.$t" ] || { echo "$name: record type '$t' is not documented"; fail=1; continue; }
    re=$(sed 's/?$//; s/\./\\./g; s/\*/[^.]+/g; s/\[\]/\\[\\]/g' "$tmp/keys.$t" | paste -sd'|')
    bad=$(awk -v t="$t" '$1 == t {print $2}' "$tmp/paths" | grep -vxE "$re")
    [ -z "$bad" ] || { echo "$name: $t keys not in $doc: $bad" | tr '\n' ' '; echo; fail=1; }
    for k in $(grep -vE '[?*]|\[\]' "$tmp/keys.$t"); do
      miss=$(jq -r --arg t "$t" --arg k "$k" \
        'select(.type == $t) | select(getpath($k | split(".")) == null and ($k | split(".") | length) > 0) | .type' \
        "$tmp/out" | head -1)
      # role may be null by design: only its presence is required
      if [ -n "$miss" ] && [ "$k" != role ] || { [ "$k" = role ] && jq -e --arg t "$t" 'select(.type == $t) | has("role") | not' "$tmp/out" | grep -q true; }; then
        echo "$name: a $t record lacks required key $k"; fail=1
      fi
    done
  done
  if jq -e --argjson v "$version" 'select(.schema_version != $v)' "$tmp/out" | grep -q .; then
    echo "$name: a record without schema_version $version"; fail=1
  fi
done < <(grep -E '^[a-z0-9-]+:.*--json' "$src/tests/golden/manifest" | grep -vE -- '--(dot|report) ')
[ "$n" -gt 0 ] || { echo "no --json golden cases found"; exit 1; }
echo "checked $n JSON lines"
exit $fail
