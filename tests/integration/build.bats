#!/usr/bin/env bats
# `build` (issue 7): the classic builder's steps, output, history and cache,
# walking the seeds (002's ENTRYPOINT echo, 004's FileX vs FileY), on the
# test registry's busybox.

load lib/common

setup_file() {
  registry_with_fixtures REG plain basic
}

teardown_file() {
  registry_stop REG
}

setup() {
  container_setup
  CTX="$BATS_TEST_TMPDIR/ctx"
  mkdir -p "$CTX"
}

teardown() {
  container_teardown
}

# dockerfile LINE...: writes $CTX/Dockerfile.
dockerfile() {
  printf '%s\n' "$@" > "$CTX/Dockerfile"
}

# The 12-hex short id of an image.
short_id() {
  b inspect "$1" | jq -r '.[0].Id' | cut -c8-19
}

# assert_lines_match PATTERN...: $output's lines, one glob pattern each.
assert_lines_match() {
  local -a got
  mapfile -t got <<< "$output"
  [ "${#got[@]}" -eq "$#" ] || fail_with "want $# lines, got ${#got[@]}: $output"
  local i=0 p
  for p in "$@"; do
    [[ "${got[$i]}" == $p ]] || fail_with "line $((i + 1)): want '$p', got '${got[$i]}'"
    i=$((i + 1))
  done
}

H='[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'

@test "build: FROM/RUN/ENV/WORKDIR/RUN/CMD prints Docker's lines and the image runs" {
  dockerfile "FROM $IMG" 'RUN echo hello > /hello' 'ENV GREETING=hi' 'WORKDIR /work' \
    'RUN echo "$GREETING" > g.txt && ls' 'CMD ["cat","g.txt"]'
  run --separate-stderr b build -t demo/app:1 "$CTX"
  assert_success
  base=$(short_id "$IMG")
  assert_lines_match "Step 1/6 : FROM $IMG" " ---> $base" \
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
  dockerfile "FROM $IMG" 'COPY a /a'
  run --separate-stderr b build "$CTX"
  assert_failure
  [[ "$stderr" == *"Dockerfile:2: COPY is not yet supported"* ]] || fail_with "$stderr"
  assert_store_unchanged
}
