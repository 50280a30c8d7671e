#!/usr/bin/env bats
# system df [-v] [--format]: Docker 20.10's tables (its client on its
# private daemon, on the same pulled images and containers made the same
# way): a layer several images share counted once; and berth's own line
# for what nothing in the store references.

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
  local tool
  for tool in dk b; do
    $tool pull -q "$IMG" > /dev/null
    $tool pull -q "$REG_HOST/test/layered:1" > /dev/null
    $tool tag "$IMG" copy/busybox:1
  done
}

teardown() {
  dockerd_reset
  container_teardown
}

make_containers() {
  local tool
  for tool in dk b; do
    $tool create --name c1 "$IMG" true > /dev/null
    $tool run --name c2 "$IMG" sh -c 'echo 12345 > /f' > /dev/null
    $tool run -d --name c3 "$REG_HOST/test/layered:1" sleep 1000 > /dev/null
  done
}

@test "system df: images (shared layers once), -v's shared and unique sizes, as Docker prints them" {
  local failed=0
  same_as_docker system df || failed=1
  # the two fixtures were made in the same second: for that tie Docker's
  # order is its sort's
  SAME_SORT=1 same_as_docker system df -v || failed=1
  [ "$failed" -eq 0 ]
  # busybox's layer is under layered too: its whole size is shared, and the
  # Images size is less than the sum of the images' sizes
  run b system df -v
  assert_output_has_line "$(b system df -v | grep -m1 "^$REG_HOST/library/busybox")"
  local total sum
  total=$(b system df --format '{{.Size}}' | head -1)
  sum=$(b images --format '{{.Size}}' | sort -u | paste -sd' ')
  [ "$total" != "$sum" ]
}

@test "system df: containers active and reclaimable, --format as Docker runs it" {
  make_containers
  local failed=0 t
  same_as_docker system df || failed=1
  for t in '{{json .}}' 'table {{.Type}}\t{{.Size}}' '{{.Type}}: {{.TotalCount}} {{.Active}} {{.Reclaimable}}' \
    'table' '{{upper .Type}}'; do
    same_as_docker system df --format "$t" || failed=1
  done
  # -v: the images' table as Docker's; the containers' sizes as Docker's
  [ "$(b system df -v | sed -n '/^Images space usage/,/^Containers/p' | sort)" = \
    "$(dk system df -v | sed -n '/^Images space usage/,/^Containers/p' | sort)" ] || failed=1
  [ "$(b system df -v | awk '/^Containers space/,/^Local/' | grep -o '"[^"]*" *0 *[0-9.]*[kMG]*B' | sort)" = \
    "$(dk system df -v | awk '/^Containers space/,/^Local/' | grep -o '"[^"]*" *0 *[0-9.]*[kMG]*B' | sort)" ] || failed=1
  [ "$failed" -eq 0 ]
}

@test "system df: what nothing references is a line of its own, with its size; df changes nothing; prune removes it" {
  local ovl="$BERTH_TEST_ROOT/overlay2" ldb="$BERTH_TEST_ROOT/image/overlay2/layerdb/sha256"
  local hex=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  mkdir -p "$ovl/$hex/diff" "$ldb/$hex"
  head -c 1500 /dev/zero > "$ovl/$hex/diff/junk"
  echo "sha256:$hex" > "$ldb/$hex/diff"
  store_snapshot
  run b system df
  assert_success
  assert_output_has_line "$(printf '%-16s%-10s%-10s%-10s%s' Unreferenced 2 0 1.572kB '1.572kB (100%)')"
  run b system df -v
  assert_success
  assert_output_has_line "$(printf '%-97s%s' "image/overlay2/layerdb/sha256/$hex" 72B)"
  assert_output_has_line "$(printf '%-97s%s' "overlay2/$hex" 1.5kB)"
  run b system df --format '{{.Type}} {{.Size}}'
  assert_output_has_line "Unreferenced 1.572kB"
  assert_store_unchanged
  b system prune -f > /dev/null
  [ ! -e "$ovl/$hex" ] && [ ! -e "$ldb/$hex" ]
  same_as_docker system df
}

@test "system df: bad flags and templates are Docker's errors, the store unchanged" {
  store_snapshot
  local failed=0 t
  for t in '{{.Nope}}' '{{.Type' '{{foo}}'; do
    same_as_docker system df --format "$t" || failed=1
  done
  [ "$failed" -eq 0 ]
  run --separate-stderr b system df extra
  [ "$status" -eq 1 ] && [[ "$stderr" == '"berth system df" accepts no arguments.'$'\n'* ]] ||
    fail_with "$status: $stderr"
  run --separate-stderr b system df -v --format '{{.Type}}'
  [ "$status" -eq 125 ]
  run --separate-stderr b system df --bogus
  [ "$status" -eq 125 ]
  assert_store_unchanged
}
