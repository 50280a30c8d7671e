#!/usr/bin/env bats
# The management forms (issue 9): `berth container SUB` and `berth image SUB`
# run the same code as the top-level commands and print the same; their
# command lists are Docker 20.10's (docker container --help, docker image
# --help on /usr/bin/docker here), less what berth has not (stats, update).

load lib/common

setup_file() {
  registry_with_fixtures REG plain basic
}

teardown_file() {
  registry_stop REG
}

setup() {
  container_setup
}

teardown() {
  container_teardown
}

@test "container --help: Docker's commands, names padded as cobra pads them" {
  run --separate-stderr b container --help
  assert_success
  local want name
  # docker container --help, less stats and update
  for name in attach commit cp create diff exec export inspect kill logs ls pause port prune \
    rename restart rm run start stop top unpause wait; do
    want+="$name"$'\n'
  done
  got=$(sed -n 's/^  \([a-z]*\) .*/\1/p' <<< "$output")
  [ "$got"$'\n' = "$want" ] || fail_with "commands: $got"
  [[ "$output" == *$'\n  attach      Attach local standard input, output, and error streams to a running container\n'* ]] || fail_with "$output"
}

@test "image --help: Docker's commands (and berth's layers, mount, umount)" {
  run --separate-stderr b image --help
  assert_success
  got=$(sed -n 's/^  \([a-z]*\) .*/\1/p' <<< "$output" | tr '\n' ' ')
  [ "$got" = "build history import inspect layers load ls mount prune pull push rm save tag umount " ] || fail_with "commands: $got"
  [[ "$output" == *$'\n  build       Build an image from a Dockerfile\n'* ]] || fail_with "$output"
}

@test "container SUB: the same code and output as the top-level command" {
  run --separate-stderr b container create --name mgmt "$IMG" sh -c 'echo hello; sleep 300'
  assert_success
  local id="$output"
  run --separate-stderr b container start mgmt
  assert_success
  [ "$output" = mgmt ]
  [ "$(b container ls --no-trunc -q)" = "$(b ps --no-trunc -q)" ]
  [ "$(b container ls -q)" = "${id:0:12}" ]
  [ "$(b container list -a --format '{{.Names}}')" = mgmt ]
  [ "$(b container inspect -f '{{.Id}}' mgmt)" = "$id" ]
  run --separate-stderr b container exec mgmt echo inside
  [ "$output" = inside ] || fail_with "got '$output'"
  for _ in $(seq 1 100); do
    [[ "$(b container logs mgmt 2> /dev/null)" == hello ]] && break
    sleep 0.1
  done
  [ "$(b container logs mgmt)" = "$(b logs mgmt)" ]
  echo f > "$BATS_TEST_TMPDIR/f"
  run --separate-stderr b container cp "$BATS_TEST_TMPDIR/f" mgmt:/tmp/f
  assert_success
  [ "$(b container exec mgmt cat /tmp/f)" = f ]
  run --separate-stderr b container top mgmt -o pid,comm
  [[ "$output" == PID*COMMAND*sleep* ]] || fail_with "got '$output'"
  run --separate-stderr b container pause mgmt
  [ "$output" = mgmt ]
  run --separate-stderr b container unpause mgmt
  [ "$output" = mgmt ]
  run --separate-stderr b container rename mgmt mgmt2
  assert_success
  run --separate-stderr b container stop -t 1 mgmt2
  [ "$output" = mgmt2 ]
  run --separate-stderr b container diff mgmt2
  [[ "$output" == *"A /tmp/f"* ]] || fail_with "got '$output'"
  run --separate-stderr b container wait mgmt2
  [ "$output" = 137 ] || [ "$output" = 143 ] || fail_with "got '$output'"
  run --separate-stderr b container rm mgmt2
  [ "$output" = mgmt2 ]
  [ -z "$(b container ls -aq)" ]
  run --separate-stderr b container run --rm "$IMG" echo ran
  [ "$output" = ran ] || fail_with "got '$output'"
}

@test "container and image: an unknown subcommand is refused, the store unchanged" {
  store_snapshot
  run --separate-stderr b container nosuch
  [ "$status" -eq 125 ] || fail_with "want 125, got $status"
  [[ "$stderr" == "berth: 'container nosuch' is not a berth command."* ]] || fail_with "$stderr"
  run --separate-stderr b image nosuch
  [ "$status" -eq 125 ] || fail_with "want 125, got $status"
  [[ "$stderr" == "berth: 'image nosuch' is not a berth command."* ]] || fail_with "$stderr"
  assert_store_unchanged
}

@test "image SUB: ls, inspect, history, tag, rm, save/load as the top-level commands" {
  [ "$(b image ls)" = "$(b images)" ]
  [ "$(b image list -q)" = "$(b images -q)" ]
  [ "$(b image inspect -f '{{.Id}}' "$IMG")" = "$(b inspect -f '{{.Id}}' "$IMG")" ]
  [ "$(b image history "$IMG")" = "$(b history "$IMG")" ]
  run --separate-stderr b image tag "$IMG" mgmt:copy
  assert_success
  [ "$(b image inspect -f '{{.Id}}' mgmt:copy)" = "$(b inspect -f '{{.Id}}' "$IMG")" ]
  b image save -o "$BATS_TEST_TMPDIR/img.tar" mgmt:copy
  run --separate-stderr b image rm mgmt:copy
  assert_success
  [ "$output" = "Untagged: mgmt:copy" ] || fail_with "got '$output'"
  run --separate-stderr b image load -i "$BATS_TEST_TMPDIR/img.tar"
  assert_success
  [[ "$output" == *"Loaded image: mgmt:copy"* ]] || fail_with "got '$output'"
}

@test "container and image SUB: a bad flag or argument names the form, as Docker's errors do" {
  store_snapshot
  run --separate-stderr b image ls --bogus
  [ "$status" -eq 125 ] || fail_with "want 125, got $status"
  # docker image ls --bogus
  [ "$stderr" = $'unknown flag: --bogus\nSee \'berth image ls --help\'.' ] || fail_with "$stderr"
  run --separate-stderr b container list -Z
  [ "$stderr" = $'unknown shorthand flag: \'Z\' in -Z\nSee \'berth container ls --help\'.' ] ||
    fail_with "$stderr"
  # docker image rm: the form's path and usage (Docker's status 1)
  run --separate-stderr b image rm
  [ "$status" -eq 1 ] && [[ "$stderr" == $'"berth image rm" requires at least 1 argument.\nSee \'berth image rm --help\'.\n\nUsage:  berth image rm '* ]] ||
    fail_with "$stderr"
  # the top-level commands keep their own names
  run --separate-stderr b rmi
  [[ "$stderr" == $'"berth rmi" requires at least 1 argument.\nSee \'berth rmi --help\'.\n\nUsage:  berth rmi '* ]] ||
    fail_with "$stderr"
  assert_store_unchanged
}

@test "image rmi: Docker's other name of image rm" {
  run --separate-stderr b image rmi --help
  assert_success
  [[ "$output" == $'Usage:  berth image rm [OPTIONS] IMAGE [IMAGE...]\n'*$'\nAliases:\n  rm, rmi, remove\n'* ]] ||
    fail_with "$output"
  b image tag "$IMG" mgmt:rmi
  run --separate-stderr b image rmi mgmt:rmi
  assert_success
  [ "$output" = "Untagged: mgmt:rmi" ] || fail_with "got '$output'"
}

@test "builder build: Docker's other name of build" {
  run --separate-stderr b builder --help
  assert_success
  got=$(sed -n 's/^  \([a-z]*\) .*/\1/p' <<< "$output" | tr '\n' ' ')
  # docker builder --help
  [ "$got" = "build prune " ] || fail_with "commands: $got"
  mkdir "$BATS_TEST_TMPDIR/ctx"
  printf 'FROM scratch\nLABEL via=builder\n' > "$BATS_TEST_TMPDIR/ctx/Dockerfile"
  run --separate-stderr b builder build -q -t mgmt:built "$BATS_TEST_TMPDIR/ctx"
  assert_success
  [ "$output" = "$(b image inspect -f '{{.Id}}' mgmt:built)" ] || fail_with "got '$output'"
  [ "$(b image inspect -f '{{.Config.Labels.via}}' mgmt:built)" = builder ]
}
