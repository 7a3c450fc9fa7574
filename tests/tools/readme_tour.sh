#!/usr/bin/env bash
# The README's five-minute tour runs as written: the commands between <!-- tour:begin --> and
# <!-- tour:end --> in README.md (the README is the only copy) run from the checkout under
# `bash -e`, the README's build/tools/ mapped to the build under test, chosa fill reading
# tests/fill/coordinator_checklist.txt on standard input. Fails if a command fails, if the tour
# leaves its collector running, or if anything in the checkout was written or changed.
#
# usage: readme_tour.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The tour's lines, without the markers and the code fence.
sed -n '/^<!-- tour:begin -->$/,/^<!-- tour:end -->$/p' "$src/README.md" | grep -v '^<!--\|^```' > "$work/tour.sh" || true
grep -q 'chosa fill ' "$work/tour.sh" || { echo "README.md: no tour between <!-- tour:begin --> and <!-- tour:end -->"; exit 1; }
if grep -q 'bench/run\.sh\|scripts/setup\.sh' "$work/tour.sh"; then
  echo "README.md: the tested tour runs bench/run.sh or scripts/setup.sh (too slow for a test: keep them outside the markers)"
  exit 1
fi
# build/tools/X (at the start of a word) is X of the build under test.
sed -i "s#\(^\|[[:space:]=(\"]\)build/tools/#\1$build/tools/#g" "$work/tour.sh"

# Whatever happens, the collector is stopped and $T removed; a collector still running when the
# tour ended is a failure of the tour.
cat > "$work/run.sh" <<'EOF'
set -e
cleanup() {
  status=$?
  if [ -n "${SERVER:-}" ] && kill -0 "$SERVER" 2> /dev/null; then
    kill "$SERVER"
    [ "$status" -eq 0 ] && echo "the tour left its collector running" && status=1
  fi
  [ -n "${T:-}" ] && rm -rf "$T"
  exit "$status"
}
trap cleanup EXIT
EOF
cat "$work/tour.sh" >> "$work/run.sh"

# What the checkout holds before: git's view (when it is a git checkout) and a timestamp for any
# file written later, ignored ones included (build directories excepted).
snapshot() {  # GIT_OPTIONAL_LOCKS=0: status writes no index, so runs side by side never collide
  if git -C "$src" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    GIT_OPTIONAL_LOCKS=0 git -C "$src" status --porcelain --untracked-files=all --ignored=no
  fi
}
git_before=$(snapshot)
touch "$work/stamp"
sleep 1  # file times may be as coarse as a second

status=0
(cd "$src" && CHOSA_ANALYST_TOKEN= bash "$work/run.sh" < "$src/tests/fill/coordinator_checklist.txt") || status=$?
echo "tour status $status"

git_after=$(snapshot)
if [ "$git_before" != "$git_after" ]; then
  echo "the tour changed the checkout (git status --porcelain):"
  diff <(echo "$git_before") <(echo "$git_after") || true
  status=1
fi
written=$(find "$src" \( -path "$src/.git" -o -path "$src/build*" -o -path "$build" -o -name node_modules \) -prune \
  -o -newer "$work/stamp" -print)
if [ -n "$written" ]; then
  echo "the tour wrote into the checkout:"
  echo "$written"
  status=1
fi
[ "$status" -eq 0 ] && echo "the README's tour ran as written"
exit "$status"
