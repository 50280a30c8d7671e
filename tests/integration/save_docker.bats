#!/usr/bin/env bats
# save against Docker 20.10 itself (a private dockerd, lib/dockerd.bash):
# `docker save` and `berth save` of the same pulled images write the same
# members (names, v1 ids, sizes) and the same manifest.json, repositories
# and v1 json bytes; `docker load` of berth's archive gives Docker the same
# image IDs.

load lib/common
load lib/dockerd

setup_file() {
  registry_with_fixtures REG plain basic layered
  dockerd_start "$BATS_FILE_TMPDIR/dockerd"
}

teardown_file() {
  dockerd_stop
  registry_stop REG
}

setup() {
  common_setup
  OUT="$BATS_TEST_TMPDIR/out"
  mkdir -p "$OUT"
}

teardown() {
  dockerd_reset
  common_teardown
}

# members TAR: type, owner, size and name of each member (times differ:
# Docker's are those of its daemon's clock for manifest.json, same here)
members() {
  tar -tvf "$1" | awk '{ print $1, $2, $3, $6 }'
}

@test "save_docker: the same archive as docker save for a pulled multi-layer image and busybox" {
  local ref1="$REG_HOST/test/layered:1" ref2="$REG_HOST/library/busybox:latest"
  dk pull -q "$ref1" > /dev/null
  dk pull -q "$ref2" > /dev/null
  b pull -q "$ref1" > /dev/null
  b pull -q "$ref2" > /dev/null
  for ref in "$ref1" "$ref2"; do
    rm -rf "$OUT"/*
    dk save -o "$OUT/docker.tar" "$ref"
    b save -o "$OUT/berth.tar" "$ref"
    diff -u <(members "$OUT/docker.tar") <(members "$OUT/berth.tar")
    local m
    for m in $(tar -tf "$OUT/docker.tar" | grep -v '/$' | grep -v '/layer.tar$'); do
      cmp <(tar -xOf "$OUT/docker.tar" "$m") <(tar -xOf "$OUT/berth.tar" "$m") ||
        fail_with "$ref: $m differs"
    done
  done
}

@test "save_docker: docker load of berth's archive has berth's image IDs" {
  local ref="$REG_HOST/library/busybox:latest"
  b pull -q "$ref" > /dev/null
  b create --name c1 "$ref" > /dev/null
  b commit c1 demo/committed:1 > /dev/null
  b rm c1 > /dev/null
  b save -o "$OUT/two.tar" "$ref" demo/committed:1
  BB_ID=$(b inspect "$ref" | jq -r '.[0].Id')
  export BB_ID
  run dk load -i "$OUT/two.tar"
  [[ "$status" -eq 0 ]] || fail_with "docker load: $output"
  for r in "$ref" demo/committed:1; do
    [[ "$(dk image inspect -f '{{.Id}}' "$r")" == "$(b inspect "$r" | jq -r '.[0].Id')" ]]
  done
  # Docker's own save of what it loaded is berth's: members, json bytes,
  # manifest.json with the Parent link (its image order is Go's map order)
  dk save -o "$OUT/docker.tar" "$ref" demo/committed:1
  # which of the two images' directories holds the shared layer's tar and
  # which the link to it follows that order too: compare them apart
  diff -u <(members "$OUT/docker.tar" | awk '$4 !~ /layer.tar$/' | sort) \
    <(members "$OUT/two.tar" | awk '$4 !~ /layer.tar$/' | sort)
  diff -u <(members "$OUT/docker.tar" | awk '$4 ~ /layer.tar$/ { print substr($1, 1, 1), $3 }' | sort) \
    <(members "$OUT/two.tar" | awk '$4 ~ /layer.tar$/ { print substr($1, 1, 1), $3 }' | sort)
  local m
  for m in $(tar -tf "$OUT/docker.tar" | grep '/json$'); do
    cmp <(tar -xOf "$OUT/docker.tar" "$m") <(tar -xOf "$OUT/two.tar" "$m") || fail_with "$m differs"
  done
  [[ "$(tar -xOf "$OUT/docker.tar" manifest.json | jq -c 'sort_by(.Config)')" == \
    "$(tar -xOf "$OUT/two.tar" manifest.json | jq -c 'sort_by(.Config)')" ]]
  tar -xOf "$OUT/two.tar" manifest.json | jq -e '.[1].Parent == "\(env.BB_ID)"' > /dev/null ||
    fail_with "no Parent link in berth's manifest.json"
  run dk run --rm --network none demo/committed:1 echo hello
  [[ "$status" -eq 0 && "$output" == hello ]] || fail_with "docker run: $output"
}
