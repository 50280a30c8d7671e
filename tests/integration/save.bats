#!/usr/bin/env bats
# save: Docker 20.10's docker-archive layout, read back by podman and skopeo.

load lib/common

setup_file() {
  require_tool docker-registry skopeo podman
  registry_with_fixtures REG plain basic layered shared
}

teardown_file() {
  registry_stop REG
}

setup() {
  common_setup
  BB="$REG_HOST/library/busybox:latest"
  LAYERED="$REG_HOST/test/layered:1"
  OUT="$BATS_TEST_TMPDIR/out"
  mkdir -p "$OUT"
}

teardown() {
  if [[ -n "${PODMAN_DIR:-}" ]]; then
    podman_t rmi -a -f > /dev/null 2>&1 || true
  fi
  common_teardown
}

podman_setup() {
  PODMAN_DIR="$BATS_TEST_TMPDIR/podman"
  mkdir -p "$PODMAN_DIR"
  CONTAINERS_CONF=$(peer_containers_conf)
  export CONTAINERS_CONF
}

podman_t() {
  env -u DOCKER_CONFIG podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/run" --storage-driver overlay "$@"
}

# member TAR NAME: one member's bytes
member() {
  tar -xOf "$1" "$2"
}

@test "save: test/layered:1 in docker save's layout (v1 dirs, manifest.json, repositories, exact config and layer tars)" {
  b pull -q "$LAYERED" > /dev/null
  run --separate-stderr b save -o "$OUT/layered.tar" "$LAYERED"
  [[ "$status" -eq 0 ]] || fail_with "save failed: $stderr"
  [[ -z "$output" ]]
  local id cfg a="$OUT/layered.tar"
  id=$(b inspect "$LAYERED" | jq -r '.[0].Id')
  cfg="$BERTH_TEST_ROOT/image/overlay2/imagedb/content/sha256/${id#sha256:}"
  # Docker's members: a directory per layer (VERSION, json, layer.tar), the
  # config, manifest.json, repositories; in its directory walk's order;
  # root/root, 0755 directories, 0644 files
  tar -tf "$a" > "$OUT/names"
  LC_ALL=C sort -c "$OUT/names"
  [[ "$(grep -c '/$' "$OUT/names")" -eq 4 ]]
  [[ "$(tail -2 "$OUT/names")" == "$(printf 'manifest.json\nrepositories')" ]]
  grep -qx "${id#sha256:}.json" "$OUT/names"
  [[ "$(wc -l < "$OUT/names")" -eq 19 ]]
  tar -tvf "$a" | awk '$1 != "drwxr-xr-x" && $1 != "-rw-r--r--" || $2 != "root/root" { exit 1 }'
  # manifest.json and repositories: compact, one line each, as Go's encoder
  local manifest top
  manifest=$(member "$a" manifest.json)
  [[ "$(member "$a" manifest.json | wc -l)" -eq 1 ]]
  [[ "$manifest" == "$(jq -c . <<< "$manifest")" ]]
  [[ "$(jq -c '[.[0].Config, .[0].RepoTags]' <<< "$manifest")" == "[\"${id#sha256:}.json\",[\"$LAYERED\"]]" ]]
  [[ "$(jq -r '.[0].Layers | length' <<< "$manifest")" -eq 4 ]]
  top=$(jq -r '.[0].Layers[3] | split("/")[0]' <<< "$manifest")
  [[ "$(member "$a" repositories)" == "{\"$REG_HOST/test/layered\":{\"1\":\"$top\"}}" ]]
  # the config exactly as stored
  cmp <(member "$a" "${id#sha256:}.json") "$cfg"
  # per layer: VERSION 1.0; json names its dir and the one below; the empty
  # v1 image below the top, the image's own at the top; layer.tar hashes to
  # the diffID
  local i=0 l dir parent="" js
  for l in $(jq -r '.[0].Layers[]' <<< "$manifest"); do
    dir=${l%/layer.tar}
    [[ "$(member "$a" "$dir/VERSION")" == "1.0" ]]
    js=$(member "$a" "$dir/json")
    [[ "$(jq -r .id <<< "$js")" == "$dir" ]]
    [[ "$(jq -r '.parent // ""' <<< "$js")" == "$parent" ]]
    [[ "$(jq -r .os <<< "$js")" == linux ]]
    if [[ $i -lt 3 ]]; then
      [[ "$(jq -r .created <<< "$js")" == 1970-01-01T00:00:00Z ]]
      [[ "$(jq -r '.config // "none"' <<< "$js")" == none ]]
    else
      [[ "$(jq -r .created <<< "$js")" == "$(jq -r .created "$cfg")" ]]
      # Docker's container.Config: every field, in Go's order
      [[ "$(jq -c '.config | keys_unsorted[:3]' <<< "$js")" == '["Hostname","Domainname","User"]' ]]
      [[ "$(jq -S '.config | [.Env, .Cmd, .Labels]' <<< "$js")" == "$(jq -S '.config | [.Env, .Cmd, .Labels]' "$cfg")" ]]
    fi
    [[ "sha256:$(member "$a" "$l" | sha256sum | cut -d' ' -f1)" == "$(jq -r ".rootfs.diff_ids[$i]" "$cfg")" ]]
    parent=$dir
    i=$((i + 1))
  done
  # no temporary file left beside the output
  [[ "$(ls -A "$OUT")" == "$(printf 'layered.tar\nnames')" ]]
}

@test "save: podman load and skopeo read the archive; podman gets the same image IDs" {
  require_tool podman skopeo
  podman_setup
  b pull -q "$BB" > /dev/null
  b create --name c1 "$BB" > /dev/null
  b commit c1 demo/committed:1 > /dev/null
  b rm c1 > /dev/null
  b save -o "$OUT/two.tar" "$BB" demo/committed:1
  run skopeo inspect "docker-archive:$OUT/two.tar:demo/committed:1"
  [[ "$status" -eq 0 ]] || fail_with "skopeo inspect: $output"
  [[ "$(jq -r '.Layers | length' <<< "$output")" -eq "$(b inspect demo/committed:1 | jq '.[0].RootFS.Layers | length')" ]]
  run podman_t load -i "$OUT/two.tar"
  [[ "$status" -eq 0 ]] || fail_with "podman load: $output"
  local want got
  for ref in "$BB" demo/committed:1; do
    want=$(b inspect "$ref" | jq -r '.[0].Id')
    got=$(podman_t image inspect "$ref" | jq -r '.[0].Id')
    [[ "sha256:$got" == "$want" ]] || fail_with "$ref: podman has $got, berth $want"
  done
}

@test "save: images sharing layers write each layer once" {
  b pull -q "$REG_HOST/test/shared-a:1" > /dev/null
  b pull -q "$REG_HOST/test/shared-b:1" > /dev/null
  b save -o "$OUT/shared.tar" "$REG_HOST/test/shared-a:1" "$REG_HOST/test/shared-b:1"
  local layers unique
  layers=$(member "$OUT/shared.tar" manifest.json | jq -r '.[].Layers[]' | wc -l)
  unique=$(member "$OUT/shared.tar" manifest.json | jq -r '.[].Layers[]' | sort -u | wc -l)
  [[ "$unique" -lt "$layers" ]]
  [[ "$(tar -tf "$OUT/shared.tar" | grep -c '/layer.tar$')" -eq "$unique" ]]
  [[ "$(member "$OUT/shared.tar" manifest.json | jq -r '.[].RepoTags[]')" == "$(printf '%s\n' "$REG_HOST/test/shared-a:1" "$REG_HOST/test/shared-b:1")" ]]
}

@test "save: to stdout when redirected; by id no tags and no repositories" {
  b pull -q "$BB" > /dev/null
  b save "$BB" > "$OUT/bb.tar"
  tar -tf "$OUT/bb.tar" | grep -qx manifest.json
  [[ "$(member "$OUT/bb.tar" manifest.json | jq -r '.[0].RepoTags[0]')" == "$BB" ]]
  local id
  id=$(b inspect "$BB" | jq -r '.[0].Id')
  b save "${id:7:12}" > "$OUT/byid.tar"
  [[ "$(member "$OUT/byid.tar" manifest.json | jq -c '.[0].RepoTags')" == "null" ]]
  ! tar -tf "$OUT/byid.tar" | grep -qx repositories
  # the same layers, byte for byte
  cmp <(member "$OUT/bb.tar" "$(member "$OUT/bb.tar" manifest.json | jq -r '.[0].Layers[0]')") \
    <(member "$OUT/byid.tar" "$(member "$OUT/byid.tar" manifest.json | jq -r '.[0].Layers[0]')")
}

@test "save: refuses a terminal with Docker's words" {
  b pull -q "$BB" > /dev/null
  run timeout 60 script -qec "'$BERTH' --root '$BERTH_TEST_ROOT' save '$BB'" /dev/null
  [[ "$status" -eq 1 ]]
  [[ "$output" == *"Error: cowardly refusing to save to a terminal. Use the -o flag or redirect"* ]]
}

@test "save: an unknown image is Docker's error, exit 1, nothing written" {
  b pull -q "$BB" > /dev/null
  store_snapshot
  run --separate-stderr b save -o "$OUT/x.tar" "$BB" nosuch:1
  [[ "$status" -eq 1 ]]
  assert_one_line_error
  [[ "$stderr" == "Error: reference does not exist" ]]
  run --separate-stderr b save -o "$OUT/x.tar" nosuch
  [[ "$status" -eq 1 ]]
  [[ "$stderr" == "Error: No such image: nosuch" ]]
  run --separate-stderr b save nosuch
  [[ "$status" -eq 1 ]]
  [[ -z "$output" ]]
  [[ -z "$(ls -A "$OUT")" ]]
  assert_store_unchanged
}

@test "save: a layer whose files changed fails clearly, no partial file left" {
  b pull -q "$BB" > /dev/null
  local upper f
  upper=$(b inspect "$BB" | jq -r '.[0].GraphDriver.Data.UpperDir')
  f="$upper/etc/passwd"
  [[ -f "$f" ]]
  printf 'X' | dd of="$f" bs=1 seek=0 conv=notrunc status=none
  run --separate-stderr b save -o "$OUT/bad.tar" "$BB"
  [[ "$status" -eq 1 ]]
  assert_one_line_error
  [[ "$stderr" == "Error: layer sha256:"*"etc/passwd"* ]] || fail_with "got: $stderr"
  [[ -z "$(ls -A "$OUT")" ]]
}

@test "save: a diffID twice in one image: the second layer.tar links to the first, as Docker's" {
  b pull -q "$BB" > /dev/null
  local ctx="$BATS_TEST_TMPDIR/ctx"
  mkdir -p "$ctx"
  echo same > "$ctx/a"
  printf 'FROM %s\nCOPY a /a\nCOPY a /a\n' "$BB" > "$ctx/Dockerfile"
  b build -q -t demo/twice:1 "$ctx" > /dev/null
  local ids
  ids=$(b inspect demo/twice:1 | jq -r '.[0].RootFS.Layers[1:] | unique | length')
  [[ "$ids" -eq 1 ]] || skip "the two COPY layers differ"
  b save -o "$OUT/twice.tar" demo/twice:1
  local l2 l3
  l2=$(member "$OUT/twice.tar" manifest.json | jq -r '.[0].Layers[1]')
  l3=$(member "$OUT/twice.tar" manifest.json | jq -r '.[0].Layers[2]')
  [[ "$l2" != "$l3" ]]
  [[ "$(tar -tvf "$OUT/twice.tar" "$l3")" == "lrwxrwxrwx root/root "*" $l3 -> ../$l2" ]]
  podman_setup
  run podman_t load -i "$OUT/twice.tar"
  [[ "$status" -eq 0 ]] || fail_with "podman load: $output"
  [[ "sha256:$(podman_t image inspect demo/twice:1 | jq -r '.[0].Id')" == "$(b inspect demo/twice:1 | jq -r '.[0].Id')" ]]
}

@test "save: a bare repository name saves every tag of it; a missing output directory is Docker's error" {
  b pull -q "$BB" > /dev/null
  b tag "$BB" demo/x:1
  b tag "$BB" demo/x:2
  b save -o "$OUT/x.tar" demo/x
  [[ "$(member "$OUT/x.tar" manifest.json | jq -c '[.[].RepoTags]')" == '[["demo/x:1","demo/x:2"]]' ]]
  [[ "$(member "$OUT/x.tar" repositories | jq -c '.["demo/x"] | keys')" == '["1","2"]' ]]
  store_snapshot
  run --separate-stderr b save -o "$OUT/nodir/x.tar" demo/x
  [[ "$status" -eq 1 ]]
  [[ "$stderr" == "Error: failed to save image: invalid output path: directory \"$OUT/nodir\" does not exist" ]]
  assert_store_unchanged
}
