#!/usr/bin/env bats
# Containers on overlayfs with runc (issue 3): run, exit codes, flags,
# detached containers, ps, rm, recovery, inspect, mount.

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

@test "run: echo prints and exits 0" {
  run --separate-stderr b run --rm "$IMG" echo hello world
  assert_success
  [ "$output" = "hello world" ] || fail_with "got '$output'"
}

@test "run: exit codes 0 and 3 come back" {
  run b run --rm "$IMG" sh -c 'exit 0'
  assert_success
  run b run --rm "$IMG" sh -c 'exit 3'
  [ "$status" -eq 3 ] || fail_with "want 3"
}

@test "run: a missing command exits 127 with Docker's message" {
  run -127 --separate-stderr b run --rm "$IMG" nosuchcmd
  [ "$status" -eq 127 ] || fail_with "want 127"
  [[ "$stderr" == *'exec: "nosuchcmd": executable file not found in $PATH'* ]] || fail_with "stderr: $stderr"
  run b ps -aq
  [ -z "$output" ] || fail_with "--rm left $output"
}

@test "run: a file that is not executable exits 126 permission denied" {
  run --separate-stderr b run --rm "$IMG" /etc/passwd
  [ "$status" -eq 126 ] || fail_with "want 126"
  [[ "$stderr" == *'exec: "/etc/passwd": permission denied'* ]] || fail_with "stderr: $stderr"
}

@test "run: -e, --env-file, -w and -u reach the process" {
  printf 'FROMFILE=yes\n# comment\n' > "$BATS_TEST_TMPDIR/envs"
  run --separate-stderr b run --rm -e FOO=bar --env-file "$BATS_TEST_TMPDIR/envs" -w /tmp \
    -u nobody "$IMG" sh -c 'echo $FOO $FROMFILE $(pwd) $(id -u) $(id -g)'
  assert_success
  [ "$output" = "bar yes /tmp 65534 65534" ] || fail_with "got '$output'"
  run --separate-stderr b run --rm -u 1234:5 "$IMG" id -u
  [ "$output" = "1234" ] || fail_with "got '$output'"
  run --separate-stderr b run --rm -u nosuchuser "$IMG" true
  [ "$status" -eq 125 ] || fail_with "want 125"
  [[ "$stderr" == *"unable to find user nosuchuser"* ]] || fail_with "stderr: $stderr"
}

@test "run: -v binds a host dir, :ro makes it read-only" {
  mkdir "$BATS_TEST_TMPDIR/vol"
  echo host > "$BATS_TEST_TMPDIR/vol/in"
  run --separate-stderr b run --rm -v "$BATS_TEST_TMPDIR/vol:/data" "$IMG" sh -c 'cat /data/in; echo ctr > /data/out'
  assert_success
  [ "$output" = "host" ] || fail_with "got '$output'"
  [ "$(cat "$BATS_TEST_TMPDIR/vol/out")" = "ctr" ]
  run b run --rm -v "$BATS_TEST_TMPDIR/vol:/data:ro" "$IMG" sh -c 'echo x > /data/out2'
  assert_failure
  [ ! -e "$BATS_TEST_TMPDIR/vol/out2" ]
}

@test "run -d: logs, wait, stop" {
  run --separate-stderr b run -d --name bg "$IMG" sh -c 'echo started; echo oops >&2; sleep 100'
  assert_success
  [[ "$output" =~ ^[0-9a-f]{64}$ ]] || fail_with "not an id: $output"
  local id="$output"
  local i
  for i in $(seq 50); do
    b logs bg 2>&1 | grep -q oops && break
    sleep 0.1
  done
  run --separate-stderr b logs bg
  [ "$output" = "started" ] || fail_with "stdout '$output'"
  [ "$stderr" = "oops" ] || fail_with "stderr '$stderr'"
  grep -q '"log":"started\\n","stream":"stdout","time":"' "$BERTH_TEST_ROOT/containers/$id/$id-json.log"
  run b ps
  [[ "${lines[1]}" == *"Up "*" bg" ]] || fail_with "ps: ${lines[1]}"
  run b stop -t 1 bg
  assert_success
  run b wait bg
  [ "$output" = "137" ] || fail_with "wait printed '$output'"
  run b ps -a
  [[ "${lines[1]}" == *"Exited (137) "* ]] || fail_with "ps -a: ${lines[1]}"
}

@test "ps -a: Docker's columns and statuses" {
  b create --name made "$IMG" echo hi > /dev/null
  b run --name t1 "$IMG" sh -c 'exit 3' || true
  run b ps -a
  assert_success
  [[ "${lines[0]}" =~ ^CONTAINER\ ID\ +IMAGE\ +COMMAND\ +CREATED\ +STATUS\ +PORTS\ +NAMES$ ]] || fail_with "header: ${lines[0]}"
  [[ "${lines[1]}" =~ ^[0-9a-f]{12}\ +$IMG\ +\"sh\ -c\ \'exit\ 3\'\"\ +.*ago\ +Exited\ \(3\)\ .*ago\ +t1$ ]] || fail_with "row: ${lines[1]}"
  [[ "${lines[2]}" =~ ^[0-9a-f]{12}\ +$IMG\ +\"echo\ hi\"\ +.*ago\ +Created\ +made$ ]] || fail_with "row: ${lines[2]}"
  run b ps
  [ "${#lines[@]}" -eq 1 ]
  run b ps -aq
  [ "${#lines[@]}" -eq 2 ]
}

@test "two containers of one image are isolated" {
  b run --name one "$IMG" sh -c 'echo one > /f; rm /bin/tar' > /dev/null
  run --separate-stderr b run --name two "$IMG" sh -c 'test ! -e /f && ls /bin/tar'
  assert_success
  [ "$output" = "/bin/tar" ]
  local one two
  one=$(b inspect one | jq -r '.[0].GraphDriver.Data.UpperDir')
  two=$(b inspect two | jq -r '.[0].GraphDriver.Data.UpperDir')
  [ "$one" != "$two" ]
  [ "$(cat "$one/f")" = "one" ]
  [ ! -e "$two/f" ]
  [ "$(stat -c %t:%T "$one/bin/tar")" = "0:0" ]   # the whiteout of /bin/tar
}

@test "name in use is refused with Docker's message" {
  b create --name dup "$IMG" true > /dev/null
  run --separate-stderr b create --name dup "$IMG" true
  [ "$status" -eq 125 ] || fail_with "want 125"
  [[ "$stderr" == *'The container name "/dup" is already in use by container'* ]] || fail_with "$stderr"
}

@test "rm: a running container needs -f; rm -f kills and cleans" {
  b run -d --name busy "$IMG" sleep 100 > /dev/null
  run --separate-stderr b rm busy
  assert_failure
  [[ "$stderr" == *"You cannot remove a running container"* ]] || fail_with "$stderr"
  run b rm -f busy
  assert_success
  run b ps -aq
  [ -z "$output" ]
  [ -z "$(ls "$BERTH_TEST_ROOT/image/overlay2/layerdb/mounts")" ]
  ! grep -q "$BERTH_TEST_ROOT" /proc/mounts
  ! pgrep -f "sleep 100" > /dev/null || ! pgrep -f "$BERTH_TEST_ROOT" > /dev/null
}

@test "rmi refuses an image a container uses" {
  b create --name user "$IMG" true > /dev/null
  run --separate-stderr b rmi "$IMG"
  assert_failure
  [[ "$stderr" == *"conflict: unable to remove repository reference \"$IMG\" (must force) - container "*" is using its referenced image "* ]] || fail_with "$stderr"
  local id
  id=$(b inspect "$IMG" | jq -r '.[0].Id')
  run --separate-stderr b rmi "${id:7:12}"
  assert_failure
  [[ "$stderr" == *"conflict: unable to delete ${id:7:12} (must be forced) - image is being used by stopped container "* ]] || fail_with "$stderr"
  b rm user
  run b rmi "$IMG"
  assert_success
}

@test "berth killed while its container runs: ps and rm recover" {
  "$BERTH" --root "$BERTH_TEST_ROOT" run --name orphan "$IMG" sleep 100 > /dev/null 2>&1 &
  local pid=$!
  local i
  for i in $(seq 100); do
    b ps | grep -q orphan && break
    sleep 0.1
  done
  kill -9 "$pid"
  wait "$pid" || true
  run b ps
  [[ "$output" == *orphan* ]] || fail_with "ps: $output"
  run b rm -f orphan
  assert_success
  run b ps -aq
  [ -z "$output" ]
  ! grep -q "$BERTH_TEST_ROOT" /proc/mounts
}

@test "run -d returns once the process runs: State.Pid is its init, exec works at once" {
  b run -d --name pidded "$IMG" sleep 300 > /dev/null
  run b exec pidded true
  assert_success
  local pid
  pid=$(b inspect pidded | jq -r '.[0].State.Pid')
  [ "$pid" -gt 0 ] || fail_with "State.Pid is '$pid'"
  [ -d "/proc/$pid" ] || fail_with "no process $pid"
  # the container's init: in a pid and mount namespace of its own, its
  # root is the container's rootfs
  [ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] || fail_with "pid ns"
  [ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] || fail_with "mnt ns"
  local merged
  merged=$(b inspect pidded | jq -r '.[0].GraphDriver.Data.MergedDir')
  [ "$(stat -c %d:%i "/proc/$pid/root/bin/busybox")" = "$(stat -c %d:%i "$merged/bin/busybox")" ] ||
    fail_with "the root of $pid is not the container's"
  run b exec pidded cat /proc/1/cmdline
  [[ "$output" == sleep* ]] || fail_with "exec: '$output'"
}

@test "run -d: a runtime that fails before the process runs is an error, not an id" {
  echo hi > "$BATS_TEST_TMPDIR/afile"
  run --separate-stderr b run -d --name badbind -v "$BATS_TEST_TMPDIR/afile:/etc" "$IMG" true
  [ "$status" -eq 125 ] || fail_with "status $status, output '$output'"
  [ -z "$output" ] || fail_with "printed '$output'"
  [[ "$stderr" == *"did not start: "*" exited with status "*": "*[Nn]"ot a directory"* ]] ||
    fail_with "stderr: $stderr"
  run b ps -a
  [[ "$output" == *"Exited ("*badbind* ]] || fail_with "ps -a: $output"
}

@test "kill -9 of a detached container's monitor: ps, stop and rm -f still work" {
  local id mpid
  id=$(b run -d --name mon "$IMG" sleep 300)
  mpid=$(jq -r .State.MonitorPid "$BERTH_TEST_ROOT/containers/$id/config.v2.json")
  [ "$mpid" -gt 0 ] || fail_with "MonitorPid '$mpid'"
  kill -9 "$mpid"
  run b ps -q
  [ "$output" = "${id:0:12}" ] || fail_with "the container still runs: ps '$output'"
  run --separate-stderr b stop -t 1 mon
  assert_success
  run b ps -a
  [[ "$output" == *"Exited (255)"* ]] || fail_with "ps -a: $output"
  run --separate-stderr b rm -f mon
  assert_success
  ! grep -q "$BERTH_TEST_ROOT" /proc/mounts
}

# A record that says running with a live but unrelated pid as its monitor
# (a reboot, or the pid reused): nobody holds the monitor's lock, so it is
# exited with Docker's 255, and stop / rm -f do not wait for it.
@test "a stale running record whose pids are alive but not its monitor reads as exited" {
  local id cfg
  id=$(b create --name stale "$IMG" sleep 300)
  sleep 1000 &
  local fake=$!
  cfg="$BERTH_TEST_ROOT/containers/$id/config.v2.json"
  jq -c --argjson p "$fake" '.State.Status = "running" | .State.Running = true |
    .State.Pid = $p | .State.MonitorPid = $p | .State.StartedAt = "2024-01-01T00:00:00Z"' \
    "$cfg" > "$cfg.new"
  mv "$cfg.new" "$cfg"
  run b ps -q
  [ -z "$output" ] || { kill "$fake"; fail_with "ps: '$output'"; }
  run b ps -a
  [[ "$output" == *"Exited (255)"* ]] || { kill "$fake"; fail_with "ps -a: $output"; }
  run --separate-stderr b stop -t 1 stale
  assert_success
  run --separate-stderr b rm -f stale
  assert_success
  kill -0 "$fake" || fail_with "berth signalled the unrelated process"
  kill "$fake"
  run b ps -aq
  [ -z "$output" ]
}

# kill -9 of a foreground run: the container goes on and ends as it would
# have; its exit code is recorded and --rm is done (as with Docker, whose
# daemon outlives its client).
kill_foreground_run() {
  local name="$1"
  shift
  mkdir -p "$BATS_TEST_TMPDIR/ctl-$name"
  "$BERTH" --root "$BERTH_TEST_ROOT" run "$@" --name "$name" -v "$BATS_TEST_TMPDIR/ctl-$name:/ctl" \
    "$IMG" sh -c 'touch /ctl/up; while [ ! -e /ctl/go ]; do sleep 0.1; done; exit 3' \
    > /dev/null 2>&1 &
  local pid=$! i
  for i in $(seq 300); do
    [ -e "$BATS_TEST_TMPDIR/ctl-$name/up" ] && break
    sleep 0.1
  done
  [ -e "$BATS_TEST_TMPDIR/ctl-$name/up" ] || fail_with "the container did not start"
  kill -9 "$pid"
  wait "$pid" || true
  touch "$BATS_TEST_TMPDIR/ctl-$name/go"
}

@test "kill -9 of a foreground run: the container's own exit code is recorded" {
  kill_foreground_run fg
  run --separate-stderr b wait fg
  [ "$output" = "3" ] || fail_with "wait: '$output' $stderr"
  run b ps -a
  [[ "$output" == *"Exited (3)"* ]] || fail_with "ps -a: $output"
}

@test "kill -9 of a foreground run --rm: the container is removed when it ends" {
  kill_foreground_run fgrm --rm
  local i
  for i in $(seq 300); do
    [ -z "$(b ps -aq)" ] && break
    sleep 0.1
  done
  run b ps -a
  [[ "$output" != *fgrm* ]] || fail_with "ps -a: $output"
  [ -z "$(ls "$BERTH_TEST_ROOT/image/overlay2/layerdb/mounts")" ]
  ! grep -q "$BERTH_TEST_ROOT" /proc/mounts
}

@test "inspect: GraphDriver paths as Docker prints them" {
  local id
  id=$(b create --name insp "$IMG" true)
  run b inspect insp
  assert_success
  local mid
  mid=$(cat "$BERTH_TEST_ROOT/image/overlay2/layerdb/mounts/$id/mount-id")
  local ovl="$BERTH_TEST_ROOT/overlay2"
  [ "$(echo "$output" | jq -r '.[0].Id')" = "$id" ]
  [ "$(echo "$output" | jq -r '.[0].Name')" = "/insp" ]
  [ "$(echo "$output" | jq -r '.[0].State.Status')" = "created" ]
  [ "$(echo "$output" | jq -r '.[0].GraphDriver.Data.UpperDir')" = "$ovl/$mid/diff" ]
  [ "$(echo "$output" | jq -r '.[0].GraphDriver.Data.MergedDir')" = "$ovl/$mid/merged" ]
  [ "$(echo "$output" | jq -r '.[0].GraphDriver.Data.WorkDir')" = "$ovl/$mid/work" ]
  local lower cache
  lower=$(echo "$output" | jq -r '.[0].GraphDriver.Data.LowerDir')
  cache=$(cat "$BERTH_TEST_ROOT/image/overlay2/layerdb/sha256/$(b inspect "$IMG" | jq -r '.[0].RootFS.Layers[0][7:]')/cache-id")
  [ "$lower" = "$ovl/$mid-init/diff:$ovl/$cache/diff" ] || fail_with "lower $lower"
  [ "$(cat "$BERTH_TEST_ROOT/image/overlay2/layerdb/mounts/$id/init-id")" = "$mid-init" ]
  [ -f "$ovl/$mid-init/diff/.dockerenv" ]
  [ "$(readlink "$ovl/$mid-init/diff/etc/mtab")" = "/proc/mounts" ]
}

@test "mount / umount: the rootfs, counted, with the container's changes" {
  b run --name mnt "$IMG" sh -c 'echo changed > /new' > /dev/null
  run b mount mnt
  assert_success
  local merged="$output"
  [ "$(cat "$merged/new")" = "changed" ]
  [ -x "$merged/bin/busybox" ]
  run b mount mnt
  assert_success
  b umount mnt > /dev/null
  grep -q " $merged overlay" /proc/mounts
  b umount mnt > /dev/null
  ! grep -q " $merged overlay" /proc/mounts
}

@test "run: the container's root is nodev but not nosuid; /dev is the runtime's" {
  run --separate-stderr b run --rm "$IMG" sh -c 'awk "\$5 == \"/\" { print \$6 }" /proc/self/mountinfo; echo x > /dev/null && echo dev-ok'
  assert_success
  [[ ",${lines[0]}," == *,nodev,* && ",${lines[0]}," != *,nosuid,* ]] || fail_with "root: ${lines[0]}"
  [ "${lines[1]}" = dev-ok ] || fail_with "$output"
}

@test "start -a runs a created container again" {
  b create --name again "$IMG" sh -c 'echo run; exit 4' > /dev/null
  run --separate-stderr b start -a again
  [ "$status" -eq 4 ]
  [ "$output" = "run" ]
  run --separate-stderr b start -a again
  [ "$status" -eq 4 ]
}

@test "export: the container's filesystem as a tar, whiteouts applied" {
  b run --name exp "$IMG" sh -c 'echo data > /added; rm /bin/tar' > /dev/null
  run b export -o "$BATS_TEST_TMPDIR/out.tar" exp
  assert_success
  tar -tf "$BATS_TEST_TMPDIR/out.tar" > "$BATS_TEST_TMPDIR/list"
  grep -qx 'added' "$BATS_TEST_TMPDIR/list"
  grep -qx 'bin/busybox' "$BATS_TEST_TMPDIR/list"
  grep -qx '.dockerenv' "$BATS_TEST_TMPDIR/list"
  ! grep -qx 'bin/tar' "$BATS_TEST_TMPDIR/list"
  [ "$(tar -xOf "$BATS_TEST_TMPDIR/out.tar" added)" = "data" ]
  b export exp | cmp - "$BATS_TEST_TMPDIR/out.tar"
  ! grep -q "$BERTH_TEST_ROOT" /proc/mounts
}

@test "run: an image missing locally is pulled first, as docker run does" {
  berth rmi "$IMG" > /dev/null
  run --separate-stderr b run --rm "$IMG" echo pulled
  assert_success
  [ "$output" = "pulled" ] || fail_with "got '$output'"
  [[ "$stderr" == *"Unable to find image '$IMG' locally"* ]] || fail_with "stderr: $stderr"
  [[ "$stderr" == *"Status: Downloaded newer image for $IMG"* ]] || fail_with "stderr: $stderr"
}

@test "run: an image that exists nowhere fails with 125, store unchanged" {
  store_snapshot
  run -125 --separate-stderr b run --rm "$REG_HOST/library/nosuch:1" true
  [[ "$stderr" == *"manifest unknown"* ]] || fail_with "stderr: $stderr"
  assert_store_unchanged
}

@test "run: a bind mount source that does not exist is refused before anything is made" {
  store_snapshot
  run -125 --separate-stderr b run --rm -v "$BATS_TEST_TMPDIR/nope:/x" "$IMG" true
  [ "$stderr" = "Error: invalid mount config for type \"bind\": bind source path does not exist: $BATS_TEST_TMPDIR/nope" ] ||
    fail_with "stderr: $stderr"
  assert_store_unchanged
  run b ps -aq
  [ -z "$output" ] || fail_with "a container was left: $output"
}
