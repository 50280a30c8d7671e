#!/usr/bin/env bats
# The build cache (issue 7, "The cache: correct first, then better than
# Docker's"): instruction x change -> hit or miss, one row per case, served
# by the images this store kept (the parent chain) and by an image built in
# another store, pushed with skopeo and pulled here, which has no local
# parents (Docker's classic builder never uses it: moby#20316); then the
# pulled-as-cache path end to end (the result is the pulled image itself),
# --cache-from, a base moved to the same layers with another Config, a
# COPY that must not take a COPY --from's layer, and an image Docker 20.10's
# classic builder built as the cache.  The COPY rows (one byte, touch,
# .dockerignore) of the kept cache are in build.bats.

load lib/common
load lib/build
load lib/dockerd

setup() {
  build_setup
  ROOTS=("$BERTH_TEST_ROOT")
}

teardown() {
  local r id
  dockerd_stop
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
  local image="$1" dest="$2" dir="$BATS_TEST_TMPDIR/oci-$RANDOM$RANDOM"
  oci_layout_of "$image" "$dir"
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
a COPY into a directory of another owner | RUN mkdir -p /home/u && chown 1000:1000 /home/u\nCOPY f /home/u/f\nRUN stat -c %u /home/u > /o && test "$(cat /o)" = 1000 | | = | | | hhh
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

# The Dockerfile of the end-to-end tests: every kind of step.
app_dockerfile() {
  echo hello > "$CTX/f"
  dockerfile 'FROM demo/base:1' 'ARG V=1' 'RUN echo $V > /v' 'ENV A=1' 'WORKDIR /w' 'COPY f f' \
    'RUN cat f > g' 'LABEL l=1' 'USER nobody' "$@"
}

@test "build cache: an image built in another store, pushed and pulled, serves every step; the result is that image" {
  fresh_root
  app_dockerfile 'CMD ["cat","/w/g"]'
  b build -q -t demo/app:1 "$CTX" > /dev/null
  local id
  id=$(b inspect demo/app:1 | jq -r '.[0].Id')
  push_image demo/app:1 cache/app:1
  fresh_root
  b pull -q "$REG_HOST/cache/app:1" > /dev/null
  [[ "$(b inspect "$REG_HOST/cache/app:1" | jq -r '.[0].Id')" == "$id" ]] || fail_with "pulled id"
  local before
  before=$(ls "$(ovl_dir)" "$(img_dir)/layerdb/sha256" | wc -l)
  run --separate-stderr b build -t demo/app:2 "$CTX"
  assert_success
  [[ "$(hit_pattern)" == hhhhhhhhh ]] || fail_with "$output"
  # the pulled layers are the steps' layers: none made, none copied
  [[ "$(ls "$(ovl_dir)" "$(img_dir)/layerdb/sha256" | wc -l)" == "$before" ]] || fail_with "layers made"
  [[ "$output" != *"Running in"* ]] || fail_with "$output"
  [[ "$output" == *"Successfully built ${id:7:12}"* ]] || fail_with "want ${id:7:12}: $output"
  [[ "$(b inspect demo/app:2 | jq -r '.[0].Id')" == "$id" ]] || fail_with "not the pulled image"
  # every step has an image with its parent recorded, as a local build's
  run --separate-stderr b history -q demo/app:2
  assert_success
  local n=0 l
  for l in "${lines[@]}"; do
    [[ "$l" == $H ]] || break
    n=$((n + 1))
  done
  [[ "$n" -ge 10 ]] || fail_with "steps without an ID: $output"
  run --separate-stderr b verify
  assert_success
  [[ "$output" != *TAMPERED* ]] || fail_with "$output"
  run --separate-stderr in_image demo/app:2
  [[ "$output" == hello ]] || fail_with "got '$output'"
  # the last step changed: only it misses
  app_dockerfile 'CMD ["cat","/v"]'
  run --separate-stderr b build -t demo/app:3 "$CTX"
  assert_success
  [[ "$(hit_pattern)" == hhhhhhhhm ]] || fail_with "$output"
  run --separate-stderr in_image demo/app:3
  [[ "$output" == 1 ]] || fail_with "got '$output'"
  # a step in the middle changed: it and every later step miss
  app_dockerfile 'CMD ["cat","/w/g"]'
  sed -i 's/^ENV A=1/ENV A=2/' "$CTX/Dockerfile"
  run --separate-stderr b build -t demo/app:4 "$CTX"
  assert_success
  [[ "$(hit_pattern)" == hhmmmmmmm ]] || fail_with "$output"
  run --separate-stderr b verify
  assert_success
}

@test "build cache: --cache-from names the only candidates: an unrelated image gives no hit, the pulled one every step" {
  fresh_root
  app_dockerfile 'CMD ["cat","/w/g"]'
  b build -q -t demo/app:1 "$CTX" > /dev/null
  local id
  id=$(b inspect demo/app:1 | jq -r '.[0].Id')
  push_image demo/app:1 cache/from:1
  fresh_root
  b pull -q "$REG_HOST/cache/from:1" > /dev/null
  # an unrelated image named: nothing from the pulled image
  run --separate-stderr b build --cache-from "$IMG" -t demo/app:2 "$CTX"
  assert_success
  [[ "$(hit_pattern)" == mmmmmmmmm ]] || fail_with "$output"
  # ... nor from this store's kept images, which are not its ancestors
  run --separate-stderr b build --cache-from "$IMG" "$CTX"
  assert_success
  [[ "$(hit_pattern)" == mmmmmmmmm ]] || fail_with "kept images used: $output"
  # without the flag the kept images serve again
  run --separate-stderr b build "$CTX"
  assert_success
  [[ "$(hit_pattern)" == hhhhhhhhh ]] || fail_with "$output"
  # the pulled image named (twice, and a missing one skipped; Docker's
  # comma-separated lists too): every step, its id
  run --separate-stderr b build --cache-from "nosuch/image:1,$IMG" --cache-from "$REG_HOST/cache/from:1" \
    --cache-from "$REG_HOST/cache/from:1" -t demo/app:3 "$CTX"
  assert_success
  [[ "$(hit_pattern)" == hhhhhhhhh ]] || fail_with "$output"
  [[ "$stderr" == *"--cache-from nosuch/image:1 skipped"* ]] || fail_with "stderr: $stderr"
  [[ "$(b inspect demo/app:3 | jq -r '.[0].Id')" == "$id" ]] || fail_with "not the pulled image"
  # --no-cache wins over it
  run --separate-stderr b build --no-cache --cache-from "$REG_HOST/cache/from:1" "$CTX"
  assert_success
  [[ "$(hit_pattern)" == mmmmmmmmm ]] || fail_with "$output"
}

# moved_base JQ: demo/base:1 moved to busybox's config changed by JQ, its
# history and layers the same (written into the store by hand, as crane
# mutate would make it).
moved_base() {
  local base cfg hex
  base=$(b inspect "$IMG" | jq -r '.[0].Id')
  cfg="$(img_dir)/imagedb/content/sha256"
  jq -c "$1" "$cfg/${base#sha256:}" > "$BATS_TEST_TMPDIR/cfg"
  hex=$(sha256sum "$BATS_TEST_TMPDIR/cfg" | cut -d' ' -f1)
  cp "$BATS_TEST_TMPDIR/cfg" "$cfg/$hex"
  b tag "sha256:$hex" demo/base:1
}

@test "build cache: a base moved to the same layers and history with another Env misses; with another label, the layers serve and the Config is the builder's" {
  fresh_root
  app_dockerfile 'CMD ["cat","/w/g"]'
  b build -q -t demo/app:1 "$CTX" > /dev/null
  local id
  id=$(b inspect demo/app:1 | jq -r '.[0].Id')
  push_image demo/app:1 cache/env:1
  fresh_root
  b pull -q "$REG_HOST/cache/env:1" > /dev/null
  # another Env: a RUN may see it, so no step of the pulled image serves
  moved_base '.config.Env += ["EXTRA=1"]'
  run --separate-stderr b build -t demo/app:2 "$CTX"
  assert_success
  [[ "$(hit_pattern)" == mmmmmmmmm ]] || fail_with "$output"
  b inspect demo/app:2 | jq -e '.[0].Config.Env | index("EXTRA=1") and index("A=1")' > /dev/null ||
    fail_with "Env: $(b inspect demo/app:2 | jq -c '.[0].Config.Env')"
  # another label: no layer depends on it; every step from the pulled
  # image's layers, the Config the builder's (not the pulled image)
  moved_base '.config.Labels = {"base": "2"}'
  run --separate-stderr b build -t demo/app:3 "$CTX"
  assert_success
  [[ "$(hit_pattern)" == hhhhhhhhh ]] || fail_with "$output"
  [[ "$(b inspect demo/app:3 | jq -r '.[0].Id')" != "$id" ]] || fail_with "the pulled image's Config was taken"
  [[ "$(b inspect demo/app:3 | jq -c '.[0].Config.Labels')" == '{"base":"2","l":"1"}' ]] ||
    fail_with "Labels: $(b inspect demo/app:3 | jq -c '.[0].Config.Labels')"
  [[ "$(b inspect demo/app:3 | jq -r '.[0].Config.User')" == nobody ]] || fail_with "User"
  run --separate-stderr b verify
  assert_success
  run --separate-stderr in_image demo/app:3
  [[ "$output" == hello ]] || fail_with "got '$output'"
}

# Two Dockerfiles whose COPY steps have the same CREATED BY (the same
# sources' names, modes, owners and bytes): the second's from the context,
# the first's from a stage, which keeps the owner 1000 the context COPY
# must not (it gives 0:0).
copy_from_pair() {
  echo hello > "$CTX/f"
  chown 1000:1000 "$CTX/f"
  printf 'FROM demo/base:1 AS src\nCOPY --chown=1000:1000 f /f\nFROM demo/base:1\nCOPY --from=src /f /f\n' > "$CTX/Dockerfile.from"
  printf 'FROM demo/base:1\nCOPY f /f\n' > "$CTX/Dockerfile"
}

@test "build cache: a COPY from the context never takes the layer of a COPY --from with the same CREATED BY" {
  fresh_root
  copy_from_pair
  b build -q -f "$CTX/Dockerfile.from" -t demo/from:1 "$CTX" > /dev/null
  [[ "$(in_image demo/from:1 stat -c %u:%g /f)" == 1000:1000 ]] || fail_with "the stage's owner"
  # the kept images
  run --separate-stderr b build -t demo/ctx:1 "$CTX"
  assert_success
  [[ "$(in_image demo/ctx:1 stat -c %u:%g /f)" == 0:0 ]] || fail_with "kept: the --from layer was taken: $output"
  # the same image pulled into a fresh store
  push_image demo/from:1 cache/copyfrom:1
  fresh_root
  b pull -q "$REG_HOST/cache/copyfrom:1" > /dev/null
  run --separate-stderr b build -t demo/ctx:2 "$CTX"
  assert_success
  [[ "$(in_image demo/ctx:2 stat -c %u:%g /f)" == 0:0 ]] || fail_with "pulled: the --from layer was taken: $output"
  [[ "$(hit_pattern)" == m ]] || fail_with "$output"
}

# ---- Docker 20.10's classic builder as the one that built elsewhere -------

@test "build cache: an image Docker's classic builder built and pushed serves every step; the result is Docker's image" {
  dockerd_start "$BATS_TEST_TMPDIR/docker"
  dk pull -q "$IMG" > /dev/null
  # COPY too: its CREATED BY has Docker's own hash of the sources
  echo data > "$CTX/f"
  dockerfile "FROM $IMG" 'ARG V=1' 'RUN echo $V > /v' 'ENV A=1' 'WORKDIR /w' 'RUN echo x > x' \
    'COPY f /w/f' 'LABEL l=1' 'USER nobody' 'CMD ["cat","/w/x"]'
  DOCKER_BUILDKIT=0 dk build --network none -q -t "$REG_HOST/cache/docker:1" "$CTX" > /dev/null
  dk push "$REG_HOST/cache/docker:1" > /dev/null
  local id
  id=$(dk inspect -f '{{.Id}}' "$REG_HOST/cache/docker:1")
  b pull -q "$REG_HOST/cache/docker:1" > /dev/null
  run --separate-stderr b build -t demo/dk:1 "$CTX"
  assert_success
  [[ "$(hit_pattern)" == hhhhhhhhh ]] || fail_with "$output"
  [[ "$(b inspect demo/dk:1 | jq -r '.[0].Id')" == "$id" ]] || fail_with "not Docker's image $id: $output"
  run --separate-stderr b verify
  assert_success
  run --separate-stderr in_image demo/dk:1
  [[ "$output" == x ]] || fail_with "got '$output'"
  # a changed step misses from there on, the steps before still Docker's layers
  sed -i 's/^ENV A=1/ENV A=2/' "$CTX/Dockerfile"
  run --separate-stderr b build "$CTX"
  assert_success
  [[ "$(hit_pattern)" == hhmmmmmmm ]] || fail_with "$output"
}
