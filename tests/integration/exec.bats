#!/usr/bin/env bats
# exec, -t (pty), start -a, signal forwarding of foreground run, and the
# runtime lines of info (issue 3).

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

start_sleeper() {
  run --separate-stderr b run -d --name sleeper -e FROMRUN=1 -w /tmp "$IMG" sleep 300
  assert_success
}

@test "exec: runs in the running container, exit codes 0 and 3" {
  start_sleeper
  run --separate-stderr b exec sleeper sh -c 'echo in $(pwd) $FROMRUN; ls /proc/1/cmdline >/dev/null'
  assert_success
  [ "$output" = "in /tmp 1" ] || fail_with "got '$output'"
  run b exec sleeper sh -c 'exit 3'
  [ "$status" -eq 3 ] || fail_with "want 3, got $status"
  run --separate-stderr b exec sleeper cat /proc/1/cmdline
  [[ "$output" == sleep* ]] || fail_with "not the container's pid namespace: '$output'"
}

@test "exec: missing command 127, not executable 126, Docker's words" {
  start_sleeper
  run -127 --separate-stderr b exec sleeper nosuchcmd
  [ "$status" -eq 127 ] || fail_with "want 127, got $status"
  [[ "$stderr" == *'OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: unknown'* ]] || fail_with "stderr: $stderr"
  run --separate-stderr b exec sleeper /etc/passwd
  [ "$status" -eq 126 ] || fail_with "want 126, got $status"
  [[ "$stderr" == *'exec: "/etc/passwd": permission denied'* ]] || fail_with "stderr: $stderr"
  run -127 --separate-stderr b exec sleeper /no/such
  [ "$status" -eq 127 ] || fail_with "want 127, got $status"
}

@test "exec: -e, -w and -u reach the process; the container's env stays" {
  start_sleeper
  HOSTVAR=fromhost run --separate-stderr b exec -e FOO=bar -e FROMRUN=2 -e HOSTVAR -w /etc \
    -u nobody sleeper sh -c 'echo $FOO $FROMRUN $HOSTVAR $(pwd) $(id -u) $(id -g)'
  assert_success
  [ "$output" = "bar 2 fromhost /etc 65534 65534" ] || fail_with "got '$output'"
  run --separate-stderr b exec -u 1234:5 sleeper id -u
  [ "$output" = "1234" ] || fail_with "got '$output'"
  run --separate-stderr b exec -u nosuchuser sleeper true
  [ "$status" -eq 126 ] || fail_with "want 126, got $status"
  [[ "$stderr" == *"unable to find user nosuchuser"* ]] || fail_with "stderr: $stderr"
}

@test "exec: -i passes stdin; without -i the process sees none" {
  start_sleeper
  run --separate-stderr bash -c "echo piped | timeout 60 '$BERTH' --root '$BERTH_TEST_ROOT' exec -i sleeper cat"
  [ "$output" = "piped" ] || fail_with "got '$output'"
  run --separate-stderr bash -c "echo piped | timeout 60 '$BERTH' --root '$BERTH_TEST_ROOT' exec sleeper cat"
  assert_success
  [ -z "$output" ] || fail_with "got '$output'"
}

@test "exec: a stopped container is refused, an unknown one too" {
  run b create --name idle "$IMG" true
  assert_success
  run --separate-stderr b exec idle true
  [ "$status" -eq 1 ] || fail_with "want 1, got $status"
  [[ "$stderr" == *"is not running"* ]] || fail_with "stderr: $stderr"
  run --separate-stderr b exec nosuch true
  [ "$status" -ne 0 ] || fail_with "want failure"
  [[ "$stderr" == *"No such container: nosuch"* ]] || fail_with "stderr: $stderr"
  run --separate-stderr b exec idle
  [ "$status" -eq 1 ] && [[ "$stderr" == '"berth exec" requires at least 2 arguments.'$'\n'* ]] ||
    fail_with "want Docker's usage error (1), got $status: $stderr"
}

@test "start -a: attaches stdout and returns the exit code; -i passes stdin" {
  run --separate-stderr b create --name c1 "$IMG" sh -c 'echo attached; exit 4'
  assert_success
  run --separate-stderr b start -a c1
  [ "$status" -eq 4 ] || fail_with "want 4, got $status"
  [ "$output" = "attached" ] || fail_with "got '$output'"
  run --separate-stderr b create -i --name c2 "$IMG" cat
  assert_success
  run --separate-stderr bash -c "echo through | timeout 60 '$BERTH' --root '$BERTH_TEST_ROOT' start -a -i c2"
  assert_success
  [ "$output" = "through" ] || fail_with "got '$output'"
}

@test "run: SIGTERM to a foreground berth reaches the container" {
  timeout 60 "$BERTH" --root "$BERTH_TEST_ROOT" run --name trap "$IMG" \
    sh -c 'trap "exit 7" TERM; echo ready; sleep 100 & wait' > "$BATS_TEST_TMPDIR/out" 2>&1 &
  BG_PID=$!
  for _ in $(seq 100); do grep -q ready "$BATS_TEST_TMPDIR/out" 2>/dev/null && break; sleep 0.1; done
  grep -q ready "$BATS_TEST_TMPDIR/out" || fail_with "container did not start"
  kill -TERM "$BG_PID"
  local code=0
  wait "$BG_PID" || code=$?
  BG_PID=
  [ "$code" -eq 7 ] || fail_with "want 7, got $code"
}

@test "run -t: a pty, raw terminal, the exit code comes back" {
  require_tool script
  run bash -c "(sleep 2; printf 'echo hi; tty; exit 3\r'; sleep 4) | timeout 60 script -qec \"'$BERTH' --root '$BERTH_TEST_ROOT' run --rm -i -t '$IMG' sh\" /dev/null"
  [ "$status" -eq 3 ] || fail_with "want 3, got $status: $output"
  [[ "$output" == *hi* ]] || fail_with "got '$output'"
  [[ "$output" == */dev/pts/* ]] || fail_with "no pty: '$output'"
}

@test "run -it without a terminal is refused" {
  run --separate-stderr bash -c "'$BERTH' --root '$BERTH_TEST_ROOT' run --rm -it '$IMG' true < /dev/null"
  [ "$status" -eq 1 ] || fail_with "want 1, got $status"
  [[ "$stderr" == *"the input device is not a TTY"* ]] || fail_with "stderr: $stderr"
}

@test "run -d -t: the monitor holds the pty and logs the output" {
  run --separate-stderr b run -d -t --name tty "$IMG" sh -c 'tty; stty size; echo done'
  assert_success
  run b wait tty
  [ "$output" = "0" ] || fail_with "wait: '$output'"
  run --separate-stderr b logs tty
  [[ "$output" == */dev/pts/* ]] || fail_with "logs: '$output'"
  [[ "$output" == *"24 80"* ]] || fail_with "logs: '$output'"
  [[ "$output" == *done* ]] || fail_with "logs: '$output'"
}

@test "run -d -t: the console has its size before the process starts" {
  local id i
  id=$(b create -t "$IMG" stty size)
  for i in 1 2 3 4 5; do
    run --separate-stderr b start "$id"
    assert_success
    b wait "$id" > /dev/null
  done
  jq -e '.process.consoleSize == {"height": 24, "width": 80}' \
    "$BERTH_TEST_ROOT/containers/$id/config.json" > /dev/null || fail_with "no consoleSize"
  run --separate-stderr b logs "$id"
  [ "$(printf '%s\n' "$output" | tr -d '\r' | grep -c '^24 80$')" = 5 ] || fail_with "logs: '$output'"
}

@test "exec -t: the process gets a pty" {
  require_tool script
  start_sleeper
  run timeout 60 script -qec "'$BERTH' --root '$BERTH_TEST_ROOT' exec -t sleeper tty" /dev/null
  assert_success
  [[ "$output" == */dev/pts/* ]] || fail_with "got '$output'"
  run timeout 60 script -qec "stty rows 33 cols 99; '$BERTH' --root '$BERTH_TEST_ROOT' exec -t sleeper stty size" /dev/null
  assert_success
  [[ "$output" == *"33 99"* ]] || fail_with "got '$output'"
}

@test "info: the runtime lines say what run uses; --runtime is checked" {
  run --separate-stderr b info
  assert_success
  local def
  def=$(printf '%s\n' "$output" | sed -n 's/^ *Default Runtime: //p')
  [ -n "$def" ] || fail_with "no Default Runtime line: $output"
  printf '%s\n' "$output" | grep -q "^ *Runtimes:.* $def\b" || fail_with "default not listed: $output"
  if command -v crun > /dev/null && [ -s /sys/fs/cgroup/unified/cgroup.controllers ]; then
    [ "$def" = runc ] || fail_with "crun cannot run here, default is $def"
    printf '%s\n' "$output" | grep -q "^ *Runtimes:.*crun" && fail_with "crun listed: $output"
  fi
  run --separate-stderr b create --name rt "$IMG" true
  assert_success
  run --separate-stderr b inspect rt
  [[ "$output" == *"\"Runtime\": \"$def\""* ]] || fail_with "container runtime: $output, info says '$def'"
  [ "$def" != "" ] || fail_with "container runtime '$output', info says '$def'"
  run --separate-stderr b run --rm --runtime nosuch "$IMG" true
  [ "$status" -eq 125 ] || fail_with "want 125, got $status"
  [[ "$stderr" == *"unknown or invalid runtime name: nosuch"* ]] || fail_with "stderr: $stderr"
}

@test "info: default-runtime from the config file wins" {
  printf '{"default-runtime": "runc"}\n' > "$BATS_TEST_TMPDIR/config.json"
  BERTH_CONFIG="$BATS_TEST_TMPDIR/config.json" run --separate-stderr b info
  assert_success
  [[ "$output" == *"Default Runtime: runc"* ]] || fail_with "got: $output"
}
