#!/usr/bin/env bats
# image prune, container prune, system prune, builder prune: Docker 20.10's
# prompts and report lines (its client on its private daemon, on images
# and containers made the same way; image ids differ, being made at other
# times, so 64-hex ids are compared as ID), through the store's collection:
# nothing a container, an image or a live mount uses goes.

load lib/common
load lib/dockerd

setup_file() {
  require_tool docker-registry dockerd runc
  registry_with_fixtures REG plain basic layered
  dockerd_start "$BATS_FILE_TMPDIR/dockerd"
}

teardown_file() {
  dockerd_stop
  registry_stop REG
}

setup() {
  container_setup
  b pull -q "$REG_HOST/test/layered:1" > /dev/null
  dk pull -q "$IMG" > /dev/null
  dk pull -q "$REG_HOST/test/layered:1" > /dev/null
}

teardown() {
  for m in "$BATS_TEST_TMPDIR"/mnt*; do
    [[ -d "$m" ]] && b image umount "$m" > /dev/null 2>&1
  done
  dockerd_reset
  container_teardown
}

# both: lab:1 committed twice (the first left dangling), lab:2 with
# another label, a stopped container of busybox
make_objects() {
  local tool
  for tool in dk b; do
    $tool create --name src "$IMG" true > /dev/null
    $tool commit -c 'LABEL a=1' src lab:1 > /dev/null
    $tool commit -c 'LABEL a=1' -c 'LABEL b=2' src lab:1 > /dev/null
    $tool commit -c 'LABEL a=2' src lab:2 > /dev/null
  done
}

# norm: ids as ID, the lines between the headers sorted (Docker walks a map)
norm() {
  sed -E 's/[0-9a-f]{64}/ID/g' | awk '
    /^(Deleted [A-Za-z ]+:|Total reclaimed space:)/ || $0 == "" {
      n = asort(buf); for (i = 1; i <= n; i++) print buf[i]; delete buf; print; next }
    { buf[NR] = $0 }
    END { n = asort(buf); for (i = 1; i <= n; i++) print buf[i] }'
}

# same_prune INPUT ARGS...: both with INPUT on stdin print the same
# (normalized) and exit the same
same_prune() {
  local input="$1" want got want_rc got_rc
  shift
  want=$(dk "$@" <<< "$input" 2>&1 | norm) && want_rc=0 || want_rc=$?
  got=$(b "$@" <<< "$input" 2>&1 | norm) && got_rc=0 || got_rc=$?
  [[ "$got" == "$want" && "$got_rc" == "$want_rc" ]] || {
    printf '%s\n docker (%s):\n%s\n berth (%s):\n%s\n' "$*" "$want_rc" "$want" "$got_rc" "$got" >&2
    return 1
  }
}

same_images() {
  SAME_SORT=1 same_as_docker images -a --format '{{.Repository}}:{{.Tag}}'
}

@test "image prune: Docker's prompt, its answer, its report lines and the images left" {
  make_objects
  local failed=0
  # declined, then accepted: the prompt as Docker prints it (no newline)
  [ "$(b image prune <<< n)" = "$(dk image prune <<< n)" ] || failed=1
  [ "$(b image prune < /dev/null)" = "$(dk image prune < /dev/null)" ] || failed=1
  same_images || failed=1
  same_prune y image prune || failed=1
  same_images || failed=1
  same_prune '' image prune -f || failed=1
  # -a keeps what a container uses (busybox, by the stopped src)
  same_prune y image prune -a || failed=1
  same_images || failed=1
  [ "$failed" -eq 0 ]
  assert_no_unreferenced_layers
  run b run --rm "$IMG" true
  assert_success
}

@test "image prune: --filter label= / label!= / until as Docker applies them" {
  make_objects
  local failed=0
  same_prune '' image prune -a -f --filter label=a=2 || failed=1
  same_images || failed=1
  same_prune '' image prune -a -f --filter 'label!=b' || failed=1
  same_images || failed=1
  same_prune '' image prune -a -f --filter until=2000-01-01 || failed=1
  same_images || failed=1
  same_prune '' image prune -a -f --filter until=1000000h || failed=1
  same_images || failed=1
  [ "$failed" -eq 0 ]
}

@test "container prune: the stopped ones go, the running one stays" {
  make_objects
  local tool
  for tool in dk b; do
    $tool run --name done "$IMG" sh -c 'echo 12345 > /f' > /dev/null
    $tool run -d --name up "$IMG" sleep 1000 > /dev/null
  done
  local failed=0
  [ "$(b container prune <<< n)" = "$(dk container prune <<< n)" ] || failed=1
  same_prune y container prune || failed=1
  same_as_docker ps -a --format '{{.Names}} {{.State}}' || failed=1
  same_prune '' container prune -f || failed=1
  [ "$failed" -eq 0 ]
  [ "$(b ps -a --format '{{.Names}}')" = up ]
}

@test "system prune: containers, then images, then build cache, as Docker reports them" {
  make_objects
  local failed=0
  [ "$(b system prune <<< n)" = "$(dk system prune <<< n)" ] || failed=1
  [ "$(b system prune -a <<< n)" = "$(dk system prune -a <<< n)" ] || failed=1
  same_prune y system prune || failed=1
  same_images || failed=1
  same_prune '' system prune -a -f || failed=1
  same_images || failed=1
  [ "$failed" -eq 0 ]
  [ -z "$(b images -a -q)" ]
  assert_no_unreferenced_layers
}

@test "image prune: a mounted image is kept with a clear message, the store otherwise unchanged" {
  b rmi "$REG_HOST/test/layered:1" > /dev/null
  mkdir "$BATS_TEST_TMPDIR/mnt"
  b image mount "$IMG" "$BATS_TEST_TMPDIR/mnt" > /dev/null
  store_snapshot
  run --separate-stderr b image prune -a -f
  assert_success
  [ "$output" = "Total reclaimed space: 0B" ]
  [[ "$stderr" == "berth: image $(b images -q "$IMG") is mounted (berth image mount): kept" ]]
  assert_store_unchanged
  [ -f "$BATS_TEST_TMPDIR/mnt/bin/busybox" ]
  # the same image untagged (dangling) is kept by a plain prune too
  b tag "$IMG" again:1
  b rmi -f "$IMG" again:1 > /dev/null
  run --separate-stderr b image prune -f
  assert_success
  [[ "$stderr" == *"is mounted (berth image mount): kept" ]]
  [ -f "$BATS_TEST_TMPDIR/mnt/bin/busybox" ]
}

@test "prune: a bad filter is Docker's error and exit status, the store unchanged" {
  make_objects
  store_snapshot
  local args
  for args in "image prune -f --filter foo=1" "image prune -f --filter until=xyz" \
    "container prune -f --filter dangling=true" \
    "system prune -f --filter foo=1"; do
    run dk $args
    local want_rc="$status"
    run --separate-stderr b $args
    assert_one_line_error
    [ "$status" -eq "$want_rc" ] || fail_with "$args: exit $status, Docker's $want_rc"
  done
  run --separate-stderr b image prune -f --filter foo=1
  [ "$stderr" = "Error: Invalid filter 'foo'" ]
  run --separate-stderr b image prune -f --filter until=xyz
  [ "$stderr" = 'Error: failed to parse value as time or duration: "xyz"' ]
  run --separate-stderr b container prune -f --filter dangling=true
  [ "$stderr" = "Error: Invalid filter 'dangling'" ]
  run --separate-stderr b image prune -f --filter nokey
  [ "$status" -eq 125 ]
  run --separate-stderr b container prune -a
  [ "$status" -eq 125 ]
  assert_store_unchanged
}

@test "builder prune: the intermediate images and cache mounts go, the built image still runs" {
  local ctx="$BATS_TEST_TMPDIR/ctx"
  mkdir -p "$ctx"
  printf 'FROM %s\nRUN echo one > /one\nRUN --mount=type=cache,target=/c echo 12345 > /c/f && cp /c/f /two\nCMD ["cat", "/one", "/two"]\n' \
    "$IMG" > "$ctx/Dockerfile"
  b build -q -t built "$ctx" > /dev/null
  local before
  before=$(b images -a -q | wc -l)
  [ "$before" -gt 2 ]
  [ "$(b builder prune <<< n)" = "WARNING! This will remove all dangling build cache. Are you sure you want to continue? [y/N] Total reclaimed space: 0B" ]
  run --separate-stderr b builder prune -f
  assert_success
  [ "${lines[0]}" = "Deleted build cache objects:" ]
  [ "${lines[-1]}" = "Total reclaimed space: 6B" ]
  [ "$(b images -a -q | sort -u | wc -l)" -eq 3 ] || fail_with "$(b images -a)"
  [ -z "$(ls "$BERTH_TEST_ROOT/builder/cache")" ]
  run b run --rm built
  assert_success
  [ "$output" = $'one\n12345' ]
  assert_no_unreferenced_layers
  # nothing left: nothing deleted
  run b builder prune -f
  [ "$output" = "Total reclaimed space: 0B" ]
}

@test "rmi, image prune, builder prune: an untagged parent a container was made from stays" {
  local ctx="$BATS_TEST_TMPDIR/ctx"
  mkdir -p "$ctx"
  printf 'FROM %s\nRUN echo one > /one\nRUN echo two > /two\n' "$IMG" > "$ctx/Dockerfile"
  b build -q -t built "$ctx" > /dev/null
  local parent
  parent=$(b inspect -f '{{.Parent}}' built)
  [ -n "$parent" ]
  b create --name onparent "$parent" cat /one > /dev/null
  run b builder prune -f
  assert_success
  b inspect "$parent" > /dev/null
  run b rmi built
  assert_success
  [[ "$output" != *"Deleted: $parent"* ]]
  run b image prune -a -f
  assert_success
  b inspect "$parent" > /dev/null
  run b start -a onparent
  assert_success
  [ "$output" = one ]
  assert_no_unreferenced_layers
}
