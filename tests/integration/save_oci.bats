#!/usr/bin/env bats
# save --format oci-archive|oci-dir and load of OCI layout archives:
# read and written by skopeo and podman, the image IDs kept.

load lib/common

setup_file() {
  require_tool docker-registry skopeo podman
  registry_with_fixtures REG plain basic layered
}

teardown_file() {
  registry_stop REG
}

setup() {
  common_setup
  BB="$REG_HOST/library/busybox:latest"
  LAYERED="$REG_HOST/test/layered:1"
  OUT="$BATS_TEST_TMPDIR/out"
  mkdir -p "$OUT"
}

teardown() {
  if [[ -n "${PODMAN_DIR:-}" ]]; then
    podman_t rmi -a -f > /dev/null 2>&1 || true
  fi
  common_teardown
}

podman_t() {
  env -u DOCKER_CONFIG podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/run" --storage-driver overlay "$@"
}

sk() {
  skopeo --insecure-policy "$@"
}

@test "save_oci: oci-archive is an OCI layout skopeo reads; copied to a registry, berth pull gives the same ID" {
  b pull -q "$LAYERED" > /dev/null
  local id
  id=$(b inspect "$LAYERED" | jq -r '.[0].Id')
  run --separate-stderr b save --format oci-archive -o "$OUT/l.tar" "$LAYERED"
  [[ "$status" -eq 0 ]] || fail_with "save failed: $stderr"
  mkdir "$OUT/x"
  tar -xf "$OUT/l.tar" -C "$OUT/x"
  [[ "$(cat "$OUT/x/oci-layout")" == '{"imageLayoutVersion":"1.0.0"}' ]]
  [[ ! -e "$OUT/x/manifest.json" ]]
  jq -e '.manifests | length == 1' "$OUT/x/index.json" > /dev/null
  [[ "$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$OUT/x/index.json")" == 1 ]]
  [[ "$(jq -r '.manifests[0].annotations["io.containerd.image.name"]' "$OUT/x/index.json")" == "$LAYERED" ]]
  local m
  m=$(jq -r '.manifests[0].digest' "$OUT/x/index.json")
  # every blob is named by its digest; the config is the stored config
  for f in "$OUT"/x/blobs/sha256/*; do
    [[ "$(sha256sum "$f" | cut -d' ' -f1)" == "$(basename "$f")" ]] || fail_with "$f: wrong digest"
  done
  [[ "$(jq -r .config.digest "$OUT/x/blobs/sha256/${m#sha256:}")" == "$id" ]]
  [[ "$(jq -r '.layers[].mediaType' "$OUT/x/blobs/sha256/${m#sha256:}" | sort -u)" == application/vnd.oci.image.layer.v1.tar ]]
  [[ "$(jq -r '.rootfs.diff_ids | join(" ")' "$OUT/x/blobs/sha256/${id#sha256:}")" == \
    "$(jq -r '[.layers[].digest] | join(" ")' "$OUT/x/blobs/sha256/${m#sha256:}")" ]]
  run sk inspect "oci-archive:$OUT/l.tar"
  assert_success
  [[ "$(echo "$output" | jq -r '.Layers | length')" -eq "$(jq '.layers | length' "$OUT/x/blobs/sha256/${m#sha256:}")" ]]
  run sk copy -q --dest-tls-verify=false "oci-archive:$OUT/l.tar" "docker://$REG_HOST/back/layered:oci"
  assert_success
  b rmi "$LAYERED" > /dev/null
  b pull -q "$REG_HOST/back/layered:oci" > /dev/null
  [[ "$(b inspect "$REG_HOST/back/layered:oci" | jq -r '.[0].Id')" == "$id" ]] || fail_with "another id"
}

@test "save_oci: podman load of berth's oci-archive keeps the image ID and the name" {
  PODMAN_DIR="$BATS_TEST_TMPDIR/podman"
  mkdir -p "$PODMAN_DIR"
  CONTAINERS_CONF=$(peer_containers_conf)
  export CONTAINERS_CONF
  b pull -q "$BB" > /dev/null
  local id
  id=$(b inspect "$BB" | jq -r '.[0].Id')
  b save --format oci-archive -o "$OUT/bb.tar" "$BB"
  run podman_t load -q -i "$OUT/bb.tar"
  assert_success
  [[ "sha256:$(podman_t inspect -f '{{.Id}}' "$BB")" == "$id" ]] || fail_with "podman has another id"
}

@test "save_oci: oci-dir writes the same layout as a directory, under a temporary name" {
  b pull -q "$LAYERED" > /dev/null
  b save --format oci-archive -o "$OUT/l.tar" "$LAYERED"
  run --separate-stderr b save --format oci-dir -o "$OUT/dir" "$LAYERED"
  [[ "$status" -eq 0 ]] || fail_with "save failed: $stderr"
  mkdir "$OUT/x"
  tar -xf "$OUT/l.tar" -C "$OUT/x"
  diff -r "$OUT/x" "$OUT/dir"
  [[ -z "$(ls -A "$OUT" | grep berth_temp)" ]]
  run sk inspect "oci:$OUT/dir"
  assert_success
  # a directory that is not empty is not replaced
  run b save --format oci-dir -o "$OUT/dir" "$LAYERED"
  assert_failure
  [[ -z "$(ls -A "$OUT" | grep berth_temp)" ]]
  run b save --format oci-dir "$LAYERED"
  assert_failure
  [[ "$output" == *"needs -o"* ]]
}

@test "save_oci: berth load of skopeo's oci-archive (gzip layers) gives the pulled image's ID and the ref.name" {
  run sk copy -q --src-tls-verify=false "docker://$BB" "oci-archive:$OUT/bb.tar:busybox"
  assert_success
  run --separate-stderr b load -i "$OUT/bb.tar"
  [[ "$status" -eq 0 ]] || fail_with "load failed: $stderr"
  [[ "$output" == "Loaded image: busybox:latest" ]] || fail_with "output: $output"
  local id
  id=$(b inspect busybox:latest | jq -r '.[0].Id')
  b pull -q "$BB" > /dev/null
  [[ "$(b inspect "$BB" | jq -r '.[0].Id')" == "$id" ]] || fail_with "another id than pull's"
  run b run --rm busybox:latest echo loaded
  if [[ "$status" -eq 0 ]]; then
    [[ "$output" == loaded ]]
  fi
}

@test "save_oci: berth save --format oci-archive, then berth load, keeps the ID and the names" {
  b pull -q "$LAYERED" > /dev/null
  b tag "$LAYERED" mine/layered:two
  local id
  id=$(b inspect "$LAYERED" | jq -r '.[0].Id')
  b save --format oci-archive -o "$OUT/l.tar" "$LAYERED" mine/layered:two
  b rmi "$LAYERED" mine/layered:two > /dev/null
  run --separate-stderr b load -i "$OUT/l.tar"
  [[ "$status" -eq 0 ]] || fail_with "load failed: $stderr"
  [[ "$output" == "$(printf 'Loaded image: %s\nLoaded image: mine/layered:two' "$LAYERED")" ]] ||
    fail_with "output: $output"
  [[ "$(b inspect mine/layered:two | jq -r '.[0].Id')" == "$id" ]]
  assert_no_unreferenced_layers
}

# bad_oci WORDS: berth load of the layout in $OUT/x, tarred, fails with one
# line holding WORDS and leaves the store (holding busybox) as it was.
bad_oci() {
  tar -cf "$OUT/bad.tar" -C "$OUT/x" .
  store_snapshot
  run --separate-stderr berth load -i "$OUT/bad.tar"
  assert_one_line_error
  [[ "$stderr" == "Error: load: "*"$1"* ]] || fail_with "expected the words: $1"
  assert_store_unchanged
}

bad_setup() {
  b pull -q "$LAYERED" > /dev/null
  b save --format oci-archive -o "$OUT/l.tar" "$LAYERED"
  b rmi "$LAYERED" > /dev/null
  b pull -q "$BB" > /dev/null
  mkdir "$OUT/x"
  tar -xf "$OUT/l.tar" -C "$OUT/x"
  M="$OUT/x/blobs/sha256/$(jq -r '.manifests[0].digest | ltrimstr("sha256:")' "$OUT/x/index.json")"
}

@test "save_oci: load, bad input: index.json names a layer blob the archive lacks" {
  bad_setup
  local l
  l=$(jq -r '.layers[1].digest | ltrimstr("sha256:")' "$M")
  rm "$OUT/x/blobs/sha256/$l"
  bad_oci "names layer blobs/sha256/$l, which the archive does not contain"
}

@test "save_oci: load, bad input: index.json names a manifest the archive lacks" {
  bad_setup
  rm "$M"
  bad_oci "index.json names manifest blobs/sha256/$(basename "$M"), which the archive does not contain"
}

# overwrite FILE OFFSET: one byte of FILE changed, its size kept
overwrite() {
  printf 'X' | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

@test "save_oci: load, bad input: a layer blob whose bytes do not match its digest" {
  bad_setup
  local l
  l=$(jq -r '.layers[0].digest | ltrimstr("sha256:")' "$M")
  overwrite "$OUT/x/blobs/sha256/$l" 600
  bad_oci "layer blobs/sha256/$l has digest sha256:"
}

@test "save_oci: load, bad input: a config whose bytes do not match its digest" {
  bad_setup
  local cfg
  cfg=$(jq -r '.config.digest | ltrimstr("sha256:")' "$M")
  overwrite "$OUT/x/blobs/sha256/$cfg" 0
  bad_oci "config blobs/sha256/$cfg has digest sha256:"
}

@test "save_oci: load, bad input: a blob longer than its descriptor says" {
  bad_setup
  local l
  l=$(jq -r '.layers[1].digest | ltrimstr("sha256:")' "$M")
  printf 'x' >> "$OUT/x/blobs/sha256/$l"
  bad_oci "layer blobs/sha256/$l is $(stat -c %s "$OUT/x/blobs/sha256/$l") bytes, not the size its descriptor says"
}

@test "save_oci: load, bad input: an image index inside index.json" {
  bad_setup
  jq -c '.manifests[0].mediaType = "application/vnd.oci.image.index.v1+json"' "$OUT/x/index.json" > "$OUT/i"
  mv "$OUT/i" "$OUT/x/index.json"
  bad_oci "not an image manifest"
}

@test "save_oci: berth load of podman save --format oci-archive: podman's image ID and name" {
  PODMAN_DIR="$BATS_TEST_TMPDIR/podman"
  mkdir -p "$PODMAN_DIR"
  CONTAINERS_CONF=$(peer_containers_conf)
  export CONTAINERS_CONF
  podman_t pull -q --tls-verify=false "$BB" > /dev/null
  podman_t save -q --format oci-archive -o "$OUT/p.tar" "$BB"
  run --separate-stderr b load -i "$OUT/p.tar"
  [[ "$status" -eq 0 ]] || fail_with "load failed: $stderr"
  [[ "$output" == "Loaded image: $BB" ]] || fail_with "output: $output"
  [[ "$(b inspect "$BB" | jq -r '.[0].Id')" == "sha256:$(podman_t inspect -f '{{.Id}}' "$BB")" ]] ||
    fail_with "another id than podman's"
}

@test "save_oci: umoci unpack of berth's oci-dir gives the tree berth image mount shows" {
  require_tool umoci
  b pull -q "$LAYERED" > /dev/null
  b save --format oci-dir -o "$OUT/dir" "$LAYERED"
  run umoci unpack --image "$OUT/dir:1" "$OUT/bundle"
  assert_success
  local bm
  bm=$(b image mount "$LAYERED")
  tree_of() {
    (cd "$1" && find . -xdev -printf '%p %y %m %U:%G %l\n' | LC_ALL=C sort &&
      find . -xdev -type f -exec sha256sum {} + | LC_ALL=C sort -k2)
  }
  tree_of "$bm" > "$OUT/b"
  b image umount "$bm" > /dev/null
  tree_of "$OUT/bundle/rootfs" > "$OUT/u"
  # "." is the bundle's rootfs directory, made by umoci with its own mode
  diff <(grep -v '^\. ' "$OUT/b") <(grep -v '^\. ' "$OUT/u") || fail_with "the trees differ"
}
