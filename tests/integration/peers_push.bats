#!/usr/bin/env bats
# push against real registries (issue 8, "Tests against real peers"): the
# Debian docker-registry with htpasswd auth over TLS and with token auth
# (lib/registry.bash, as auth.bats starts them), refusals worded as Docker
# 20.10 words them (its client, on a private dockerd, pushes beside berth),
# and a second registry on another loopback port read back by skopeo.
# push.bats covers the plain registry (skopeo read-back, mounts, kept
# digests, refusals by a fake registry).

load lib/common
load lib/dockerd

setup_file() {
  require_tool docker-registry skopeo
  registry_with_fixtures REG plain basic
  registry_with_fixtures TLS tls basic
  registry_with_fixtures TOK token basic
  registry_start REG2 plain
  dockerd_start "$BATS_FILE_TMPDIR/dockerd"
}

teardown_file() {
  dockerd_stop
  registry_stop REG
  registry_stop TLS
  registry_stop TOK
  registry_stop REG2
}

setup() {
  common_setup
  BB="$REG_HOST/library/busybox:latest"
}

teardown() {
  dockerd_reset
  common_teardown
}

# write_creds HOST USER PASS: a Docker config.json with "auths" (berth's
# and Docker's client read the same $DOCKER_CONFIG)
write_creds() {
  local auth
  auth=$(printf '%s:%s' "$2" "$3" | base64 -w0)
  jq -n --arg h "$1" --arg a "$auth" '{auths:{($h):{auth:$a}}}' > "$DOCKER_CONFIG/config.json"
  chmod 600 "$DOCKER_CONFIG/config.json"
}

sk() {
  skopeo --insecure-policy "$@"
}

image_id_of() {
  berth image inspect "$1" | jq -r '.[0].Id'
}

# build_image NAME: busybox (pulled from REG) plus a file, built by berth:
# its layer is compressed by the push
build_image() {
  local ctx="$BATS_TEST_TMPDIR/ctx"
  mkdir -p "$ctx"
  echo "pushed by berth" > "$ctx/hello.txt"
  printf 'FROM %s\nCOPY hello.txt /hello.txt\n' "$BB" > "$ctx/Dockerfile"
  berth pull -q "$BB" > /dev/null
  run --separate-stderr berth build -q -t "$1" "$ctx"
  [[ "$status" -eq 0 ]] || fail_with "build failed: $stderr"
}

# pushed_ok REF DIGEST_LINE: berth's last line names the manifest skopeo
# (with $SK_CREDS) reads back; that manifest's config is the image ID.
pushed_ok() {
  local ref="$1" tag="${1##*:}" digest
  digest=$(awk -v t="$tag:" '$1 == t && $2 == "digest:" { print $3 }' <<< "$output")
  [[ -n "$digest" ]] || fail_with "no digest line"
  run sk inspect "${SK_CREDS[@]}" --raw "docker://$ref"
  assert_success
  [[ "sha256:$(printf '%s' "$output" | sha256sum | cut -d' ' -f1)" == "$digest" ]] ||
    fail_with "the registry holds another manifest than berth printed"
  [[ "$(jq -r .config.digest <<< "$output")" == "$(image_id_of "$ref")" ]] ||
    fail_with "the config is not the image"
}

@test "peers_push: htpasswd + TLS: push with credentials and the test CA, read back by skopeo, pulled into a fresh store" {
  export BERTH_CERTS_D="$TLS_CERTS_D"
  build_image "$TLS_HOST/push/built:1"
  write_creds "$TLS_HOST" "$TLS_ADMIN_USER" "$TLS_ADMIN_PASS"
  run --separate-stderr berth push "$TLS_HOST/push/built:1"
  [[ "$status" -eq 0 ]] || fail_with "push failed: $stderr"
  assert_line_eq 0 "The push refers to repository [$TLS_HOST/push/built]"
  SK_CREDS=(--cert-dir "$TLS_CERTS_D/$TLS_HOST" --creds "$TLS_ADMIN_USER:$TLS_ADMIN_PASS")
  pushed_ok "$TLS_HOST/push/built:1"
  local id
  id=$(image_id_of "$TLS_HOST/push/built:1")
  # the image as it went: skopeo's copy of it, layers uncompressed, is
  # berth's diffIDs
  run sk copy -q --src-cert-dir "$TLS_CERTS_D/$TLS_HOST" --src-creds "$TLS_USER:$TLS_PASS" \
    "docker://$TLS_HOST/push/built:1" "docker-archive:$BATS_TEST_TMPDIR/b.tar:x/y:1"
  assert_success
  export BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/fresh"
  mkdir -p "$BERTH_TEST_ROOT"
  write_creds "$TLS_HOST" "$TLS_USER" "$TLS_PASS"
  run --separate-stderr berth pull -q "$TLS_HOST/push/built:1"
  [[ "$status" -eq 0 ]] || fail_with "pull failed: $stderr"
  [[ "$(image_id_of "$TLS_HOST/push/built:1")" == "$id" ]] || fail_with "pulled back as another image"
  run --separate-stderr berth load -i "$BATS_TEST_TMPDIR/b.tar"
  assert_success
  [[ "$(image_id_of x/y:1)" == "$id" ]] || fail_with "skopeo's copy is another image"
}

# docker_words REF: the error line Docker 20.10's client prints for a push
# of REF (the image pulled from REG and tagged), with the same config.json
docker_words() {
  dk pull -q "$BB" > /dev/null
  dk tag "$BB" "$1"
  run --separate-stderr dk push "$1"
  [[ "$status" -eq 1 ]] || fail_with "docker push: exit $status"
  grep . <<< "$stderr" | tail -n 1
}

# refused_push REF WORDS: berth push REF fails with one line, "Error: blob
# sha256:…: WORDS", and the store is as it was
refused_push() {
  berth images > /dev/null
  store_snapshot
  run --separate-stderr berth push "$1"
  assert_one_line_error
  [[ "$status" -eq 1 ]] || fail_with "exit $status"
  [[ "$stderr" =~ ^Error:\ blob\ sha256:[0-9a-f]{64}:\ (.*)$ ]] || fail_with "not an error naming the blob"
  [[ "${BASH_REMATCH[1]}" == "$2" ]] || fail_with "expected the words: $2"
  assert_line_eq 0 "The push refers to repository [${1%:*}]"
  assert_store_unchanged
}

@test "peers_push: htpasswd + TLS: a wrong password (401, Docker's words), no credentials: nothing pushed" {
  export BERTH_CERTS_D="$TLS_CERTS_D"
  berth pull -q "$BB" > /dev/null
  local ref="$TLS_HOST/push/refused:1" words
  berth tag "$BB" "$ref"
  # (Docker's daemon takes a registry on 127.0.0.0/8 as insecure: TLS
  # without checking the certificate, so it needs no test CA)
  write_creds "$TLS_HOST" "$TLS_ADMIN_USER" wrong
  words=$(docker_words "$ref")
  [[ "$words" == "unauthorized: authentication required" ]] || fail_with "docker says: $words"
  refused_push "$ref" "$words"
  # without credentials Docker's client does not send the request and says
  # "no basic auth credentials"; berth sends it and gives the registry's 401
  rm "$DOCKER_CONFIG/config.json"
  refused_push "$ref" "unauthorized: authentication required"
  run sk inspect --cert-dir "$TLS_CERTS_D/$TLS_HOST" --creds "$TLS_ADMIN_USER:$TLS_ADMIN_PASS" \
    "docker://$TLS_HOST/push/refused:1"
  assert_failure
}

@test "peers_push: token auth: push with a pushing account, read back by skopeo; again: every layer already there" {
  build_image "$TOK_HOST/push/built:1"
  write_creds "$TOK_HOST" "$TOK_ADMIN_USER" "$TOK_ADMIN_PASS"
  run --separate-stderr berth push "$TOK_HOST/push/built:1"
  [[ "$status" -eq 0 ]] || fail_with "push failed: $stderr"
  SK_CREDS=(--tls-verify=false --creds "$TOK_ADMIN_USER:$TOK_ADMIN_PASS")
  pushed_ok "$TOK_HOST/push/built:1"
  grep -q "granted $TOK_ADMIN_USER/admin .*push/built.*push" "$TOK_DIR/token.log" ||
    fail_with "no push token was asked"
  run --separate-stderr berth push "$TOK_HOST/push/built:1"
  assert_success
  local n
  n=$(berth image inspect "$TOK_HOST/push/built:1" | jq '.[0].RootFS.Layers | length')
  [[ "$(grep -c ': Layer already exists$' <<< "$output")" -eq "$n" ]] || fail_with "pushed again"
}

@test "peers_push: token auth: a pulled image pushed to another repository is mounted (the token asks the source's pull), digests kept" {
  write_creds "$TOK_HOST" "$TOK_ADMIN_USER" "$TOK_ADMIN_PASS"
  run --separate-stderr berth pull -q "$TOK_HOST/library/busybox:latest"
  [[ "$status" -eq 0 ]] || fail_with "pull failed: $stderr"
  local digest diff
  digest=$(sk inspect --tls-verify=false --creds "$TOK_USER:$TOK_PASS" "docker://$TOK_HOST/library/busybox:latest" | jq -r .Digest)
  berth tag "$TOK_HOST/library/busybox:latest" "$TOK_HOST/other/busybox:1"
  run --separate-stderr berth push "$TOK_HOST/other/busybox:1"
  [[ "$status" -eq 0 ]] || fail_with "push failed: $stderr"
  # the registry asks, in its challenge to the mount, pull on the source
  # too: the token berth asks again has both, as Docker's has up front
  for diff in $(berth image inspect "$TOK_HOST/other/busybox:1" | jq -r '.[0].RootFS.Layers[]'); do
    assert_output_has_line "${diff:7:12}: Mounted from library/busybox"
  done
  assert_line_eq -1 "1: digest: $digest size: $(sk inspect --raw --tls-verify=false --creds "$TOK_USER:$TOK_PASS" "docker://$TOK_HOST/library/busybox:latest" | wc -c)"
  grep -q "granted $TOK_ADMIN_USER/admin .*other/busybox.*library/busybox" "$TOK_DIR/token.log" ||
    fail_with "no token for both repositories"
  [[ "$(sk inspect --tls-verify=false --creds "$TOK_USER:$TOK_PASS" "docker://$TOK_HOST/other/busybox:1" | jq -r .Digest)" == "$digest" ]] ||
    fail_with "another manifest"
}

@test "peers_push: token auth: a wrong password (401), a pull-only account and no account (no push in the token): Docker's words, nothing pushed" {
  berth pull -q "$BB" > /dev/null
  local ref="$TOK_HOST/push/refused:1" words
  berth tag "$BB" "$ref"
  write_creds "$TOK_HOST" "$TOK_ADMIN_USER" wrong
  words=$(docker_words "$ref")
  [[ "$words" == "unauthorized: authentication failed" ]] || fail_with "docker says: $words"
  refused_push "$ref" "$words"
  # a token without push: the registry's 401 says "authentication
  # required" in its body and error="insufficient_scope" in its challenge,
  # which Docker's client reads first
  write_creds "$TOK_HOST" "$TOK_USER" "$TOK_PASS"
  words=$(docker_words "$ref")
  [[ "$words" == "denied: requested access to the resource is denied" ]] || fail_with "docker says: $words"
  refused_push "$ref" "$words"
  grep -q "granted $TOK_USER/user .*push/refused.*pull" "$TOK_DIR/token.log" || fail_with "no token asked"
  rm "$DOCKER_CONFIG/config.json"
  words=$(docker_words "$ref")
  [[ "$words" == "denied: requested access to the resource is denied" ]] || fail_with "docker says: $words"
  refused_push "$ref" "$words"
  run sk inspect --tls-verify=false --creds "$TOK_ADMIN_USER:$TOK_ADMIN_PASS" "docker://$ref"
  assert_failure
}

@test "peers_push: to a second registry: skopeo copies it back, config and layer digests as berth pushed them; a push again finds them" {
  require_tool skopeo
  build_image "$REG_HOST/push/two:1"
  berth push "$REG_HOST/push/two:1" > /dev/null
  local ref
  for ref in "$REG2_HOST/push/two:1" "$REG2_HOST/library/busybox:1"; do
    if [[ "$ref" == *busybox* ]]; then
      berth tag "$BB" "$ref"
    else
      berth tag "$REG_HOST/push/two:1" "$ref"
    fi
    run --separate-stderr berth push "$ref"
    [[ "$status" -eq 0 ]] || fail_with "$ref: push failed: $stderr"
    SK_CREDS=(--tls-verify=false)
    pushed_ok "$ref"
    local m="$output" dir="$BATS_TEST_TMPDIR/copy-${ref##*/}"
    # to a dir: layout, where skopeo keeps the manifest and every blob as
    # the registry serves them (to oci: it would write an OCI manifest and
    # its config again): the manifest berth pushed, the config the image's
    # bytes, each layer the blob berth's manifest names, whose uncompressed
    # sha256 is the diffID
    run sk copy -q --src-tls-verify=false "docker://$ref" "dir:$dir"
    assert_success
    cmp "$dir/manifest.json" <(printf '%s' "$m") || fail_with "$ref: another manifest"
    local id nl=0 d
    id=$(image_id_of "$ref")
    [[ -f "$dir/${id#sha256:}" ]] || fail_with "$ref: no config $id"
    cmp "$dir/${id#sha256:}" "$BERTH_TEST_ROOT/image/overlay2/imagedb/content/sha256/${id#sha256:}"
    for d in $(jq -r '.layers[].digest' <<< "$m"); do
      [[ "$(sha256sum < "$dir/${d#sha256:}" | cut -d' ' -f1)" == "${d#sha256:}" ]] ||
        fail_with "$ref: layer $d"
      [[ "sha256:$(gzip -dc "$dir/${d#sha256:}" | sha256sum | cut -d' ' -f1)" == \
        "$(berth image inspect "$ref" | jq -r ".[0].RootFS.Layers[$nl]")" ]] || fail_with "$ref: diffID $nl"
      nl=$((nl + 1))
    done
    # ($nl, not $i: a bats helper run calls sets a global i)
    # the first registry has the same config; what berth records of the
    # second makes a push again a HEAD per layer
    local src=push/two tag=1
    [[ "$ref" != *busybox* ]] || { src=library/busybox; tag=latest; }
    [[ "$(image_id "$REG_HOST" "$src" "$tag")" == "$id" ]] || fail_with "$ref: another config on the first registry"
    run --separate-stderr berth push "$ref"
    assert_success
    [[ "$(grep -c ': Layer already exists$' <<< "$output")" -eq "$nl" ]] || fail_with "$ref: pushed again"
  done
}

@test "peers_push: what berth pushed, docker pull and podman pull get as the same image, and run it" {
  require_tool podman runc
  build_image "$REG2_HOST/push/peers:1"
  run --separate-stderr berth push "$REG2_HOST/push/peers:1"
  [[ "$status" -eq 0 ]] || fail_with "push failed: $stderr"
  local id
  id=$(image_id_of "$REG2_HOST/push/peers:1")
  run dk pull -q "$REG2_HOST/push/peers:1"
  [[ "$status" -eq 0 ]] || fail_with "docker pull: $output"
  [[ "$(dk inspect -f '{{.Id}}' "$REG2_HOST/push/peers:1")" == "$id" ]] || fail_with "docker has another id"
  [[ "$(dk run --rm --network none "$REG2_HOST/push/peers:1" cat /hello.txt)" == "pushed by berth" ]] ||
    fail_with "docker run"
  local pd="$BATS_TEST_TMPDIR/podman"
  mkdir -p "$pd"
  sed "s/127.0.0.1:5000/$REG2_HOST/" "$INTEG_DIR/lib/registries.conf.in" > "$pd/registries.conf"
  local p=(env -u DOCKER_CONFIG CONTAINERS_REGISTRIES_CONF="$pd/registries.conf"
    CONTAINERS_CONF="$(peer_containers_conf)" podman --root "$pd/root" --runroot "$pd/run" --storage-driver overlay)
  run "${p[@]}" pull -q "$REG2_HOST/push/peers:1"
  [[ "$status" -eq 0 && "sha256:$output" == "$id" ]] || fail_with "podman pull"
  run "${p[@]}" run --rm --network none "$REG2_HOST/push/peers:1" cat /hello.txt
  "${p[@]}" rmi -a -f > /dev/null 2>&1 || true
  [[ "$output" == "pushed by berth" ]] || fail_with "podman run"
}
