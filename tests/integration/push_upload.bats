#!/usr/bin/env bats
# berth push's upload engine (issue 8, push): layers compressed while they
# upload (isa-l gzip, or zstd with --format oci), chunked PATCHes for big
# blobs, resumed or retried after faults; read back by skopeo and by berth
# pull into a fresh store; the CLI's flags.  Faults come from
# fake_registry.py's upload mode.

load lib/common

setup_file() {
  registry_with_fixtures REG plain basic
}

teardown_file() {
  registry_stop REG
}

teardown() {
  # a failed test leaves its fake registry up: stopped here, or bats waits on it
  if [[ -n "${UP_DIR:-}" && -f "$UP_DIR/pids" ]]; then registry_stop UP; fi
  common_teardown
}

image_id_of() {
  berth image inspect "$1" | jq -r '.[0].Id'
}

# build_big NAME: busybox plus a layer of 12 MiB of noise (three chunks,
# gzip cannot shrink it) and a small text file, built by berth.
build_big() {
  local ctx="$BATS_TEST_TMPDIR/ctx"
  mkdir -p "$ctx"
  head -c 12582912 /dev/urandom > "$ctx/big.bin"
  echo "pushed by berth" > "$ctx/hello.txt"
  printf 'FROM %s/library/busybox:latest\nCOPY big.bin /big.bin\nCOPY hello.txt /hello.txt\n' \
    "$REG_HOST" > "$ctx/Dockerfile"
  berth pull -q "$REG_HOST/library/busybox:latest" > /dev/null
  run --separate-stderr berth build -q -t "$1" "$ctx"
  assert_success
}

# read_back REF ID: skopeo sees the registry's digest and copies it out;
# berth pull into a fresh store gives image ID and it runs.
read_back() {
  local ref="$1" id="$2" host="${1%%/*}" rest="${1#*/}"
  require_tool skopeo
  run skopeo inspect --tls-verify=false "docker://$ref"
  assert_success
  [[ "$(jq -r .Digest <<< "$output")" == "$(manifest_digest "$host" "${rest%:*}" "${rest##*:}")" ]] ||
    fail_with "skopeo sees another digest"
  run skopeo copy -q --src-tls-verify=false "docker://$ref" "oci:$BATS_TEST_TMPDIR/copy:x"
  assert_success
  local saved="$BERTH_TEST_ROOT"
  export BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/fresh-$RANDOM"
  mkdir -p "$BERTH_TEST_ROOT"
  run --separate-stderr berth pull -q "$ref"
  assert_success
  [[ "$(image_id_of "$ref")" == "$id" ]] || fail_with "pulled back as another image"
  run --separate-stderr berth run --rm "$ref" cat /hello.txt
  assert_success
  [[ "$output" == "pushed by berth" ]] || fail_with "the pulled image does not run"
  export BERTH_TEST_ROOT="$saved"
}

# fake_upload NAME JSON: a fake registry taking uploads, with faults JSON
fake_upload() {
  printf '{"_upload": %s}' "$2" > "$BATS_TEST_TMPDIR/routes-$1.json"
  fake_registry_start "$1" "$BATS_TEST_TMPDIR/routes-$1.json"
}

@test "push_upload: gzip, Docker schema2: read back by skopeo and berth pull, same image ID" {
  build_big "$REG_HOST/up/gzip:latest"
  local id
  id=$(image_id_of "$REG_HOST/up/gzip:latest")
  run --separate-stderr berth push "$REG_HOST/up/gzip:latest"
  assert_success
  assert_line_eq 0 "The push refers to repository [$REG_HOST/up/gzip]"
  [[ "${lines[-1]}" == "latest: digest: sha256:"*" size: "* ]] || fail_with "no digest line"
  local m
  m=$(manifest_json "$REG_HOST" up/gzip latest)
  [[ "$(jq -r .mediaType <<< "$m")" == application/vnd.docker.distribution.manifest.v2+json ]] ||
    fail_with "not schema2"
  [[ "$(jq -r '[.layers[].mediaType] | unique | join(",")' <<< "$m")" == \
    application/vnd.docker.image.rootfs.diff.tar.gzip ]] || fail_with "not gzip layers"
  [[ "$(image_id "$REG_HOST" up/gzip latest)" == "$id" ]] || fail_with "config digest is not $id"
  read_back "$REG_HOST/up/gzip:latest" "$id"
}

@test "push_upload: zstd in an OCI manifest: read back by skopeo and berth pull, same image ID" {
  build_big "$REG_HOST/up/zstd:latest"
  local id
  id=$(image_id_of "$REG_HOST/up/zstd:latest")
  run --separate-stderr berth push --format oci --compression zstd "$REG_HOST/up/zstd:latest"
  assert_success
  local m
  m=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REG_HOST/v2/up/zstd/manifests/latest")
  [[ "$(jq -r .mediaType <<< "$m")" == application/vnd.oci.image.manifest.v1+json ]] ||
    fail_with "not OCI"
  [[ "$(jq -r .config.mediaType <<< "$m")" == application/vnd.oci.image.config.v1+json ]] ||
    fail_with "not an OCI config type"
  # the busybox base is recompressed too: the pulled blob is gzip
  [[ "$(jq -r '[.layers[].mediaType] | unique | join(",")' <<< "$m")" == \
    application/vnd.oci.image.layer.v1.tar+zstd ]] || fail_with "not zstd layers"
  local d
  d=$(jq -r '.layers[1].digest' <<< "$m")
  curl -sf "http://$REG_HOST/v2/up/zstd/blobs/$d" | head -c 4 | od -An -tx1 | grep -q '28 b5 2f fd' ||
    fail_with "layer is not zstd"
  read_back "$REG_HOST/up/zstd:latest" "$id"
}

@test "push_upload: gzip in an OCI manifest: read back, same image ID; a pulled image's blobs kept" {
  build_big "$REG_HOST/up/ocigz:latest"
  local id
  id=$(image_id_of "$REG_HOST/up/ocigz:latest")
  run --separate-stderr berth push --format oci "$REG_HOST/up/ocigz:latest"
  assert_success
  assert_output_has_line "$(berth image inspect "$REG_HOST/up/ocigz:latest" |
    jq -r '.[0].RootFS.Layers[0][7:19]'): Mounted from library/busybox"
  local m
  m=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REG_HOST/v2/up/ocigz/manifests/latest")
  [[ "$(jq -r .mediaType <<< "$m")" == application/vnd.oci.image.manifest.v1+json ]] ||
    fail_with "not OCI"
  [[ "$(jq -r '[.layers[].mediaType] | unique | join(",")' <<< "$m")" == \
    application/vnd.oci.image.layer.v1.tar+gzip ]] || fail_with "not OCI gzip layers"
  read_back "$REG_HOST/up/ocigz:latest" "$id"
}

@test "push_upload: a big layer goes in 4 MiB PATCH chunks, a small one as one PUT" {
  build_big "$REG_HOST/up/chunks:latest"
  fake_upload UP '{}'
  berth tag "$REG_HOST/up/chunks:latest" "$UP_HOST/x/y:latest"
  run --separate-stderr berth push "$UP_HOST/x/y:latest"
  assert_success
  # 12 MiB of noise: chunks 0-4194303, 4194304-8388607, 8388608-…
  grep -q '^PATCH /v2/x/y/blobs/uploads/u[0-9]* 0-4194303$' "$UP_REQUESTS" || fail_with "no first chunk"
  grep -q '^PATCH /v2/x/y/blobs/uploads/u[0-9]* 4194304-8388607$' "$UP_REQUESTS" ||
    fail_with "no second chunk"
  grep -q '^PATCH /v2/x/y/blobs/uploads/u[0-9]* 8388608-' "$UP_REQUESTS" || fail_with "no third chunk"
  # the chunked blob closed by an empty PUT ?digest=; small ones in one PUT each
  grep -q '^PUT /v2/x/y/blobs/uploads/u[0-9]* 0$' "$UP_REQUESTS" || fail_with "no closing PUT"
  [[ $(grep -c '^PUT /v2/x/y/blobs/uploads/u[0-9]* [1-9]' "$UP_REQUESTS") -ge 3 ]] ||
    fail_with "small blobs not sent whole"
  # (12 MiB and the tar's headers: a fourth, short chunk)
  [[ $(grep '^PATCH ' "$UP_REQUESTS" | cut -d' ' -f2 | sort -u | wc -l) -eq 1 ]] ||
    fail_with "PATCH for a small blob"
  registry_stop UP
}

@test "push_upload: a 500 on a chunk: retried with Docker's words, the push completes" {
  build_big "$REG_HOST/up/f500:latest"
  fake_upload UP '{"fail_patch_first": 1}'
  berth tag "$REG_HOST/up/f500:latest" "$UP_HOST/x/y:latest"
  run --separate-stderr berth push "$UP_HOST/x/y:latest"
  assert_success
  local big
  big=$(berth image inspect "$UP_HOST/x/y:latest" | jq -r '.[0].RootFS.Layers[1][7:19]')
  assert_output_has_line "$big: Retrying in 1 second"
  assert_output_has_line "$big: Pushed"
  # asked where the upload stood, then sent the chunk again
  grep -q '^GET /v2/x/y/blobs/uploads/u[0-9]* 0$' "$UP_REQUESTS" || fail_with "no status asked"
  [[ $(grep -c '^PATCH .* 0-4194303$' "$UP_REQUESTS") -eq 2 ]] || fail_with "chunk not sent again"
  [[ "${lines[-1]}" == "latest: digest: sha256:"* ]] || fail_with "no digest line"
  registry_stop UP
}

@test "push_upload: a connection cut midway: resumed from the registry's Range" {
  build_big "$REG_HOST/up/cut:latest"
  fake_upload UP '{"cut_patch_first": 1}'
  berth tag "$REG_HOST/up/cut:latest" "$UP_HOST/x/y:latest"
  run --separate-stderr berth push "$UP_HOST/x/y:latest"
  assert_success
  # the registry kept half of the first chunk: the rest goes from there
  grep -q '^GET /v2/x/y/blobs/uploads/u[0-9]* 2097152$' "$UP_REQUESTS" || fail_with "no status asked"
  grep -q '^PATCH .* 2097152-4194303$' "$UP_REQUESTS" || fail_with "not resumed from the Range"
  registry_stop UP
}

@test "push_upload: an upload the registry lost: the blob starts over and is made again" {
  build_big "$REG_HOST/up/lost:latest"
  fake_upload UP '{"cut_patch_first": 2, "forget_uploads": true}'
  berth tag "$REG_HOST/up/lost:latest" "$UP_HOST/x/y:latest"
  run --separate-stderr berth push "$UP_HOST/x/y:latest"
  assert_success
  [[ $(grep -c '^POST /v2/x/y/blobs/uploads/' "$UP_REQUESTS") -ge 2 ]] || fail_with "no new upload"
  registry_stop UP
}

@test "push_upload: a 500 on the closing PUT: retried, the push completes" {
  build_big "$REG_HOST/up/put500:latest"
  fake_upload UP '{"fail_put_first": 1}'
  berth tag "$REG_HOST/up/put500:latest" "$UP_HOST/x/y:latest"
  run --separate-stderr berth push "$UP_HOST/x/y:latest"
  assert_success
  [[ "$output" == *": Retrying in 1 second"* ]] || fail_with "no retry shown"
  registry_stop UP
}

@test "push_upload: a registry that always answers 500: tried 5 times, an error naming the blob, store unchanged" {
  build_big "$REG_HOST/up/always:latest"
  fake_upload UP '{"always_status": 500}'
  berth tag "$REG_HOST/up/always:latest" "$UP_HOST/x/y:latest"
  store_snapshot
  run --separate-stderr berth push "$UP_HOST/x/y:latest"
  [[ "$status" -eq 1 ]] || fail_with "exit $status"
  assert_one_line_error
  [[ "$stderr" == "Error: blob "*"sha256:"*": tried 5 times: unknown: try again" ]] ||
    fail_with "wrong error"
  assert_output_has_line "$(berth image inspect "$UP_HOST/x/y:latest" |
    jq -r '.[0].RootFS.Layers[1][7:19]'): Retrying in 8 seconds"
  assert_store_unchanged
  registry_stop UP
}

@test "push_upload: 403 and 404 on an upload are not retried: an error naming the blob, store unchanged" {
  build_big "$REG_HOST/up/denied:latest"
  local code
  for code in 403 404; do
    fake_upload UP "{\"always_status\": $code}"
    berth tag "$REG_HOST/up/denied:latest" "$UP_HOST/x/y:latest"
    store_snapshot
    run --separate-stderr berth push "$UP_HOST/x/y:latest"
    [[ "$status" -eq 1 ]] || fail_with "exit $status"
    assert_one_line_error
    # the first refused: the big layer's first chunk or a small blob's PUT
    [[ "$stderr" == "Error: blob "*"sha256:"*": unknown: try again" ]] || fail_with "wrong error ($code)"
    [[ "$output" != *Retrying* ]] || fail_with "retried a $code"
    [[ $(grep -c '^PATCH ' "$UP_REQUESTS") -le 1 ]] || fail_with "more than one PATCH ($code)"
    assert_store_unchanged
    registry_stop UP
  done
}

@test "push_upload: zstd needs --format oci; unknown values are refused; store unchanged" {
  berth pull -q "$REG_HOST/library/busybox:latest" > /dev/null
  store_snapshot
  run --separate-stderr berth push --compression zstd "$REG_HOST/library/busybox:latest"
  [[ "$status" -eq 1 ]] || fail_with "exit $status"
  assert_one_line_error
  [[ "$stderr" == *"--compression zstd needs --format oci"* ]] || fail_with "wrong error"
  run --separate-stderr berth push --compression lz4 "$REG_HOST/library/busybox:latest"
  [[ "$status" -ne 0 && "$stderr" == *'invalid argument "lz4" for "--compression" flag'* ]] ||
    fail_with "lz4 taken"
  run --separate-stderr berth push --format v1 "$REG_HOST/library/busybox:latest"
  [[ "$status" -ne 0 && "$stderr" == *'invalid argument "v1" for "--format" flag'* ]] ||
    fail_with "v1 taken"
  run --separate-stderr berth push -a "$REG_HOST/library/busybox:latest"
  [[ "$status" -eq 1 && "$stderr" == *"tag can't be used with --all-tags/-a"* ]] ||
    fail_with "-a with a tag taken"
  assert_store_unchanged
}

@test "push_upload: a layer made once is found again by its recorded digest (mount, HEAD), -a and -q" {
  build_big "$REG_HOST/up/first:1"
  berth tag "$REG_HOST/up/first:1" "$REG_HOST/up/first:2"
  run --separate-stderr berth push -a "$REG_HOST/up/first"
  assert_success
  assert_line_eq 0 "The push refers to repository [$REG_HOST/up/first]"
  [[ $(grep -c '^1: digest: sha256:' <<< "$output") -eq 1 ]] || fail_with "tag 1 not pushed"
  [[ $(grep -c '^2: digest: sha256:' <<< "$output") -eq 1 ]] || fail_with "tag 2 not pushed"
  [[ "$(manifest_digest "$REG_HOST" up/first 1)" == "$(manifest_digest "$REG_HOST" up/first 2)" ]] ||
    fail_with "two digests"
  local big
  big=$(berth image inspect "$REG_HOST/up/first:1" | jq -r '.[0].RootFS.Layers[1][7:19]')
  # the second tag: every blob already there
  [[ $(grep -c "^$big: Layer already exists$" <<< "$output") -eq 1 ]] || fail_with "tag 2 made it again"
  # to another repository: mounted from the first, not made again
  berth tag "$REG_HOST/up/first:1" "$REG_HOST/up/second:1"
  run --separate-stderr berth push "$REG_HOST/up/second:1"
  assert_success
  assert_output_has_line "$big: Mounted from up/first"
  [[ "$(manifest_digest "$REG_HOST" up/second 1)" == "$(manifest_digest "$REG_HOST" up/first 1)" ]] ||
    fail_with "digest changed"
  run --separate-stderr berth push -q "$REG_HOST/up/second:1"
  assert_success
  [[ "$output" == "$REG_HOST/up/second:1" ]] || fail_with "-q printed more"
}

@test "push_upload: a zstd layer made once is found again (mount), a gzip push does not take it" {
  build_big "$REG_HOST/upz/first:1"
  run --separate-stderr berth push --format oci --compression zstd "$REG_HOST/upz/first:1"
  assert_success
  local big
  big=$(berth image inspect "$REG_HOST/upz/first:1" | jq -r '.[0].RootFS.Layers[1][7:19]')
  assert_output_has_line "$big: Pushed"
  berth tag "$REG_HOST/upz/first:1" "$REG_HOST/upz/second:1"
  run --separate-stderr berth push --format oci --compression zstd "$REG_HOST/upz/second:1"
  assert_success
  assert_output_has_line "$big: Mounted from upz/first"
  [[ "$(manifest_digest "$REG_HOST" upz/second 1)" == "$(manifest_digest "$REG_HOST" upz/first 1)" ]] ||
    fail_with "digest changed"
  # gzip wants a gzip blob: the zstd one recorded for the same diffID is not it
  berth tag "$REG_HOST/upz/first:1" "$REG_HOST/upz/third:1"
  run --separate-stderr berth push "$REG_HOST/upz/third:1"
  assert_success
  assert_output_has_line "$big: Pushed"
  [[ "$(skopeo inspect --raw --tls-verify=false "docker://$REG_HOST/upz/third:1" | jq -r '.layers[].mediaType' | sort -u)" \
    == application/vnd.docker.image.rootfs.diff.tar.gzip ]] || fail_with "not gzip layers"
}
