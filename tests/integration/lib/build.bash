# Helpers of the build suites (build*.bats): a Dockerfile in $CTX, short
# ids, history and layer checks.  Loaded after lib/common.  It also gives
# each suite its setup: the test registry with the busybox fixtures for the
# file, a fresh store with busybox pulled and an empty $CTX per test (a
# suite that needs more defines its own after loading this).

setup_file() {
  registry_with_fixtures REG plain basic
}

teardown_file() {
  registry_stop REG
}

setup() {
  build_setup
}

teardown() {
  container_teardown
}

# build_setup: a container test's root plus an empty context dir $CTX
# (call from setup; container_teardown undoes it).
build_setup() {
  container_setup
  CTX="$BATS_TEST_TMPDIR/ctx"
  mkdir -p "$CTX"
}

# dockerfile LINE...: writes $CTX/Dockerfile.
dockerfile() {
  printf '%s\n' "$@" > "$CTX/Dockerfile"
}

# The 12-hex short id of an image.
short_id() {
  b inspect "$1" | jq -r '.[0].Id' | cut -c8-19
}

# assert_lines_match PATTERN...: $output's lines, one glob pattern each.
assert_lines_match() {
  local -a got
  mapfile -t got <<< "$output"
  [ "${#got[@]}" -eq "$#" ] || fail_with "want $# lines, got ${#got[@]}: $output"
  local i=0 p
  for p in "$@"; do
    [[ "${got[$i]}" == $p ]] || fail_with "line $((i + 1)): want '$p', got '${got[$i]}'"
    i=$((i + 1))
  done
}

# The first line of a build's output (the size is checked in build_bad_input.bats).
SENDING='Sending build context to berth  *B'

H='[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'

# in_image IMAGE CMD...: the command's output in a container of IMAGE.
in_image() {
  local img=$1
  shift
  b run --rm "$img" "$@"
}

# created_by IMAGE: the CREATED BY of every history entry, newest first, as
# stored (a trailing space is shown as "<sp>").
created_by() {
  local id
  id=$(b inspect "$1" | jq -r '.[0].Id')
  jq -r '.history | reverse | .[].created_by | sub(" $"; "<sp>")' \
    "$(img_dir)/imagedb/content/sha256/${id#sha256:}"
}

# cache_hits: how many " ---> Using cache" lines $output has.
cache_hits() {
  grep -c -- ' ---> Using cache' <<< "$output" || true
}

# layer_count IMAGE: its rootfs.diff_ids.
layer_count() {
  local id
  id=$(b inspect "$1" | jq -r '.[0].Id')
  jq '.rootfs.diff_ids | length' "$(img_dir)/imagedb/content/sha256/${id#sha256:}"
}

# assert_refused_cases "LINE|WORDS"...: for each, a Dockerfile of FROM $IMG
# and LINE is refused with one line on stderr holding WORDS (the store's
# state is the caller's to check).
assert_refused_cases() {
  local c
  for c in "$@"; do
    dockerfile "FROM $IMG" "${c%%|*}"
    run --separate-stderr b build "$CTX"
    assert_failure
    assert_one_line_error
    [[ "$stderr" == *"${c#*|}"* ]] || fail_with "${c%%|*}: want '${c#*|}', got '$stderr'"
  done
}
