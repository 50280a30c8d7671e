#!/usr/bin/env bats
# The build cache (issue 7, "The cache: correct first, then better than
# Docker's"): instruction x change -> hit or miss, one row per case, served
# by the images this store kept (the parent chain) and by an image built in
# another store, pushed with skopeo and pulled here, which has no local
# parents (Docker's classic builder never uses it: moby#20316); then the
# pulled-as-cache path end to end and --cache-from.  The COPY rows (one
# byte, touch, .dockerignore) of the kept cache are in build.bats.

load lib/common
load lib/build

setup_file() {
  registry_with_fixtures REG plain basic
}

teardown_file() {
  registry_stop REG
}

setup() {
  build_setup
  ROOTS=("$BERTH_TEST_ROOT")
}

teardown() {
  local r
  for r in "${ROOTS[@]}"; do
    BERTH_TEST_ROOT="$r"
    for id in $(b ps -aq --no-trunc 2> /dev/null); do
      b rm -f "$id" > /dev/null 2>&1 || true
    done
  done
  container_teardown
}

# fresh_root: a new empty store becomes the test's ($BERTH_TEST_ROOT), with
# the busybox fixture pulled and tagged demo/base:1.
fresh_root() {
  export BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/root-$RANDOM$RANDOM"
  export BERTH_ROOT="$BERTH_TEST_ROOT"
  mkdir -p "$BERTH_TEST_ROOT"
  ROOTS+=("$BERTH_TEST_ROOT")
  b pull -q "$IMG" > /dev/null
  b tag "$IMG" demo/base:1
}

# push_image IMAGE REPO:TAG: the image pushed to the test registry by
# skopeo from an OCI layout made of the store's own files (its config bytes,
# each layer's tar rebuilt by tests/tools/layer_tar), so its ID is kept.
push_image() {
  local image="$1" dest="$2" tool id cfg hex chain diff size layers=() dir
  tool="$(dirname "$BERTH")/../../tests/tools/layer_tar"
  [[ -x "$tool" ]] || fail_with "tests/tools/layer_tar not built next to $BERTH"
  dir="$BATS_TEST_TMPDIR/oci-$RANDOM$RANDOM"
  mkdir -p "$dir/blobs/sha256"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
  id=$(b inspect "$image" | jq -r '.[0].Id')
  cfg="$(img_dir)/imagedb/content/sha256/${id#sha256:}"
  cp "$cfg" "$dir/blobs/sha256/${id#sha256:}"
  while read -r chain diff; do
    "$tool" "$BERTH_TEST_ROOT" "$chain" > "$dir/layer.tar"
    hex=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
    [[ "sha256:$hex" == "$diff" ]] || fail_with "rebuilt layer $chain hashes to $hex, not $diff"
    mv "$dir/layer.tar" "$dir/blobs/sha256/$hex"
    size=$(stat -c %s "$dir/blobs/sha256/$hex")
    layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:$hex\",\"size\":$size}")
  done < <(b layers --no-trunc "$image" | awk 'NR > 1 {print $4, $3}')
  local list
  list=$(IFS=,; echo "${layers[*]}")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[%s]}' \
    "$id" "$(stat -c %s "$cfg")" "$list" > "$dir/manifest"
  hex=$(sha256sum "$dir/manifest" | cut -d' ' -f1)
  size=$(stat -c %s "$dir/manifest")
  mv "$dir/manifest" "$dir/blobs/sha256/$hex"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"berth"}}]}' \
    "$hex" "$size" > "$dir/index.json"
  # shellcheck disable=SC2086
  skopeo --insecure-policy copy -q --retry-times 2 $REG_SKOPEO_DEST "oci:$dir:berth" \
    "docker://$REG_HOST/$dest" > /dev/null || fail_with "skopeo push of $image failed"
  rm -rf "$dir"
}

# move_base: demo/base:1 now names another image (busybox plus a label).
move_base() {
  local d="$BATS_TEST_TMPDIR/moved"
  mkdir -p "$d"
  printf 'FROM %s\nLABEL moved=1\n' "$IMG" > "$d/Dockerfile"
  b build -q -t demo/base:1 "$d" > /dev/null
}

# hit_pattern: for every step after the first (FROM) in $output, h when it
# came from the cache, m when it was built.
hit_pattern() {
  awk '/^Step [0-9]+\/[0-9]+ : / { getline l; if (n++) printf "%s", (l == " ---> Using cache") ? "h" : "m" }' <<< "$output"
}

# The table: NAME | DOCKERFILE (after FROM, \n between lines) | FLAGS of the
# first build | DOCKERFILE of the second ("=": the same) | FLAGS of the
# second | CHANGE (a command run before the second) | the steps after FROM
# of the second build: h cached, m built.  The context holds f ("1").
CASES='
nothing changed         | RUN echo a > /a\nENV A=1\nWORKDIR /w\nCOPY f /f\nRUN cat /f > g\nCMD ["sh"] | | = | | | hhhhhh
the last step changed   | RUN echo a > /a\nRUN echo b > /b | | RUN echo a > /a\nRUN echo B > /b | | | hm
a build arg a RUN uses  | ARG V=1\nRUN echo $V > /v\nRUN echo done > /d | | = | --build-arg V=2 | | hmm
a build arg no ARG declares | RUN echo a > /a\nCMD ["sh"] | --build-arg UNUSED=1 | = | --build-arg UNUSED=2 | | hh
a build arg declared after the last RUN | RUN echo a > /a\nARG V\nCMD ["sh"] | --build-arg V=1 | = | --build-arg V=2 | | hhh
the base tag moved      | RUN echo a > /a\nCMD ["sh"] | | = | | move_base | mm
an ENV changed          | RUN echo a > /a\nENV A=1\nRUN echo b > /b\nWORKDIR /w\nCMD ["sh"] | | RUN echo a > /a\nENV A=2\nRUN echo b > /b\nWORKDIR /w\nCMD ["sh"] | | | hmmmm
a copied file changed   | RUN echo a > /a\nCOPY f /f\nRUN cat /f > /g | | = | | echo 2 > "$CTX/f" | hmm
'

trim() {
  local s="$1"
  s="${s#"${s%%[![:space:]]*}"}"
  printf '%s' "${s%"${s##*[![:space:]]}"}"
}

# run_cases kept|pulled: every row of the table; kept: both builds in one
# store; pulled: the first build's image is pushed and pulled into a fresh
# store, where the second build runs (the only cache there is that image).
run_cases() {
  local mode="$1" name df1 fl1 df2 fl2 change want got i=0 failed=""
  while IFS='|' read -r name df1 fl1 df2 fl2 change want; do
    name=$(trim "$name")
    [[ -n "$name" ]] || continue
    i=$((i + 1))
    df1=$(trim "$df1") fl1=$(trim "$fl1") df2=$(trim "$df2") fl2=$(trim "$fl2")
    change=$(trim "$change") want=$(trim "$want")
    [[ "$df2" == "=" ]] && df2="$df1"
    fresh_root
    rm -rf "$CTX" && mkdir -p "$CTX" && echo 1 > "$CTX/f"
    printf 'FROM demo/base:1\n%b\n' "$df1" > "$CTX/Dockerfile"
    # shellcheck disable=SC2086
    b build -q $fl1 -t demo/row:1 "$CTX" > /dev/null || fail_with "$name: the first build failed"
    if [[ "$mode" == pulled ]]; then
      push_image demo/row:1 "cache/row$i:1"
      fresh_root
      b pull -q "$REG_HOST/cache/row$i:1" > /dev/null
    fi
    [[ -z "$change" ]] || eval "$change"
    printf 'FROM demo/base:1\n%b\n' "$df2" > "$CTX/Dockerfile"
    # shellcheck disable=SC2086
    run --separate-stderr b build $fl2 -t demo/row:2 "$CTX"
    [[ "$status" -eq 0 ]] || fail_with "$name ($mode): the second build failed: $output $stderr"
    got=$(hit_pattern)
    [[ "$got" == "$want" ]] || failed+="  $name ($mode): want $want, got $got"$'\n'
  done <<< "$CASES"
  [[ -z "$failed" ]] || fail_with $'rows that do not hold:\n'"$failed"
}

@test "build cache table: the kept images (parent chain), instruction x change -> hit or miss" {
  run_cases kept
}

@test "build cache table: an image built elsewhere and pulled (no local parents), instruction x change -> hit or miss" {
  run_cases pulled
}
