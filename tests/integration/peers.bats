#!/usr/bin/env bats
# Peer oracle: podman pulls the same fixtures; image IDs and diffIDs agree.

load lib/common

setup_file() {
  # A peer tool that cannot run fails here, naming its package, instead of
  # deep inside a test.
  require_tool docker-registry skopeo podman
  registry_with_fixtures REG plain basic layered zstd
}

teardown_file() {
  registry_stop REG
}

setup() {
  common_setup
  PODMAN_DIR="$BATS_TEST_TMPDIR/podman"
  mkdir -p "$PODMAN_DIR"
  sed "s/127.0.0.1:5000/$REG_HOST/" "$INTEG_DIR/lib/registries.conf.in" > "$PODMAN_DIR/registries.conf"
  export CONTAINERS_REGISTRIES_CONF="$PODMAN_DIR/registries.conf"
  CONTAINERS_CONF=$(peer_containers_conf)
  export CONTAINERS_CONF
  require_tool podman skopeo
}

podman_t() {
  env -u DOCKER_CONFIG podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/run" --storage-driver overlay "$@"
}

teardown() {
  podman_t rmi -a -f > /dev/null 2>&1 || true
  common_teardown
}

# same_as_podman REF
same_as_podman() {
  local ref="$1" pj bj
  podman_t pull -q "$ref" > /dev/null
  berth pull -q "$ref" > /dev/null
  pj=$(podman_t image inspect "$ref" | jq -c '.[0] | {Id: ("sha256:" + .Id), Layers: .RootFS.Layers, Os, Architecture}')
  bj=$(berth inspect "$ref" | jq -c '.[0] | {Id, Layers: .RootFS.Layers, Os, Architecture}')
  [[ "$pj" == "$bj" ]] || fail_with "podman: $pj"$'\n'"berth:  $bj"
}

@test "podman and berth agree: busybox (schema2)" {
  same_as_podman "$REG_HOST/library/busybox:latest"
}

@test "podman and berth agree: layered (OCI)" {
  same_as_podman "$REG_HOST/test/layered:1-oci"
}

@test "podman and berth agree: zstd" {
  same_as_podman "$REG_HOST/test/zstd:1"
}

@test "podman and berth extract the same files (umoci-free tree compare)" {
  local ref="$REG_HOST/test/layered:1"
  podman_t pull -q "$ref" > /dev/null
  berth pull -q "$ref" > /dev/null
  local mnt chain
  mnt=$(podman_t image mount "$ref") || skip "podman image mount unavailable"
  # the merged view of berth's top layer dirs cannot be compared without an
  # overlay mount; compare the base layer, which is the whole rootfs of busybox
  chain=$(berth inspect "$ref" | jq -r '.[0].RootFS.Layers[0]')
  local bdir
  bdir=$(layer_diff_dir "$chain")
  (cd "$bdir" && find bin/busybox etc/passwd etc/group -printf '%p %m %U:%G %s\n' | sort) > "$BATS_TEST_TMPDIR/b"
  (cd "$mnt" && find bin/busybox etc/passwd etc/group -printf '%p %m %U:%G %s\n' | sort) > "$BATS_TEST_TMPDIR/p"
  podman_t image unmount "$ref" > /dev/null || true
  diff -u "$BATS_TEST_TMPDIR/p" "$BATS_TEST_TMPDIR/b"
}

@test "an image berth committed is read by skopeo and run by podman, same ID" {
  require_tool runc
  local ref="$REG_HOST/library/busybox:latest"
  berth pull -q "$ref" > /dev/null
  berth run --name c1 "$ref" sh -c 'rm /bin/tar && echo made-by-berth > /note' > /dev/null
  berth commit -m "peer check" c1 demo/peer:1 > /dev/null
  berth rm c1 > /dev/null
  # podman names an oci: image after its path, which must be lowercase.
  local layout="/tmp/berth-oci-$$-$RANDOM"
  oci_layout_of demo/peer:1 "$layout"
  local id
  id=$(berth inspect demo/peer:1 | jq -r '.[0].Id')
  run skopeo inspect --config "oci:$layout:berth"
  assert_success
  [[ "$(printf '%s' "$output" | jq -r '.history[-1].comment')" == "peer check" ]] || fail_with "$output"
  run podman_t pull -q "oci:$layout:berth"
  rm -rf "$layout"
  assert_success
  [[ "sha256:$output" == "$id" ]] || fail_with "podman says $output, berth $id"
  run podman_t run --rm --network none "${id#sha256:}" sh -c 'cat /note; ls /bin/tar 2>&1 || true'
  assert_success
  [[ "${lines[0]}" == "made-by-berth" ]] || fail_with "$output"
  [[ "$output" == *"No such file"* ]] || fail_with "/bin/tar is back: $output"
}
