#!/usr/bin/env bats
# images, inspect, history, tag, rmi, import, info, manifest inspect, layers.

load lib/common

setup_file() {
  registry_with_fixtures REG plain basic layered shared
}

teardown_file() {
  registry_stop REG
}

BB=""
setup() {
  common_setup
  BB="$REG_HOST/library/busybox:latest"
}

# expected_images_row REF: REPO TAG ID12 CREATED SIZE (tab-separated)
expected_images_row() {
  local ref="$1" js
  js=$(berth inspect "$ref" | jq '.[0]')
  printf '%s\t%s\t%s\t%s\t%s\n' "${ref%:*}" "${ref##*:}" \
    "$(jq -r '.Id[7:19]' <<< "$js")" "$(human_ago "$(jq -r .Created <<< "$js")")" \
    "$(human_size "$(jq -r .Size <<< "$js")")"
}

@test "images: columns as Docker lays them out" {
  berth pull -q "$BB" > /dev/null
  berth pull -q "$REG_HOST/test/layered:1" > /dev/null
  run --separate-stderr berth images
  assert_success
  local expect
  expect=$({
    printf 'REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n'
    expected_images_row "$REG_HOST/test/layered:1"
    expected_images_row "$BB"
  } | docker_table)
  # both images were created at the same instant: either order is Docker's
  local alt
  alt=$(printf '%s\n' "$expect" | sed -n '1p;3p;2p')
  [[ "$output" == "$expect" || "$output" == "$alt" ]] ||
    fail_with "expected:"$'\n'"$expect"
}

@test "images -q, --no-trunc, --digests" {
  berth pull -q "$BB" > /dev/null
  local id digest
  id=$(image_id "$REG_HOST" library/busybox latest)
  digest=$(manifest_digest "$REG_HOST" library/busybox latest)
  run --separate-stderr berth images -q
  assert_success
  [[ "$output" == "${id:7:12}" ]] || fail_with "images -q"
  run --separate-stderr berth images -q --no-trunc
  [[ "$output" == "$id" ]] || fail_with "images -q --no-trunc"
  run --separate-stderr berth images --digests
  assert_success
  local js expect
  js=$(berth inspect "$BB" | jq '.[0]')
  expect=$(printf 'REPOSITORY\tTAG\tDIGEST\tIMAGE ID\tCREATED\tSIZE\n%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$REG_HOST/library/busybox" latest "$digest" "${id:7:12}" \
    "$(human_ago "$(jq -r .Created <<< "$js")")" "$(human_size "$(jq -r .Size <<< "$js")")" | docker_table)
  [[ "$output" == "$expect" ]] || fail_with "expected:"$'\n'"$expect"
}

@test "images -a lists the same tagged images for pulled images" {
  berth pull -q "$BB" > /dev/null
  run --separate-stderr berth images -a -q
  assert_success
  [[ "$output" == "$(image_id "$REG_HOST" library/busybox latest | cut -c8-19)" ]] || fail_with "-a -q"
}

@test "inspect: Docker's JSON shape" {
  berth pull -q "$REG_HOST/test/layered:1" > /dev/null
  run --separate-stderr berth inspect "$REG_HOST/test/layered:1"
  assert_success
  local cfg
  cfg=$(blob_json "$REG_HOST" test/layered "$(manifest_json "$REG_HOST" test/layered 1 | jq -r .config.digest)")
  jq -e 'type == "array" and length == 1' <<< "$output" > /dev/null || fail_with "not a 1-element array"
  jq -e '.[0] | has("Id") and has("RepoTags") and has("RepoDigests") and has("Parent")
      and has("Created") and has("Config") and has("Architecture") and has("Os")
      and has("RootFS") and has("GraphDriver") and has("Size")' <<< "$output" > /dev/null ||
    fail_with "missing keys"
  [[ "$(jq -r '.[0].Id' <<< "$output")" == "$(image_id "$REG_HOST" test/layered 1)" ]] || fail_with Id
  [[ "$(jq -c '.[0].RepoTags' <<< "$output")" == "[\"$REG_HOST/test/layered:1\"]" ]] || fail_with RepoTags
  [[ "$(jq -c '.[0].RepoDigests' <<< "$output")" == "[\"$REG_HOST/test/layered@$(manifest_digest "$REG_HOST" test/layered 1)\"]" ]] ||
    fail_with RepoDigests
  [[ "$(jq -r '.[0].Parent' <<< "$output")" == "" ]] || fail_with Parent
  [[ "$(jq -r '.[0].Created' <<< "$output")" == "2024-01-01T00:00:00Z" ]] || fail_with Created
  [[ "$(jq -c '.[0].Config.Env' <<< "$output")" == "$(jq -c .config.Env <<< "$cfg")" ]] || fail_with Config.Env
  [[ "$(jq -c '.[0].Config.Cmd' <<< "$output")" == '["sh"]' ]] || fail_with Config.Cmd
  [[ "$(jq -r '.[0].RootFS.Type' <<< "$output")" == layers ]] || fail_with RootFS.Type
  [[ "$(jq -c '.[0].RootFS.Layers' <<< "$output")" == "$(jq -c .rootfs.diff_ids <<< "$cfg")" ]] ||
    fail_with RootFS.Layers
  [[ "$(jq -r '.[0].GraphDriver.Name' <<< "$output")" == overlay2 ]] || fail_with GraphDriver.Name
  local up cid top
  top=$(chain_ids $(jq -r '.rootfs.diff_ids[]' <<< "$cfg") | tail -1)
  cid=$(cat "$(img_dir)/layerdb/sha256/${top#sha256:}/cache-id")
  up=$(jq -r '.[0].GraphDriver.Data.UpperDir' <<< "$output")
  [[ "$up" == "$BERTH_TEST_ROOT/overlay2/$cid/diff" ]] || fail_with "UpperDir $up"
  [[ "$(jq -r '.[0].GraphDriver.Data.WorkDir' <<< "$output")" == "$BERTH_TEST_ROOT/overlay2/$cid/work" ]] ||
    fail_with WorkDir
  [[ "$(jq -r '.[0].GraphDriver.Data.MergedDir' <<< "$output")" == "$BERTH_TEST_ROOT/overlay2/$cid/merged" ]] ||
    fail_with MergedDir
  [[ "$(jq -r '.[0].GraphDriver.Data.LowerDir' <<< "$output" | tr ':' '\n' | wc -l)" -eq 3 ]] ||
    fail_with LowerDir
  # Size: the sum of the layers' sizes
  local sum=0 c
  for c in $(chain_ids $(jq -r '.rootfs.diff_ids[]' <<< "$cfg")); do
    sum=$((sum + $(cat "$(img_dir)/layerdb/sha256/${c#sha256:}/size")))
  done
  [[ "$(jq -r '.[0].Size' <<< "$output")" -eq "$sum" ]] || fail_with "Size != $sum"
}

@test "inspect of an unknown image fails with one line" {
  run --separate-stderr berth inspect no/such:image
  assert_one_line_error
  [ "$stderr" = "Error: No such object: no/such:image" ] || fail_with "stderr: $stderr"
  [ "$output" = "[]" ] || fail_with "stdout: $output"
}

@test "an unreadable store file: the errno's text is printed once" {
  berth images > /dev/null
  local repos="$BERTH_TEST_ROOT/image/overlay2/repositories.json"
  rm -f "$repos"
  mkdir "$repos"
  run --separate-stderr berth images
  assert_one_line_error
  [[ "$status" -eq 1 ]] || fail_with "exit $status"
  [[ "$stderr" == "Error: read repositories.json: Is a directory" ]] || fail_with "got: $stderr"
}

@test "unknown flags are refused in Docker's words, exit 125" {
  run -125 --separate-stderr berth images --bogus
  [ "$stderr" = $'unknown flag: --bogus\nSee \'berth images --help\'.' ] || fail_with "stderr: $stderr"
  run -125 --separate-stderr berth history -z busybox
  [ "$stderr" = $'unknown shorthand flag: \'z\' in -z\nSee \'berth history --help\'.' ] || fail_with "stderr: $stderr"
}

@test "history: columns, <missing>, 45-character CREATED BY, sizes" {
  berth pull -q "$REG_HOST/test/layered:1" > /dev/null
  run --separate-stderr berth history "$REG_HOST/test/layered:1"
  assert_success
  local cfg id expect sizes i=0 li=0 n
  cfg=$(blob_json "$REG_HOST" test/layered "$(manifest_json "$REG_HOST" test/layered 1 | jq -r .config.digest)")
  id=$(image_id "$REG_HOST" test/layered 1)
  mapfile -t chains < <(chain_ids $(jq -r '.rootfs.diff_ids[]' <<< "$cfg"))
  n=$(jq '.history | length' <<< "$cfg")
  expect=$({
    printf 'IMAGE\tCREATED\tCREATED BY\tSIZE\tCOMMENT\n'
    # newest first; layer sizes from layerdb
    local nl=${#chains[@]}
    li=$nl
    for ((i = n - 1; i >= 0; i--)); do
      local h by size empty
      h=$(jq -c ".history[$i]" <<< "$cfg")
      empty=$(jq -r '.empty_layer // false' <<< "$h")
      if [[ "$empty" == true ]]; then
        size=0B
      else
        li=$((li - 1))
        size=$(human_size "$(cat "$(img_dir)/layerdb/sha256/${chains[$li]#sha256:}/size")")
      fi
      by=$(trunc45 "$(jq -r .created_by <<< "$h")")
      printf '%s\t%s\t%s\t%s\t%s\n' "$([[ $i -eq $((n - 1)) ]] && echo "${id:7:12}" || echo '<missing>')" \
        "$(human_ago "$(jq -r .created <<< "$h")")" "$by" "$size" "$(jq -r '.comment // ""' <<< "$h")"
    done
  } | docker_table)
  [[ "$output" == "$expect" ]] || fail_with "expected:"$'\n'"$expect"
}

@test "history --no-trunc, -q and -H=false" {
  berth pull -q "$BB" > /dev/null
  local id
  id=$(image_id "$REG_HOST" library/busybox latest)
  run --separate-stderr berth history -q "$BB"
  assert_success
  [[ "$output" == "${id:7:12}" ]] || fail_with "-q"
  run --separate-stderr berth history --no-trunc "$BB"
  assert_success
  [[ "${lines[1]}" == "$id "* ]] || fail_with "--no-trunc ID"
  [[ "${lines[1]}" == *"anchors: busybox-static $(dpkg-query -W -f '${Version}' busybox-static) rootfs"* ]] ||
    fail_with "--no-trunc CREATED BY"
  run --separate-stderr berth history -H=false "$BB"
  assert_success
  [[ "${lines[1]}" == *"2024-01-01T00:00:00Z"* ]] || fail_with "-H=false shows RFC 3339 times"
  [[ "${lines[1]}" =~ [[:space:]][0-9]+[[:space:]] ]] || fail_with "-H=false shows sizes in bytes"
}

@test "tag: a second name for the same image" {
  berth pull -q "$BB" > /dev/null
  run --separate-stderr berth tag "$BB" my/busybox:v1
  assert_success
  [[ -z "$output" ]] || fail_with "tag prints nothing"
  [[ "$(berth inspect my/busybox:v1 | jq -r '.[0].Id')" == "$(image_id "$REG_HOST" library/busybox latest)" ]] ||
    fail_with "my/busybox:v1 is another image"
  jq -e '.Repositories["my/busybox"]["my/busybox:v1"]' "$(img_dir)/repositories.json" > /dev/null ||
    fail_with "repositories.json"
  run --separate-stderr berth tag no/such:image x/y:1
  assert_one_line_error
  run --separate-stderr berth tag "$BB" 'Bad:Name'
  assert_one_line_error
}

@test "rmi: untag, then delete; Docker's output" {
  berth pull -q "$BB" > /dev/null
  berth tag "$BB" my/busybox:v1
  local id digest
  id=$(image_id "$REG_HOST" library/busybox latest)
  digest=$(manifest_digest "$REG_HOST" library/busybox latest)
  run --separate-stderr berth rmi my/busybox:v1
  assert_success
  [[ "$output" == "Untagged: my/busybox:v1" ]] || fail_with "first rmi"
  run --separate-stderr berth rmi "$BB"
  assert_success
  assert_line_eq 0 "Untagged: $BB"
  assert_line_eq 1 "Untagged: $REG_HOST/library/busybox@$digest"
  assert_output_has_line "Deleted: $id"
  [[ ! -e "$(img_dir)/imagedb/content/sha256/${id#sha256:}" ]] || fail_with "config left"
  [[ -z "$(ls -A "$(img_dir)/layerdb/sha256" 2>/dev/null)" ]] || fail_with "layerdb not empty"
  [[ -z "$(find "$(ovl_dir)" -mindepth 1 -maxdepth 1 ! -name l)" ]] || fail_with "overlay2 not empty"
  [[ -z "$(ls -A "$(ovl_dir)/l" 2>/dev/null)" ]] || fail_with "l/ not empty"
  run --separate-stderr berth rmi "$BB"
  assert_one_line_error
}

@test "rmi: a shared layer is freed with the last image only" {
  berth pull -q "$REG_HOST/test/shared-a:1" > /dev/null
  berth pull -q "$REG_HOST/test/shared-b:1" > /dev/null
  local base cid
  base=$(berth inspect "$REG_HOST/test/shared-a:1" | jq -r '.[0].RootFS.Layers[0]')
  cid=$(cat "$(img_dir)/layerdb/sha256/${base#sha256:}/cache-id")
  run berth rmi "$REG_HOST/test/shared-a:1"
  assert_success
  [[ -d "$(ovl_dir)/$cid/diff" && -d "$(img_dir)/layerdb/sha256/${base#sha256:}" ]] ||
    fail_with "shared layer removed with the first image"
  run berth inspect "$REG_HOST/test/shared-b:1"
  assert_success
  run berth rmi "$REG_HOST/test/shared-b:1"
  assert_success
  [[ ! -e "$(ovl_dir)/$cid" && ! -e "$(img_dir)/layerdb/sha256/${base#sha256:}" ]] ||
    fail_with "shared layer not freed with the last image"
}

@test "rmi -f removes an image with several tags" {
  berth pull -q "$BB" > /dev/null
  berth tag "$BB" my/busybox:v1
  local id
  id=$(image_id "$REG_HOST" library/busybox latest)
  run --separate-stderr berth rmi "${id:7:12}"
  assert_failure
  run --separate-stderr berth rmi -f "${id:7:12}"
  assert_success
  assert_output_has_line "Deleted: $id"
  run berth images -q
  [[ -z "$output" ]] || fail_with "images left"
}

@test "import: a rootfs tarball becomes a one-layer image" {
  local r="$BATS_TEST_TMPDIR/rootfs"
  mkdir -p "$r/bin" "$r/etc"
  cp /bin/busybox "$r/bin/busybox"
  ln -s busybox "$r/bin/sh"
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$r/etc/passwd"
  tar --sort=name --owner=0 --group=0 --numeric-owner -C "$r" -cf "$BATS_TEST_TMPDIR/rootfs.tar" bin etc
  run --separate-stderr berth import "$BATS_TEST_TMPDIR/rootfs.tar" imported/busybox:1
  assert_success
  [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]] || fail_with "import prints the image ID"
  local id="$output" js diffid
  js=$(berth inspect imported/busybox:1)
  [[ "$(jq -r '.[0].Id' <<< "$js")" == "$id" ]] || fail_with "Id"
  diffid="sha256:$(sha256sum < "$BATS_TEST_TMPDIR/rootfs.tar" | cut -d' ' -f1)"
  [[ "$(jq -c '.[0].RootFS.Layers' <<< "$js")" == "[\"$diffid\"]" ]] || fail_with "diffID of the tar"
  cmp "$(layer_diff_dir "$diffid")/bin/busybox" /bin/busybox
  # from stdin, untagged
  run --separate-stderr bash -c '"$BERTH" --root "$BERTH_TEST_ROOT" import - < "$1"' _ "$BATS_TEST_TMPDIR/rootfs.tar"
  assert_success
  [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]] || fail_with "import - prints the image ID"
}

@test "info: storage driver, root dir, counts" {
  berth pull -q "$BB" > /dev/null
  run --separate-stderr berth info
  assert_success
  [[ "$output" == *"Storage Driver: overlay2"* ]] || fail_with "Storage Driver"
  [[ "$output" == *"Backing Filesystem: "* ]] || fail_with "Backing Filesystem"
  [[ "$output" == *"Supports d_type: true"* ]] || fail_with "d_type"
  [[ "$output" =~ Images:\ 1 ]] || fail_with "Images: 1"
  [[ "$output" == *"$BERTH_TEST_ROOT"* ]] || fail_with "Root Dir"
}

@test "manifest inspect prints the registry's manifest" {
  run --separate-stderr berth manifest inspect "$REG_HOST/test/layered:1"
  assert_success
  [[ "$(jq -cS . <<< "$output")" == "$(manifest_json "$REG_HOST" test/layered 1 | jq -cS .)" ]] ||
    fail_with "manifest differs"
  run --separate-stderr berth manifest inspect "$REG_HOST/test/nonexistent:1"
  assert_one_line_error
}

@test "layers: digest, diffID, chain ID, cache-id, size, CREATED BY per layer" {
  berth pull -q "$REG_HOST/test/layered:1" > /dev/null
  run --separate-stderr berth layers "$REG_HOST/test/layered:1"
  assert_success
  local cfg i cid
  cfg=$(blob_json "$REG_HOST" test/layered "$(manifest_json "$REG_HOST" test/layered 1 | jq -r .config.digest)")
  mapfile -t diffids < <(jq -r '.rootfs.diff_ids[]' <<< "$cfg")
  mapfile -t chains < <(chain_ids "${diffids[@]}")
  mapfile -t blobs < <(manifest_json "$REG_HOST" test/layered 1 | jq -r '.layers[].digest')
  [[ "${#lines[@]}" -ge $((${#diffids[@]} + 1)) ]] || fail_with "one line per layer plus a header"
  for i in "${!diffids[@]}"; do
    cid=$(cat "$(img_dir)/layerdb/sha256/${chains[$i]#sha256:}/cache-id")
    local row=""
    local l
    for l in "${lines[@]}"; do
      if [[ "$l" == *"${diffids[$i]:7:12}"* && "$l" == *"${chains[$i]:7:12}"* ]]; then
        row="$l"
      fi
    done
    [[ -n "$row" ]] || fail_with "no row for layer $((i + 1))"
    [[ "$row" == *"${blobs[$i]:7:12}"* ]] || fail_with "row $((i + 1)) lacks the distribution digest"
    [[ "$row" == *"${cid:0:12}"* ]] || fail_with "row $((i + 1)) lacks the cache-id"
    [[ "$row" =~ ^[[:space:]]*$((i + 1))[[:space:]] ]] || fail_with "row $((i + 1)) is not numbered $((i + 1))"
  done
}
