# teardown.sh — sourced by live tests: $tmp (a scratch directory), $made
# (the namespaces created so far: add each one) and pids[] (background
# processes to stop); on exit every process in those namespaces is killed,
# the namespaces deleted and $tmp removed (kept, and named, when KEEP is set).
tmp=$(mktemp -d) made="" pids=()
cleanup() {
  local p ns
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  for ns in $made; do
    # anything still running in one of our namespaces was started by the test
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  if [ -n "${KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
