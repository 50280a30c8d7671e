#!/usr/bin/env bash
# Install dependencies, build berth twice (release-ish and ASan+UBSan), run
# the unit tests of both builds, then the bats integration suites against the
# sanitizer binary, and print the totals line "N passed, N failed".
# Exits non-zero when anything failed.
#
# Environment: BUILD_PREFIX (default <repo>/build-test), SKIP_DEPS=1 to skip
# apt, BATS_FILTER (passed to bats --filter), JOBS.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="${BUILD_PREFIX:-$REPO/build-test}"
REL="$PREFIX-release"
ASAN="$PREFIX-asan"
LOGS="$PREFIX-logs"
mkdir -p "$LOGS"
cd "$REPO"

pass=0
fail=0
note() { printf '== %s\n' "$*"; }

count_tap() { # count_tap FILE: add TAP ok/not ok lines to the totals
  local p f
  p=$(grep -cE '^ok [0-9]+' "$1" || true)
  f=$(grep -cE '^not ok [0-9]+' "$1" || true)
  pass=$((pass + p))
  fail=$((fail + f))
  note "$(basename "$1"): $p passed, $f failed"
}

if [[ "${SKIP_DEPS:-0}" != 1 ]]; then
  note "dependencies"
  if ! bash "$REPO/scripts/install-deps.sh"; then
    echo "dependency installation failed" >&2
    fail=$((fail + 1))
  fi
fi

build() { # build DIR meson-args...
  local dir="$1"
  shift
  if [[ ! -f "$dir/build.ninja" ]]; then
    meson setup "$dir" "$REPO" "$@" > "$LOGS/$(basename "$dir")-setup.log" 2>&1 || return 1
  fi
  ninja -C "$dir" > "$LOGS/$(basename "$dir")-build.log" 2>&1
}

# meson test: count results from the JSON test log (one line per test)
meson_suite() { # meson_suite DIR [env...]
  local dir="$1" name
  name=$(basename "$dir")
  shift
  env "$@" meson test -C "$dir" --print-errorlogs > "$LOGS/$name-test.log" 2>&1
  local log="$dir/meson-logs/testlog.json"
  if [[ ! -f "$log" ]]; then
    fail=$((fail + 1))
    note "$name: no test log"
    return
  fi
  local p f counts
  # A TAP test program counts as its subtests (its "ok"/"not ok" lines in
  # the recorded stdout); a program that crashed before printing any, or a
  # non-TAP test, counts as one by its result.
  counts=$(jq -rs '
    def tap: (.stdout // "") | split("\n");
    def bad: .result == "FAIL" or .result == "TIMEOUT" or .result == "ERROR" or .result == "UNEXPECTEDPASS";
    [ .[] | (tap | map(select(test("^ok [0-9]"))) | length) as $ok
          | (tap | map(select(test("^not ok [0-9]"))) | length) as $nok
          | if ($ok + $nok) == 0 then (if bad then [0, 1] else [1, 0] end)
            elif bad and $nok == 0 then [$ok, 1]
            else [$ok, $nok] end ]
    | "\(map(.[0]) | add // 0) \(map(.[1]) | add // 0)"' "$log")
  read -r p f <<< "$counts"
  pass=$((pass + p))
  fail=$((fail + f))
  note "$name unit tests: $p passed, $f failed"
}

note "release build ($REL)"
if build "$REL" --buildtype=release -Dwerror=true; then
  meson_suite "$REL"
else
  echo "release build failed; see $LOGS" >&2
  tail -n 30 "$LOGS/$(basename "$REL")-build.log" >&2 || true
  fail=$((fail + 1))
fi

note "sanitizer build ($ASAN)"
if build "$ASAN" -Db_sanitize=address,undefined -Db_lundef=false; then
  meson_suite "$ASAN" ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else
  echo "sanitizer build failed; see $LOGS" >&2
  tail -n 30 "$LOGS/$(basename "$ASAN")-build.log" >&2 || true
  fail=$((fail + 1))
fi

note "integration tests (bats, sanitizer binary)"
export BERTH="$ASAN/src/cli/berth"
export ASAN_OPTIONS="detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export BERTH_FIXTURE_CACHE="${BERTH_FIXTURE_CACHE:-$PREFIX-fixtures}"
bats_args=()
[[ -n "${BATS_FILTER:-}" ]] && bats_args+=(--filter "$BATS_FILTER")
# tools.bats first: a peer tool that cannot run is named (with its Debian
# package) before the suites that use it fail.
suites=("$REPO/tests/integration/tools.bats")
for f in "$REPO"/tests/integration/*.bats; do
  [[ "$f" == */tools.bats ]] || suites+=("$f")
done
for f in "${suites[@]}"; do
  out="$LOGS/bats-$(basename "$f" .bats).tap"
  bats --tap "${bats_args[@]}" "$f" > "$out" 2>&1 < /dev/null
  count_tap "$out"
  grep -A8 -E '^not ok' "$out" | head -n 60 || true
done

echo "$pass passed, $fail failed"
[[ "$fail" -eq 0 ]]
