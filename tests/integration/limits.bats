#!/usr/bin/env bats
# Resource limits (issue 10, Confinement): --memory/-m, --memory-swap,
# --cpus, --cpu-shares/-c, --pids-limit, --ulimit, --shm-size and --init
# reach the container (its cgroups, rlimits, /dev/shm, PID 1), inspect shows
# them in HostConfig as Docker 20.10 does (its answers are data:
# data/limits/, made by data/limits/regen.sh on a private daemon), an OOM
# kill is State.OOMKilled with 137, bad values are refused in Docker's words
# with the store unchanged, and no cgroup directory outlives its container,
# even when berth's monitor is SIGKILLed.

load lib/common

DATA="$INTEG_DIR/data/limits"

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

# cgroup_dirs ID: every directory named ID under /sys/fs/cgroup (the
# container's cgroups, in each hierarchy), one a line
cgroup_dirs() {
  find /sys/fs/cgroup -mindepth 2 -maxdepth 8 -type d -name "$1" 2> /dev/null || true
}

# own_cgroup CONTROLLER: this shell's cgroup in that v1 hierarchy, where
# berth (the keeper, a child of ours) makes berth/<id>
own_cgroup() {
  awk -F: -v c="$1" '$2 == c { print $3 }' /proc/self/cgroup
}

@test "limits: HostConfig, Path and Args as Docker 20.10's for the same flags" {
  local flags want got id bad=0 n=0
  while IFS= read -r line; do
    [[ "$line" == "## "* ]] || continue
    flags="${line#\#\# }"
    IFS= read -r want_hc
    IFS= read -r want_path
    # shellcheck disable=SC2086
    id=$(b create --network none $flags "$IMG" sleep 5 < /dev/null) || {
      echo "create $flags failed" >&2
      bad=1
      continue
    }
    got=$(b inspect -f '{{json .HostConfig}}' "$id" < /dev/null |
      jq -cS '{Memory, MemorySwap, NanoCpus, CpuShares, PidsLimit, ShmSize, Ulimits, Init}')
    want="$want_hc"
    if [[ "$got" != "$want" ]]; then
      printf '%s:\n docker: %s\n berth:  %s\n' "$flags" "$want" "$got" >&2
      bad=1
    fi
    got=$(b inspect -f '{{json .Path}} {{json .Args}}' "$id" < /dev/null)
    if [[ "$got" != "$want_path" ]]; then
      printf '%s:\n docker: %s\n berth:  %s\n' "$flags" "$want_path" "$got" >&2
      bad=1
    fi
    b rm "$id" > /dev/null < /dev/null
    n=$((n + 1))
  done < "$DATA/docker_hostconfig.txt"
  [[ "$bad" == 0 && "$n" -ge 10 ]] || fail_with "$n cases"
}

@test "limits: bad values are refused in Docker's words, nothing created" {
  local flags want got n=0 bad=0
  store_snapshot
  while IFS= read -r line; do
    [[ "$line" == "## "* ]] || continue
    flags="${line#\#\# }"
    IFS= read -r want
    # the daemon's CPU count is in its words: they hold for this host only
    # with as many CPUs as the daemon's had (2)
    if [[ "$want" == *"CPUs available"* && "$(nproc)" != 2 ]]; then
      continue
    fi
    # shellcheck disable=SC2086
    run --separate-stderr b create --network none $flags "$IMG" true < /dev/null
    got="${stderr%%$'\n'*}"
    got="${got#berth: }"
    got="${got#Error: }"
    want="${want#Error response from daemon: }"
    if [[ "$status" != 125 || "$got" != "$want" ]]; then
      printf '%s (%s):\n docker: %s\n berth:  %s\n' "$flags" "$status" "$want" "$got" >&2
      bad=1
    fi
    n=$((n + 1))
  done < "$DATA/docker_errors.txt"
  [[ "$bad" == 0 && "$n" -ge 15 ]] || fail_with "$n cases"
  assert_store_unchanged
  run b ps -aq
  [ -z "$output" ] || fail_with "containers left: $output"
}

@test "limits: --pids-limit 10 stops a fork bomb, the host is fine" {
  run --separate-stderr b run --rm --pids-limit 10 "$IMG" cat /sys/fs/cgroup/pids/pids.max
  assert_success
  [ "$output" = 10 ] || fail_with "pids.max: $output"
  # a bomb of at most 127 processes (so that a limit that did not hold
  # would not hurt the machine): each shell forks two more, 6 levels deep
  run --separate-stderr timeout 60 "$BERTH" --root "$BERTH_TEST_ROOT" run --rm --pids-limit 10 \
    "$IMG" sh -c 'f() { [ "$1" -lt 6 ] && { f $(($1 + 1)) & f $(($1 + 1)) & }; sleep 2; }
      f 0; sleep 3; echo peak $(cat /sys/fs/cgroup/pids/pids.peak 2>/dev/null || echo 10)'
  [[ "$stderr" == *"can't fork: Resource temporarily unavailable"* ]] || fail_with "no fork failed"
  [[ "$output" =~ peak\ ([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -le 10 ] || fail_with "$output"
  # the host still forks, and so does a container without the limit
  run --separate-stderr b run --rm "$IMG" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
      sleep 1 & done; wait; echo ok'
  assert_success
  [ "$output" = ok ] || fail_with "without a limit: $output"
}

# A shell that holds 64 MiB in a variable: busybox has no allocator, but
# ash keeps a command substitution's output in its own memory.
ALLOC='x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived ${#x}'

@test "limits: --memory 32m OOM-kills a process that takes 64 MB: 137, OOMKilled true" {
  run --separate-stderr b run --name big -m 32m "$IMG" sh -c "$ALLOC"
  [ "$status" -eq 137 ] || fail_with "want 137"
  [[ "$output" != *survived* ]] || fail_with "it was not limited"
  run b inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}} {{.HostConfig.Memory}}' big
  [ "$output" = "true 137 33554432" ] || fail_with "$output"
  # without the limit the same process lives, and OOMKilled stays false
  run --separate-stderr b run --name small "$IMG" sh -c "$ALLOC"
  assert_success
  [ "$output" = "survived 67108864" ] || fail_with "$output"
  run b inspect -f '{{.State.OOMKilled}}' small
  [ "$output" = false ] || fail_with "$output"
  # a container killed by `kill` is not OOM-killed, limit or not
  b run -d --name killed -m 32m "$IMG" sleep 300 > /dev/null
  b kill killed > /dev/null
  run b wait killed
  [ "$output" = 137 ] || fail_with "wait: $output"
  run b inspect -f '{{.State.OOMKilled}}' killed
  [ "$output" = false ] || fail_with "$output"
  # started again, it is killed again, and that is recorded again
  run b start -a big
  [ "$status" -eq 137 ] || fail_with "start: $status"
  run b inspect -f '{{.State.OOMKilled}}' big
  [ "$output" = true ] || fail_with "$output"
}

@test "limits: memory, swap, cpus and shares reach the container's cgroups" {
  run --separate-stderr b run --rm -m 32m --memory-swap 48m --cpus 1.5 -c 512 "$IMG" sh -c \
    'cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes memory/memory.memsw.limit_in_bytes \
     cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu/cpu.shares'
  assert_success
  [ "$output" = $'33554432\n50331648\n150000\n100000\n512' ] || fail_with "got"
  # -m alone: Docker's default swap, as much again
  run --separate-stderr b run --rm -m 32m "$IMG" cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes
  [ "$output" = 67108864 ] || fail_with "got"
}

@test "limits: --ulimit nofile=100:100 shows in ulimit -n, in exec too; nproc" {
  run --separate-stderr b run --rm --ulimit nofile=100:100 "$IMG" sh -c 'ulimit -n; ulimit -Hn'
  assert_success
  [ "$output" = $'100\n100' ] || fail_with "got"
  run --separate-stderr b run --rm --ulimit nofile=50:200 --ulimit nproc=77 "$IMG" \
    sh -c 'ulimit -n; ulimit -Hn; ulimit -u'
  [ "$output" = $'50\n200\n77' ] || fail_with "got"
  b run -d --name ul --ulimit nofile=123 "$IMG" sleep 300 > /dev/null
  run --separate-stderr b exec ul sh -c 'ulimit -n'
  [ "$output" = 123 ] || fail_with "exec: $output"
}

@test "limits: --shm-size 1m is the size of /dev/shm; 64m without it" {
  run --separate-stderr b run --rm --shm-size 1m "$IMG" df -k /dev/shm
  assert_success
  [[ "${lines[1]}" =~ ^shm\ +1024\  ]] || fail_with "got"
  run --separate-stderr b run --rm "$IMG" df -k /dev/shm
  [[ "${lines[1]}" =~ ^shm\ +65536\  ]] || fail_with "got"
  # writing past it fails in the container: 1 MiB is all it holds
  run --separate-stderr b run --rm --shm-size 1m "$IMG" sh -c \
    'head -c 2097152 /dev/zero > /dev/shm/f; echo $?; wc -c < /dev/shm/f'
  [ "${lines[0]}" != 0 ] && [ "${lines[1]}" = 1048576 ] || fail_with "got"
}

@test "limits: --init makes docker-init PID 1, the command its child, and reaps zombies" {
  run --separate-stderr b run --rm --init "$IMG" sh -c 'ps -o pid,ppid,args; true'
  assert_success
  [[ "${lines[1]}" =~ ^\ +1\ +0\ /sbin/docker-init\ --\ sh\ -c ]] || fail_with "PID 1"
  [[ "${lines[2]}" =~ ^\ +([0-9]+)\ +1\ sh\ -c ]] && [ "${BASH_REMATCH[1]}" -gt 1 ] ||
    fail_with "the command"
  run --separate-stderr b run --rm --init "$IMG" ls -l /sbin/docker-init
  [[ "$output" == "-r"*"/sbin/docker-init" ]] || fail_with "the binary"
  # an orphan whose parent never waits: reparented to PID 1, which reaps it
  # with --init and leaves it a zombie without (a sleep as PID 1 never waits)
  local name init
  for init in --init ""; do
    name="zombie${init:+-init}"
    # shellcheck disable=SC2086
    b run -d --name "$name" $init "$IMG" sh -c '(sleep 0.2 &); exec sleep 300' > /dev/null
    local i state=""
    for i in $(seq 1 100); do
      # the orphan's state: S while it sleeps, Z once dead and not reaped,
      # nothing once reaped
      state=$(b exec "$name" ps -o stat,args | awk '$2 == "sleep" && $3 == "0.2" { print $1 }
        $2 == "[sleep]" { print $1 }')
      [[ "$state" == S* ]] || break
      sleep 0.1
    done
    if [[ -n "$init" ]]; then
      [ -z "$state" ] || fail_with "--init left: $state"
    else
      [[ "$state" == Z* ]] || fail_with "without --init: '$state'"
    fi
  done
  # the init says why the command cannot start, as Docker's (tini's words)
  run -127 --separate-stderr b run --rm --init "$IMG" nosuchcmd
  [ "$status" -eq 127 ] || fail_with "want 127"
  [[ "$stderr" == *"exec nosuchcmd failed: No such file or directory"* ]] || fail_with "got"
}

@test "limits: no cgroup outlives its container" {
  run --separate-stderr b run --name done -m 32m --pids-limit 20 "$IMG" true
  assert_success
  local id
  id=$(b inspect -f '{{.Id}}' done)
  [ -z "$(cgroup_dirs "$id")" ] || fail_with "left: $(cgroup_dirs "$id")"
  # while it runs they are there, under our cgroup's berth/
  b run -d --name up -m 32m "$IMG" sleep 300 > /dev/null
  id=$(b inspect -f '{{.Id}}' up)
  [ -d "/sys/fs/cgroup/pids$(own_cgroup pids)/berth/$id" ] || fail_with "$(cgroup_dirs "$id")"
  [ -d "/sys/fs/cgroup/memory$(own_cgroup memory)/berth/$id" ] || fail_with "$(cgroup_dirs "$id")"
  b rm -f up > /dev/null
  [ -z "$(cgroup_dirs "$id")" ] || fail_with "left after rm -f: $(cgroup_dirs "$id")"
}

@test "limits: after a SIGKILL of berth's monitor, rm -f and the next ps clean the cgroups" {
  b run -d --name k1 -m 32m "$IMG" sleep 300 > /dev/null
  local id keeper
  id=$(b inspect -f '{{.Id}}' k1)
  keeper=$(jq -r .State.MonitorPid "$BERTH_TEST_ROOT/containers/$id/config.v2.json")
  kill -9 "$keeper"
  # the container outlives its monitor: rm -f kills it and removes all
  run b inspect -f '{{.State.Running}}' k1
  [ "$output" = true ] || fail_with "$output"
  b rm -f k1 > /dev/null
  [ -z "$(cgroup_dirs "$id")" ] || fail_with "left after rm -f: $(cgroup_dirs "$id")"
  # monitor and container both killed: the next command's refresh cleans up
  b run -d --name k2 -m 32m "$IMG" sleep 300 > /dev/null
  id=$(b inspect -f '{{.Id}}' k2)
  keeper=$(jq -r .State.MonitorPid "$BERTH_TEST_ROOT/containers/$id/config.v2.json")
  local pid
  pid=$(b inspect -f '{{.State.Pid}}' k2)
  kill -9 "$keeper" "$pid"
  local i
  for i in $(seq 1 100); do
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.05
  done
  run b ps -a --format '{{.Names}} {{.Status}}'
  [[ "$output" == "k2 Exited (255)"* ]] || fail_with "ps"
  [ -z "$(cgroup_dirs "$id")" ] || fail_with "left after ps: $(cgroup_dirs "$id")"
}

@test "limits: a cgroup a runtime killed mid-start left behind is removed by rm" {
  # runc makes the cgroups before it writes its state: killed in between,
  # its delete knows nothing of them; berth removes them by name
  b create --name mid -m 32m "$IMG" true > /dev/null
  local id d
  id=$(b inspect -f '{{.Id}}' mid)
  for d in "/sys/fs/cgroup/pids$(own_cgroup pids)" "/sys/fs/cgroup/memory$(own_cgroup memory)"; do
    mkdir -p "$d/berth/$id"
  done
  [ -n "$(cgroup_dirs "$id")" ]
  b rm mid > /dev/null
  [ -z "$(cgroup_dirs "$id")" ] || fail_with "left after rm: $(cgroup_dirs "$id")"
}
