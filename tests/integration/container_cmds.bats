#!/usr/bin/env bats
# rename, restart, pause/unpause, top, attach, port and run --restart (issue
# 9, "Container commands still missing").  Expected words and layouts are
# Docker 20.10's (/usr/bin/docker on a private dockerd here): its daemon's
# errors read "Error response from daemon: WORDS", berth's "Error: WORDS".

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

state() {
  b inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Paused}}' "$1"
}

@test "rename: the new name everywhere; Docker's words for the same, a taken and a bad name" {
  run --separate-stderr b create --name one "$IMG" true
  assert_success
  local id="$output"
  run --separate-stderr b create --name two "$IMG" true
  assert_success
  local two="$output"
  run --separate-stderr b rename one uno
  assert_success
  [ -z "$output$stderr" ] || fail_with "docker rename prints nothing"
  run --separate-stderr b inspect -f '{{.Name}} {{.Id}}' uno
  [ "$output" = "/uno $id" ] || fail_with "got '$output'"
  run --separate-stderr b ps -a --format '{{.Names}}'
  [[ "$output" == *uno* && "$output" != *one* ]] || fail_with "got '$output'"
  store_snapshot
  # docker: Error response from daemon: Renaming a container with the same name as its current name
  #         Error: failed to rename container named uno
  run --separate-stderr b rename uno uno
  [ "$status" -eq 1 ] || fail_with "want 1, got $status"
  [ "$stderr" = $'Error: Renaming a container with the same name as its current name\nError: failed to rename container named uno' ] || fail_with "$stderr"
  run --separate-stderr b rename uno two
  [ "$stderr" = "Error: Error when allocating new name: Conflict. The container name \"/two\" is already in use by container \"$two\". You have to remove (or rename) that container to be able to reuse that name."$'\n'"Error: failed to rename container named uno" ] || fail_with "$stderr"
  run --separate-stderr b rename uno 'bad/x'
  [ "$stderr" = $'Error: Error when allocating new name: Invalid container name (/bad/x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed\nError: failed to rename container named uno' ] || fail_with "$stderr"
  run --separate-stderr b rename nosuch x
  [ "$stderr" = $'Error: No such container: nosuch\nError: failed to rename container named nosuch' ] || fail_with "$stderr"
  run --separate-stderr b rename uno
  [ "$status" -eq 1 ] && [[ "$stderr" == '"berth rename" requires exactly 2 arguments.'$'\n'* ]] ||
    fail_with "want Docker's 1, got $status: $stderr"
  assert_store_unchanged
}

@test "pause/unpause: the runtime's freezer, paused in ps and inspect, Docker's words" {
  run --separate-stderr b run -d --name pz "$IMG" sleep 300
  assert_success
  local id="$output"
  run --separate-stderr b pause pz
  assert_success
  [ "$output" = pz ] || fail_with "got '$output'"
  run --separate-stderr state pz
  [ "$output" = "paused true true" ] || fail_with "got '$output'"
  run --separate-stderr b ps --format '{{.Status}}|{{.State}}'
  [[ "$output" == Up*" (Paused)|paused" ]] || fail_with "got '$output'"
  # docker ps --filter status=paused shows it, status=running does not
  [ "$(b ps -q --no-trunc --filter status=paused)" = "$id" ] || fail_with "status=paused"
  [ -z "$(b ps -q --filter status=running)" ] || fail_with "status=running"
  # the processes are frozen: the cgroup freezer says so
  run --separate-stderr b inspect -f '{{.State.Pid}}' pz
  local pid="$output"
  run grep -E '^State:' "/proc/$pid/status"
  [[ "$output" == *"D (disk sleep)"* || "$output" == *"S (sleeping)"* || "$output" == *T* ]] || fail_with "got '$output'"
  run --separate-stderr b pause pz
  [ "$status" -eq 1 ] && [ "$stderr" = "Error: Container $id is already paused" ] || fail_with "$stderr"
  run --separate-stderr b unpause pz
  assert_success
  [ "$output" = pz ]
  run --separate-stderr state pz
  [ "$output" = "running true false" ] || fail_with "got '$output'"
  run --separate-stderr b unpause pz
  [ "$status" -eq 1 ] && [ "$stderr" = "Error: Container $id is not paused" ] || fail_with "$stderr"
  # stop of a paused container thaws it first (as Docker), then it is exited
  run --separate-stderr b pause pz
  assert_success
  run --separate-stderr b stop -t 1 pz
  assert_success
  run --separate-stderr state pz
  [ "$output" = "exited false false" ] || fail_with "got '$output'"
  run --separate-stderr b pause pz
  [ "$status" -eq 1 ] && [ "$stderr" = "Error: Container $id is not running" ] || fail_with "$stderr"
  run --separate-stderr b unpause pz
  [ "$stderr" = "Error: Container $id is not running" ] || fail_with "$stderr"
  # rm -f of a paused container
  run --separate-stderr b run -d --name p2 "$IMG" sleep 300
  run --separate-stderr b pause p2
  assert_success
  run --separate-stderr b rm -f p2
  assert_success
}

@test "restart: a running container runs again (new start time), a stopped one is started" {
  run --separate-stderr b run -d --name rr "$IMG" sleep 300
  assert_success
  run --separate-stderr b inspect -f '{{.State.StartedAt}} {{.State.Pid}}' rr
  local before="$output"
  run --separate-stderr b restart -t 1 rr
  assert_success
  [ "$output" = rr ] || fail_with "got '$output'"
  run --separate-stderr b inspect -f '{{.State.Status}} {{.State.StartedAt}} {{.State.Pid}}' rr
  [[ "$output" == running* && "$output" != "running $before" ]] || fail_with "got '$output' (before: $before)"
  run --separate-stderr b create --name st "$IMG" sleep 300
  run --separate-stderr b restart --time 1 st nosuch
  [ "$status" -eq 1 ] || fail_with "want 1, got $status"
  [ "$output" = st ] && [ "$stderr" = "Error: No such container: nosuch" ] || fail_with "'$output' '$stderr'"
  run --separate-stderr state st
  [ "$output" = "running true false" ] || fail_with "got '$output'"
}

@test "top: the container's processes from the host's ps, Docker's columns" {
  run --separate-stderr b run -d --name tt "$IMG" sleep 300
  assert_success
  local id="$output"
  run --separate-stderr b exec tt true
  run --separate-stderr b top tt
  assert_success
  # docker: UID + 17 spaces, PID + 17 ... then CMD; one row per process
  [[ "${lines[0]}" == "UID                 PID                 PPID                C                   STIME               TTY                 TIME                CMD" ]] || fail_with "header: '${lines[0]}'"
  [ "${#lines[@]}" -eq 2 ] || fail_with "want one process, got: $output"
  [[ "${lines[1]}" == root*"sleep 300" ]] || fail_with "got '${lines[1]}'"
  run --separate-stderr b inspect -f '{{.State.Pid}}' tt
  local pid="$output"
  run --separate-stderr b top tt -o pid,comm
  assert_success
  [ "${lines[0]}" = "PID                 COMMAND" ] || fail_with "got '${lines[0]}'"
  [ "${lines[1]}" = "$(printf '%-20s%s' "$pid" sleep)" ] || fail_with "got '${lines[1]}'"
  # the host's other processes are not shown
  [ "${#lines[@]}" -eq 2 ] || fail_with "got $output"
  run --separate-stderr b stop -t 1 tt
  run --separate-stderr b top tt
  [ "$status" -eq 1 ] && [ "$stderr" = "Error: Container $id is not running" ] || fail_with "$stderr"
}

@test "attach: the output written from now on, then the container's exit code" {
  run --separate-stderr b run -d --name aa "$IMG" sh -c \
    'echo early; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo late; echo err >&2; exit 3'
  assert_success
  # early is in the log before attaching
  for _ in $(seq 1 100); do
    [[ "$(b logs aa 2> /dev/null)" == *early* ]] && break
    sleep 0.1
  done
  b attach aa > "$BATS_TEST_TMPDIR/att.out" 2> "$BATS_TEST_TMPDIR/att.err" &
  local apid=$!
  sleep 0.5
  b exec aa touch /tmp/go
  local rc=0
  wait "$apid" || rc=$?
  [ "$rc" -eq 3 ] || fail_with "want 3, got $rc"
  [ "$(cat "$BATS_TEST_TMPDIR/att.out")" = late ] || fail_with "stdout: $(cat "$BATS_TEST_TMPDIR/att.out")"
  [ "$(cat "$BATS_TEST_TMPDIR/att.err")" = err ] || fail_with "stderr: $(cat "$BATS_TEST_TMPDIR/att.err")"
  # docker: You cannot attach to a stopped container, start it first
  run --separate-stderr b attach aa
  [ "$status" -eq 1 ] && [ "$stderr" = "You cannot attach to a stopped container, start it first" ] || fail_with "$stderr"
}

@test "attach: stdin reaches a detached -i container, which keeps it open for the next attach" {
  run --separate-stderr b run -d -i --name ai "$IMG" sh -c \
    'read a; echo "first $a"; read b; echo "second $b"; exit 5'
  assert_success
  local id="$output"
  # -i keeps the stdin open: the container waits for a line (Docker's too)
  sleep 0.5
  [ "$(b inspect -f '{{.State.Running}}' ai)" = true ] || fail_with "exited without input"
  # the first attach sends a line and closes its input: the container's
  # stdin stays open (StdinOnce false), so attach follows until the end
  echo one | b attach ai > "$BATS_TEST_TMPDIR/a1.out" &
  local a1=$!
  for _ in $(seq 1 100); do
    [[ "$(b logs ai 2> /dev/null)" == *"first one"* ]] && break
    sleep 0.1
  done
  [[ "$(b logs ai)" == "first one" ]] || fail_with "logs: $(b logs ai)"
  local rc=0 rc1=0
  echo two | b attach ai > "$BATS_TEST_TMPDIR/a2.out" || rc=$?
  wait "$a1" || rc1=$?
  # both attached until the end: the container's exit code, as Docker's
  [ "$rc" -eq 5 ] && [ "$rc1" -eq 5 ] || fail_with "attach returned $rc and $rc1"
  [ "$(b inspect -f '{{.State.ExitCode}}' ai)" = 5 ] || fail_with "exit $(b inspect -f '{{.State.ExitCode}}' ai)"
  [ "$(cat "$BATS_TEST_TMPDIR/a2.out")" = "second two" ] || fail_with "a2: $(cat "$BATS_TEST_TMPDIR/a2.out")"
  # the keeper's socket went with it
  [ ! -e "$BERTH_TEST_ROOT/containers/$id/attach.sock" ] || fail_with "attach.sock left"
}

@test "attach -t: keys reach the shell through a raw terminal, ctrl-p ctrl-q detach and leave it running" {
  require_tool script
  run --separate-stderr b run -dit --name at "$IMG" sh
  assert_success
  sleep 0.5
  # script gives attach a terminal; its input is what we "type"
  run bash -c "(printf 'echo hi\$((40+2))\\n'; sleep 1; printf '\\x10\\x11'; sleep 1) |
    timeout 20 script -qec '$BERTH --root $BERTH_TEST_ROOT attach at' /dev/null"
  [ "$status" -eq 1 ] || fail_with "status $status: $output"
  [[ "$output" == *$'hi42\r'* ]] || fail_with "$output"
  [[ "$output" == *"read escape sequence"* ]] || fail_with "$output"
  [ "$(b inspect -f '{{.State.Running}}' at)" = true ] || fail_with "the detach stopped it"
  b rm -f at > /dev/null
}

@test "attach: --no-stdin, and a container made without -i, read nothing of ours" {
  run --separate-stderr b run -d --name an "$IMG" sh -c 'sleep 1; cat; echo done'
  assert_success
  echo ignored | b attach an > "$BATS_TEST_TMPDIR/an.out"
  [ "$(cat "$BATS_TEST_TMPDIR/an.out")" = done ] || fail_with "$(cat "$BATS_TEST_TMPDIR/an.out")"
  run --separate-stderr b run -d -i --name ani "$IMG" sh -c 'sleep 1; read -t 2 x && echo "got $x"; echo end'
  assert_success
  echo ignored | b attach --no-stdin ani > "$BATS_TEST_TMPDIR/ani.out"
  [ "$(cat "$BATS_TEST_TMPDIR/ani.out")" = end ] || fail_with "$(cat "$BATS_TEST_TMPDIR/ani.out")"
}

@test "port: nothing for a container that publishes none; a named port is Docker's error" {
  run --separate-stderr b create --name pt "$IMG" true
  run --separate-stderr b port pt
  assert_success
  [ -z "$output$stderr" ] || fail_with "got '$output' '$stderr'"
  # docker: Error: No public port '80/tcp' published for pt (data/network/port.txt)
  run --separate-stderr b port pt 80
  [ "$status" -eq 1 ] && [ "$stderr" = "Error: No public port '80/tcp' published for pt" ] || fail_with "$stderr"
  run --separate-stderr b port nosuch
  [ "$stderr" = "Error: No such container: nosuch" ] || fail_with "$stderr"
}

@test "run --restart: no accepted, the other policies refused by name, the store unchanged" {
  run --separate-stderr b run --restart=no --rm "$IMG" echo ok
  assert_success
  [ "$output" = ok ]
  run --separate-stderr b create --restart no "$IMG" true
  assert_success
  store_snapshot
  run --separate-stderr b run --restart=always "$IMG" true
  [ "$status" -eq 125 ] || fail_with "want 125, got $status"
  [[ "$stderr" == *"restart policy 'always' is not supported: berth has no daemon to restart containers (only --restart=no)"* ]] || fail_with "$stderr"
  run --separate-stderr b run --restart=on-failure:3 "$IMG" true
  [[ "$stderr" == *"restart policy 'on-failure:3' is not supported"* ]] || fail_with "$stderr"
  # docker: invalid restart policy 'bad'
  run --separate-stderr b run --restart=bad "$IMG" true
  [ "$status" -eq 125 ] && [[ "$stderr" == *"invalid restart policy 'bad'"* ]] || fail_with "$stderr"
  assert_store_unchanged
}
