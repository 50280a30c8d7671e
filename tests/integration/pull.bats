#!/usr/bin/env bats
# berth pull against docker-registry with skopeo-pushed fixtures (issue 2).

load lib/common

setup_file() {
  registry_with_fixtures REG plain basic layered shared multi zstd
}

teardown_file() {
  registry_stop REG
}

LAYER_STATUS_RE='^[0-9a-f]{12}: (Pulling fs layer|Waiting|Downloading|Verifying Checksum|Download complete|Extracting|Pull complete|Already exists)$'

# check_pull_output REPO TAG: Docker's non-terminal pull output
check_pull_output() {
  local repo="$1" tag="$2" digest l short
  digest=$(manifest_digest "$REG_HOST" "$repo" "$tag")
  assert_line_eq 0 "$tag: Pulling from $repo"
  assert_line_eq -3 "Digest: $digest"
  assert_line_eq -2 "Status: Downloaded newer image for $REG_HOST/$repo:$tag"
  assert_line_eq -1 "$REG_HOST/$repo:$tag"
  for l in "${lines[@]:1:${#lines[@]}-4}"; do
    [[ "$l" =~ $LAYER_STATUS_RE ]] || fail_with "unexpected progress line '$l'"
  done
  for short in $(manifest_json "$REG_HOST" "$repo" "$tag" | jq -r '.layers[].digest[7:19]'); do
    assert_output_has_line "$short: Pull complete"
  done
}

@test "pull: new image prints Docker's status lines" {
  run --separate-stderr berth pull "$REG_HOST/test/layered:1"
  assert_success
  check_pull_output test/layered 1
  local short
  for short in $(manifest_json "$REG_HOST" test/layered 1 | jq -r '.layers[].digest[7:19]'); do
    assert_output_has_line "$short: Pulling fs layer"
  done
}

@test "pull: twice says Image is up to date" {
  run berth pull "$REG_HOST/library/busybox:latest"
  assert_success
  store_snapshot
  run --separate-stderr berth pull "$REG_HOST/library/busybox:latest"
  assert_success
  [[ "${#lines[@]}" -eq 4 ]] || fail_with "expected 4 lines"
  assert_line_eq 0 "latest: Pulling from library/busybox"
  assert_line_eq 1 "Digest: $(manifest_digest "$REG_HOST" library/busybox latest)"
  assert_line_eq 2 "Status: Image is up to date for $REG_HOST/library/busybox:latest"
  assert_line_eq 3 "$REG_HOST/library/busybox:latest"
  assert_store_unchanged
}

@test "pull -q prints only the name" {
  run --separate-stderr berth pull -q "$REG_HOST/library/busybox:latest"
  assert_success
  [[ "$output" == "$REG_HOST/library/busybox:latest" ]] || fail_with "wrong -q output"
}

@test "pull: default tag is latest" {
  run --separate-stderr berth pull "$REG_HOST/library/busybox"
  assert_success
  assert_line_eq 0 "latest: Pulling from library/busybox"
  assert_line_eq -1 "$REG_HOST/library/busybox:latest"
}

@test "pull by digest" {
  local digest
  digest=$(manifest_digest "$REG_HOST" library/busybox latest)
  run --separate-stderr berth pull "$REG_HOST/library/busybox@$digest"
  assert_success
  assert_line_eq -3 "Digest: $digest"
  assert_line_eq -1 "$REG_HOST/library/busybox@$digest"
  run berth inspect "$REG_HOST/library/busybox@$digest"
  assert_success
  [[ "$(jq -r '.[0].Id' <<< "$output")" == "$(image_id "$REG_HOST" library/busybox latest)" ]] ||
    fail_with "wrong image"
  jq -e --arg d "$REG_HOST/library/busybox@$digest" '.[0].RepoDigests | index($d)' <<< "$output" > /dev/null ||
    fail_with "RepoDigests lacks $digest"
}

@test "pull: a shared base layer says Already exists and is stored once" {
  run berth pull "$REG_HOST/library/busybox:latest"
  assert_success
  run --separate-stderr berth pull "$REG_HOST/test/shared-a:1"
  assert_success
  local base
  base=$(manifest_json "$REG_HOST" test/shared-a 1 | jq -r '.layers[0].digest[7:19]')
  assert_output_has_line "$base: Already exists"
  assert_output_lacks_line "$base: Pull complete"
  run berth pull "$REG_HOST/test/shared-b:1"
  assert_success
  # busybox layer + one own layer per image
  [[ $(find "$(img_dir)/layerdb/sha256" -mindepth 1 -maxdepth 1 -type d | wc -l) -eq 3 ]] ||
    fail_with "expected 3 layers in layerdb"
  [[ $(find "$(ovl_dir)" -mindepth 1 -maxdepth 1 -type d ! -name l | wc -l) -eq 3 ]] ||
    fail_with "expected 3 layer dirs in overlay2"
}

@test "pull: OCI and Docker schema2 manifests of one image give one image ID" {
  run berth pull "$REG_HOST/test/layered:1"
  assert_success
  run --separate-stderr berth pull "$REG_HOST/test/layered:1-oci"
  assert_success
  local id1 id2
  id1=$(berth inspect "$REG_HOST/test/layered:1" | jq -r '.[0].Id')
  id2=$(berth inspect "$REG_HOST/test/layered:1-oci" | jq -r '.[0].Id')
  [[ "$id1" == "$id2" && "$id1" == "$(image_id "$REG_HOST" test/layered 1)" ]] ||
    fail_with "ids differ: $id1 $id2"
}

@test "pull: zstd layers" {
  run --separate-stderr berth pull "$REG_HOST/test/zstd:1"
  assert_success
  check_pull_output test/zstd 1
  local cfg diffids chain
  cfg=$(blob_json "$REG_HOST" test/zstd "$(manifest_json "$REG_HOST" test/zstd 1 | jq -r .config.digest)")
  mapfile -t diffids < <(jq -r '.rootfs.diff_ids[]' <<< "$cfg")
  run berth inspect "$REG_HOST/test/zstd:1"
  assert_success
  [[ "$(jq -c '.[0].RootFS.Layers' <<< "$output")" == "$(jq -c .rootfs.diff_ids <<< "$cfg")" ]] ||
    fail_with "RootFS.Layers differ from the config's diff_ids"
  chain=$(chain_ids "${diffids[@]}" | tail -1)
  [[ "$(cat "$(layer_diff_dir "$chain")/etc/zstd.txt")" == "zstd layer" ]] ||
    fail_with "zstd layer content missing"
}

@test "pull: multi-platform index picks the host platform" {
  run --separate-stderr berth pull "$REG_HOST/test/multi:1"
  assert_success
  local id
  id=$(berth inspect "$REG_HOST/test/multi:1" | jq -r '.[0] | .Architecture + " " + .Os')
  [[ "$id" == "$(dpkg --print-architecture) linux" ]] || fail_with "got $id"
  assert_line_eq -3 "Digest: $(manifest_digest "$REG_HOST" test/multi 1)"
}

@test "pull --platform linux/arm64 picks the arm64 manifest" {
  run --separate-stderr berth pull --platform linux/arm64 "$REG_HOST/test/multi:1"
  assert_success
  run berth inspect "$REG_HOST/test/multi:1"
  assert_success
  [[ "$(jq -r '.[0].Architecture' <<< "$output")" == arm64 ]] || fail_with "not arm64"
  local chain
  chain=$(jq -r '.[0].RootFS.Layers[0]' <<< "$output")
  [[ "$(cat "$(layer_diff_dir "$chain")/etc/platform")" == "linux/arm64" ]] ||
    fail_with "arm64 content missing"
}

@test "pull --platform absent from the index: one-line error, store unchanged" {
  run berth pull "$REG_HOST/library/busybox:latest"
  store_snapshot
  run --separate-stderr berth pull --platform linux/s390x "$REG_HOST/test/multi:1"
  assert_one_line_error
  assert_store_unchanged
}

@test "store: imagedb, layerdb chain IDs, distribution, repositories.json" {
  run berth pull "$REG_HOST/test/layered:1"
  assert_success
  local img cfgd cfg id digest i chain prev cid size
  img=$(img_dir)
  digest=$(manifest_digest "$REG_HOST" test/layered 1)
  cfgd=$(manifest_json "$REG_HOST" test/layered 1 | jq -r .config.digest)
  blob_json "$REG_HOST" test/layered "$cfgd" > "$BATS_TEST_TMPDIR/config"
  id=$(sha256sum "$BATS_TEST_TMPDIR/config" | cut -d' ' -f1)
  # imagedb: the config bytes, named by their sha256
  cmp "$img/imagedb/content/sha256/$id" "$BATS_TEST_TMPDIR/config"
  # layerdb: chain IDs computed here from the diff_ids
  mapfile -t diffids < <(jq -r '.rootfs.diff_ids[]' "$BATS_TEST_TMPDIR/config")
  mapfile -t chains < <(chain_ids "${diffids[@]}")
  mapfile -t blobs < <(manifest_json "$REG_HOST" test/layered 1 | jq -r '.layers[].digest')
  prev=""
  for i in "${!diffids[@]}"; do
    chain="${chains[$i]}"
    local ld="$img/layerdb/sha256/${chain#sha256:}"
    [[ -d "$ld" ]] || fail_with "no layerdb dir for chain $chain"
    [[ "$(cat "$ld/diff")" == "${diffids[$i]}" ]] || fail_with "bad diff in $ld"
    cid=$(cat "$ld/cache-id")
    [[ "$cid" =~ ^[0-9a-f]{64}$ ]] || fail_with "cache-id '$cid' is not 64 hex"
    size=$(cat "$ld/size")
    [[ "$size" =~ ^[0-9]+$ ]] || fail_with "size '$size'"
    if [[ -n "$prev" ]]; then
      [[ "$(cat "$ld/parent")" == "$prev" ]] || fail_with "bad parent in $ld"
    else
      [[ ! -e "$ld/parent" ]] || fail_with "bottom layer has a parent file"
    fi
    ls "$ld" | grep -q '^tar-split' || fail_with "no tar-split file in $ld"
    # distribution mappings
    [[ "$(cat "$img/distribution/diffid-by-digest/sha256/${blobs[$i]#sha256:}")" == "${diffids[$i]}" ]] ||
      fail_with "diffid-by-digest for ${blobs[$i]}"
    jq -e --arg d "${blobs[$i]}" 'map(select(.Digest == $d)) | length > 0' \
      "$img/distribution/v2metadata-by-diffid/sha256/${diffids[$i]#sha256:}" > /dev/null ||
      fail_with "v2metadata-by-diffid for ${diffids[$i]}"
    prev="$chain"
  done
  # repositories.json: tag and digest -> image ID
  jq -e --arg r "$REG_HOST/test/layered" --arg t "$REG_HOST/test/layered:1" \
    --arg d "$REG_HOST/test/layered@$digest" --arg id "sha256:$id" \
    '.Repositories[$r][$t] == $id and .Repositories[$r][$d] == $id' \
    "$img/repositories.json" > /dev/null || fail_with "repositories.json: $(cat "$img/repositories.json")"
  # berth's own: the manifest bytes as received
  [[ "$(sha256sum < "$img/distribution/manifest-by-digest/sha256/${digest#sha256:}" | cut -d' ' -f1)" == "${digest#sha256:}" ]] ||
    fail_with "manifest-by-digest"
}

@test "store: overlay2 dirs, l/ short links and lower files" {
  run berth pull "$REG_HOST/test/layered:1"
  assert_success
  local img ovl cfgd i cid link lowers expect
  img=$(img_dir)
  ovl=$(ovl_dir)
  cfgd=$(manifest_json "$REG_HOST" test/layered 1 | jq -r .config.digest)
  mapfile -t diffids < <(blob_json "$REG_HOST" test/layered "$cfgd" | jq -r '.rootfs.diff_ids[]')
  mapfile -t chains < <(chain_ids "${diffids[@]}")
  local -a links=()
  for i in "${!chains[@]}"; do
    cid=$(cat "$img/layerdb/sha256/${chains[$i]#sha256:}/cache-id")
    [[ -d "$ovl/$cid/diff" ]] || fail_with "no $ovl/$cid/diff"
    link=$(cat "$ovl/$cid/link")
    [[ "$link" =~ ^[A-Z0-9]{26}$ ]] || fail_with "link '$link'"
    [[ "$(readlink "$ovl/l/$link")" == "../$cid/diff" ]] || fail_with "l/$link target"
    if [[ "$i" -eq 0 ]]; then
      [[ ! -e "$ovl/$cid/lower" && ! -e "$ovl/$cid/work" ]] || fail_with "bottom layer has lower/work"
    else
      expect=""
      local j
      for ((j = i - 1; j >= 0; j--)); do
        expect+="${expect:+:}l/${links[$j]}"
      done
      lowers=$(cat "$ovl/$cid/lower")
      [[ "$lowers" == "$expect" ]] || fail_with "lower of layer $i: '$lowers' != '$expect'"
      [[ -d "$ovl/$cid/work" ]] || fail_with "no work dir for layer $i"
    fi
    [[ ! -e "$ovl/$cid/merged" ]] || fail_with "merged exists while unmounted"
    links+=("$link")
  done
}

@test "extraction: whiteouts, opaque dir, hard link, symlinks, busybox bytes" {
  require_tool getfattr
  run berth pull "$REG_HOST/test/layered:1"
  assert_success
  local cfgd top base
  cfgd=$(manifest_json "$REG_HOST" test/layered 1 | jq -r .config.digest)
  mapfile -t diffids < <(blob_json "$REG_HOST" test/layered "$cfgd" | jq -r '.rootfs.diff_ids[]')
  mapfile -t chains < <(chain_ids "${diffids[@]}")
  base=$(layer_diff_dir "${chains[0]}")
  top=$(layer_diff_dir "${chains[3]}")
  # file whiteout and directory whiteout: character devices 0/0
  [[ "$(stat -c '%F %t %T' "$top/etc/motd")" == "character special file 0 0" ]] ||
    fail_with "etc/motd whiteout: $(stat -c '%F %t %T' "$top/etc/motd")"
  [[ "$(stat -c '%F %t %T' "$top/opt/tree")" == "character special file 0 0" ]] ||
    fail_with "opt/tree whiteout"
  [[ -z "$(find "$top" -name '.wh.*')" ]] || fail_with ".wh. files left in the diff dir"
  # opaque directory
  [[ "$(getfattr --only-values -n trusted.overlay.opaque "$top/opt/keep" 2>/dev/null)" == y ]] ||
    fail_with "opt/keep not opaque"
  [[ "$(cat "$top/opt/keep/NEW")" == new ]] || fail_with "opt/keep/NEW"
  ! getfattr -n trusted.overlay.opaque "$top/opt" > /dev/null 2>&1 || fail_with "opt must not be opaque"
  # hard link: one inode
  [[ "$(stat -c %i "$top/opt/links/d.bin")" == "$(stat -c %i "$top/opt/links/d.hard")" ]] ||
    fail_with "hard link not kept"
  [[ "$(stat -c %h "$top/opt/links/d.bin")" -eq 2 ]] || fail_with "link count"
  # symlinks: targets kept as written
  [[ "$(readlink "$top/opt/links/d.link")" == /opt/links/d.bin ]] || fail_with "d.link"
  [[ "$(readlink "$top/opt/links/rel.link")" == ../a.bin ]] || fail_with "rel.link"
  # the base layer: busybox bytes, modes, applet links
  cmp "$base/bin/busybox" /bin/busybox
  [[ "$(stat -c %a "$base/bin/busybox")" == 755 ]] || fail_with "busybox mode"
  [[ "$(stat -c %a "$base/tmp")" == 1777 ]] || fail_with "tmp mode"
  [[ "$(readlink "$base/bin/sh")" == /bin/busybox ]] || fail_with "bin/sh link"
  [[ "$(stat -c '%u:%g' "$base/etc/passwd")" == 0:0 ]] || fail_with "owner"
  [[ "$(stat -c %Y "$base/etc/passwd")" == 1704067200 ]] || fail_with "mtime not kept"
  [[ "$(stat -c %a "$(layer_diff_dir "${chains[2]}")/opt/small/f1")" == 640 ]] || fail_with "f1 mode"
}
