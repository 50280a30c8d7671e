#!/usr/bin/env bats
# The global -D/--debug flag: the whole error chain, and the time of each
# phase (berth's own and the library's: pull, create, prepare, run, build,
# push) on stderr; nothing of it without the flag.

load lib/common

setup_file() {
  registry_with_fixtures REG plain basic
}

teardown_file() {
  registry_stop REG
}

setup() {
  common_setup
}

teardown() {
  common_teardown
}

# phases: the DEBU phase lines of $stderr, names only, one per line
phases() {
  sed -n 's/^DEBU phase \(.*\): [0-9.]* ms$/\1/p' <<< "$stderr"
}

@test "--debug: the error chain and each phase's time on stderr, nothing without it" {
  run --separate-stderr b info
  assert_success
  [[ "$stderr" == "" ]] || fail_with "no debug: $stderr"
  run --separate-stderr b -D info
  assert_success
  [[ "$stderr" == *"DEBU phase load the configuration: "*" ms"* ]] || fail_with "$stderr"
  [[ "$stderr" == *"DEBU phase open the store: "* && "$stderr" == *"DEBU phase info: "* ]] ||
    fail_with "$stderr"
  run --separate-stderr b --debug info --format '{{.Debug}}'
  [[ "$output" == true ]] || fail_with "$output"
  # a failure: the one-line error as always, then every link on its own line
  store_snapshot
  run --separate-stderr b -D rmi nosuch:tag
  assert_failure
  [[ "$stderr" == *"Error: No such image: nosuch:tag"$'\n'"DEBU error chain, outermost first:"$'\n'* ]] || fail_with "$stderr"
  [[ "$stderr" == *"(kind: failed, errno: "* ]] || fail_with "$stderr"
  run --separate-stderr b rmi nosuch:tag
  [[ "$stderr" != *DEBU* ]] || fail_with "$stderr"
  assert_store_unchanged
}

@test "--debug: pull, run, build and push tell their phases in order" {
  local img="$REG_HOST/library/busybox:latest"
  run --separate-stderr b -D pull -q "$img"
  assert_success
  [ "$(phases)" = $'load the configuration\nopen the store\npull: manifest\npull: config\npull: 1 layers fetched and unpacked\npull: publish\npull' ] ||
    fail_with "$stderr"
  run --separate-stderr b -D run --rm "$img" true
  assert_success
  [[ "$(phases)" == $'load the configuration\nopen the store\ncreate: container '*$'\nprepare: rootfs mounted, config.json written\nrun: the runtime started the container\nrun: the container\'s process ran to its end\nrun' ]] ||
    fail_with "$stderr"
  local ctx="$BATS_TEST_TMPDIR/ctx"
  mkdir "$ctx"
  printf 'FROM %s\nRUN touch /x\nENV A=1\n' "$img" > "$ctx/Dockerfile"
  run --separate-stderr b -D build -q -t "$REG_HOST/debug/x" "$ctx"
  assert_success
  [[ "$(phases)" == *$'build: step 1/3 from\n'*$'build: step 2/3 run\nbuild: step 3/3 env\nbuild' ]] ||
    fail_with "$stderr"
  run --separate-stderr b -D push -q "$REG_HOST/debug/x"
  assert_success
  [[ "$(phases)" == *$'push: 2 layers\npush: config\npush' ]] || fail_with "$stderr"
  # the phases go to stderr only
  [[ "$output" != *DEBU* ]] || fail_with "$output"
}
