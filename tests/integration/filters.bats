#!/usr/bin/env bats
# images --filter and ps --filter: each filter (and several combined: the
# same key ORed, different keys ANDed, labels all required) run by berth
# and by Docker 20.10's client (its private daemon) on images and
# containers made the same way; bad filters in Docker's words, the store
# unchanged.

load lib/common
load lib/dockerd

setup_file() {
  require_tool docker-registry dockerd runc
  registry_with_fixtures REG plain basic layered
  dockerd_start "$BATS_FILE_TMPDIR/dockerd"
  dk pull -q "$REG_HOST/library/busybox:latest" > /dev/null
  dk pull -q "$REG_HOST/test/layered:1" > /dev/null
}

teardown_file() {
  dockerd_stop
  registry_stop REG
}

setup() {
  container_setup
  b pull -q "$REG_HOST/test/layered:1" > /dev/null
}

teardown() {
  dockerd_reset "$REG_HOST/library/busybox:latest" "$REG_HOST/test/layered:1"
  container_teardown
}

# images made the same way in both: two commits to lab:1 (the first left
# dangling), one to lab:2 with other labels, a second name for busybox
make_images() {
  local tool
  for tool in dk b; do
    $tool create --name src "$IMG" true > /dev/null
    $tool commit -c 'LABEL a=1' src lab:1 > /dev/null
  done
  sleep 1.1
  for tool in dk b; do
    $tool commit -c 'LABEL a=1' -c 'LABEL b=2' src lab:1 > /dev/null
  done
  sleep 1.1
  for tool in dk b; do
    $tool commit -c 'LABEL a=2' src lab:2 > /dev/null
    $tool tag "$IMG" other/busybox:x
    $tool rm src > /dev/null
  done
}

same_images() {
  SAME_SORT=1 same_as_docker images --format '{{.Repository}}:{{.Tag}}' "$@"
}

@test "images --filter: each filter and their combinations as Docker shows them" {
  make_images
  local failed=0 f
  for f in dangling=true dangling=false label=a label=a=1 label=b=2 label=a=3 \
    'reference=lab' 'reference=lab:2' 'reference=*/busybox' 'reference=*busybox*' \
    "reference=$REG_HOST/test/*" before=lab:2 since=lab:1 "since=$REG_HOST/test/layered:1"; do
    same_images --filter "$f" || failed=1
  done
  # one key twice: OR (labels: AND); two keys: AND
  same_images -f reference=lab -f reference=other/busybox || failed=1
  same_images -f label=a=1 -f label=b=2 || failed=1
  same_images -f label=a -f reference=lab:2 || failed=1
  same_images -f dangling=true -f label=a=1 || failed=1
  same_images -f dangling=false -f before=lab:2 || failed=1
  same_images -f since=lab:1 -f label=a=2 || failed=1
  same_images -a -f dangling=true || failed=1
  same_images -f reference=lab:1 lab || failed=1
  same_images -f ' Label = a=2 ' || failed=1
  # the dangling one: its id (not Docker's: made at another time), once
  local dangling
  dangling=$(b images -q -f dangling=true)
  [ "$(wc -w <<< "$dangling")" -eq 1 ] && ! b images -q -f dangling=false | grep -qx "$dangling" || failed=1
  [ "$failed" -eq 0 ]
}

@test "images --filter: a bad key or value is Docker's error, exit status as Docker's, store unchanged" {
  make_images
  store_snapshot
  run --separate-stderr b images -f foo=1
  assert_one_line_error
  [ "$status" -eq 1 ]
  [ "$stderr" = "Error: Invalid filter 'foo'" ]
  run --separate-stderr b images -f dangling=maybe
  [ "$status" -eq 1 ]
  [ "$stderr" = "Error: Invalid filter 'dangling=[maybe]'" ]
  run --separate-stderr b images -f before=nope
  [ "$status" -eq 1 ]
  [[ "$stderr" == "Error: No such image: nope"* ]]
  run --separate-stderr b images -f foo
  [ "$status" -eq 125 ]
  [[ "$stderr" == *'invalid argument "foo" for "-f, --filter" flag: bad format of filter (expected name=value)'* ]]
  # Docker's exit statuses for the same
  run dk images -f foo=1
  [ "$status" -eq 1 ]
  [[ "$output" == *"Invalid filter 'foo'" ]]
  run dk images -f foo
  [ "$status" -eq 125 ]
  assert_store_unchanged
}

# the containers of ps_format.bats and more: exited 0 and 3, created,
# running, with labels and a bind
make_containers() {
  local tool
  mkdir -p "$BATS_TEST_TMPDIR/shared"
  for tool in dk b; do
    $tool run --name c1 --label a=1 --label b=2 "$IMG" true > /dev/null
    $tool run --name c2 --label a=2 -v "$BATS_TEST_TMPDIR/shared:/shared" "$IMG" \
      sh -c 'exit 3' > /dev/null 2>&1 || true
    $tool create --name c3 "$REG_HOST/test/layered:1" true > /dev/null
    $tool run -d --name c4 "$IMG" sleep 1000 > /dev/null
  done
}

same_ps() {
  same_as_docker ps --format '{{.Names}} {{.State}}' "$@"
}

@test "ps --filter: each filter and their combinations as Docker shows them" {
  make_containers
  local failed=0 f
  for f in status=exited status=created status=running exited=0 exited=3 exited=1 \
    label=a label=a=1 label=b label=a= name=c1 name=^/c name=c[12]$ 'name=(' name=nope \
    before=c3 before=c4 since=c2 since=c4 ancestor=busybox "ancestor=$IMG" \
    "ancestor=$REG_HOST/test/layered:1" ancestor=nope volume=/shared \
    "volume=$BATS_TEST_TMPDIR/shared" volume=/nope; do
    same_ps --filter "$f" || failed=1
    same_ps -a --filter "$f" || failed=1
  done
  same_ps -a -f status=exited -f status=created || failed=1
  same_ps -a -f exited=0 -f exited=3 || failed=1
  same_ps -a -f label=a -f label=b=2 || failed=1
  same_ps -a -f name=c1 -f id=nothing || failed=1
  same_ps -a -f name=c -f status=exited -f label=a=2 || failed=1
  same_ps -a -f since=c1 -f before=c4 || failed=1
  same_ps -a -f exited=0 -f status=created || failed=1
  # an id filter is a prefix (a regular expression) of the full id
  local id
  id=$(b inspect -f '{{.Id}}' c2)
  [ "$(b ps -a -f "id=${id:0:6}" --format '{{.Names}}')" = c2 ]
  [ "$(b ps -a -q -f "id=$id" --no-trunc)" = "$id" ]
  [ "$failed" -eq 0 ]
}

@test "ps --filter: a bad key or value is Docker's error, exit status as Docker's, store unchanged" {
  make_containers
  store_snapshot
  local f
  for f in foo=1 status=bogus exited=x before=nope; do
    run dk ps -f "$f"
    local want_rc="$status"
    run --separate-stderr b ps -f "$f"
    assert_one_line_error
    [ "$status" -eq "$want_rc" ]
  done
  run --separate-stderr b ps -f foo=1
  [ "$stderr" = "Error: Invalid filter 'foo'" ]
  run --separate-stderr b ps -f status=bogus
  [ "$stderr" = "Error: Invalid filter 'status=bogus'" ]
  run --separate-stderr b ps -f exited=x
  [ "$stderr" = 'Error: strconv.Atoi: parsing "x": invalid syntax' ]
  run --separate-stderr b ps -f before=nope
  [ "$stderr" = "Error: No such container: nope" ]
  run --separate-stderr b ps -a -f bad
  [ "$status" -eq 125 ]
  [[ "$stderr" == *'invalid argument "bad" for "-f, --filter" flag: bad format of filter (expected name=value)'* ]]
  assert_store_unchanged
}
