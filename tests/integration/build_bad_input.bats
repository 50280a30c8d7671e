#!/usr/bin/env bats
# `build` (issue 7): FROM scratch builds, and the bad inputs of the issue's
# list not covered by build.bats, each with its words and an unchanged
# store.

load lib/common
load lib/build

# assert_build_refused WORDS ARGS...: `berth build ARGS` fails with one line
# on stderr holding WORDS, and the store is as it was.
assert_build_refused() {
  local words=$1
  shift
  store_snapshot
  run --separate-stderr b build "$@"
  assert_failure
  assert_one_line_error
  [[ "$stderr" == *"$words"* ]] || fail_with "want '$words'"
  assert_store_unchanged
}

@test "build: FROM scratch: COPY and WORKDIR make the layers, the image runs, a rebuild is all cache" {
  cp "$(command -v busybox)" "$CTX/busybox"
  dockerfile 'FROM scratch' 'COPY busybox /bin/busybox' 'WORKDIR /w' \
    'CMD ["/bin/busybox","sh","-c","pwd; ls /bin"]'
  run --separate-stderr b build -t demo/scratch:1 "$CTX"
  assert_success
  [[ "$output" == "Sending build context to berth  "*"Step 1/4 : FROM scratch"$'\n'" ---> "$'\n'"Step 2/4 : COPY busybox /bin/busybox"* ]] \
    || fail_with "FROM scratch's lines"
  [ "$(layer_count demo/scratch:1)" -eq 2 ] # COPY, and WORKDIR's new /w
  run --separate-stderr b run --rm demo/scratch:1
  assert_success
  [ "$output" = $'/w\nbusybox' ] || fail_with "the image's files"
  run --separate-stderr b history -q demo/scratch:1
  [ "$(grep -c . <<< "$output")" -eq 3 ] || fail_with "history: one entry per step"
  [[ "$output" != *"<missing>"* ]] || fail_with "every step has its ID"
  run --separate-stderr b build -t demo/scratch:1 "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 3 ] || fail_with "the rebuild hits the cache at every step"
}

@test "build: a Dockerfile over 4 MiB is refused, nothing stored" {
  { echo "FROM $IMG"; yes 'LABEL a=b' | head -n 1100000; } > "$CTX/Dockerfile"
  [ "$(stat -c %s "$CTX/Dockerfile")" -gt 10000000 ]
  assert_build_refused "Dockerfile: file too large: more than 4194304 bytes (4 MiB), the limit" "$CTX"
}

@test "build: an unset variable in FROM is refused with Docker's words" {
  dockerfile 'FROM $NOPE'
  assert_build_refused 'Dockerfile:1: base name ($NOPE) should not be blank' "$CTX"
  dockerfile 'ARG V' 'FROM busybox$V:${T:?}'
  assert_build_refused 'Dockerfile:2' "$CTX"
}

@test "build: a stage cycle (each stage copying from the other) is refused" {
  dockerfile "FROM $IMG AS a" 'COPY --from=b /x /x' "FROM $IMG AS b" 'COPY --from=a /x /x'
  assert_build_refused 'Dockerfile:2: invalid from flag value b: refers to a future build stage' \
    "$CTX"
  dockerfile "FROM $IMG AS a" 'FROM a AS b' 'FROM b AS a'
  assert_build_refused 'duplicate name for build stage: "a"' "$CTX"
}

@test "build: --build-arg with no '=' takes the environment's value; unset, it is refused" {
  dockerfile "FROM $IMG" 'ARG FOO=dflt' 'RUN echo "foo=$FOO"'
  FOO=fromenv run --separate-stderr b build --build-arg FOO "$CTX"
  assert_success
  [[ "$output" == *"foo=fromenv"* ]] || fail_with "the environment's value"
  unset FOO
  store_snapshot
  run --separate-stderr b build --build-arg FOO "$CTX"
  [ "$status" -eq 125 ] || fail_with "a bad command line: 125"
  [ "$stderr" = "berth: invalid argument \"FOO\" for \"--build-arg\" flag: no value, and FOO is not set in the environment (give FOO=VALUE)"$'\n'"See 'berth build --help'." ] \
    || fail_with "Docker's usage error form"
  assert_store_unchanged
}

@test "build: a .dockerignore that excludes the Dockerfile: it is still read, and COPY does not see it" {
  echo data > "$CTX/f"
  printf '%s\n' Dockerfile .dockerignore > "$CTX/.dockerignore"
  dockerfile "FROM $IMG" 'COPY . /x/' 'CMD ["ls","-A","/x"]'
  run --separate-stderr b build -t demo/ign:1 "$CTX"
  assert_success
  run --separate-stderr b run --rm demo/ign:1
  assert_success
  [ "$output" = f ] || fail_with "COPY . sees only f (as Docker's)"
}

@test "build: SHELL not in JSON form, an unterminated quote, a missing Dockerfile: refused with file and line" {
  dockerfile "FROM $IMG" 'SHELL /bin/sh -c'
  assert_build_refused 'Dockerfile:2: SHELL requires the arguments to be in JSON form' "$CTX"
  dockerfile "FROM $IMG" 'ENV A="x'
  assert_build_refused 'Dockerfile:2: failed to process "\"x": unexpected end of statement while looking for matching double-quote' \
    "$CTX"
  rm "$CTX/Dockerfile"
  assert_build_refused "Dockerfile" "$CTX"
}

# ---- "Sending build context to berth  N" ------------------------------------

@test "build: the context size is what Docker 20.10's client sends (long and non-ASCII names, links, a fifo, exceptions)" {
  # the figures are what Docker 20.10.24 printed here for the same trees
  dockerfile 'FROM scratch' 'COPY . /x/'
  run --separate-stderr b build "$CTX"
  [[ "${lines[0]}" == "Sending build context to berth  2.048kB" ]] || fail_with "a Dockerfile alone"
  mkdir -p "$CTX/sub/deep" "$CTX/skip/keep" "$CTX/ü"
  echo hello > "$CTX/a"
  head -c 5000 /dev/zero > "$CTX/sub/big"
  ln -s a "$CTX/lnk"
  ln -s "$(printf 'x%.0s' {1..120})" "$CTX/longlink"
  ln "$CTX/a" "$CTX/hard"
  touch "$CTX/sub/deep/$(printf 'n%.0s' {1..110})"
  echo k > "$CTX/skip/keep/k"
  echo s > "$CTX/skip/s"
  echo u > "$CTX/ü/f"
  mkfifo "$CTX/fifo"
  echo x > "$CTX/x.log"
  printf '%s\n' skip '!skip/keep' '*.log' > "$CTX/.dockerignore"
  run --separate-stderr b build "$CTX"
  [[ "${lines[0]}" == "Sending build context to berth  20.48kB" ]] || fail_with "the tree"
  printf '%s\n' '*' > "$CTX/.dockerignore" # the Dockerfile and .dockerignore are still sent
  run --separate-stderr b build "$CTX"
  [[ "${lines[0]}" == "Sending build context to berth  3.072kB" ]] || fail_with "all excluded"
  run --separate-stderr b build -q "$CTX"
  [[ "$output" != *Sending* ]] || fail_with "-q prints only the ID"
}

@test "build: a RUN that waits for keyboard input gets none and fails, never hangs (seed 004)" {
  dockerfile "FROM $IMG" 'RUN read answer && echo "got $answer"'
  # berth's own stdin is a pipe that stays open: a RUN given it would wait
  run --separate-stderr bash -c "sleep 30 | timeout 20 '$BERTH' --root '$BERTH_TEST_ROOT' build '$CTX'"
  [ "$status" -eq 1 ] || fail_with "want the RUN's code 1 (124 is a hang)"
  [[ "$stderr" == "The command '/bin/sh -c read answer && echo \"got \$answer\"' returned a non-zero code: 1" ]] \
    || fail_with "Docker's words"
}
