#!/usr/bin/env bats
# load: docker-archive tarballs from skopeo, podman and hostile hands.

load lib/common
load lib/dockerd

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
  OUTSIDE="$BATS_TEST_TMPDIR/outside"
}

teardown() {
  if [[ -n "${PODMAN_DIR:-}" ]]; then
    podman_t rmi -a -f > /dev/null 2>&1 || true
  fi
  [[ -z "${DOCKERD_DIR:-}" ]] || dockerd_stop
  for id in $(b ps -aq --no-trunc 2> /dev/null); do
    b rm -f "$id" > /dev/null 2>&1 || true
  done
  common_teardown
}

podman_t() {
  env -u DOCKER_CONFIG podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/run" --storage-driver overlay "$@"
}

# skopeo_archive REPO:TAG FILE: the registry's image as skopeo's docker-archive
skopeo_archive() {
  skopeo --insecure-policy copy -q --src-tls-verify=false \
    "docker://$REG_HOST/$1" "docker-archive:$2:${1##*/}"
}

# hostile KIND: a docker-archive tarball broken one way (lib/hostile_archive.py)
hostile() {
  "$PY3" "$INTEG_DIR/lib/hostile_archive.py" "$1" "$BATS_TEST_TMPDIR/$1.tar" "$OUTSIDE"
  echo "$BATS_TEST_TMPDIR/$1.tar"
}

@test "load: skopeo's docker-archive gives the image berth pull gives, and it runs" {
  skopeo_archive library/busybox:latest "$BATS_TEST_TMPDIR/bb.tar"
  run --separate-stderr berth load -i "$BATS_TEST_TMPDIR/bb.tar"
  assert_success
  [[ "$output" == "Loaded image: busybox:latest" ]] || fail_with "wrong output"
  loaded=$(berth inspect busybox:latest | jq -r '.[0].Id')
  [[ "$loaded" == "$(image_id "$REG_HOST" library/busybox latest)" ]] || fail_with "id $loaded"
  loaded_layers=$(berth inspect busybox:latest | jq -c '.[0].RootFS.Layers')
  berth pull -q "$BB" > /dev/null
  [[ "$(berth inspect "$BB" | jq -r '.[0].Id')" == "$loaded" ]] || fail_with "berth pull gives another id"
  [[ "$(berth inspect "$BB" | jq -c '.[0].RootFS.Layers')" == "$loaded_layers" ]]
  require_tool runc
  run b run --rm busybox:latest echo loaded and running
  assert_success
  [[ "$output" == "loaded and running" ]] || fail_with "run"
}

@test "load: a several-layer image from standard input, plain, gzip and zstd" {
  skopeo_archive test/layered:1 "$BATS_TEST_TMPDIR/l.tar"
  want=$(image_id "$REG_HOST" test/layered 1)
  gzip -c "$BATS_TEST_TMPDIR/l.tar" > "$BATS_TEST_TMPDIR/l.tar.gz"
  zstd -q -c "$BATS_TEST_TMPDIR/l.tar" > "$BATS_TEST_TMPDIR/l.tar.zst"
  for f in l.tar l.tar.gz l.tar.zst; do
    rm -rf "$BERTH_TEST_ROOT" && mkdir -p "$BERTH_TEST_ROOT"
    run --separate-stderr berth load < "$BATS_TEST_TMPDIR/$f"
    assert_success
    [[ "$output" == "Loaded image: layered:1" ]] || fail_with "$f: output"
    [[ "$(berth inspect layered:1 | jq -r '.[0].Id')" == "$want" ]] || fail_with "$f: id"
    assert_no_unreferenced_layers
    [[ -z "$(ls "$BERTH_TEST_ROOT/tmp" | grep -v '^\.' || true)" ]] || fail_with "$f: tmp/ not empty"
  done
  # -q, as Docker's, silences progress only: the names are still printed
  run --separate-stderr berth load -q -i "$BATS_TEST_TMPDIR/l.tar"
  assert_success
  [[ "$output" == "Loaded image: layered:1" ]] || fail_with "-q"
}

@test "load: a second load of the same archive writes no layer again" {
  skopeo_archive test/layered:1 "$BATS_TEST_TMPDIR/l.tar"
  berth load -i "$BATS_TEST_TMPDIR/l.tar" > /dev/null
  store_fingerprint "$BERTH_TEST_ROOT/overlay2" > "$BATS_TEST_TMPDIR/ovl.before"
  store_fingerprint "$(img_dir)/layerdb" > "$BATS_TEST_TMPDIR/ldb.before"
  ls -iR "$BERTH_TEST_ROOT/overlay2" > "$BATS_TEST_TMPDIR/inodes.before"
  run --separate-stderr berth load -i "$BATS_TEST_TMPDIR/l.tar"
  assert_success
  [[ "$output" == "Loaded image: layered:1" ]] || fail_with "output"
  store_fingerprint "$BERTH_TEST_ROOT/overlay2" | diff "$BATS_TEST_TMPDIR/ovl.before" -
  store_fingerprint "$(img_dir)/layerdb" | diff "$BATS_TEST_TMPDIR/ldb.before" -
  # the same files, not equal new ones
  ls -iR "$BERTH_TEST_ROOT/overlay2" | diff "$BATS_TEST_TMPDIR/inodes.before" -
  # and not even read: the archive's layers turned to junk load all the same
  mkdir "$BATS_TEST_TMPDIR/x"
  tar -C "$BATS_TEST_TMPDIR/x" -xf "$BATS_TEST_TMPDIR/l.tar"
  for layer in $(jq -r '.[0].Layers[]' "$BATS_TEST_TMPDIR/x/manifest.json"); do
    echo junk > "$BATS_TEST_TMPDIR/x/$layer"
  done
  tar -C "$BATS_TEST_TMPDIR/x" -cf "$BATS_TEST_TMPDIR/junk.tar" .
  run --separate-stderr berth load -i "$BATS_TEST_TMPDIR/junk.tar"
  assert_success
  [[ "$output" == "Loaded image: layered:1" ]] || fail_with "junk layers were read"
  # while a store without them refuses that archive
  rm -rf "$BERTH_TEST_ROOT" && mkdir -p "$BERTH_TEST_ROOT"
  run --separate-stderr berth load -i "$BATS_TEST_TMPDIR/junk.tar"
  assert_one_line_error
}

@test "load: podman save's docker-archive loads and runs, same id as podman's" {
  require_tool podman runc
  PODMAN_DIR="$BATS_TEST_TMPDIR/podman"
  mkdir -p "$PODMAN_DIR"
  sed "s/127.0.0.1:5000/$REG_HOST/" "$INTEG_DIR/lib/registries.conf.in" > "$PODMAN_DIR/registries.conf"
  export CONTAINERS_REGISTRIES_CONF="$PODMAN_DIR/registries.conf"
  CONTAINERS_CONF=$(peer_containers_conf)
  export CONTAINERS_CONF
  podman_t pull -q "$BB" > /dev/null
  podman_t save -q --format docker-archive -o "$BATS_TEST_TMPDIR/p.tar" "$BB"
  run --separate-stderr berth load -i "$BATS_TEST_TMPDIR/p.tar"
  assert_success
  [[ "$output" == "Loaded image: $BB" ]] || fail_with "output"
  [[ "$(berth inspect "$BB" | jq -r '.[0].Id')" == "sha256:$(podman_t inspect -f '{{.Id}}' "$BB")" ]] ||
    fail_with "another id than podman's"
  run b run --rm "$BB" echo from podman
  assert_success
  [[ "$output" == "from podman" ]] || fail_with "run"
}

@test "load: Docker 20.10's docker save of two images loads both, same IDs, and they run" {
  dockerd_start "$BATS_TEST_TMPDIR/docker"
  dk pull -q "$BB" > /dev/null
  dk pull -q "$REG_HOST/test/layered:1" > /dev/null
  dk save -o "$BATS_TEST_TMPDIR/d.tar" "$BB" "$REG_HOST/test/layered:1"
  run --separate-stderr berth load -i "$BATS_TEST_TMPDIR/d.tar"
  assert_success
  for ref in "$BB" "$REG_HOST/test/layered:1"; do
    assert_output_has_line "Loaded image: $ref"
    [[ "$(berth inspect "$ref" | jq -r '.[0].Id')" == "$(dk inspect -f '{{.Id}}' "$ref")" ]] ||
      fail_with "$ref: another id than Docker's"
  done
  [[ "${#lines[@]}" -eq 2 ]] || fail_with "two lines"
  assert_no_unreferenced_layers
  run b run --rm "$BB" echo from docker
  assert_success
  [[ "$output" == "from docker" ]] || fail_with "run"
}

@test "load: an archive without names prints the image ID" {
  skopeo_archive library/busybox:latest "$BATS_TEST_TMPDIR/bb.tar"
  mkdir "$BATS_TEST_TMPDIR/x"
  tar -C "$BATS_TEST_TMPDIR/x" -xf "$BATS_TEST_TMPDIR/bb.tar"
  jq -c '.[0].RepoTags = null | [.[0]]' "$BATS_TEST_TMPDIR/x/manifest.json" > "$BATS_TEST_TMPDIR/m"
  mv "$BATS_TEST_TMPDIR/m" "$BATS_TEST_TMPDIR/x/manifest.json"
  tar -C "$BATS_TEST_TMPDIR/x" -cf "$BATS_TEST_TMPDIR/untagged.tar" .
  run --separate-stderr berth load -i "$BATS_TEST_TMPDIR/untagged.tar"
  assert_success
  [[ "$output" == "Loaded image ID: $(image_id "$REG_HOST" library/busybox latest)" ]] ||
    fail_with "output"
}

@test "load: a well-formed synthetic archive loads (the base of the hostile ones)" {
  f=$(hostile good)
  run --separate-stderr berth load -i "$f"
  assert_success
  [[ "$output" == "Loaded image: hostile/good:1" ]] || fail_with "output"
}

# bad_load KIND WORDS: loading KIND fails with one line holding WORDS, the
# store (holding busybox, loaded before) is as it was and nothing was
# written outside it.
bad_load() {
  skopeo_archive library/busybox:latest "$BATS_TEST_TMPDIR/bb.tar"
  berth load -i "$BATS_TEST_TMPDIR/bb.tar" > /dev/null
  store_snapshot
  f=$(hostile "$1")
  run --separate-stderr berth load -i "$f"
  assert_one_line_error
  [[ "$stderr" == "Error: load: "*"$2"* ]] || fail_with "expected the words: $2"
  assert_store_unchanged
  [[ ! -e "$OUTSIDE" ]] || fail_with "written outside the store"
}

@test "load, bad input: not a tar" {
  bad_load notar "the input is not a tar archive"
}

@test "load, bad input: truncated" {
  bad_load truncated "read archive: Truncated tar archive"
}

@test "load, bad input: no manifest.json" {
  bad_load nomanifest "the archive has no manifest.json"
}

@test "load, bad input: manifest.json names a file the archive lacks" {
  bad_load missing "manifest.json names layer nope/layer.tar, which the archive does not contain"
}

@test "load, bad input: manifest.json names a path with ../" {
  bad_load dotdot "manifest.json: layer ../0123abcd/layer.tar points outside the archive"
}

@test "load, bad input: a layer whose diffID is not the config's" {
  bad_load baddiff "layer 0123abcd/layer.tar: content has diffID sha256:"
  [[ "$stderr" == *", the image config says sha256:"* ]] || fail_with "names both"
}

@test "load, bad input: a layer climbing out with ../" {
  bad_load layer-dotdot "layer 0123abcd/layer.tar: extract"
  [[ "$stderr" == *"escapes the layer directory"* ]] || fail_with "why"
}

@test "load, bad input: a layer writing through a symlink pointing out" {
  bad_load layer-symlink "layer 0123abcd/layer.tar: extract 'esc/pwned'"
  [[ "$stderr" == *"dangling symlink"* ]] || fail_with "why"
}

@test "load, bad input: a config that is not JSON" {
  bad_load badconfig "image config "
  [[ "$stderr" == *"invalid JSON"* ]] || fail_with "why"
}

@test "load: an absolute name in a layer lands inside the layer, as Docker's" {
  f=$(hostile layer-abs)
  run --separate-stderr berth load -i "$f"
  assert_success
  [[ ! -e "$OUTSIDE" ]] || fail_with "written outside the store"
  chain=$(berth inspect hostile/layer-abs:1 | jq -r '.[0].RootFS.Layers[0]')
  [[ "$(cat "$(layer_diff_dir "$chain")$OUTSIDE")" == "pwned" ]] || fail_with "not inside the layer"
}

@test "load: a hard link or symlink entry pointing out of the archive is refused" {
  "$PY3" - "$BATS_TEST_TMPDIR/link.tar" <<'PY'
import io, json, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    l = tarfile.TarInfo("a/layer.tar"); l.type = tarfile.SYMTYPE; l.linkname = "../../etc/passwd"
    t.addfile(l)
    m = json.dumps([{"Config": "c.json", "RepoTags": [], "Layers": ["a/layer.tar"]}]).encode()
    i = tarfile.TarInfo("manifest.json"); i.size = len(m); t.addfile(i, io.BytesIO(m))
    c = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:' + b"0" * 64 + b'"]}}'
    i = tarfile.TarInfo("c.json"); i.size = len(c); t.addfile(i, io.BytesIO(c))
PY
  berth images > /dev/null
  store_snapshot
  run --separate-stderr berth load -i "$BATS_TEST_TMPDIR/link.tar"
  assert_one_line_error
  [[ "$stderr" == "Error: load: manifest.json: layer a/layer.tar is a link pointing outside the archive" ]] ||
    fail_with "words"
  assert_store_unchanged
}

@test "load: refuses arguments, as Docker's" {
  run --separate-stderr berth load busybox
  [[ "$status" -eq 1 ]] || fail_with "status"
  [[ "$stderr" == '"berth load" accepts no arguments.'$'\n'* ]] || fail_with "words"
}

@test "load: berth's own save loads back into a fresh store with the same IDs, through stdin and image save/load" {
  b pull -q "$BB" > /dev/null
  b tag "$BB" demo/rt:1
  b save -o "$BATS_TEST_TMPDIR/rt.tar" demo/rt:1
  local id
  id=$(b inspect demo/rt:1 | jq -r '.[0].Id')
  BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/root2"
  mkdir -p "$BERTH_TEST_ROOT"
  run --separate-stderr b load -i "$BATS_TEST_TMPDIR/rt.tar"
  assert_success
  [ "$output" = "Loaded image: demo/rt:1" ] || fail_with "Docker's line"
  [ "$(b inspect demo/rt:1 | jq -r '.[0].Id')" = "$id" ] || fail_with "the same image ID"
  run --separate-stderr b verify
  assert_success
  BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/root3"
  mkdir -p "$BERTH_TEST_ROOT"
  run --separate-stderr bash -c "'$BERTH' --root '$BATS_TEST_TMPDIR/root' image save demo/rt:1 | '$BERTH' --root '$BERTH_TEST_ROOT' image load"
  assert_success
  [ "$(b inspect demo/rt:1 | jq -r '.[0].Id')" = "$id" ] || fail_with "through a pipe"
}
