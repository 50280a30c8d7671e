#!/usr/bin/env bats
# Pull from a registry that misbehaves (issue 6 §9): failures in passing are
# retried with Docker's "Retrying in N seconds" and a cut blob goes on from
# where it stopped; a blob a manifest lists many times is fetched once; an
# image deeper than a container can mount is refused before any download.

load lib/common

# add_image LAYOUT NAME REPO ROUTES: routes for the layout's image tagged
# NAME, as REPO:1 (its manifest and every blob), merged into ROUTES.
add_image() {
  local layout="$1" tag="$2" repo="$3" routes="$4" m
  m=$(jq -r --arg t "$tag" \
    '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' \
    "$layout/index.json")
  jq -n --arg l "$layout" --arg r "$repo" --arg t "$tag" --arg m "${m#sha256:}" \
    --slurpfile old "$routes" '
    ($old[0]) + {("/v2/\($r)/manifests/1"):
      {file: "\($l)/blobs/sha256/\($m)", type: "application/vnd.oci.image.manifest.v1+json"}}' \
    > "$routes.new"
  mv "$routes.new" "$routes"
  local b
  for b in "$layout"/blobs/sha256/*; do
    jq --arg p "/v2/$repo/blobs/sha256:$(basename "$b")" --arg f "$b" \
      '. + {($p): {file: $f}}' "$routes" > "$routes.new"
    mv "$routes.new" "$routes"
  done
}

# fault ROUTES PATH JSON: merge fault options into one route.
fault() {
  jq --arg p "$2" --argjson o "$3" '.[$p] += $o' "$1" > "$1.new"
  mv "$1.new" "$1"
}

setup_file() {
  source "$FIXTURES_SRC/lib.sh"
  local d="$BATS_FILE_TMPDIR/images" root="$BATS_FILE_TMPDIR/rootfs" i
  mkdir -p "$root/bin" "$root/etc"
  cp /bin/busybox "$root/bin/busybox"
  head -c 300000 /dev/urandom > "$root/etc/noise"
  echo one > "$root/etc/one"

  # flaky:1 — two layers, big enough that a cut leaves bytes on both sides
  fx_begin "$d"
  fx_layer_dir "$root" gzip "ADD rootfs /"
  mkdir -p "$BATS_FILE_TMPDIR/top/etc" && echo two > "$BATS_FILE_TMPDIR/top/etc/two"
  fx_layer_dir "$BATS_FILE_TMPDIR/top" gzip "RUN echo two"
  fx_commit flaky
  export FLAKY_BASE="${FX_LAYERS[0]}" FLAKY_TOP="${FX_LAYERS[1]}"
  fx_end

  # repeated:1 — one small layer listed three times
  fx_begin "$d"
  mkdir -p "$BATS_FILE_TMPDIR/small/etc" && echo small > "$BATS_FILE_TMPDIR/small/etc/small"
  fx_layer_dir "$BATS_FILE_TMPDIR/small" gzip "RUN a"
  cp "$d/blobs/sha256/$(jq -r '.digest[7:]' <<< "${FX_LAYERS[0]}")" "$BATS_FILE_TMPDIR/small.blob"
  for i in 1 2; do
    fx_layer_blob "$BATS_FILE_TMPDIR/small.blob" \
      "$(jq -r .mediaType <<< "${FX_LAYERS[0]}")" "${FX_DIFFIDS[0]}" "RUN a again"
  done
  fx_commit repeated
  export REPEATED_BLOB=$(jq -r .digest <<< "${FX_LAYERS[0]}")
  fx_end

  # deep:1 — 126 layers of the same small blob
  fx_begin "$d"
  fx_layer_dir "$BATS_FILE_TMPDIR/small" gzip "RUN a"
  for i in $(seq 2 126); do
    fx_layer_blob "$BATS_FILE_TMPDIR/small.blob" \
      "$(jq -r .mediaType <<< "${FX_LAYERS[0]}")" "${FX_DIFFIDS[0]}" "RUN a $i"
  done
  fx_commit deep
  fx_end

  local routes="$BATS_FILE_TMPDIR/routes.json"
  echo '{}' > "$routes"
  add_image "$d" flaky test/flaky "$routes"
  add_image "$d" flaky test/resume "$routes"
  add_image "$d" flaky test/restart "$routes"
  add_image "$d" repeated test/repeated "$routes"
  add_image "$d" deep test/deep "$routes"
  add_image "$d" flaky test/broken "$routes"
  local base top
  base=$(jq -r .digest <<< "$FLAKY_BASE")
  top=$(jq -r .digest <<< "$FLAKY_TOP")
  fault "$routes" /v2/test/flaky/manifests/1 '{"fail_first": 1, "fail_status": 503}'
  fault "$routes" "/v2/test/flaky/blobs/$base" '{"fail_first": 2}'
  fault "$routes" "/v2/test/resume/blobs/$base" '{"cut_first": 1}'
  fault "$routes" "/v2/test/restart/blobs/$base" '{"cut_first": 1, "no_range": true}'
  fault "$routes" "/v2/test/broken/blobs/$top" '{"fail_first": 99}'
  export FLAKY_BASE_DIGEST="$base" FLAKY_TOP_DIGEST="$top"
  fake_registry_start FAKE "$routes"
}

teardown_file() {
  registry_stop FAKE
}

setup() {
  common_setup
  berth images > /dev/null # the store exists before any snapshot
}

# has_line TEXT: one line of $output is TEXT exactly.
has_line() {
  grep -qFx -- "$1" <<< "$output" || fail_with "no line '$1'"
}

# requests PATH: the GETs of PATH the registry served, one "PATH START" a line.
requests() {
  grep -c "^$1 " "$FAKE_REQUESTS" || true
}

@test "pull: 503 on the manifest and 500s on a blob are retried, and said so, as Docker does" {
  run --separate-stderr berth pull "$FAKE_HOST/test/flaky:1"
  assert_success
  local short=${FLAKY_BASE_DIGEST#sha256:}
  short=${short:0:12}
  has_line "1: Retrying in 1 second"
  has_line "$short: Retrying in 1 second"
  has_line "$short: Retrying in 2 seconds"
  has_line "$short: Retrying in 1 second"
  has_line "$short: Pull complete"
  [[ "$(requests "/v2/test/flaky/blobs/$FLAKY_BASE_DIGEST")" == 3 ]] || fail_with "blob GETs: $(cat "$FAKE_REQUESTS")"
  run berth verify "$FAKE_HOST/test/flaky:1"
  assert_success
}

@test "pull: a blob cut short goes on from the byte it reached (Range), verified whole" {
  run --separate-stderr berth pull "$FAKE_HOST/test/resume:1"
  assert_success
  local p="/v2/test/resume/blobs/$FLAKY_BASE_DIGEST"
  [[ "$(requests "$p")" == 2 ]] || fail_with "blob GETs: $(cat "$FAKE_REQUESTS")"
  # the second GET asked for the rest, not the start
  [[ "$(grep "^$p " "$FAKE_REQUESTS" | tail -n1 | cut -d' ' -f2)" -gt 0 ]] ||
    fail_with "no Range on the retry: $(grep "^$p " "$FAKE_REQUESTS")"
  run berth verify "$FAKE_HOST/test/resume:1"
  assert_success
  run berth run --rm "$FAKE_HOST/test/resume:1" /bin/busybox cat /etc/one /etc/two
  assert_success
  has_line "one"
  has_line "two"
}

@test "pull: a registry that ignores Range sends it all again; the bytes already had are skipped" {
  run --separate-stderr berth pull "$FAKE_HOST/test/restart:1"
  assert_success
  run berth verify "$FAKE_HOST/test/restart:1"
  assert_success
}

@test "pull: a blob failing every time gives up after 5 tries; nothing is stored" {
  store_snapshot
  run --separate-stderr berth pull "$FAKE_HOST/test/broken:1"
  assert_failure
  [[ "$stderr" == *"try again"* ]] || fail_with "unexpected error: $stderr"
  [[ "$(requests "/v2/test/broken/blobs/$FLAKY_TOP_DIGEST")" == 5 ]] ||
    fail_with "blob GETs: $(grep broken "$FAKE_REQUESTS")"
  assert_store_unchanged
}

@test "pull: a blob the manifest lists three times is downloaded once, stored as three layers" {
  run --separate-stderr berth pull "$FAKE_HOST/test/repeated:1"
  assert_success
  [[ "$(requests "/v2/test/repeated/blobs/$REPEATED_BLOB")" == 1 ]] ||
    fail_with "blob GETs: $(grep repeated "$FAKE_REQUESTS")"
  run berth layers "$FAKE_HOST/test/repeated:1"
  assert_success
  [[ "$(grep -c "${REPEATED_BLOB:7:12}" <<< "$output")" == 3 ]] || fail_with "$output"
  run berth verify "$FAKE_HOST/test/repeated:1"
  assert_success
  [[ "$(ls "$BERTH_TEST_ROOT"/image/overlay2/layerdb/sha256 | wc -l)" == 3 ]]
}

@test "pull: more layers than a container can mount is refused before any blob is fetched" {
  store_snapshot
  run --separate-stderr berth pull "$FAKE_HOST/test/deep:1"
  assert_one_line_error
  [[ "$stderr" == *"max depth exceeded: the image has 126 layers, a container can mount at most 125"* ]] ||
    fail_with "unexpected error: $stderr"
  [[ "$(grep -c '^/v2/test/deep/blobs/' "$FAKE_REQUESTS")" == 1 ]] ||
    fail_with "blobs fetched: $(grep deep "$FAKE_REQUESTS")" # the config only
  assert_store_unchanged
}
