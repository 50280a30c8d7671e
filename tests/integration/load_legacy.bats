#!/usr/bin/env bats
# load of the legacy layout docker save wrote before 1.10 (no manifest.json:
# `repositories` and one directory per v1 layer chained by `parent`), made
# by lib/legacy_archive.py.

load lib/common
load lib/dockerd

# The image IDs Docker 20.10's `docker load` gives these archives (measured
# with /usr/bin/docker on its daemon; the last test compares live).
GOOD_TOP=sha256:1fd36cfbfd935c80cf5abd38fa46b062c365d4a63c6f66fe605564f30faf967e
GOOD_MID=sha256:3d24dce32a2437259b338a253048890746131816ef33eb2cdbe186d18c95d6a4
GOOD_BOTTOM=sha256:c68ebf27c43e3d8198c6e5fc871f59e2da0a84b79768668abf8d766fe02fe7e6
OLD_TOP=sha256:a78ab88aa3b0c09392686f7b4eadd0f0b3ece4112e11b64cea362a5ed9551a20
OLD_MID=sha256:8875bd10f4ced1b0ffd13bf295e24b1ede8025289f4a64c06a4193c707f4b3fc
OLD_BOTTOM=sha256:81386a4f483971b0ad7bdf087a40b8a5f1d4bf23a03d570adb5a4081cb197543

setup() {
  common_setup
}

teardown() {
  [[ -z "${DOCKERD_DIR:-}" ]] || dockerd_stop
  common_teardown
}

# legacy KIND: the archive's path
legacy() {
  "$PY3" "$INTEG_DIR/lib/legacy_archive.py" "$1" "$BATS_TEST_TMPDIR/$1.tar"
  echo "$BATS_TEST_TMPDIR/$1.tar"
}

id_of() {
  b inspect "$1" | jq -r '.[0].Id'
}

@test "load, legacy: every v1 layer becomes an image, with Docker's image IDs, parents and tags" {
  f=$(legacy good)
  run --separate-stderr b load -i "$f"
  assert_success
  [[ "$output" == $'Loaded image: legacy/good:mid\nLoaded image: legacy/good:1' ]] || fail_with "output"
  [[ "$(id_of legacy/good:1)" == "$GOOD_TOP" ]] || fail_with "top id"
  [[ "$(id_of legacy/good:mid)" == "$GOOD_MID" ]] || fail_with "mid id"
  # the bottom layer's image is there too, untagged, and each names its parent
  md="$(img_dir)/imagedb/metadata/sha256"
  [[ "$(cat "$md/${GOOD_TOP#sha256:}/parent")" == "$GOOD_MID" ]] || fail_with "parent of the top"
  [[ "$(cat "$md/${GOOD_MID#sha256:}/parent")" == "$GOOD_BOTTOM" ]] || fail_with "parent of mid"
  [[ -e "$(img_dir)/imagedb/content/sha256/${GOOD_BOTTOM#sha256:}" ]] || fail_with "the bottom image"
  # the config derived as Docker derives it
  run --separate-stderr b inspect legacy/good:1
  assert_success
  [[ "$(jq -c '.[0].RootFS.Layers | length' <<< "$output")" == 3 ]] || fail_with "three layers"
  [[ "$(jq -r '.[0].Config.Cmd | join(" ")' <<< "$output")" == "cat /etc/three.txt" ]] || fail_with "Cmd"
  [[ "$(jq -r '.[0].Comment' <<< "$output")" == "the top & the last" ]] || fail_with "comment"
  [[ "$(jq -r '.[0].DockerVersion' <<< "$output")" == "1.9.1" ]] || fail_with "docker_version"
  hist=$(jq -c '[.history[] | [.created_by, .comment, .author]]' "$(img_dir)/imagedb/content/sha256/${GOOD_TOP#sha256:}")
  [[ "$hist" == '[["/bin/sh -c #(nop) ADD file:0123 in /",null,null],["/bin/sh -c echo two > /etc/two.txt",null,"Legacy <legacy@example.com>"],["/bin/sh -c #(nop) CMD [\"cat\" \"/etc/three.txt\"]","the top & the last",null]]' ]] ||
    fail_with "history: $hist"
  # the files of every layer are where they belong, and verified
  run --separate-stderr b verify legacy/good:1
  assert_success
  bottom=$(b inspect legacy/good:1 | jq -r '.[0].RootFS.Layers[0]') # a bottom chain ID is its diffID
  [[ "$(cat "$(layer_diff_dir "$bottom")/etc/one.txt")" == "one" ]] || fail_with "bottom layer's file"
  [[ -f "$(layer_diff_dir "$bottom")/bin/a<b&c>.txt" ]] || fail_with "bottom layer's other file"
  assert_no_unreferenced_layers
  [[ -z "$(ls "$BERTH_TEST_ROOT/tmp" | grep -v '^\.' || true)" ]] || fail_with "tmp/ not empty"
}

@test "load, legacy: a json of a Docker before 1.8.3 is re-encoded as Docker re-encodes it" {
  f=$(legacy old)
  run --separate-stderr b load -i "$f"
  assert_success
  [[ "$(id_of legacy/old:1)" == "$OLD_TOP" ]] || fail_with "top id"
  [[ "$(id_of legacy/old:mid)" == "$OLD_MID" ]] || fail_with "mid id"
  [[ -e "$(img_dir)/imagedb/content/sha256/${OLD_BOTTOM#sha256:}" ]] || fail_with "the bottom image"
}

@test "load, legacy: gzip-compressed layer tars give the same images; from stdin too" {
  f=$(legacy gzip)
  run --separate-stderr b load < "$f"
  assert_success
  [[ "$(id_of legacy/gzip:1)" == "$GOOD_TOP" ]] || fail_with "top id"
}

@test "load, legacy: without tags the top image's ID is printed; a second load writes nothing" {
  f=$(legacy untagged)
  run --separate-stderr b load -i "$f"
  assert_success
  [[ "$output" == "Loaded image ID: $GOOD_TOP" ]] || fail_with "output"
  ls -iR "$BERTH_TEST_ROOT/overlay2" > "$BATS_TEST_TMPDIR/inodes.before"
  store_fingerprint "$(img_dir)/layerdb" > "$BATS_TEST_TMPDIR/ldb.before"
  run --separate-stderr b load -i "$(legacy good)"
  assert_success
  ls -iR "$BERTH_TEST_ROOT/overlay2" | diff "$BATS_TEST_TMPDIR/inodes.before" -
  store_fingerprint "$(img_dir)/layerdb" | diff "$BATS_TEST_TMPDIR/ldb.before" -
}

# bad_legacy KIND WORDS: loading KIND fails with one line holding WORDS and
# the store (holding the good legacy image, loaded before) is as it was.
bad_legacy() {
  b load -i "$(legacy good)" > /dev/null
  store_snapshot
  f=$(legacy "$1")
  run --separate-stderr b load -i "$f"
  assert_one_line_error
  [[ "$stderr" == "Error: load: "*"$2"* ]] || fail_with "expected the words: $2"
  assert_store_unchanged
}

@test "load, legacy, bad input: a chain of parents that loops" {
  bad_legacy cycle "its chain of parents loops back on itself"
}

@test "load, legacy, bad input: a parent the archive lacks" {
  bad_legacy noparent "names the parent "
  [[ "$stderr" == *", which the archive does not contain" ]] || fail_with "why"
}

@test "load, legacy, bad input: a json that is not JSON" {
  bad_legacy badjson "/json: invalid JSON"
}

@test "load, legacy, bad input: repositories names an id the archive lacks" {
  bad_legacy badtag "repositories: invalid target ID: "
}

@test "load, legacy, bad input: a directory without its layer.tar" {
  bad_legacy nolayer "/layer.tar, which the archive does not contain"
}

@test "load, legacy, bad input: a layer.tar that is not a tar" {
  bad_legacy baddiff "/layer.tar: invalid layer tar"
}

@test "load, legacy: Docker 20.10's docker load of the same archives gives the same IDs and configs" {
  dockerd_start "$BATS_TEST_TMPDIR/docker"
  for kind in good old; do
    f=$(legacy "$kind")
    dk load -i "$f" > /dev/null
    b load -i "$f" > /dev/null
    for tag in 1 mid; do
      want=$(dk inspect -f '{{.Id}}' "legacy/$kind:$tag")
      [[ "$(id_of "legacy/$kind:$tag")" == "$want" ]] || fail_with "$kind:$tag: another id than Docker's"
      cmp "$(dk_img_dir)/imagedb/content/sha256/${want#sha256:}" \
        "$(img_dir)/imagedb/content/sha256/${want#sha256:}" || fail_with "$kind:$tag: config bytes"
      cmp "$(dk_img_dir)/imagedb/metadata/sha256/${want#sha256:}/parent" \
        "$(img_dir)/imagedb/metadata/sha256/${want#sha256:}/parent" || fail_with "$kind:$tag: parent"
    done
  done
}
