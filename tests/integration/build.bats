#!/usr/bin/env bats
# `build` (issue 7): the classic builder's steps, output, history and cache,
# walking the seeds (002's ENTRYPOINT echo, 004's FileX vs FileY), on the
# test registry's busybox.

load lib/common
load lib/build

@test "build: FROM/RUN/ENV/WORKDIR/RUN/CMD prints Docker's lines and the image runs" {
  dockerfile "FROM $IMG" 'RUN echo hello > /hello' 'ENV GREETING=hi' 'WORKDIR /work' \
    'RUN echo "$GREETING" > g.txt && ls' 'CMD ["cat","g.txt"]'
  run --separate-stderr b build -t demo/app:1 "$CTX"
  assert_success
  base=$(short_id "$IMG")
  assert_lines_match "$SENDING" "Step 1/6 : FROM $IMG" " ---> $base" \
    'Step 2/6 : RUN echo hello > /hello' " ---> Running in $H" "Removing intermediate container $H" " ---> $H" \
    'Step 3/6 : ENV GREETING=hi' " ---> $H" \
    'Step 4/6 : WORKDIR /work' " ---> $H" \
    'Step 5/6 : RUN echo "$GREETING" > g.txt && ls' " ---> Running in $H" 'g.txt' \
    "Removing intermediate container $H" " ---> $H" \
    'Step 6/6 : CMD \["cat","g.txt"\]' " ---> $H" \
    "Successfully built $H" 'Successfully tagged demo/app:1'
  final=$(short_id demo/app:1)
  [[ "$output" == *"Successfully built $final"* ]] || fail_with "final id $final"
  run --separate-stderr b run --rm demo/app:1
  assert_success
  [ "$output" = hi ] || fail_with "got '$output'"
  # the RUN containers are gone (--rm is the default)
  run b ps -aq
  [ -z "$output" ] || fail_with "containers left: $output"
}

@test "build: history shows every step with its ID and Docker's #(nop) words" {
  dockerfile "FROM $IMG" 'RUN echo hello > /hello' 'ENV GREETING=hi' 'WORKDIR /work' 'CMD ["cat","g.txt"]'
  b build -q -t demo/h:1 "$CTX" > /dev/null
  run --separate-stderr b history --no-trunc demo/h:1
  assert_success
  [[ "${lines[1]}" == *'/bin/sh -c #(nop)  CMD ["cat" "g.txt"]'*' 0B'* ]] || fail_with "$output"
  [[ "${lines[2]}" == *'/bin/sh -c #(nop) WORKDIR /work'*' 0B'* ]] || fail_with "$output"
  [[ "${lines[3]}" == *'/bin/sh -c #(nop)  ENV GREETING=hi'*' 0B'* ]] || fail_with "$output"
  [[ "${lines[4]}" == *'/bin/sh -c echo hello > /hello'*' 6B'* ]] || fail_with "$output"
  run --separate-stderr b history -q demo/h:1
  for i in 0 1 2 3 4; do
    [[ "${lines[$i]}" == $H ]] || fail_with "step $i has no ID: $output"
  done
}

@test "build: a rebuild is all cache; a changed RUN misses from that step on; --no-cache builds" {
  dockerfile "FROM $IMG" 'RUN echo one > /one' 'ENV A=1' 'RUN echo two > /two'
  b build -q "$CTX" > /dev/null
  run --separate-stderr b build "$CTX"
  assert_success
  [ "$(grep -c -- ' ---> Using cache' <<< "$output")" -eq 3 ] || fail_with "$output"
  [[ "$output" != *"Running in"* ]] || fail_with "$output"
  dockerfile "FROM $IMG" 'RUN echo one > /one' 'ENV A=1' 'RUN echo TWO > /two'
  run --separate-stderr b build "$CTX"
  assert_success
  [ "$(grep -c -- ' ---> Using cache' <<< "$output")" -eq 2 ] || fail_with "$output"
  [[ "$output" == *$'Step 4/4 : RUN echo TWO > /two\n ---> Running in'* ]] || fail_with "$output"
  run --separate-stderr b build --no-cache "$CTX"
  assert_success
  [[ "$output" != *"Using cache"* ]] || fail_with "$output"
}

@test "build: a build arg a RUN sees is in CREATED BY and the cache key" {
  dockerfile "FROM $IMG" 'ARG V=1' 'RUN echo $V > /v'
  run --separate-stderr b build -t demo/arg:1 "$CTX"
  assert_success
  run --separate-stderr b history --no-trunc demo/arg:1
  [[ "${lines[1]}" == *' |1 V=1 /bin/sh -c echo $V > /v  '* ]] || fail_with "$output"
  [[ "${lines[2]}" == *' /bin/sh -c #(nop)  ARG V=1  '* ]] || fail_with "$output"
  run --separate-stderr b build --build-arg V=2 -t demo/arg:2 "$CTX"
  assert_success
  [ "$(grep -c -- ' ---> Using cache' <<< "$output")" -eq 1 ] || fail_with "$output"
  run --separate-stderr b run --rm demo/arg:2 cat /v
  [ "$output" = 2 ] || fail_with "got $output"
}

@test "build: seed 004 FileX (two RUNs) gives two layers, FileY (RUN a && b) one" {
  printf '%s\n' "FROM $IMG" 'RUN echo x > /x' 'RUN echo y > /y' > "$CTX/FileX"
  printf '%s\n' "FROM $IMG" 'RUN echo x > /x && echo y > /y' > "$CTX/FileY"
  b build -q -f "$CTX/FileX" -t demo/x:1 "$CTX" > /dev/null
  b build -q -f "$CTX/FileY" -t demo/y:1 "$CTX" > /dev/null
  base=$(b inspect "$IMG" | jq '.[0].RootFS.Layers | length')
  x=$(b inspect demo/x:1 | jq '.[0].RootFS.Layers | length')
  y=$(b inspect demo/y:1 | jq '.[0].RootFS.Layers | length')
  [ "$x" -eq $((base + 2)) ] || fail_with "FileX: $x layers on $base"
  [ "$y" -eq $((base + 1)) ] || fail_with "FileY: $y layers on $base"
}

@test "build: seed 002 ENTRYPOINT echo, -q prints the ID, an intermediate image runs" {
  dockerfile "FROM $IMG" 'RUN echo mid > /mid' 'ENTRYPOINT ["echo"]' 'CMD ["hello"]'
  run --separate-stderr b build -q -t demo/echo:1 "$CTX"
  assert_success
  [[ "$output" == sha256:* ]] && [ "${#lines[@]}" -eq 1 ] || fail_with "$output"
  run --separate-stderr b run --rm demo/echo:1
  [ "$output" = hello ] || fail_with "got $output"
  run --separate-stderr b run --rm demo/echo:1 bye
  [ "$output" = bye ] || fail_with "got $output"
  mid=$(b history -q demo/echo:1 | sed -n 3p)
  run --separate-stderr b images -a
  [[ "$output" == *"$mid"* ]] || fail_with "images -a lacks $mid: $output"
  run --separate-stderr b run --rm "$mid" cat /mid
  [ "$output" = mid ] || fail_with "got $output"
}

@test "build: a failing RUN exits with its code and Docker's words, its container kept" {
  dockerfile "FROM $IMG" 'RUN echo step1' 'RUN exit 3'
  run --separate-stderr b build "$CTX"
  [ "$status" -eq 3 ] || fail_with "status $status"
  [ "$stderr" = "The command '/bin/sh -c exit 3' returned a non-zero code: 3" ] || fail_with "$stderr"
  [[ "$output" == *$'step1\nRemoving intermediate container'* ]] || fail_with "$output"
  [ "$(b ps -aq | wc -l)" -eq 1 ] || fail_with "the failed container is not kept"
  b rm -f $(b ps -aq) > /dev/null
  run --separate-stderr b build --force-rm "$CTX"
  [ "$status" -eq 3 ] || fail_with "status $status"
  [[ "$output" == *$'Step 2/3 : RUN echo step1\n ---> Using cache'* ]] || fail_with "$output"
  [ -z "$(b ps -aq)" ] || fail_with "--force-rm kept a container"
}

@test "build: bad Dockerfiles are refused with file and line, nothing stored" {
  store_snapshot
  dockerfile "FROM $IMG" 'FOO bar'
  run --separate-stderr b build "$CTX"
  assert_failure
  assert_one_line_error
  [[ "$stderr" == *"Dockerfile:2"*"unknown instruction: FOO"* ]] || fail_with "$stderr"
  dockerfile 'RUN true'
  run --separate-stderr b build "$CTX"
  assert_failure
  [[ "$stderr" == *"no build stage in current context"* ]] || fail_with "$stderr"
  assert_store_unchanged
}

# ---- COPY and ADD ----------------------------------------------------------

@test "build: COPY of a file prints Docker's lines, no container line, and the file is there" {
  echo hello > "$CTX/a.txt"
  dockerfile "FROM $IMG" 'COPY a.txt /app/' 'CMD ["cat","/app/a.txt"]'
  run --separate-stderr b build -t demo/copy:1 "$CTX"
  assert_success
  base=$(short_id "$IMG")
  assert_lines_match "$SENDING" "Step 1/3 : FROM $IMG" " ---> $base" \
    'Step 2/3 : COPY a.txt /app/' " ---> $H" \
    'Step 3/3 : CMD \["cat","/app/a.txt"\]' " ---> $H" \
    "Successfully built $H" 'Successfully tagged demo/copy:1'
  run --separate-stderr b run --rm demo/copy:1
  [ "$output" = hello ] || fail_with "got '$output'"
  run --separate-stderr in_image demo/copy:1 stat -c '%u:%g %a' /app /app/a.txt
  [ "$output" = $'0:0 755\n0:0 644' ] || fail_with "$output"
  [ -z "$(b ps -aq)" ] || fail_with "a container is left"
}

@test "build: COPY history is Docker's '#(nop) COPY file:<hex> in /dest ' with the layer's size" {
  printf '0123456789' > "$CTX/ten"
  mkdir "$CTX/d" && echo x > "$CTX/d/x"
  dockerfile "FROM $IMG" 'COPY ten /ten' 'COPY d /d' 'COPY ten d/x /m/'
  b build -q -t demo/ch:1 "$CTX" > /dev/null
  run --separate-stderr created_by demo/ch:1
  assert_success
  [[ "${lines[0]}" =~ ^'/bin/sh -c #(nop) COPY multi:'[0-9a-f]{64}' in /m/<sp>'$ ]] || fail_with "$output"
  [[ "${lines[1]}" =~ ^'/bin/sh -c #(nop) COPY dir:'[0-9a-f]{64}' in /d<sp>'$ ]] || fail_with "$output"
  [[ "${lines[2]}" =~ ^'/bin/sh -c #(nop) COPY file:'[0-9a-f]{64}' in /ten<sp>'$ ]] || fail_with "$output"
  # history shows each step with its ID and the size of what it copied
  run --separate-stderr b history --no-trunc demo/ch:1
  assert_success
  [[ "${lines[2]}" == sha256:*'COPY dir:'*' 2B'* ]] || fail_with "$output"
  [[ "${lines[3]}" == sha256:*'COPY file:'*' 10B'* ]] || fail_with "$output"
}

@test "build: COPY of a directory copies its contents; several sources and globs into a dir/" {
  mkdir -p "$CTX/src/sub"
  echo 1 > "$CTX/src/one" && echo 2 > "$CTX/src/sub/two"
  echo a > "$CTX/a.txt" && echo b > "$CTX/b.txt" && echo c > "$CTX/c.md"
  dockerfile "FROM $IMG" 'WORKDIR /w' 'COPY src dst' 'COPY a.txt c.md multi/' 'COPY *.txt glob/'
  b build -q -t demo/dir:1 "$CTX" > /dev/null
  run --separate-stderr in_image demo/dir:1 find /w -type f
  assert_success
  [ "$(sort <<< "$output" | tr '\n' ' ')" = \
    "/w/dst/one /w/dst/sub/two /w/glob/a.txt /w/glob/b.txt /w/multi/a.txt /w/multi/c.md " ] ||
    fail_with "$output"
}

@test "build: COPY --chown (numbers, and names in the step's image) and --chmod; --link accepted" {
  echo x > "$CTX/f"
  mkdir "$CTX/d" && echo y > "$CTX/d/y"
  dockerfile "FROM $IMG" \
    "RUN echo 'app:x:1234:4321::/:/bin/sh' >> /etc/passwd && echo 'app:x:2345:' >> /etc/group" \
    'COPY --chown=1000:1001 f /n/f' 'COPY --chown=nobody:nogroup d /named/' \
    'COPY --chmod=751 --link f /m/f' 'COPY --chown=app f /app-f'
  b build -q -t demo/own:1 "$CTX" > /dev/null
  run --separate-stderr in_image demo/own:1 stat -c '%n %u:%g %a' /n/f /named /named/y /m/f /app-f
  assert_success
  # a lone user names the group too, as Docker's parseChownFlag reads it
  assert_lines_match '/n/f 1000:1001 644' '/named 65534:65534 755' '/named/y 65534:65534 644' \
    '/m/f 0:0 751' '/app-f 1234:2345 644'
  run --separate-stderr created_by demo/own:1
  [[ "${lines[0]}" == '/bin/sh -c #(nop) COPY --chown=appfile:'*' in /app-f<sp>' ]] || fail_with "$output"
  [[ "${lines[1]}" == '/bin/sh -c #(nop) COPY --chmod=751 file:'* ]] || fail_with "$output"
}

@test "build: ADD unpacks a local .tar.gz; COPY keeps it whole; ADD of an unreachable URL fails" {
  mkdir -p "$BATS_TEST_TMPDIR/t/top"
  echo inside > "$BATS_TEST_TMPDIR/t/top/in.txt"
  tar -C "$BATS_TEST_TMPDIR/t" -czf "$CTX/a.tar.gz" top
  dockerfile "FROM $IMG" 'ADD a.tar.gz /x/' 'COPY a.tar.gz /y/'
  b build -q -t demo/add:1 "$CTX" > /dev/null
  run --separate-stderr in_image demo/add:1 cat /x/top/in.txt
  [ "$output" = inside ] || fail_with "$output"
  run --separate-stderr in_image demo/add:1 ls /y
  [ "$output" = a.tar.gz ] || fail_with "$output"
  run --separate-stderr created_by demo/add:1
  [[ "${lines[1]}" == '/bin/sh -c #(nop) ADD file:'*' in /x/<sp>' ]] || fail_with "$output"
  store_snapshot
  dockerfile "FROM $IMG" 'ADD https://127.0.0.1:1/x /x'
  run --separate-stderr b build "$CTX"
  assert_failure
  assert_one_line_error
  [[ "$stderr" == *"Dockerfile:2: ADD failed: Get \"https://127.0.0.1:1/x\": connect"* ]] || fail_with "$stderr"
  assert_store_unchanged
}

@test "build: COPY bad inputs: excluded, absent, outside the context, a link out, --from, flags" {
  echo secret > "$CTX/x"
  echo ok > "$CTX/ok"
  echo x > "$CTX/.dockerignore"
  echo outside > "$BATS_TEST_TMPDIR/outside"
  ln -s "$BATS_TEST_TMPDIR/outside" "$CTX/link-out"
  ln -s ../outside "$CTX/rel-out"
  store_snapshot
  local -a cases=(
    'COPY x /x|Dockerfile:2: COPY failed: file not found in build context or excluded by .dockerignore: stat x: file does not exist'
    'COPY nope /x|Dockerfile:2: COPY failed: file not found in build context or excluded by .dockerignore: stat nope: file does not exist'
    'COPY ../outside /x|Dockerfile:2: COPY failed: forbidden path outside the build context: ../outside ()'
    'COPY link-out /x|Dockerfile:2: COPY failed: file not found in build context or excluded by .dockerignore: stat link-out: file does not exist'
    'COPY rel-out /x|Dockerfile:2: COPY failed: file not found in build context or excluded by .dockerignore: stat rel-out: file does not exist'
    'COPY --from=0 ok /x|Dockerfile:2: invalid from flag value 0: refers to current build stage'
    'COPY --chmod=999 ok /x|Dockerfile:2: invalid chmod parameter: 999'
    'COPY --bogus ok /x|Dockerfile:2: Unknown flag: bogus'
    'COPY --chown=nosuch ok /x|unable to find user nosuch'
    'COPY ok ok /notadir|Dockerfile:2: When using COPY with more than one source file, the destination must be a directory and end with a /'
    'COPY http://127.0.0.1:1/x /x|Dockerfile:2: source can'"'"'t be a URL for COPY'
  )
  assert_refused_cases "${cases[@]}"
  [ -z "$(b ps -aq)" ] || fail_with "a container is left"
  assert_store_unchanged
}

@test "build: the COPY cache: touch hits, one byte at the same size and mtime misses from COPY on" {
  printf 'aaaa' > "$CTX/f"
  echo other > "$CTX/notcopied"
  dockerfile "FROM $IMG" 'RUN echo one > /one' 'COPY f /f' 'RUN cat /f > /g'
  b build -q -t demo/c:1 "$CTX" > /dev/null
  # a rebuild: every step from cache
  run --separate-stderr b build -t demo/c:2 "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 3 ] || fail_with "$output"
  # mtime only: still the same content
  touch -d '2001-01-01' "$CTX/f"
  run --separate-stderr b build "$CTX"
  [ "$(cache_hits)" -eq 3 ] || fail_with "touch: $output"
  # a file COPY does not read changes: hit
  echo changed > "$CTX/notcopied"
  run --separate-stderr b build "$CTX"
  [ "$(cache_hits)" -eq 3 ] || fail_with "not copied: $output"
  # one byte, same size and mtime: misses from the COPY step on
  touch -r "$CTX/f" "$BATS_TEST_TMPDIR/ref"
  printf 'aaab' > "$CTX/f"
  touch -r "$BATS_TEST_TMPDIR/ref" "$CTX/f"
  run --separate-stderr b build -t demo/c:3 "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 1 ] || fail_with "one byte: $output"
  [[ "$output" == *$'Step 2/4 : RUN echo one > /one\n ---> Using cache'* ]] || fail_with "$output"
  [[ "$output" == *$'Step 3/4 : COPY f /f\n ---> '[0-9a-f]* ]] || fail_with "$output"
  run --separate-stderr in_image demo/c:3 cat /g
  [ "$output" = aaab ] || fail_with "got $output"
}

@test "build: the COPY cache: a .dockerignore change COPY sees misses, an ENV before it misses every later step" {
  mkdir "$CTX/d"
  echo 1 > "$CTX/d/keep" && echo 2 > "$CTX/d/drop"
  dockerfile "FROM $IMG" 'ENV A=1' 'COPY d /d' 'RUN ls /d > /list'
  b build -q "$CTX" > /dev/null
  echo 'd/drop' > "$CTX/.dockerignore"
  run --separate-stderr b build -t demo/ign:1 "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 1 ] || fail_with "ignore: $output"
  run --separate-stderr in_image demo/ign:1 cat /list
  [ "$output" = keep ] || fail_with "got $output"
  # an ignore change COPY does not see (a file not copied): hit
  echo 'd/drop' > "$CTX/.dockerignore"
  echo 'nothing-here' >> "$CTX/.dockerignore"
  run --separate-stderr b build "$CTX"
  [ "$(cache_hits)" -eq 3 ] || fail_with "unseen ignore change: $output"
  dockerfile "FROM $IMG" 'ENV A=2' 'COPY d /d' 'RUN ls /d > /list'
  run --separate-stderr b build "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 0 ] || fail_with "ENV: $output"
}

@test "build: a fully cached rebuild reads no context file (the stat cache in the store)" {
  mkdir "$CTX/d"
  for i in 1 2 3 4 5; do echo "$i" > "$CTX/d/$i"; done
  dockerfile "FROM $IMG" 'COPY d /d'
  # a build within 50 ms of a file's change reads it again (racy, as git's
  # index): builds are that fast, so rebuild until the files are older
  local n=0
  until [[ "$(BERTH_DEBUG_CONTEXT=1 b build -q "$CTX" 2>&1 > /dev/null)" == *" 0 files read" ]]; do
    n=$((n + 1))
    [ "$n" -lt 20 ] || fail_with "every rebuild reads the context again"
  done
  run --separate-stderr env BERTH_DEBUG_CONTEXT=1 "$BERTH" --root "$BERTH_TEST_ROOT" build "$CTX"
  assert_success
  [ "$stderr" = "berth: context: 0 files read" ] || fail_with "$stderr"
  [ "$(cache_hits)" -eq 1 ] || fail_with "$output"
  ls "$BERTH_TEST_ROOT"/builder/context-* > /dev/null || fail_with "no stat cache in the store"
  # without the variable nothing is said
  run --separate-stderr b build -q "$CTX"
  [ -z "$stderr" ] || fail_with "$stderr"
  # a changed file is read again, and only it
  echo changed > "$CTX/d/3"
  run --separate-stderr env BERTH_DEBUG_CONTEXT=1 "$BERTH" --root "$BERTH_TEST_ROOT" build -q "$CTX"
  [ "$stderr" = "berth: context: 1 files read" ] || fail_with "$stderr"
}

@test "build: -f elsewhere: its NAME.dockerignore wins over the context's .dockerignore" {
  mkdir "$BATS_TEST_TMPDIR/df"
  echo a > "$CTX/a" && echo b > "$CTX/b"
  echo a > "$CTX/.dockerignore"
  printf '%s\n' "FROM $IMG" 'COPY a b /x/' > "$BATS_TEST_TMPDIR/df/App.Dockerfile"
  # the context's .dockerignore hides a
  store_snapshot
  run --separate-stderr b build -f "$BATS_TEST_TMPDIR/df/App.Dockerfile" "$CTX"
  assert_failure
  [[ "$stderr" == *"App.Dockerfile:2: COPY failed: file not found in build context or excluded by .dockerignore: stat a: file does not exist"* ]] ||
    fail_with "$stderr"
  assert_store_unchanged
  # App.Dockerfile.dockerignore beside it replaces it: now b is hidden
  echo b > "$BATS_TEST_TMPDIR/df/App.Dockerfile.dockerignore"
  printf '%s\n' "FROM $IMG" 'COPY a /x/' > "$BATS_TEST_TMPDIR/df/App.Dockerfile"
  b build -q -t demo/f:1 -f "$BATS_TEST_TMPDIR/df/App.Dockerfile" "$CTX" > /dev/null
  run --separate-stderr in_image demo/f:1 cat /x/a
  [ "$output" = a ] || fail_with "$output"
  printf '%s\n' "FROM $IMG" 'COPY b /x/' > "$BATS_TEST_TMPDIR/df/App.Dockerfile"
  run --separate-stderr b build -f "$BATS_TEST_TMPDIR/df/App.Dockerfile" "$CTX"
  assert_failure
  [[ "$stderr" == *"stat b: file does not exist"* ]] || fail_with "$stderr"
}

# ---- multi-stage builds ----------------------------------------------------

@test "build: two stages: COPY --from=builder takes the builder's file, the image has only the final stage's layers" {
  dockerfile "FROM $IMG AS Builder" 'RUN echo built > /out && chown 7:8 /out' \
    "FROM $IMG" 'COPY --from=builder /out /got' 'CMD ["cat","/got"]'
  run --separate-stderr b build -t demo/ms:1 "$CTX"
  assert_success
  base=$(short_id "$IMG")
  assert_lines_match "$SENDING" "Step 1/5 : FROM $IMG AS Builder" " ---> $base" \
    'Step 2/5 : RUN echo built > /out && chown 7:8 /out' " ---> Running in $H" \
    "Removing intermediate container $H" " ---> $H" \
    "Step 3/5 : FROM $IMG" " ---> $base" \
    'Step 4/5 : COPY --from=builder /out /got' " ---> $H" \
    'Step 5/5 : CMD \["cat","/got"\]' " ---> $H" \
    "Successfully built $H" 'Successfully tagged demo/ms:1'
  [ "$(layer_count demo/ms:1)" -eq "$(($(layer_count "$IMG") + 1))" ]
  [ "$(b run --rm demo/ms:1)" = built ]
  # ownership is the source's (Docker's preserveOwnership without --chown)
  [ "$(b run --rm demo/ms:1 stat -c %u:%g /got)" = 7:8 ]
  # CREATED BY is Docker's: the sources' hash, not the stage
  [[ "$(created_by demo/ms:1 | sed -n 2p)" == '/bin/sh -c #(nop) COPY file:'*' in /got<sp>' ]] || fail_with "$(created_by demo/ms:1)"
  # a rebuild is all cache, the same image
  id1=$(b inspect demo/ms:1 | jq -r '.[0].Id')
  run --separate-stderr b build -t demo/ms:1 "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 3 ] || fail_with "$output"
  [ "$(b inspect demo/ms:1 | jq -r '.[0].Id')" = "$id1" ]
  # the builder's file changes: the builder's RUN and the COPY miss
  dockerfile "FROM $IMG AS Builder" 'RUN echo other > /out && chown 7:8 /out' \
    "FROM $IMG" 'COPY --from=builder /out /got' 'CMD ["cat","/got"]'
  run --separate-stderr b build -t demo/ms:1 "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 0 ] || fail_with "$output"
  [ "$(b run --rm demo/ms:1)" = other ]
}

@test "build: COPY --from by index and from an image by name; FROM an earlier stage" {
  dockerfile "FROM $IMG" 'RUN echo zero > /z' \
    "FROM $IMG AS second" 'RUN echo two > /t' \
    'FROM second' 'COPY --from=0 /z /z' "COPY --from=$IMG /bin/busybox /tmp/" 'RUN cat /z /t && /tmp/busybox true'
  run --separate-stderr b build -t demo/ms:2 "$CTX"
  assert_success
  [[ "$output" == *'Step 5/8 : FROM second'* ]] || fail_with "$output"
  [[ "$output" == *$'zero\ntwo'* ]] || fail_with "$output"
  [ "$(b run --rm demo/ms:2 cat /t)" = two ]
}

@test "build: --target builds up to that stage and only the stages it needs" {
  dockerfile "FROM $IMG AS unneeded" 'RUN echo unneeded' \
    "FROM $IMG AS base" 'RUN echo base > /base' \
    'FROM base AS mid' 'RUN echo mid > /mid' \
    "FROM $IMG AS later" 'RUN echo later'
  run --separate-stderr b build --target MID -t demo/ms:3 "$CTX"
  assert_success
  [[ "$output" != *unneeded* ]] || fail_with "an unneeded stage was built: $output"
  [[ "$output" != *later* ]] || fail_with "a later stage was built: $output"
  [[ "$output" == *'Step 3/6 : FROM '"$IMG"' AS base'* ]] || fail_with "$output"
  [[ "$output" == *'Step 6/6 : RUN echo mid > /mid'* ]] || fail_with "$output"
  [ "$(b run --rm demo/ms:3 cat /base /mid)" = $'base\nmid' ]
  store_snapshot
  run --separate-stderr b build --target nosuch "$CTX"
  assert_failure
  assert_one_line_error
  [[ "$stderr" == *'failed to reach build target nosuch in Dockerfile'* ]] || fail_with "$stderr"
  assert_store_unchanged
}

@test "build: ARG before FROM is used in two FROMs and redeclared in a stage" {
  dockerfile 'ARG BASE=nosuch' 'ARG V=1' 'FROM ${BASE} AS a' 'ARG V' 'RUN echo "a$V" > /a' \
    'FROM $BASE' 'ARG V=2' 'COPY --from=a /a /a' 'RUN cat /a && echo "b$V"'
  run --separate-stderr b build --build-arg BASE="$IMG" -t demo/ms:4 "$CTX"
  assert_success
  [[ "$output" == *"Step 3/9 : FROM \${BASE} AS a"*" ---> $(short_id "$IMG")"* ]] || fail_with "$output"
  [[ "$output" == *$'a1\nb2'* ]] || fail_with "$output"
}

@test "build: multi-stage bad inputs: an unknown stage or image, a later stage, a duplicate or bad name" {
  store_snapshot
  local -a cases=(
    "COPY --from=3 /x /x|Dockerfile:3: invalid from flag value 3: refers to a future build stage"
    "COPY --from=1 /x /x|Dockerfile:3: invalid from flag value 1: refers to current build stage"
    "COPY --from=later /x /x|Dockerfile:3: invalid from flag value later: refers to a future build stage"
    "COPY --from=$REG_HOST/library/nosuch:1 /x /x|Dockerfile:3: invalid from flag value $REG_HOST/library/nosuch:1"
    "COPY --from=$IMG /nosuch /x|Dockerfile:3: COPY failed: file not found"
    "FROM $IMG AS first|Dockerfile:3: duplicate name for build stage: \"first\""
    "FROM $IMG AS 1st|Dockerfile:3: invalid name for build stage: \"1st\", name can't start with a number or contain symbols"
    "FROM later|Dockerfile:3: base name (later) refers to build stage 3, which comes later"
    "ADD --from=first /x /x|Dockerfile:3: Unknown flag: from"
  )
  local c
  for c in "${cases[@]}"; do
    dockerfile "FROM $IMG AS first" "FROM $IMG AS second" "${c%%|*}" "FROM $IMG AS later"
    run --separate-stderr b build --target second "$CTX"
    assert_failure
    assert_one_line_error
    [[ "$stderr" == *"${c#*|}"* ]] || fail_with "${c%%|*}: want '${c#*|}', got '$stderr'"
  done
  [ -z "$(b ps -aq)" ] || fail_with "a container is left"
  assert_store_unchanged
}
