#!/usr/bin/env bats
# berth push to docker-registry on 127.0.0.1 (issue 8, push), read back by
# skopeo and by berth pull into a fresh store; bad inputs.

load lib/common

setup_file() {
  registry_with_fixtures REG plain basic
}

teardown_file() {
  registry_stop REG
}

PUSH_LINE_RE='^[0-9a-f]{12}: (Preparing|Waiting|Pushed|Layer already exists|Mounted from [a-z0-9/._-]+)$'

# check_push_output REPO TAG STATUS [BOTTOM]: Docker's non-terminal push
# output, every layer of the image STATUS ("Pushed", "Layer already exists",
# "Mounted from R"), but the bottom one BOTTOM when given
check_push_output() {
  local repo="$1" tag="$2" want="$3" bottom="${4:-$3}" l digest size diff n=0
  digest=$(manifest_digest "$REG_HOST" "$repo" "$tag")
  size=$(manifest_json "$REG_HOST" "$repo" "$tag" | wc -c)
  assert_line_eq 0 "The push refers to repository [$REG_HOST/$repo]"
  assert_line_eq -1 "$tag: digest: $digest size: $size"
  for l in "${lines[@]:1:${#lines[@]}-2}"; do
    [[ "$l" =~ $PUSH_LINE_RE ]] || fail_with "unexpected progress line '$l'"
  done
  for diff in $(berth image inspect "$REG_HOST/$repo:$tag" | jq -r '.[0].RootFS.Layers[]'); do
    assert_output_has_line "${diff:7:12}: Preparing"
    if ((n++ == 0)); then
      assert_output_has_line "${diff:7:12}: $bottom"
    else
      assert_output_has_line "${diff:7:12}: $want"
    fi
  done
}

image_id_of() {
  berth image inspect "$1" | jq -r '.[0].Id'
}

# build_image NAME: busybox (pulled from REG) plus a file, built by berth
build_image() {
  local ctx="$BATS_TEST_TMPDIR/ctx"
  mkdir -p "$ctx"
  echo "pushed by berth" > "$ctx/hello.txt"
  printf 'FROM %s/library/busybox:latest\nCOPY hello.txt /hello.txt\n' "$REG_HOST" > "$ctx/Dockerfile"
  berth pull -q "$REG_HOST/library/busybox:latest" > /dev/null
  run --separate-stderr berth build -q -t "$1" "$ctx"
  assert_success
}

@test "push: a built image, read back by skopeo and by berth pull into a fresh store" {
  require_tool skopeo
  build_image "$REG_HOST/push/built:latest"
  run --separate-stderr berth push "$REG_HOST/push/built:latest"
  assert_success
  # The base layer, pulled from library/busybox on this registry, is mounted
  # from there (the store recorded its blob), as Docker does.
  check_push_output push/built latest Pushed "Mounted from library/busybox"

  # The registry serves what the store holds: the config is the image ID.
  local id
  id=$(image_id_of "$REG_HOST/push/built:latest")
  [[ "$(image_id "$REG_HOST" push/built latest)" == "$id" ]] || fail_with "config digest is not $id"
  run skopeo inspect --tls-verify=false "docker://$REG_HOST/push/built:latest"
  assert_success
  [[ "$(jq -r .Digest <<< "$output")" == "$(manifest_digest "$REG_HOST" push/built latest)" ]] ||
    fail_with "skopeo sees another digest"
  run skopeo copy --src-tls-verify=false "docker://$REG_HOST/push/built:latest" \
    "oci:$BATS_TEST_TMPDIR/copy:x"
  assert_success

  # Pulled back into a fresh store: the same image, and it runs.
  export BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/fresh"
  mkdir -p "$BERTH_TEST_ROOT"
  run --separate-stderr berth pull "$REG_HOST/push/built:latest"
  assert_success
  [[ "$(image_id_of "$REG_HOST/push/built:latest")" == "$id" ]] ||
    fail_with "pulled back as another image"
  run --separate-stderr berth run --rm "$REG_HOST/push/built:latest" cat /hello.txt
  assert_success
  [[ "$output" == "pushed by berth" ]] || fail_with "the pulled image does not run"
}

@test "push: a second push finds every layer already there, same digest" {
  build_image "$REG_HOST/push/twice:latest"
  run --separate-stderr berth push "$REG_HOST/push/twice:latest"
  assert_success
  local first
  first=$(manifest_digest "$REG_HOST" push/twice latest)
  run --separate-stderr berth push "$REG_HOST/push/twice:latest"
  assert_success
  check_push_output push/twice latest "Layer already exists"
  [[ "$(manifest_digest "$REG_HOST" push/twice latest)" == "$first" ]] || fail_with "digest changed"
}

@test "push: busybox pulled from the registry, to another repository (mounted) and back to its own: digests kept" {
  berth pull -q "$REG_HOST/library/busybox:latest" > /dev/null
  local id digest
  id=$(image_id_of "$REG_HOST/library/busybox:latest")
  digest=$(manifest_digest "$REG_HOST" library/busybox latest)
  berth tag "$REG_HOST/library/busybox:latest" "$REG_HOST/other/busybox:1"
  run --separate-stderr berth push "$REG_HOST/other/busybox:1"
  assert_success
  check_push_output other/busybox 1 "Mounted from library/busybox"
  [[ "$(manifest_digest "$REG_HOST" other/busybox 1)" == "$digest" ]] || fail_with "digest changed"
  [[ "$(image_id "$REG_HOST" other/busybox 1)" == "$id" ]] || fail_with "config digest changed"

  berth tag "$REG_HOST/library/busybox:latest" "$REG_HOST/library/busybox:again"
  run --separate-stderr berth push "$REG_HOST/library/busybox:again"
  assert_success
  check_push_output library/busybox again "Layer already exists"
  [[ "$(manifest_digest "$REG_HOST" library/busybox again)" == "$digest" ]] || fail_with "digest changed"

  export BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/fresh"
  mkdir -p "$BERTH_TEST_ROOT"
  berth pull -q "$REG_HOST/other/busybox:1" > /dev/null
  [[ "$(image_id_of "$REG_HOST/other/busybox:1")" == "$id" ]] || fail_with "pulled back as another image"
}

@test "push: an unknown image is refused by name" {
  berth images > /dev/null # the store exists
  store_snapshot
  run --separate-stderr berth push "$REG_HOST/push/nosuch:latest"
  assert_one_line_error
  [[ "$status" -eq 1 ]] || fail_with "exit $status"
  [[ "$stderr" == "Error: An image does not exist locally with the tag: $REG_HOST/push/nosuch" ]] ||
    fail_with "wrong error"
  assert_store_unchanged
}

@test "push: a name without a registry host is refused before any request" {
  fake_registry_start HUB "$(printf '{}' > "$BATS_TEST_TMPDIR/routes.json"; echo "$BATS_TEST_TMPDIR/routes.json")"
  berth pull -q "$REG_HOST/library/busybox:latest" > /dev/null
  berth tag "$REG_HOST/library/busybox:latest" busybox:latest
  store_snapshot
  # Were it to try Docker Hub, it would go through this proxy.
  HTTPS_PROXY="http://$HUB_HOST" HTTP_PROXY="http://$HUB_HOST" \
    run --separate-stderr berth push busybox
  assert_one_line_error
  [[ "$status" -eq 1 ]] || fail_with "exit $status"
  [[ "$stderr" == *"busybox names no registry host and would go to Docker Hub"* ]] ||
    fail_with "wrong error"
  # (its own start-up check asked for /v2/)
  ! grep -v '^/v2/ 0$' "$HUB_REQUESTS" || fail_with "a request was made"
  assert_store_unchanged
  registry_stop HUB
}

@test "push: a registry refusing the blob upload (401, 404) is an error naming the blob" {
  berth pull -q "$REG_HOST/library/busybox:latest" > /dev/null
  local status_code diff
  diff=$(berth image inspect "$REG_HOST/library/busybox:latest" | jq -r '.[0].RootFS.Layers[0]')
  for status_code in 401 404; do
    printf '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}' \
      > "$BATS_TEST_TMPDIR/denied.json"
    printf '{"/v2/x/y/blobs/uploads/": {"file": "%s", "type": "application/json", "status": %s}}' \
      "$BATS_TEST_TMPDIR/denied.json" "$status_code" > "$BATS_TEST_TMPDIR/routes.json"
    fake_registry_start DENY "$BATS_TEST_TMPDIR/routes.json"
    berth tag "$REG_HOST/library/busybox:latest" "$DENY_HOST/x/y:latest"
    store_snapshot
    run --separate-stderr berth push "$DENY_HOST/x/y:latest"
    [[ "$status" -eq 1 ]] || fail_with "exit $status"
    [[ "$output" == *"${diff:7:12}: Preparing"* ]] || fail_with "no progress"
    local err_line
    err_line=$(grep . <<< "$stderr")
    [[ "$err_line" == "Error: blob sha256:"*": requested access to the resource is denied" ]] ||
      fail_with "wrong error ($status_code)"
    grep -q '^/v2/x/y/blobs/uploads/ ' "$DENY_REQUESTS" || fail_with "no upload was asked"
    assert_store_unchanged
    registry_stop DENY
  done
}
