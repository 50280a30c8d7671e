#!/usr/bin/env bats
# save and load when things go wrong underneath them: berth killed midway,
# a full filesystem.  Nothing half made is ever visible under its final
# name, and what was stored before is untouched.

load lib/common

setup() {
  common_setup
  FEED_PID=
}

teardown() {
  [[ -z "${BG_PID:-}" ]] || kill -9 "$BG_PID" 2> /dev/null || true
  [[ -z "${FEED_PID:-}" ]] || kill -9 "$FEED_PID" 2> /dev/null || true
  common_teardown
}

# image_with_bytes REF MB: a one-layer image of MB MiB of random bytes
image_with_bytes() {
  local dir="$BATS_TEST_TMPDIR/rootfs-${1//[:\/]/_}"
  mkdir -p "$dir/data"
  head -c "$(($2 * 1024 * 1024))" /dev/urandom > "$dir/data/blob"
  echo hello > "$dir/data/small"
  tar -C "$dir" -cf - . | b import - "$1" > /dev/null
}

# small_tmpfs DIR MB: a tmpfs of MB MiB at DIR (unmounted by common_teardown)
small_tmpfs() {
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2m" berth-test "$1"
}

# paths ROOT: the store's paths and kinds, without contents (timestamps in
# records differ between two loads of the same archive) and with the random
# names of layer directories and their short links made alike
paths() {
  store_fingerprint "$1" | cut -f1,2 \
    | sed -E 's,^overlay2/[0-9a-f]{64},overlay2/CACHE-ID,; s,^overlay2/l/[A-Z0-9]+,overlay2/l/LINK,'
}

@test "io crash: load killed while a layer streams in leaves nothing half made; the next load is whole" {
  image_with_bytes demo/big:1 12
  b save -o "$BATS_TEST_TMPDIR/big.tar" demo/big:1
  # the reference: the same archive loaded into a fresh store
  BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/clean"
  mkdir -p "$BERTH_TEST_ROOT"
  b load -q -i "$BATS_TEST_TMPDIR/big.tar" > /dev/null
  BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/crashed"
  mkdir -p "$BERTH_TEST_ROOT"
  # feed two thirds of the archive, then hold the pipe open
  mkfifo "$BATS_TEST_TMPDIR/feed"
  local size
  size=$(stat -c %s "$BATS_TEST_TMPDIR/big.tar")
  (head -c "$((size * 2 / 3))" "$BATS_TEST_TMPDIR/big.tar" && touch "$BATS_TEST_TMPDIR/fed" && sleep 120) \
    > "$BATS_TEST_TMPDIR/feed" &
  FEED_PID=$!
  "$BERTH" --root "$BERTH_TEST_ROOT" load < "$BATS_TEST_TMPDIR/feed" > "$BATS_TEST_TMPDIR/out" 2>&1 &
  BG_PID=$!
  local i
  for i in $(seq 600); do
    [ -e "$BATS_TEST_TMPDIR/fed" ] && break
    sleep 0.1
  done
  [ -e "$BATS_TEST_TMPDIR/fed" ] || fail_with "the feeder never finished: $(cat "$BATS_TEST_TMPDIR/out")"
  sleep 0.5
  kill -0 "$BG_PID" || fail_with "load ended before it was killed: $(cat "$BATS_TEST_TMPDIR/out")"
  kill -9 "$BG_PID"
  wait "$BG_PID" || true
  BG_PID=
  kill -9 "$FEED_PID" 2> /dev/null || true
  FEED_PID=
  # nothing under a final name: no image, no layer
  [ -z "$(b images -q)" ] || fail_with "an image is visible"
  [ -z "$(ls "$BERTH_TEST_ROOT"/image/overlay2/layerdb/sha256 2> /dev/null)" ] || fail_with "a layer is visible"
  run --separate-stderr b load -i "$BATS_TEST_TMPDIR/big.tar"
  assert_success
  [ "$output" = "Loaded image: demo/big:1" ] || fail_with "$output"
  run --separate-stderr b verify
  assert_success
  assert_no_unreferenced_layers
  diff <(paths "$BATS_TEST_TMPDIR/clean") <(paths "$BERTH_TEST_ROOT") >&2 \
    || fail_with "the store differs from a clean load's"
}

@test "io crash: load into a full filesystem fails with ENOSPC's words and leaves the store as it was" {
  BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/full"
  small_tmpfs "$BERTH_TEST_ROOT" 8
  image_with_bytes demo/small:1 1
  store_snapshot
  # made in another store: 12 MiB cannot fit in what is left of 8
  local archive="$BATS_TEST_TMPDIR/big.tar"
  (
    BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/maker"
    mkdir -p "$BERTH_TEST_ROOT"
    image_with_bytes demo/big:1 12
    b save -o "$archive" demo/big:1
  )
  run --separate-stderr b load -i "$archive"
  assert_failure
  [[ "$stderr" == *"No space left on device"* ]] || fail_with "ENOSPC's words: $stderr"
  [ "$(b images -q | wc -l)" -eq 1 ] || fail_with "images: $(b images)"
  assert_store_unchanged
  run --separate-stderr b verify
  assert_success
}

@test "io crash: save -o onto a full filesystem fails with ENOSPC's words, no file and no temp left" {
  image_with_bytes demo/big:1 12
  small_tmpfs "$BATS_TEST_TMPDIR/out" 4
  store_snapshot
  run --separate-stderr b save -o "$BATS_TEST_TMPDIR/out/big.tar" demo/big:1
  assert_failure
  [[ "$stderr" == *"No space left on device"* ]] || fail_with "ENOSPC's words: $stderr"
  [ -z "$(ls -A "$BATS_TEST_TMPDIR/out")" ] || fail_with "left: $(ls -A "$BATS_TEST_TMPDIR/out")"
  assert_store_unchanged
}

@test "io crash: save killed while it writes to a pipe leaves the store as it was" {
  image_with_bytes demo/big:1 12
  store_snapshot
  mkfifo "$BATS_TEST_TMPDIR/pipe"
  (head -c 1048576 > /dev/null && touch "$BATS_TEST_TMPDIR/read" && sleep 120) < "$BATS_TEST_TMPDIR/pipe" &
  FEED_PID=$!
  "$BERTH" --root "$BERTH_TEST_ROOT" save demo/big:1 > "$BATS_TEST_TMPDIR/pipe" 2> "$BATS_TEST_TMPDIR/err" &
  BG_PID=$!
  local i
  for i in $(seq 600); do
    [ -e "$BATS_TEST_TMPDIR/read" ] && break
    sleep 0.1
  done
  [ -e "$BATS_TEST_TMPDIR/read" ] || fail_with "nothing was read: $(cat "$BATS_TEST_TMPDIR/err")"
  kill -9 "$BG_PID"
  wait "$BG_PID" || true
  BG_PID=
  assert_store_unchanged
  run --separate-stderr b verify
  assert_success
}
