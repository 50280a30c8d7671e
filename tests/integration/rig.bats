#!/usr/bin/env bats
# The test rig itself: registries start, fixtures push, peers read them back.
# These do not need berth.

load lib/common

setup() {
  export BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/root"
  require_tool docker-registry skopeo curl openssl htpasswd jq
}

teardown() {
  registry_stop R
  common_teardown
}

@test "rig: plain registry serves every fixture to skopeo" {
  registry_with_fixtures R plain all
  local r
  for r in library/busybox:latest test/layered:1 test/layered:1-oci test/shared-a:1 \
    test/shared-b:1 test/zstd:1 bad/diffid:1 hostile/dotdot:1; do
    skopeo inspect --tls-verify=false "docker://$R_HOST/$r" > /dev/null ||
      fail_with "skopeo cannot read $r"
  done
  [[ "$(manifest_json "$R_HOST" test/layered 1 | jq -r .mediaType)" == application/vnd.docker.distribution.manifest.v2+json ]]
  [[ "$(manifest_json "$R_HOST" test/layered 1-oci | jq -r .mediaType)" == application/vnd.oci.image.manifest.v1+json ]]
  [[ "$(manifest_json "$R_HOST" test/multi 1 | jq -r '[.manifests[].platform.architecture] | join(",")')" == amd64,arm64 ]]
  [[ "$(manifest_json "$R_HOST" test/zstd 1 | jq -r '.layers[0].mediaType')" == application/vnd.oci.image.layer.v1.tar+zstd ]]
  # the damaged blobs really are damaged
  local d
  d=$(manifest_json "$R_HOST" bad/layer-digest 1 | jq -r '.layers[0].digest')
  [[ "sha256:$(curl -sf "http://$R_HOST/v2/bad/layer-digest/blobs/$d" | sha256sum | cut -d' ' -f1)" != "$d" ]]
  # image IDs and chain IDs are what the layouts say
  [[ "$(image_id "$R_HOST" test/layered 1)" == "$(image_id "$R_HOST" test/layered 1-oci)" ]]
}

@test "rig: fixtures are reproducible" {
  fixtures_ready
  local a="$BATS_TEST_TMPDIR/again"
  bash "$FIXTURES_SRC/build.sh" "$a"
  diff <(cd "$FIXTURES" && find . -path ./.lock -prune -o -type f -print | sort | xargs sha256sum) \
    <(cd "$a" && find . -path ./.lock -prune -o -type f -print | sort | xargs sha256sum)
}

@test "rig: token registry grants pull only to the user, anonymous pull to public" {
  registry_with_fixtures R token basic public
  local tok url="http://127.0.0.1:$R_TOKEN_PORT/token?service=berth-test-registry"
  # user: pull yes, push no
  tok=$(curl -sf -u "$R_USER:$R_PASS" "$url&scope=repository:library/busybox:pull,push" | jq -r .token)
  [[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
    -H "Accept: $ACCEPT_MANIFESTS" "http://$R_HOST/v2/library/busybox/manifests/latest")" == 200 ]]
  [[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $tok" \
    "http://$R_HOST/v2/library/busybox/blobs/uploads/")" == 401 ]]
  # anonymous: public yes, private no
  tok=$(curl -sf "$url&scope=repository:public/busybox:pull" | jq -r .token)
  [[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
    -H "Accept: $ACCEPT_MANIFESTS" "http://$R_HOST/v2/public/busybox/manifests/latest")" == 200 ]]
  tok=$(curl -sf "$url&scope=repository:library/busybox:pull" | jq -r .token)
  [[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
    -H "Accept: $ACCEPT_MANIFESTS" "http://$R_HOST/v2/library/busybox/manifests/latest")" == 401 ]]
  # wrong password: 401 from the token server
  [[ "$(curl -s -o /dev/null -w '%{http_code}' -u "$R_USER:wrong" "$url&scope=repository:library/busybox:pull")" == 401 ]]
  # skopeo with the user's credentials reads it
  skopeo inspect --tls-verify=false --creds "$R_USER:$R_PASS" "docker://$R_HOST/library/busybox:latest" > /dev/null
}

@test "rig: htpasswd + TLS registry with the test CA" {
  registry_with_fixtures R tls basic
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$R_CERTS_D/$R_HOST/ca.crt" "https://$R_HOST/v2/")" == 401 ]]
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$R_CERTS_D/$R_HOST/ca.crt" \
    -u "$R_USER:$R_PASS" "https://$R_HOST/v2/")" == 200 ]]
  ! curl -sf -o /dev/null "https://$R_HOST/v2/" 2> /dev/null # not trusted without the CA
  skopeo inspect --cert-dir "$R_CERTS_D/$R_HOST" --creds "$R_USER:$R_PASS" \
    "docker://$R_HOST/library/busybox:latest" > /dev/null
}

@test "rig: podman pulls the fixtures (image ID = config digest)" {
  CONTAINERS_CONF=$(peer_containers_conf)
  export CONTAINERS_CONF
  require_tool podman
  registry_with_fixtures R plain basic layered multi zstd
  local p="$BATS_TEST_TMPDIR/podman"
  mkdir -p "$p"
  sed "s/127.0.0.1:5000/$R_HOST/" "$INTEG_DIR/lib/registries.conf.in" > "$p/registries.conf"
  export CONTAINERS_REGISTRIES_CONF="$p/registries.conf"
  local pd=(podman --root "$p/root" --runroot "$p/run" --storage-driver overlay)
  local r id
  for r in library/busybox:latest test/layered:1 test/layered:1-oci test/zstd:1 test/multi:1; do
    id=$("${pd[@]}" pull -q "$R_HOST/$r")
    if [[ "$r" != test/multi:1 ]]; then
      [[ "sha256:$id" == "$(image_id "$R_HOST" "${r%:*}" "${r#*:}")" ]] || fail_with "$r: podman id $id"
    fi
  done
  # the whiteouts and the opaque dir took effect in podman's view
  local mnt
  mnt=$("${pd[@]}" image mount "$R_HOST/test/layered:1")
  [[ ! -e "$mnt/etc/motd" && ! -e "$mnt/opt/tree" && ! -e "$mnt/opt/keep/old" && -f "$mnt/opt/keep/NEW" ]] ||
    fail_with "layered fixture does not merge as intended"
  [[ "$(stat -c %i "$mnt/opt/links/d.bin")" == "$(stat -c %i "$mnt/opt/links/d.hard")" ]]
  "${pd[@]}" image unmount "$R_HOST/test/layered:1" > /dev/null
  "${pd[@]}" rmi -a -f > /dev/null 2>&1 || true
}
