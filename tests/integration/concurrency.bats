#!/usr/bin/env bats
# Several berth processes on one store; SIGKILL in the middle of a pull;
# readers beside a writer; the collection of what dead writers left.

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
    assert_no_unreferenced_layers
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
  # the next writer collects whatever layers the killed pull had stored
  run berth tag "$REG_HOST/library/busybox:latest" kept:1
  assert_success
  assert_no_unreferenced_layers
  # the busybox image's files are untouched
  local before after
  before=$(grep -v -e '^image/overlay2/repositories.json' "$BATS_TEST_TMPDIR/store.before" |
    grep -e "^overlay2/$(cat "$(img_dir)/layerdb/sha256/$(berth inspect "$REG_HOST/library/busybox:latest" | jq -r '.[0].RootFS.Layers[0][7:]')/cache-id")/")
  after=$(store_fingerprint "$BERTH_TEST_ROOT" |
    grep -e "^overlay2/$(cat "$(img_dir)/layerdb/sha256/$(berth inspect "$REG_HOST/library/busybox:latest" | jq -r '.[0].RootFS.Layers[0][7:]')/cache-id")/")
  [[ "$before" == "$after" ]] || fail_with "busybox layer changed"
  [[ -z "$(staging_leftovers)" ]] || fail_with "leftovers: $(staging_leftovers)"
}

# hold_store_lock: take the store's writer lock (the flock on tmp/.lock that
# every berth writer takes) in a background process and keep it until
# release_store_lock; returns once it is held.
hold_store_lock() {
  mkfifo "$BATS_TEST_TMPDIR/release"
  flock -x "$BERTH_TEST_ROOT/tmp/.lock" \
    sh -c 'echo held > "$1"; exec cat "$2" > /dev/null' sh "$BATS_TEST_TMPDIR/held" "$BATS_TEST_TMPDIR/release" &
  HOLDER=$!
  while [[ ! -s "$BATS_TEST_TMPDIR/held" ]]; do
    kill -0 "$HOLDER" || fail_with "lock holder died"
    sleep 0.05
  done
}

release_store_lock() {
  echo > "$BATS_TEST_TMPDIR/release"
  wait "$HOLDER"
}

@test "8 ps/images/inspect answer at once while a writer holds the store lock" {
  berth pull -q "$REG_HOST/test/layered:1" > /dev/null
  hold_store_lock
  # a writer queues behind the lock ...
  berth tag "$REG_HOST/test/layered:1" queued:1 > "$BATS_TEST_TMPDIR/tag.out" 2>&1 &
  local writer=$!
  # ... the readers do not (timeout only keeps a regression from hanging)
  local pids=() i
  for i in 1 2 3 4 5 6 7 8; do
    case $((i % 4)) in
    0) timeout 30 "$BERTH" --root "$BERTH_TEST_ROOT" ps -a ;;
    1) timeout 30 "$BERTH" --root "$BERTH_TEST_ROOT" images ;;
    2) timeout 30 "$BERTH" --root "$BERTH_TEST_ROOT" inspect "$REG_HOST/test/layered:1" ;;
    3) timeout 30 "$BERTH" --root "$BERTH_TEST_ROOT" history "$REG_HOST/test/layered:1" ;;
    esac > "$BATS_TEST_TMPDIR/r$i.out" 2>&1 &
    pids+=($!)
  done
  local st
  for i in "${!pids[@]}"; do
    st=0
    wait "${pids[$i]}" || st=$?
    [[ "$st" -eq 0 ]] || fail_with "reader $((i + 1)) failed ($st): $(cat "$BATS_TEST_TMPDIR/r$((i + 1)).out")"
  done
  grep -q "test/layered" "$BATS_TEST_TMPDIR/r1.out" || fail_with "images: $(cat "$BATS_TEST_TMPDIR/r1.out")"
  # every reader answered while the lock was still held: the holder and the
  # queued writer are both still there
  kill -0 "$HOLDER" || fail_with "the lock holder is gone"
  kill -0 "$writer" || fail_with "the writer did not wait for the lock: $(cat "$BATS_TEST_TMPDIR/tag.out")"
  release_store_lock
  wait "$writer" || fail_with "tag after the release: $(cat "$BATS_TEST_TMPDIR/tag.out")"
  run berth images -q queued:1
  assert_success
  [[ -n "$output" ]]
}

@test "a read-only store can be listed and inspected; a writer says why it cannot write" {
  berth pull -q "$REG_HOST/test/layered:1" > /dev/null
  local ro="$BATS_TEST_TMPDIR/ro"
  mkdir -p "$ro"
  mount --bind "$BERTH_TEST_ROOT" "$ro"
  mount -o remount,bind,ro "$ro"
  store_snapshot
  local cmd
  for cmd in "images" "ps -a" "inspect $REG_HOST/test/layered:1" "history $REG_HOST/test/layered:1" "layers $REG_HOST/test/layered:1"; do
    # shellcheck disable=SC2086
    run --separate-stderr "$BERTH" --root "$ro" $cmd
    [[ "$status" -eq 0 ]] || fail_with "$cmd on a read-only store"
  done
  run --separate-stderr "$BERTH" --root "$ro" tag "$REG_HOST/test/layered:1" x:1
  assert_failure
  [[ "$stderr" == *"Read-only file system"* ]] || fail_with "tag: $stderr"
  umount "$ro"
  assert_store_unchanged
}

@test "layers no image uses (a kill between the layers and the image) are collected by the next writer" {
  berth pull -q "$REG_HOST/test/layered:1" > /dev/null
  berth pull -q "$REG_HOST/library/busybox:latest" > /dev/null
  # what a publish killed after its layers and before its image leaves:
  # layers, an overlay2 dir each, no config, no name
  local id
  id=$(berth inspect "$REG_HOST/test/layered:1" | jq -r '.[0].Id')
  rm "$(img_dir)/imagedb/content/sha256/${id#sha256:}"
  "$PY3" - "$(img_dir)/repositories.json" "$id" <<'PYEOF'
import json, sys
p, victim = sys.argv[1], sys.argv[2]
d = json.load(open(p))
for repo in list(d["Repositories"]):
    d["Repositories"][repo] = {k: v for k, v in d["Repositories"][repo].items() if v != victim}
    if not d["Repositories"][repo]:
        del d["Repositories"][repo]
json.dump(d, open(p, "w"), separators=(",", ":"), sort_keys=True)
PYEOF
  # and the killed publisher's pins dir, which nobody holds any more
  mkdir "$BERTH_TEST_ROOT/tmp/pins-0123456789abcdef"
  [[ -n "$(unreferenced_layers)" ]] || fail_with "the test made no garbage"
  # a reader leaves it (it writes nothing) ...
  run berth images
  assert_success
  [[ -n "$(unreferenced_layers)" ]] || fail_with "a reader collected"
  # ... the next writer collects it, and keeps busybox whole
  run berth tag "$REG_HOST/library/busybox:latest" kept:1
  assert_success
  assert_no_unreferenced_layers
  run berth verify kept:1
  assert_success
  [[ -z "$(ls "$BERTH_TEST_ROOT/tmp" | grep -E '^(stage|trash|pins)-')" ]] || fail_with "tmp: $(ls "$BERTH_TEST_ROOT/tmp")"
}

@test "temp files of interrupted atomic writes under imagedb/ and distribution/ are swept by the next writer" {
  berth pull -q "$REG_HOST/library/busybox:latest" > /dev/null
  local img f
  img=$(img_dir)
  local files=(
    "$img/imagedb/content/sha256/$(printf 'a%.0s' {1..64}).tmp-0123456789abcdef"
    "$img/distribution/diffid-by-digest/sha256/$(printf 'b%.0s' {1..64}).tmp-0123456789abcdef"
    "$img/distribution/v2metadata-by-diffid/sha256/$(printf 'c%.0s' {1..64}).tmp-0123456789abcdef"
    "$img/distribution/manifest-by-digest/sha256/$(printf 'd%.0s' {1..64}).tmp-0123456789abcdef"
    "$img/repositories.json.tmp-0123456789abcdef"
  )
  local meta
  meta=$(ls -d "$img"/imagedb/metadata/sha256/* 2>/dev/null | head -1)
  [[ -z "$meta" ]] || files+=("$meta/lastUpdated.tmp-0123456789abcdef")
  for f in "${files[@]}"; do echo half > "$f"; done
  run berth images
  assert_success
  for f in "${files[@]}"; do [[ -e "$f" ]] || fail_with "a reader removed $f"; done
  run berth tag "$REG_HOST/library/busybox:latest" kept:1
  assert_success
  for f in "${files[@]}"; do [[ ! -e "$f" ]] || fail_with "left: $f"; done
  run berth verify kept:1
  assert_success
}
