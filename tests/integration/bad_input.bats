#!/usr/bin/env bats
# Bad input (issue 2): each case gives one line on stderr, a non-zero exit,
# and leaves the store exactly as it was.

load lib/common

setup_file() {
  registry_with_fixtures REG plain basic victims hostile
  # A broken registry for what docker-registry refuses to store.
  local d="$BATS_FILE_TMPDIR/fake"
  mkdir -p "$d"
  printf 'this is not JSON {' > "$d/notjson"
  printf '{"schemaVersion":1,"name":"x","tag":"1","fsLayers":[]}' > "$d/schema1"
  printf '<html>hello</html>' > "$d/html"
  cat > "$d/routes.json" <<EOF
{
  "/v2/fake/notjson/manifests/1": {"file": "$d/notjson", "type": "application/vnd.docker.distribution.manifest.v2+json"},
  "/v2/fake/wrongtype/manifests/1": {"file": "$d/schema1", "type": "application/vnd.docker.distribution.manifest.v1+prettyjws"},
  "/v2/fake/html/manifests/1": {"file": "$d/html", "type": "text/html"}
}
EOF
  fake_registry_start FAKE "$d/routes.json"
}

teardown_file() {
  registry_stop REG
  registry_stop FAKE
}

setup() {
  common_setup
  # Every case starts from a store that already holds an image.
  berth pull -q "$REG_HOST/library/busybox:latest" > /dev/null
  store_snapshot
}

# bad_pull REF...: the pull must fail cleanly and leave the store untouched
bad_pull() {
  run --separate-stderr berth pull "$@"
  assert_one_line_error
  assert_store_unchanged
}

@test "bad reference: uppercase" {
  run --separate-stderr berth pull Bad//Name
  assert_one_line_error
  [[ "$stderr" == *"invalid reference format"* ]] || fail_with "unexpected message"
  assert_store_unchanged
}

@test "bad references: assorted invalid names" {
  local ref
  for ref in "UPPER/name" "name:" ":tag" "a//b" "name@sha256:123" "_lead/name" "name:tag:tag" \
    "$(printf 'x%.0s' $(seq 1 300))" "host:port/name" "name@sha256:$(printf 'z%.0s' $(seq 1 64))"; do
    run --separate-stderr berth pull "$ref"
    assert_one_line_error
  done
  assert_store_unchanged
}

@test "unknown tag: manifest unknown (404)" {
  bad_pull "$REG_HOST/test/nonexistent:1"
  [[ "$stderr" == *"not found"* || "$stderr" == *"unknown"* ]] || fail_with "message should say not found"
}

@test "unknown digest (404)" {
  bad_pull "$REG_HOST/library/busybox@sha256:$(printf '0%.0s' $(seq 1 64))"
}

@test "registry unreachable" {
  local port
  port=$(free_port)
  bad_pull "127.0.0.1:$port/library/busybox:latest"
}

@test "layer blob bytes do not match the digest" {
  bad_pull "$REG_HOST/bad/layer-digest:1"
  local d
  d=$(manifest_json "$REG_HOST" bad/layer-digest 1 | jq -r '.layers[0].digest')
  [[ "$stderr" == *"${d#sha256:}"* || "$stderr" == *"${d:7:12}"* ]] || fail_with "the error should name the blob $d"
}

@test "truncated layer blob" {
  bad_pull "$REG_HOST/bad/truncated:1"
}

@test "config blob does not match its digest" {
  bad_pull "$REG_HOST/bad/config-digest:1"
}

@test "uncompressed layer does not match the config's diff_id" {
  bad_pull "$REG_HOST/bad/diffid:1"
}

@test "corrupt gzip stream" {
  bad_pull "$REG_HOST/hostile/gzip:1"
}

@test "manifest that is not JSON" {
  bad_pull "$FAKE_HOST/fake/notjson:1"
}

@test "manifest with the wrong media type (schema1)" {
  bad_pull "$FAKE_HOST/fake/wrongtype:1"
}

@test "manifest served as text/html" {
  bad_pull "$FAKE_HOST/fake/html:1"
}

# hostile_pull NAME OUTSIDE: the layer must not write OUTSIDE
hostile_pull() {
  local name="$1" outside="$2"
  rm -f "$outside"
  run --separate-stderr berth pull "$REG_HOST/hostile/$name:1"
  [[ ! -e "$outside" ]] || { rm -f "$outside"; fail_with "the layer wrote $outside"; }
  assert_one_line_error
  assert_store_unchanged
}

@test "tar layer with ../ escape" {
  hostile_pull dotdot /tmp/berth-escape-dotdot
}

# hostile_confined NAME OUTSIDE INSIDE: refused (one-line error, store
# unchanged) or confined: the file lands at INSIDE within a layer's diff dir
# (Docker confines absolute paths and writes through symlinks this way).
hostile_confined() {
  local name="$1" outside="$2" inside="$3"
  rm -f "$outside"
  run --separate-stderr berth pull "$REG_HOST/hostile/$name:1"
  [[ ! -e "$outside" ]] || { rm -f "$outside"; fail_with "the layer wrote $outside"; }
  if [[ "$status" -eq 0 ]]; then
    [[ -n "$(find "$BERTH_TEST_ROOT/overlay2" -path "*/diff/$inside")" ]] ||
      fail_with "pull succeeded but $inside is nowhere in the layer"
  else
    assert_one_line_error
    assert_store_unchanged
  fi
}

@test "tar layer with an absolute path: refused, or confined to the layer" {
  hostile_confined abs /tmp/berth-escape-abs tmp/berth-escape-abs
}

@test "tar layer with a symlink out, then a write through it: refused or confined" {
  hostile_confined symlink /tmp/berth-escape-symlink tmp/berth-escape-symlink
}

@test "tar layer with a hard link out" {
  local target=/tmp/berth-escape-hardlink-target
  printf 'original\n' > "$target"
  run --separate-stderr berth pull "$REG_HOST/hostile/hardlink:1"
  local content
  content=$(cat "$target")
  rm -f "$target"
  [[ "$content" == original ]] || fail_with "the layer wrote through the hard link"
  assert_one_line_error
  assert_store_unchanged
}

@test "read-only root" {
  local ro="$BATS_TEST_TMPDIR/ro"
  mkdir -p "$ro"
  mount -t tmpfs -o size=8m tmpfs "$ro" || skip "cannot mount tmpfs"
  mount -o remount,ro "$ro"
  run --separate-stderr "$BERTH" --root "$ro" pull "$REG_HOST/library/busybox:latest"
  assert_one_line_error
}

@test "full root: a pull that does not fit fails cleanly" {
  local small="$BATS_TEST_TMPDIR/small"
  mkdir -p "$small"
  mount -t tmpfs -o size=600k tmpfs "$small" || skip "cannot mount tmpfs"
  run --separate-stderr "$BERTH" --root "$small" pull "$REG_HOST/library/busybox:latest"
  assert_one_line_error
  # nothing half-written is visible as a layer
  [[ -z "$(find "$small" -path '*/layerdb/sha256/*' -name diff 2>/dev/null)" ]] ||
    fail_with "a layer was registered on a full disk"
  # and a store that already held an image keeps it intact
  run berth images -q
  assert_success
  assert_store_unchanged
}
