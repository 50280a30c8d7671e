#!/usr/bin/env bats
# push of a pulled image to ANOTHER registry (issue 8, push: "a pulled image
# pushed back unchanged to its registry or another keeps its manifest digest
# and its layer digests"): each layer's exact blob is relayed from the
# registry it was pulled from; only when none has it any more is it
# compressed again, and berth says that the digest changed.

load lib/common

setup_file() {
  registry_with_fixtures A plain basic layered
  registry_with_fixtures TOK token basic
  registry_start B plain
  registry_start C plain
}

teardown_file() {
  registry_stop A
  registry_stop TOK
  registry_stop B
  registry_stop C
}

layers_of() { # HOST REPO TAG: the manifest's layer digests, one a line
  manifest_json "$1" "$2" "$3" | jq -r '.layers[].digest'
}

@test "push relay: pulled from A, pushed to B: the same manifest digest and layer digests, skopeo agrees" {
  require_tool skopeo
  local repo
  for repo in library/busybox:latest test/layered:1; do
    berth pull -q "$A_HOST/$repo" > /dev/null
    berth tag "$A_HOST/$repo" "$B_HOST/relay/${repo#*/}"
    run --separate-stderr berth push "$B_HOST/relay/${repo#*/}"
    assert_success
    [[ -z "$stderr" ]] || fail_with "push said: $stderr"
    local name="${repo%%:*}" tag="${repo#*:}" want
    want=$(manifest_digest "$A_HOST" "$name" "$tag")
    assert_line_eq -1 "$tag: digest: $want size: $(manifest_json "$A_HOST" "$name" "$tag" | wc -c)"
    assert_output_lacks_line "Note:"
    [[ "$(manifest_digest "$B_HOST" "relay/${name#*/}" "$tag")" == "$want" ]] ||
      fail_with "B serves another digest for $repo"
    [[ "$(layers_of "$B_HOST" "relay/${name#*/}" "$tag")" == "$(layers_of "$A_HOST" "$name" "$tag")" ]] ||
      fail_with "other layers on B"
    run skopeo inspect --tls-verify=false "docker://$B_HOST/relay/${repo#*/}"
    assert_success
    [[ "$(jq -r .Digest <<< "$output")" == "$want" ]] || fail_with "skopeo sees another digest"
    [[ "$(jq -r '.Layers[]' <<< "$output")" == "$(layers_of "$A_HOST" "$name" "$tag")" ]] ||
      fail_with "skopeo sees other layers"
    # B's blobs are A's bytes, whole.
    local l
    for l in $(layers_of "$A_HOST" "$name" "$tag"); do
      cmp -s "$(registry_blob_path A "$l")" "$(registry_blob_path B "$l")" || fail_with "blob $l differs"
    done
  done
  # Pulled back from B into a fresh store: the same image.
  local id
  id=$(berth image inspect "$B_HOST/relay/layered:1" | jq -r '.[0].Id')
  export BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/fresh"
  mkdir -p "$BERTH_TEST_ROOT"
  run --separate-stderr berth pull -q "$B_HOST/relay/layered:1"
  assert_success
  [[ "$(berth image inspect "$B_HOST/relay/layered:1" | jq -r '.[0].Id')" == "$id" ]] ||
    fail_with "pulled back as another image"
}

@test "push relay: the source's own credentials (token auth) fetch the blobs it relays" {
  local auth
  auth=$(printf '%s:%s' "$TOK_USER" "$TOK_PASS" | base64 -w0)
  jq -n --arg h "$TOK_HOST" --arg a "$auth" '{auths:{($h):{auth:$a}}}' > "$DOCKER_CONFIG/config.json"
  berth pull -q "$TOK_HOST/library/busybox:latest" > /dev/null
  : > "$TOK_DIR/token.log"
  berth tag "$TOK_HOST/library/busybox:latest" "$B_HOST/relay/fromtok:1"
  run --separate-stderr berth push "$B_HOST/relay/fromtok:1"
  assert_success
  [[ -z "$stderr" ]] || fail_with "push said: $stderr"
  local want
  want=$(curl -sf -I -H "Accept: $ACCEPT_MANIFESTS" "http://$B_HOST/v2/relay/fromtok/manifests/1" |
    tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }')
  [[ "$(berth image inspect "$TOK_HOST/library/busybox:latest" | jq -r '.[0].RepoDigests[0]')" == *"@$want" ]] ||
    fail_with "B serves $want, not the pulled digest"
  grep -q "granted $TOK_USER/user" "$TOK_DIR/token.log" || fail_with "no token for the user: $(cat "$TOK_DIR/token.log")"
}

@test "push relay: a source serving bytes that are not the blob is not relayed: compressed again" {
  berth pull -q "$A_HOST/test/layered:1" > /dev/null
  local was top
  was=$(manifest_digest "$A_HOST" test/layered 1)
  top=$(layers_of "$A_HOST" test/layered 1 | tail -n1)
  # Damaged in A's storage (same size): A still says it has the blob.
  local f
  f=$(registry_blob_path A "$top")
  head -c "$(stat -c %s "$f")" /dev/zero | tr '\0' 'X' > "$f.new" && mv "$f.new" "$f"
  berth tag "$A_HOST/test/layered:1" "$B_HOST/relay/damaged:1"
  run --separate-stderr berth push "$B_HOST/relay/damaged:1"
  assert_success
  [[ "$stderr" == "Note: the digest changed: this image was pulled as $was"* ]] || fail_with "stderr: $stderr"
  [[ "$(manifest_digest "$B_HOST" relay/damaged 1)" != "$was" ]] || fail_with "the digest was kept"
  # Whatever B holds under that digest is the true blob (the layer compressed
  # here may well come out byte for byte the same), never A's damaged bytes.
  local bf
  bf=$(registry_blob_path B "$top")
  if [[ -f "$bf" ]]; then
    [[ "sha256:$(sha256sum < "$bf" | cut -d' ' -f1)" == "$top" ]] || fail_with "B holds damaged bytes as $top"
  fi
  # The layer pushed is the layer's true tar: B's image pulls and verifies.
  export BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/fresh"
  mkdir -p "$BERTH_TEST_ROOT"
  run --separate-stderr berth pull -q "$B_HOST/relay/damaged:1"
  assert_success
  run --separate-stderr berth verify "$B_HOST/relay/damaged:1"
  assert_success
}

@test "push relay: with A gone, a push to C compresses again, with a new digest and a note saying so" {
  berth pull -q "$A_HOST/library/busybox:latest" > /dev/null
  local was
  was=$(manifest_digest "$A_HOST" library/busybox latest)
  registry_stop A
  berth tag "$A_HOST/library/busybox:latest" "$C_HOST/relay/bb:1"
  run --separate-stderr berth push "$C_HOST/relay/bb:1"
  assert_success
  [[ "$stderr" == "Note: the digest changed: this image was pulled as $was, but neither this registry nor any registry it came from has its layers' blobs, so they were compressed again" ]] ||
    fail_with "stderr: $stderr"
  local now
  now=$(manifest_digest "$C_HOST" relay/bb 1)
  [[ -n "$now" && "$now" != "$was" ]] || fail_with "the digest did not change ($now)"
  assert_line_eq -1 "1: digest: $now size: $(manifest_json "$C_HOST" relay/bb 1 | wc -c)"
  # The new blobs are the layers' tars: C serves an image with the same diffIDs.
  [[ "$(image_id "$C_HOST" relay/bb 1)" == "$(berth image inspect "$C_HOST/relay/bb:1" | jq -r '.[0].Id')" ]] ||
    fail_with "C serves another config"
}
