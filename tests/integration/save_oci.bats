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
