#!/usr/bin/env bats
# `build` (issue 7): RUN's BuildKit flags, --mount=type=bind|cache|tmpfs|secret
# and --network, with the build flags --secret and --network.  Nothing a
# mount brings (nor its mount point) may end up in the step's layer; a
# secret is never in the image, its history or the store.

load lib/common
load lib/build

# no_crash: $stderr of the last run has no sanitizer report.
no_crash() {
  ! grep -qE 'Sanitizer|runtime error' <<< "$stderr" || fail_with "$stderr"
}

# base_layers: the layer count of the base image.
base_layers() {
  layer_count "$IMG"
}

# last_empty IMAGE: the last history entry's empty_layer.
last_empty() {
  local id
  id=$(b inspect "$1" | jq -r '.[0].Id')
  jq -r '.history[-1].empty_layer // false' "$(img_dir)/imagedb/content/sha256/${id#sha256:}"
}

@test "build mounts: a bind of the context is read-only, sees the file, leaves nothing in the layer" {
  echo 'from the context' > "$CTX/data.txt"
  mkdir "$CTX/dir" && echo a > "$CTX/dir/a"
  dockerfile "FROM $IMG" \
    'RUN --mount=type=bind,source=data.txt,target=/ctx/data.txt cat /ctx/data.txt' \
    'RUN --mount=type=bind,target=/src sh -c "cat /src/dir/a; ! touch /src/x 2>/dev/null"'
  run --separate-stderr b build -t demo/bind:1 "$CTX"
  assert_success
  no_crash
  [[ "$output" == *$' ---> Running in '*$'\nfrom the context\n'* ]] || fail_with "$output"
  [[ "$output" == *$'\na\n'* ]] || fail_with "$output"
  [ "$(layer_count demo/bind:1)" -eq "$(base_layers)" ] || fail_with "a layer was made"
  [ "$(last_empty demo/bind:1)" = true ] || fail_with "not an empty layer"
  run --separate-stderr in_image demo/bind:1 sh -c 'ls -d /ctx /src 2>&1; true'
  [[ "$output" != *"/ctx"$'\n'* && "$output" == *"No such file"*"No such file"* ]] || fail_with "$output"
  run --separate-stderr created_by demo/bind:1
  [ "${lines[0]}" = '--mount=type=bind,target=/src /bin/sh -c sh -c "cat /src/dir/a; ! touch /src/x 2>/dev/null"' ] \
    || fail_with "$output"
  [ ! -e "$CTX/x" ] || fail_with "the context was written"
}

@test "build mounts: rw bind writes are discarded; a changed bound file misses the cache" {
  echo one > "$CTX/f"
  dockerfile "FROM $IMG" 'RUN --mount=type=bind,target=/src,rw sh -c "echo new > /src/new; cat /src/f; touch /made"'
  run --separate-stderr b build -t demo/rw:1 "$CTX"
  assert_success
  no_crash
  [[ "$output" == *$'\none\n'* ]] || fail_with "$output"
  [ ! -e "$CTX/new" ] || fail_with "the write reached the context"
  run --separate-stderr b diff "$IMG" demo/rw:1
  assert_success
  [ "$output" = 'A /made' ] || fail_with "the layer has: $output"
  run --separate-stderr b build "$CTX"
  [ "$(cache_hits)" -eq 1 ] || fail_with "an unchanged context misses: $output"
  echo two > "$CTX/f" # same size
  run --separate-stderr b build "$CTX"
  assert_success
  no_crash
  [ "$(cache_hits)" -eq 0 ] || fail_with "a changed bound file hits: $output"
  [[ "$output" == *$'\ntwo\n'* ]] || fail_with "$output"
}

@test "build mounts: a bind from an earlier stage, ro and rw" {
  dockerfile "FROM $IMG AS src" 'RUN mkdir /out && echo staged > /out/f' \
    "FROM $IMG" 'RUN --mount=type=bind,from=src,source=/out,target=/in cat /in/f' \
    'RUN --mount=type=bind,from=src,target=/s,rw sh -c "echo x > /s/out/g && cat /s/out/g"'
  run --separate-stderr b build -t demo/from:1 "$CTX"
  assert_success
  no_crash
  [[ "$output" == *$'\nstaged\n'* ]] || fail_with "$output"
  [[ "$output" == *$'\nx\n'* ]] || fail_with "$output"
  [ "$(layer_count demo/from:1)" -eq "$(base_layers)" ] || fail_with "a layer was made"
  [ -z "$(ls "$BERTH_TEST_ROOT"/tmp/image-mounts 2> /dev/null)" ] || fail_with "an image mount is left"
  run --separate-stderr b build "$CTX"
  [ "$(cache_hits)" -eq 3 ] || fail_with "$output"
  # the stage's content is in the key: a changed stage misses
  dockerfile "FROM $IMG AS src" 'RUN mkdir /out && echo STAGED > /out/f' \
    "FROM $IMG" 'RUN --mount=type=bind,from=src,source=/out,target=/in cat /in/f'
  run --separate-stderr b build "$CTX"
  assert_success
  no_crash
  [[ "$output" == *$'\nSTAGED\n'* ]] || fail_with "$output"
}

@test "build mounts: --target builds the stage a RUN --mount from= needs" {
  dockerfile "FROM $IMG AS a" 'RUN echo from-a > /a' \
    "FROM $IMG AS b" 'RUN --mount=type=bind,from=a,target=/m cat /m/a' \
    "FROM $IMG AS c" 'RUN echo c'
  run --separate-stderr b build --target b "$CTX"
  assert_success
  no_crash
  [[ "$output" == *$'\nfrom-a\n'* ]] || fail_with "$output"
  [[ "$output" != *"Step 6/"* ]] || fail_with "stage c was built: $output"
}

@test "build mounts: a mount point through an image's symlink is made inside the rootfs" {
  dockerfile "FROM $IMG" 'RUN ln -s /tmp /via && ln -s ../../../../../.. /up'
  b build -q -t demo/links:1 "$CTX" > /dev/null
  [ ! -e /berth-mount-escape ] || fail_with "a stale /berth-mount-escape on the host"
  dockerfile "FROM demo/links:1" \
    'RUN --mount=type=tmpfs,target=/via/x grep -q " /tmp/x tmpfs " /proc/mounts' \
    'RUN --mount=type=tmpfs,target=/up/berth-mount-escape/y grep -q " /berth-mount-escape/y tmpfs " /proc/mounts'
  run --separate-stderr b build -t demo/links:2 "$CTX"
  assert_success
  no_crash
  [ ! -e /berth-mount-escape ] || fail_with "a mount point was made on the host"
  run --separate-stderr b diff demo/links:1 demo/links:2
  [ -z "$output" ] || fail_with "the layers have: $output"
}

@test "build mounts: a cache mount persists across builds and is not in the image" {
  dockerfile "FROM $IMG" 'RUN --mount=type=cache,target=/var/cache/app,mode=0700,uid=7 sh -c "echo run >> /var/cache/app/log; cat /var/cache/app/log; stat -c %a:%u /var/cache/app"'
  run --separate-stderr b build -t demo/cache:1 "$CTX"
  assert_success
  no_crash
  [[ "$output" == *$'\nrun\n700:7\n'* ]] || fail_with "$output"
  run --separate-stderr b build --no-cache -t demo/cache:2 "$CTX"
  assert_success
  no_crash
  [[ "$output" == *$'\nrun\nrun\n700:7\n'* ]] || fail_with "the cache was not kept: $output"
  [ "$(layer_count demo/cache:2)" -eq "$(base_layers)" ] || fail_with "a layer was made"
  run --separate-stderr b diff "$IMG" demo/cache:2
  [ -z "$output" ] || fail_with "the image differs: $output"
  # another id is another cache; the mount points it needed are in no image
  dockerfile "FROM $IMG" 'RUN --mount=type=cache,id=other,target=/var/cache/app cat /var/cache/app/log'
  run --separate-stderr b build "$CTX"
  assert_failure
  [ -z "$(ls -A "$BERTH_TEST_ROOT"/tmp | grep '^scratch-')" ] || fail_with "a scratch dir is left"
  # an id is no path: it names its directory only through its digest
  dockerfile "FROM $IMG" 'RUN --mount=type=cache,id=../../../escape,target=/c touch /c/f'
  run --separate-stderr b build "$CTX"
  assert_success
  no_crash
  [ -e "$BERTH_TEST_ROOT/builder/cache/$(printf %s ../../../escape | sha256sum | cut -c1-64)/f" ] \
    || fail_with "$(ls -R "$BERTH_TEST_ROOT/builder")"
  [ ! -e "$BERTH_TEST_ROOT/../escape" ] && [ ! -e "$BERTH_TEST_ROOT/escape" ] || fail_with "the id was a path"
}

@test "build mounts: sharing=private gets a fresh cache while another build holds it" {
  dockerfile "FROM $IMG" 'RUN --mount=type=cache,id=c1,target=/c sh -c "echo kept > /c/f"'
  b build -q "$CTX" > /dev/null
  dir="$BERTH_TEST_ROOT/builder/cache/$(printf %s c1 | sha256sum | cut -c1-64)"
  [ "$(cat "$dir/f")" = kept ] || fail_with "no cache dir $dir"
  dockerfile "FROM $IMG" 'RUN --mount=type=cache,id=c1,target=/c,sharing=private sh -c "ls /c; echo private > /c/g"'
  exec 9< "$dir"
  flock -s 9
  run --separate-stderr b build --no-cache "$CTX"
  exec 9<&-
  assert_success
  [[ "$output" != *$'\nf\n'* ]] || fail_with "the held cache was used: $output"
  [ ! -e "$dir/g" ] || fail_with "the private write reached the shared cache"
  run --separate-stderr b build --no-cache "$CTX"
  assert_success
  no_crash
  [[ "$output" == *$'\nf\n'* ]] || fail_with "the free cache was not used: $output"
  # one cache twice in a step, once locked: one directory (no wait for itself)
  dockerfile "FROM $IMG" 'RUN --mount=type=cache,id=c1,target=/a --mount=type=cache,id=c1,target=/b,sharing=locked cat /b/f'
  run --separate-stderr b build "$CTX"
  assert_success
  no_crash
  [[ "$output" == *$'\nkept\n'* ]] || fail_with "$output"
}

@test "build mounts: a killed build's scratch dir (a secret in it) is removed by the next" {
  # a dead build's scratch dir: in tmp/, and nobody holds its flock
  dead="$BERTH_TEST_ROOT/tmp/scratch-0123456789abcdef"
  mkdir -p "$dead"
  echo secret > "$dead/mount-0"
  dockerfile "FROM $IMG" 'RUN --mount=type=tmpfs,target=/t true'
  run --separate-stderr b build "$CTX"
  assert_success
  no_crash
  [ ! -e "$dead" ] || fail_with "the dead build's dir is left"
  [ -z "$(ls "$BERTH_TEST_ROOT"/tmp | grep '^scratch-')" ] || fail_with "a scratch dir is left: $(ls "$BERTH_TEST_ROOT"/tmp)"
}

@test "build mounts: tmpfs, its mount point under an image dir leaves that dir as it was" {
  dockerfile "FROM $IMG" \
    'RUN --mount=type=tmpfs,target=/tmp/scratch/deep,size=1m sh -c "grep \" /tmp/scratch/deep tmpfs \" /proc/mounts && echo x > /tmp/scratch/deep/f && touch /made"'
  run --separate-stderr b build -t demo/tmpfs:1 "$CTX"
  assert_success
  no_crash
  [[ "$output" == *"size=1024k"* ]] || fail_with "$output"
  run --separate-stderr b diff "$IMG" demo/tmpfs:1
  [ "$output" = 'A /made' ] || fail_with "the layer has: $output"
  run --separate-stderr in_image demo/tmpfs:1 stat -c %a /tmp
  [ "$output" = "$(in_image "$IMG" stat -c %a /tmp)" ] || fail_with "/tmp changed: $output"
}

@test "build mounts: a secret is readable in the step, absent from the image, its history and the store" {
  printf 's3cr3t-value' > "$BATS_TEST_TMPDIR/tok"
  dockerfile "FROM $IMG" \
    'RUN --mount=type=secret,id=tok tr a-z A-Z < /run/secrets/tok && echo && stat -c %a /run/secrets/tok' \
    'RUN --mount=type=secret,id=tok,target=/etc/tok,required wc -c < /etc/tok > /len'
  run --separate-stderr b build --secret id=tok,src="$BATS_TEST_TMPDIR/tok" -t demo/sec:1 "$CTX"
  assert_success
  no_crash
  [[ "$output" == *$'\nS3CR3T-VALUE\n400\n'* ]] || fail_with "$output"
  run --separate-stderr in_image demo/sec:1 sh -c 'ls /run/secrets/tok /etc/tok 2>&1; cat /len'
  [[ "$output" == *"No such file"*"No such file"*"12" ]] || fail_with "$output"
  run --separate-stderr created_by demo/sec:1
  [[ "$output" != *s3cr3t* ]] || fail_with "$output"
  [ "${lines[1]}" = '--mount=type=secret,id=tok,target=/run/secrets/tok /bin/sh -c tr a-z A-Z < /run/secrets/tok && echo && stat -c %a /run/secrets/tok' ] || fail_with "$output"
  run grep -rl s3cr3t-value "$BERTH_TEST_ROOT"
  [ -z "$output" ] || fail_with "the secret is stored: $output"
  # a changed secret is not part of the cache key
  printf 'other-value!' > "$BATS_TEST_TMPDIR/tok"
  run --separate-stderr b build --secret id=tok,src="$BATS_TEST_TMPDIR/tok" "$CTX"
  assert_success
  no_crash
  [ "$(cache_hits)" -eq 2 ] || fail_with "$output"
  # an optional secret not given is not mounted
  dockerfile "FROM $IMG" 'RUN --mount=type=secret,id=nope sh -c "test ! -e /run/secrets/nope"'
  run --separate-stderr b build "$CTX"
  assert_success
  no_crash
}

@test "build mounts: RUN --network=none has only lo; --network none for the whole build" {
  dockerfile "FROM $IMG" 'RUN --network=none cat /proc/net/dev'
  run --separate-stderr b build "$CTX"
  assert_success
  no_crash
  devs=$(sed -n '/Running in/,/Removing/p' <<< "$output" | grep ':' | cut -d: -f1 | tr -d ' ')
  [ "$devs" = lo ] || fail_with "devices: $devs"
  run --separate-stderr created_by "$(b images -aq | head -1)"
  dockerfile "FROM $IMG" 'RUN cat /proc/net/dev'
  run --separate-stderr b build --network none "$CTX"
  assert_success
  no_crash
  devs=$(sed -n '/Running in/,/Removing/p' <<< "$output" | grep ':' | cut -d: -f1 | tr -d ' ')
  [ "$devs" = lo ] || fail_with "devices: $devs"
  dockerfile "FROM $IMG" 'RUN --network=host cat /proc/net/dev'
  run --separate-stderr b build --network none "$CTX"
  assert_success
  no_crash
  [ "$(grep -c ':' <<< "$(sed -n '/Running in/,/Removing/p' <<< "$output")")" -eq "$(grep -c ':' /proc/net/dev)" ] \
    || fail_with "host network: $output"
}

@test "build mounts: bad flags are refused with Docker's words, file and line, nothing stored" {
  echo x > "$CTX/in"
  ln -s /etc/passwd "$CTX/out-link"
  store_snapshot
  local cases=(
    'RUN --mount=type=nfs,target=/x true|Dockerfile:2: unsupported mount type "nfs"'
    'RUN --mount=type=cache true|Dockerfile:2: invalid mount target "/"'
    'RUN --mount=type=bind,source=in true|Dockerfile:2: invalid mount target "/"'
    'RUN --mount=type=tmpfs,target=/x,colour=red true|Dockerfile:2: unexpected key '"'colour'"' in '"'colour=red'"
    'RUN --mount=type=tmpfs,target=/x,mode=0700 true|Dockerfile:2: mode not allowed for "tmpfs" type mounts'
    'RUN --mount=type=cache,target=/x,sharing=some true|Dockerfile:2: unsupported sharing value "some"'
    'RUN --mount=type=secret,id=tok,required true|Dockerfile:2: secret tok: not found'
    'RUN --mount=type=bind,source=../x,target=/x true|Dockerfile:2: RUN --mount=type=bind failed: forbidden path outside the build context: ../x ()'
    'RUN --mount=type=bind,source=out-link,target=/x true|Dockerfile:2: RUN --mount=type=bind failed: file not found in build context or excluded by .dockerignore: stat out-link: file does not exist'
    'RUN --mount=type=bind,from=NoSuch,target=/x true|Dockerfile:2: invalid from flag value NoSuch'
    'RUN --network=bridge true|Dockerfile:2: invalid network mode "bridge"'
    'RUN --security=insecure true|Dockerfile:2: RUN --security=insecure is not yet supported'
  )
  assert_refused_cases "${cases[@]}"
  [ -z "$(b ps -aq)" ] || fail_with "a container is left"
  assert_store_unchanged
  run --separate-stderr b build --secret id=x,src=/nonexistent/file "$CTX"
  [ "$status" -eq 125 ] || fail_with "status $status"
  [[ "$stderr" == *'invalid argument "id=x,src=/nonexistent/file" for "--secret" flag: failed to read secret x'* ]] || fail_with "$stderr"
  run --separate-stderr b build --network nosuchnet "$CTX"
  [ "$status" -eq 125 ] || fail_with "status $status"
  assert_store_unchanged
}

@test "build mounts: buildah builds the same files, less the mount points it leaves behind" {
  require_tool buildah
  local bd="$BATS_TEST_TMPDIR/buildah"
  bh() {
    env -u DOCKER_CONFIG CONTAINERS_CONF="$(peer_containers_conf)" \
      buildah --root "$bd/root" --runroot "$bd/run" --storage-driver vfs "$@"
  }
  echo data > "$CTX/data.txt"
  printf tok > "$BATS_TEST_TMPDIR/tok"
  dockerfile "FROM $IMG" \
    'RUN --mount=type=bind,source=data.txt,target=/src/data.txt --mount=type=cache,target=/var/cache/c --mount=type=tmpfs,target=/scratch/x --mount=type=secret,id=tok sh -c "cat /src/data.txt /run/secrets/tok > /made; echo x > /var/cache/c/f; echo y > /scratch/x/f"'
  b build -q --secret id=tok,src="$BATS_TEST_TMPDIR/tok" -t demo/peer:1 "$CTX" > /dev/null
  bh bud -q --layers --network host --tls-verify=false --secret id=tok,src="$BATS_TEST_TMPDIR/tok" \
    -t peer "$CTX" > /dev/null
  local ctr pm bm
  ctr=$(bh from -q peer)
  pm=$(bh mount "$ctr")
  bm=$(b image mount demo/peer:1)
  (cd "$pm" && find . -xdev -printf '%p %y %m %U:%G %s\n' | sort) > "$BATS_TEST_TMPDIR/p"
  (cd "$bm" && find . -xdev -printf '%p %y %m %U:%G %s\n' | sort) > "$BATS_TEST_TMPDIR/b"
  b image umount "$bm" > /dev/null
  bh umount "$ctr" > /dev/null
  bh rm -a > /dev/null
  bh rmi -a -f > /dev/null 2>&1 || true
  grep -q '^./made f 644 0:0 8$' "$BATS_TEST_TMPDIR/b" || fail_with "$(cat "$BATS_TEST_TMPDIR/b")"
  # the same files, but for what buildah 1.28 leaves and berth must not: the
  # mount points it made for the mounts and its /etc placeholders (and its
  # vfs root's mode)
  run comm -13 "$BATS_TEST_TMPDIR/p" "$BATS_TEST_TMPDIR/b"
  [ "$output" = '. d 755 0:0 4096' ] || fail_with "only berth has: $output"
  run sh -c "comm -23 '$BATS_TEST_TMPDIR/p' '$BATS_TEST_TMPDIR/b' | grep -v '^\. d ' | cut -d' ' -f1 | tr '\n' ' '"
  [ "$output" = './etc/hostname ./etc/hosts ./etc/resolv.conf ./run ./run/secrets ./scratch ./src ./var/cache ' ] \
    || fail_with "only buildah has: $output"
}

@test "build mounts: a build killed in a RUN leaves its secret and image mount to the next build" {
  printf 'killed-secret' > "$BATS_TEST_TMPDIR/tok"
  dockerfile "FROM $IMG AS src" 'RUN echo s > /s' "FROM $IMG" \
    'RUN --mount=type=bind,from=src,target=/in --mount=type=secret,id=tok sh -c "echo started; sleep 60"'
  "$BERTH" --root "$BERTH_TEST_ROOT" build --secret id=tok,src="$BATS_TEST_TMPDIR/tok" "$CTX" \
    > "$BATS_TEST_TMPDIR/out" 2>&1 &
  BG_PID=$!
  local i
  for i in $(seq 600); do
    grep -q '^started' "$BATS_TEST_TMPDIR/out" && break
    sleep 0.1
  done
  grep -q '^started' "$BATS_TEST_TMPDIR/out" || fail_with "$(cat "$BATS_TEST_TMPDIR/out")"
  kill -9 "$BG_PID"
  wait "$BG_PID" || true
  ls -d "$BERTH_TEST_ROOT"/tmp/scratch-* > /dev/null || fail_with "no scratch dir while the step ran"
  # the step's container dies with the build (its keeper kills and removes it)
  for i in $(seq 100); do
    [ -z "$(b ps -aq)" ] && break
    sleep 0.1
  done
  [ -z "$(b ps -aq)" ] || fail_with "the killed build's container is left"
  dockerfile "FROM $IMG" 'RUN --mount=type=tmpfs,target=/t true'
  run --separate-stderr b build "$CTX"
  assert_success
  no_crash
  [ -z "$(ls -d "$BERTH_TEST_ROOT"/tmp/scratch-* 2> /dev/null)" ] || fail_with "the killed build's dir is left"
  ! grep -q "$BERTH_TEST_ROOT/tmp/image-mounts" /proc/mounts || fail_with "its image mount is left"
  run grep -rl killed-secret "$BERTH_TEST_ROOT"
  [ -z "$output" ] || fail_with "the secret is stored: $output"
}
