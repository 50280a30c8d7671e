#!/usr/bin/env bats
# `manifest create / annotate / inspect / push / rm` (issue 8, push:
# multi-arch), against docker-registry on 127.0.0.1: a list of two images of
# different platforms (the fixtures' test/multi index, copied per platform),
# read back by skopeo and pulled per platform; bad input.

load lib/common

setup_file() {
  registry_with_fixtures REG plain basic multi
  # One image per platform, each by tag, as Docker schema2 (mf/img) and as
  # OCI (mf/oci): the fixtures' index members, different content each.
  local arch
  for arch in amd64 arm64; do
    skopeo --insecure-policy copy -q --override-arch "$arch" --format v2s2 --dest-tls-verify=false \
      "oci:$FIXTURES/multi:1" "docker://$REG_HOST/mf/img:$arch" > /dev/null
    skopeo --insecure-policy copy -q --override-arch "$arch" --dest-tls-verify=false \
      "oci:$FIXTURES/multi:1" "docker://$REG_HOST/mf/oci:$arch" > /dev/null
  done
  # A second registry, for a member the list's registry cannot reach.
  registry_start REG2 plain
  skopeo --insecure-policy copy -q --override-arch amd64 --format v2s2 --dest-tls-verify=false \
    "oci:$FIXTURES/multi:1" "docker://$REG2_HOST/mf/img:amd64" > /dev/null
}

teardown_file() {
  registry_stop REG
  registry_stop REG2
}

# raw HOST REPO REF: the registry's bytes, as skopeo reads them
raw() {
  skopeo inspect --raw --tls-verify=false "docker://$1/$2:$3"
}

config_of() {
  manifest_json "$REG_HOST" "$1" "$2" | jq -r .config.digest
}

@test "manifest: create, annotate, push a Docker list of two platforms; skopeo reads it, pull picks each" {
  require_tool skopeo
  local list="$REG_HOST/mf/img:list" amd arm
  amd=$(manifest_digest "$REG_HOST" mf/img amd64)
  arm=$(manifest_digest "$REG_HOST" mf/img arm64)
  run --separate-stderr berth manifest create "$list" "$REG_HOST/mf/img:arm64" "$REG_HOST/mf/img:amd64"
  assert_success
  [[ "$output" == "Created manifest list $list" ]] || fail_with "create printed '$output'"
  run --separate-stderr berth manifest annotate --variant v8 --os-features f1,f2 "$list" \
    "$REG_HOST/mf/img:arm64"
  assert_success
  [[ -z "$output" ]] || fail_with "annotate printed '$output'"

  # Before the push, inspect shows the local list (the registry has none).
  run --separate-stderr berth manifest inspect "$list"
  assert_success
  local local_list="$output"
  jq -e --arg amd "$amd" --arg arm "$arm" '
    .mediaType == "application/vnd.docker.distribution.manifest.list.v2+json"
    and (.manifests | length) == 2
    and .manifests[0].digest == $amd and .manifests[0].platform == {architecture: "amd64", os: "linux"}
    and .manifests[1].digest == $arm
    and .manifests[1].platform == {architecture: "arm64", os: "linux", "os.features": ["f1", "f2"], variant: "v8"}
    and ([.manifests[].mediaType] | unique) == ["application/vnd.docker.distribution.manifest.v2+json"]' \
    <<< "$output" > /dev/null || fail_with "the local list is not the expected one: $output"

  # One member of the local list: its manifest as the registry served it.
  run --separate-stderr berth manifest inspect "$list" "$REG_HOST/mf/img:arm64"
  assert_success
  [[ "$(jq -cS . <<< "$output")" == "$(manifest_json "$REG_HOST" mf/img arm64 | jq -cS .)" ]] ||
    fail_with "the member's manifest differs: $output"
  [[ "${lines[1]}" == $'\t"schemaVersion": 2,' ]] || fail_with "not tab-indented as Docker's: ${lines[1]}"

  # Same repository as the members: nothing to bring over, the index only.
  run --separate-stderr berth manifest push "$list"
  assert_success
  [[ "${#lines[@]}" -eq 1 && "${lines[0]}" =~ ^sha256:[0-9a-f]{64}$ ]] || fail_with "push printed '$output'"
  [[ "${lines[0]}" == "$(manifest_digest "$REG_HOST" mf/img list)" ]] || fail_with "another digest in the registry"
  run raw "$REG_HOST" mf/img list
  assert_success
  [[ "$output" == "$local_list" ]] || fail_with "the registry holds other bytes than inspect showed"
  jq -e --arg amd "$amd" --arg arm "$arm" '[.manifests[].digest] == [$amd, $arm]' <<< "$output" > /dev/null ||
    fail_with "skopeo sees other members"

  # Each platform pulled from the list is that member's image.
  run --separate-stderr berth pull -q --platform linux/arm64 "$list"
  assert_success
  [[ "$(berth image inspect "$list" | jq -r '.[0].Id')" == "$(config_of mf/img arm64)" ]] ||
    fail_with "--platform linux/arm64 pulled another image"
  [[ "$(berth image inspect "$list" | jq -r '.[0].Architecture')" == arm64 ]] || fail_with "not arm64"
  run --separate-stderr berth pull -q --platform linux/amd64 "$list"
  assert_success
  [[ "$(berth image inspect "$list" | jq -r '.[0].Id')" == "$(config_of mf/img amd64)" ]] ||
    fail_with "--platform linux/amd64 pulled another image"

  # The list stays kept after a push without --purge; rm removes it.
  run --separate-stderr berth manifest rm "$list"
  assert_success
  [[ -z "$(ls "$BERTH_TEST_ROOT/manifests")" ]] || fail_with "rm left the list's file"
}

@test "manifest push: OCI members of another repository give an OCI index, blobs mounted, manifests put by digest" {
  require_tool skopeo
  local list="$REG_HOST/mf/ocilist:1" amd arm
  amd=$(manifest_digest "$REG_HOST" mf/oci amd64)
  arm=$(manifest_digest "$REG_HOST" mf/oci arm64)
  run --separate-stderr berth manifest create "$list" "$REG_HOST/mf/oci:amd64" "$REG_HOST/mf/oci:arm64"
  assert_success
  run --separate-stderr berth manifest push --purge "$list"
  assert_success
  assert_line_eq 0 "Pushed ref $REG_HOST/mf/ocilist@$amd with digest: $amd"
  assert_line_eq 1 "Pushed ref $REG_HOST/mf/ocilist@$arm with digest: $arm"
  [[ "${#lines[@]}" -eq 3 && "${lines[2]}" == "$(manifest_digest "$REG_HOST" mf/ocilist 1)" ]] ||
    fail_with "push printed '$output'"
  run raw "$REG_HOST" mf/ocilist 1
  assert_success
  jq -e --arg amd "$amd" --arg arm "$arm" '
    .mediaType == "application/vnd.oci.image.index.v1+json"
    and [.manifests[].digest] == [$amd, $arm]
    and [.manifests[].platform.architecture] == ["amd64", "arm64"]' <<< "$output" > /dev/null ||
    fail_with "not the OCI index expected: $output"
  # The target repository serves each member and its blobs itself.
  [[ "$(manifest_digest "$REG_HOST" mf/ocilist "$arm")" == "$arm" ]] || fail_with "member not put by digest"
  local cfg
  cfg=$(config_of mf/oci arm64)
  curl -sf -o /dev/null -I "http://$REG_HOST/v2/mf/ocilist/blobs/$cfg" || fail_with "config not mounted"
  run --separate-stderr berth pull -q --platform linux/arm64 "$list"
  assert_success
  [[ "$(berth image inspect "$list" | jq -r '.[0].Id')" == "$cfg" ]] || fail_with "pulled another image"
  # --purge removed the local list.
  run --separate-stderr berth manifest push "$list"
  assert_failure
  [[ "$stderr" == "Error: No such manifest: $list" ]] || fail_with "stderr: $stderr"
}

@test "manifest create: an existing list only with --amend; --amend adds; rm of a list not kept" {
  local list="$REG_HOST/mf/amend:1"
  run --separate-stderr berth manifest create "$list" "$REG_HOST/mf/img:amd64"
  assert_success
  store_snapshot
  run --separate-stderr berth manifest create "$list" "$REG_HOST/mf/img:arm64"
  assert_one_line_error
  [[ "$stderr" == "Error: refusing to amend an existing manifest list with no --amend flag" ]] ||
    fail_with "stderr: $stderr"
  assert_store_unchanged
  run --separate-stderr berth manifest create -a "$list" "$REG_HOST/mf/img:arm64"
  assert_success
  run --separate-stderr berth manifest inspect "$list"
  assert_success
  [[ "$(jq -r '[.manifests[].platform.architecture] | join(",")' <<< "$output")" == amd64,arm64 ]] ||
    fail_with "--amend did not add: $output"
  run --separate-stderr berth manifest rm "$list" "$REG_HOST/mf/never:1"
  assert_failure
  [[ "$stderr" == "Error: No such manifest: $REG_HOST/mf/never:1" ]] || fail_with "stderr: $stderr"
  run --separate-stderr berth manifest inspect "$list"
  assert_failure # removed, and the registry has no such list either
}

@test "manifest: bad input gets Docker's words and leaves the store as it was" {
  local list="$REG_HOST/mf/bad:1"
  run --separate-stderr berth manifest create "$list" "$REG_HOST/mf/img:amd64"
  assert_success
  store_snapshot

  # An image the registry does not have: nothing is saved, even the member read before it.
  run --separate-stderr berth manifest create -a "$list" "$REG_HOST/mf/img:arm64" "$REG_HOST/mf/nope:1"
  assert_one_line_error
  [[ "$stderr" == "Error: no such manifest: $REG_HOST/mf/nope:1" ]] || fail_with "stderr: $stderr"
  assert_store_unchanged

  # A member that is itself a list.
  run --separate-stderr berth manifest create -a "$list" "$REG_HOST/test/multi:1"
  assert_one_line_error
  [[ "$stderr" == "Error: $REG_HOST/test/multi:1 is a manifest list" ]] || fail_with "stderr: $stderr"
  assert_store_unchanged

  # A list that is not kept.
  run --separate-stderr berth manifest push "$REG_HOST/mf/none:1"
  assert_one_line_error
  [[ "$stderr" == "Error: No such manifest: $REG_HOST/mf/none:1" ]] || fail_with "stderr: $stderr"
  run --separate-stderr berth manifest annotate --arch arm64 "$REG_HOST/mf/none:1" "$REG_HOST/mf/img:amd64"
  assert_one_line_error
  [[ "$stderr" == "Error: manifest for image $REG_HOST/mf/img:amd64 does not exist in $REG_HOST/mf/none:1" ]] ||
    fail_with "stderr: $stderr"
  # An image not in the list.
  run --separate-stderr berth manifest annotate --arch arm64 "$list" "$REG_HOST/mf/img:arm64"
  assert_one_line_error
  [[ "$stderr" == "Error: manifest for image $REG_HOST/mf/img:arm64 does not exist in $list" ]] ||
    fail_with "stderr: $stderr"
  # A bad --arch (Docker prints the flags given).
  run --separate-stderr berth manifest annotate --arch bogus "$list" "$REG_HOST/mf/img:amd64"
  assert_one_line_error
  [[ "$stderr" == "Error: manifest entry for image has unsupported os/arch combination: /bogus" ]] ||
    fail_with "stderr: $stderr"
  run --separate-stderr berth manifest annotate --os plan9 --arch arm64 "$list" "$REG_HOST/mf/img:amd64"
  assert_one_line_error
  [[ "$stderr" == "Error: manifest entry for image has unsupported os/arch combination: plan9/arm64" ]] ||
    fail_with "stderr: $stderr"
  # A bad name, a missing argument.
  run --separate-stderr berth manifest create "$REG_HOST/mf/UPPER:1" "$REG_HOST/mf/img:amd64"
  assert_one_line_error
  [[ "$stderr" == "Error: error parsing name for manifest list $REG_HOST/mf/UPPER:1: "* ]] ||
    fail_with "stderr: $stderr"
  run --separate-stderr berth manifest create "$list"
  [[ "$status" -eq 1 && "$stderr" == '"berth manifest create" requires at least 2 arguments.'$'\n'* ]] ||
    fail_with "status $status: $stderr"
  assert_store_unchanged

  # A member on another registry than the list's: kept, but neither pushed nor shown.
  local other="$REG_HOST/mf/other:1"
  run --separate-stderr berth manifest create "$other" "$REG2_HOST/mf/img:amd64"
  assert_success
  store_snapshot
  run --separate-stderr berth manifest push "$other"
  assert_one_line_error
  [[ "$stderr" == "Error: cannot use source images from a different registry than the target image: $REG2_HOST != $REG_HOST" ]] ||
    fail_with "stderr: $stderr"
  run --separate-stderr berth manifest inspect "$other"
  assert_one_line_error
  [[ "$stderr" == "Error: failed to assemble ManifestDescriptor: cannot use source images from a different registry than the target image: $REG2_HOST != $REG_HOST" ]] ||
    fail_with "stderr: $stderr"
  assert_store_unchanged
  [[ -z "$(manifest_digest "$REG_HOST" mf/other 1)" ]] || fail_with "the registry got a list"

  # The list is still whole and usable.
  run --separate-stderr berth manifest inspect "$list"
  assert_success
  [[ "$(jq -r '.manifests | length' <<< "$output")" == 1 ]] || fail_with "the list changed: $output"
}

@test "manifest push: the same index bytes and output as Docker 20.10's docker manifest" {
  [[ -x /usr/bin/docker ]] || skip "no docker CLI here"
  # In the members' own repository: Docker re-indents a member it puts into
  # another repository (a new digest when the registry's bytes were not
  # indented so, and its push then fails with "manifest blob unknown");
  # berth puts the bytes as served.
  local d=(env DOCKER_CLI_EXPERIMENTAL=enabled /usr/bin/docker manifest)
  "${d[@]}" create --insecure "$REG_HOST/mf/img:bydocker" "$REG_HOST/mf/img:arm64" \
    "$REG_HOST/mf/img:amd64" > /dev/null
  "${d[@]}" annotate --variant v8 --os-features f1 "$REG_HOST/mf/img:bydocker" "$REG_HOST/mf/img:arm64"
  run --separate-stderr "${d[@]}" push --insecure "$REG_HOST/mf/img:bydocker"
  assert_success
  local docker_out="$output"
  berth manifest create "$REG_HOST/mf/img:byberth" "$REG_HOST/mf/img:arm64" "$REG_HOST/mf/img:amd64" > /dev/null
  berth manifest annotate --variant v8 --os-features f1 "$REG_HOST/mf/img:byberth" "$REG_HOST/mf/img:arm64"
  run --separate-stderr berth manifest push "$REG_HOST/mf/img:byberth"
  assert_success
  [[ "$output" == "$docker_out" ]] || fail_with "berth printed '$output', Docker '$docker_out'"
  [[ "$(manifest_json "$REG_HOST" mf/img byberth)" == "$(manifest_json "$REG_HOST" mf/img bydocker)" ]] ||
    fail_with "other index bytes than Docker's"

  # inspect prints what Docker prints: an image manifest as served,
  # tab-indented; an index rebuilt from its entries.
  local ref
  # (Docker's client reads no index of OCI manifests from this registry: it
  # asks for them without the OCI media types and gets "manifest unknown";
  # berth reads it, see the OCI test above.)
  for ref in "$REG_HOST/mf/img:arm64" "$REG_HOST/mf/img:bydocker"; do
    run --separate-stderr "${d[@]}" inspect --insecure "$ref"
    assert_success
    docker_out="$output"
    run --separate-stderr berth manifest inspect "$ref"
    assert_success
    [[ "$output" == "$docker_out" ]] || fail_with "inspect $ref: berth printed '$output', Docker '$docker_out'"
  done
}
