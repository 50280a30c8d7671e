#!/usr/bin/env bats
# Several berth processes on one store; SIGKILL in the middle of a pull.

load lib/common

setup_file() {
  registry_with_fixtures REG plain basic layered shared
}

teardown_file() {
  registry_stop REG
}

# staging_leftovers: names that are not final store entries
staging_leftovers() {
  local img ovl
  img=$(img_dir)
  ovl=$(ovl_dir)
  {
    # layerdb and imagedb entries must be 64-hex names
    find "$img/layerdb/sha256" "$img/imagedb/content/sha256" -mindepth 1 -maxdepth 1 2>/dev/null |
      grep -Ev '/[0-9a-f]{64}$' || true
    # overlay2: 64-hex cache-ids and l/
    find "$ovl" -mindepth 1 -maxdepth 1 2>/dev/null | grep -Ev '/([0-9a-f]{64}|l)$' || true
    # every layerdb entry is complete
    local d
    for d in "$img"/layerdb/sha256/*/; do
      [[ -d "$d" ]] || continue
      [[ -f "$d/diff" && -f "$d/cache-id" && -f "$d/size" ]] || echo "incomplete $d"
    done
    # every overlay2 dir is referenced by a layerdb cache-id
    for d in "$ovl"/*/; do
      [[ -d "$d" && "$(basename "$d")" != l ]] || continue
      grep -qx "$(basename "$d")" "$img"/layerdb/sha256/*/cache-id 2>/dev/null || echo "orphan $d"
    done
    # l/ links all resolve
    for d in "$ovl"/l/*; do
      [[ -e "$d" || ! -L "$d" ]] || echo "dangling $d"
    done
  } | sort -u
}

@test "two pulls at once into one store" {
  berth pull -q "$REG_HOST/test/layered:1" > "$BATS_TEST_TMPDIR/a.out" 2>&1 &
  local p1=$!
  berth pull -q "$REG_HOST/test/layered:1-oci" > "$BATS_TEST_TMPDIR/b.out" 2>&1 &
  local p2=$!
  local s1=0 s2=0
  wait "$p1" || s1=$?
  wait "$p2" || s2=$?
  [[ "$s1" -eq 0 && "$s2" -eq 0 ]] ||
    fail_with "pulls failed: $s1 $s2: $(cat "$BATS_TEST_TMPDIR"/{a,b}.out)"
  # both names, one image, one copy of each layer
  run berth images -q
  assert_success
  [[ "$(printf '%s\n' "$output" | sort -u | wc -l)" -eq 1 ]] || fail_with "one image expected"
  [[ $(find "$(img_dir)/layerdb/sha256" -mindepth 1 -maxdepth 1 -type d | wc -l) -eq 4 ]] ||
    fail_with "4 layers expected"
  [[ -z "$(staging_leftovers)" ]] || fail_with "leftovers: $(staging_leftovers)"
}

@test "two different images sharing a layer pulled at once" {
  berth pull -q "$REG_HOST/test/shared-a:1" > /dev/null 2>&1 &
  local p1=$!
  berth pull -q "$REG_HOST/test/shared-b:1" > /dev/null 2>&1 &
  local p2=$!
  wait "$p1"
  wait "$p2"
  [[ $(find "$(img_dir)/layerdb/sha256" -mindepth 1 -maxdepth 1 -type d | wc -l) -eq 3 ]] ||
    fail_with "3 layers expected"
  [[ -z "$(staging_leftovers)" ]] || fail_with "leftovers: $(staging_leftovers)"
}

@test "SIGKILL during a pull at several points, then a re-pull completes" {
  local delay
  for delay in 0.01 0.05 0.1 0.2 0.4; do
    rm -rf "$BERTH_TEST_ROOT"
    mkdir -p "$BERTH_TEST_ROOT"
    berth pull "$REG_HOST/test/layered:1" > /dev/null 2>&1 &
    local pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    [[ -z "$(staging_leftovers)" ]] || fail_with "after kill at ${delay}s: $(staging_leftovers)"
    run --separate-stderr berth pull "$REG_HOST/test/layered:1"
    assert_success
    assert_line_eq -1 "$REG_HOST/test/layered:1"
    [[ "$(berth inspect "$REG_HOST/test/layered:1" | jq -r '.[0].Id')" == "$(image_id "$REG_HOST" test/layered 1)" ]] ||
      fail_with "image after re-pull"
    [[ -z "$(staging_leftovers)" ]] || fail_with "after re-pull: $(staging_leftovers)"
    cmp "$(layer_diff_dir "$(berth inspect "$REG_HOST/test/layered:1" | jq -r '.[0].RootFS.Layers[0]')")/bin/busybox" /bin/busybox
  done
}

@test "SIGKILL of a pull on a store that already holds an image leaves it intact" {
  berth pull -q "$REG_HOST/library/busybox:latest" > /dev/null
  store_snapshot
  berth pull "$REG_HOST/test/shared-a:1" > /dev/null 2>&1 &
  local pid=$!
  sleep 0.05
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  run berth inspect "$REG_HOST/library/busybox:latest"
  assert_success
  # the busybox image's files are untouched
  local before after
  before=$(grep -v -e '^image/overlay2/repositories.json' "$BATS_TEST_TMPDIR/store.before" |
    grep -e "^overlay2/$(cat "$(img_dir)/layerdb/sha256/$(berth inspect "$REG_HOST/library/busybox:latest" | jq -r '.[0].RootFS.Layers[0][7:]')/cache-id")/")
  after=$(store_fingerprint "$BERTH_TEST_ROOT" |
    grep -e "^overlay2/$(cat "$(img_dir)/layerdb/sha256/$(berth inspect "$REG_HOST/library/busybox:latest" | jq -r '.[0].RootFS.Layers[0][7:]')/cache-id")/")
  [[ "$before" == "$after" ]] || fail_with "busybox layer changed"
  [[ -z "$(staging_leftovers)" ]] || fail_with "leftovers: $(staging_leftovers)"
}
