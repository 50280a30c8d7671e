#!/usr/bin/env bats
# What the command line takes from the user, checked before anything is
# made (issue 6, section 9): bytes that are not UTF-8 are refused by the
# argument's name, never dropped from a JSON record; integer flags are
# parsed as Docker parses them; a flag without its value says so; input
# read from files and stdin is bounded; a relative --root works.

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

# refused_utf8 WHAT SHOWN CMD...: CMD exits 125 naming WHAT and the bytes
# escaped as SHOWN, and the store is left as it was.
refused_utf8() {
  local what="$1" shown="$2"
  shift 2
  store_snapshot
  run -125 --separate-stderr b "$@"
  [[ "$stderr" == *"invalid argument \"$shown\" for $what: not valid UTF-8"* ]] ||
    fail_with "stderr: $stderr"
  [ -z "$output" ] || fail_with "stdout: $output"
  assert_store_unchanged
}

@test "utf8: run -e with a byte that is not UTF-8 is refused" {
  refused_utf8 '"-e, --env" flag' 'A=a\xffb' run --rm -e $'A=a\xffb' "$IMG" true
}

@test "utf8: create -e likewise" {
  refused_utf8 '"-e, --env" flag' 'A=\xff' create -e $'A=\xff' "$IMG" true
}

@test "utf8: run -u is refused, not run as root" {
  refused_utf8 '"-u, --user" flag' 'nobody\xff' run --rm -u $'nobody\xff' "$IMG" id -u
}

@test "utf8: run -w is refused" {
  refused_utf8 '"-w, --workdir" flag' '/tmp\xfe' run --rm -w $'/tmp\xfe' "$IMG" pwd
}

@test "utf8: run -v is refused" {
  mkdir "$BATS_TEST_TMPDIR/"$'v\xff'
  refused_utf8 '"-v, --volume" flag' "$BATS_TEST_TMPDIR/"'v\xff:/data' \
    run --rm -v "$BATS_TEST_TMPDIR/"$'v\xff:/data' "$IMG" true
}

@test "utf8: run --hostname and -h are refused" {
  refused_utf8 '"-h, --hostname" flag' 'h\xc3' run --rm --hostname $'h\xc3' "$IMG" hostname
  refused_utf8 '"-h, --hostname" flag' 'h\xc3' run --rm -h $'h\xc3' "$IMG" hostname
}

@test "utf8: run --name is refused" {
  refused_utf8 '"--name" flag' 'n\xff' run --rm --name $'n\xff' "$IMG" true
}

@test "utf8: run --entrypoint is refused" {
  refused_utf8 '"--entrypoint" flag' '/bin/sh\xff' run --rm --entrypoint $'/bin/sh\xff' "$IMG"
}

@test "utf8: every value flag of run and create is refused by its name from the table" {
  # the name each error gives is the one --help lists (flags.c's table)
  refused_utf8 '"--restart" flag' 'no\xff' run --rm --restart $'no\xff' "$IMG" true
  refused_utf8 '"-l, --label" flag' 'a=\xff' create -l $'a=\xff' "$IMG" true
  refused_utf8 '"--runtime" flag' 'runc\xff' create --runtime $'runc\xff' "$IMG" true
  refused_utf8 '"--network" flag' 'none\xff' run --rm --network $'none\xff' "$IMG" true
}

@test "utf8: the image name is refused" {
  refused_utf8 'the image name' 'busybox\xff' run --rm $'busybox\xff' true
}

@test "utf8: command arguments are refused, not dropped" {
  refused_utf8 'the command' 'a\xffb' run --rm "$IMG" echo $'a\xffb' c
  # the probe's case: $1 must never silently become empty
  refused_utf8 'the command' 'old\xff' run --rm "$IMG" sh -c 'echo "[$1]"' sh $'old\xff'
  # an overlong encoding and a lone surrogate are not UTF-8 either
  refused_utf8 'the command' '\xc0\xaf' create "$IMG" echo $'\xc0\xaf'
  refused_utf8 'the command' '\xed\xa0\x80' create "$IMG" echo $'\xed\xa0\x80'
}

@test "utf8: valid multibyte UTF-8 still reaches the process" {
  run --separate-stderr b run --rm -e 'X=héllo' "$IMG" sh -c 'echo "$X" ✓'
  assert_success
  [ "$output" = "héllo ✓" ] || fail_with "got '$output'"
}

@test "utf8: an --env-file line that is not UTF-8 is refused, naming the file and line" {
  printf 'A=1\n# c\nB=x\xffy\n' > "$BATS_TEST_TMPDIR/envs"
  store_snapshot
  run -125 --separate-stderr b run --rm --env-file "$BATS_TEST_TMPDIR/envs" "$IMG" env
  [[ "$stderr" == *"env file $BATS_TEST_TMPDIR/envs contains invalid utf8 bytes at line 3: \"B=x\\xffy\""* ]] ||
    fail_with "stderr: $stderr"
  assert_store_unchanged
}

@test "utf8: commit -m, -a and -c are refused, no image made" {
  b create --name c1 "$IMG" true > /dev/null
  refused_utf8 '"-m, --message" flag' 'm\xff' commit -m $'m\xff' c1
  refused_utf8 '"-a, --author" flag' 'a\xff' commit -a $'a\xff' c1
  refused_utf8 '"-c, --change" flag' 'ENV A=\xff' commit -c $'ENV A=\xff' c1
  refused_utf8 '"-c, --change" flag' 'LABEL \xff=1' commit -c $'LABEL \xff=1' c1 img:x
}

@test "utf8: exec -e, -u, -w and its command are refused" {
  b run -d --name e1 "$IMG" sleep 60 > /dev/null
  # until the runtime has made the container (run -d may return before it
  # does, section 4), its state files change under the snapshot
  local i
  for i in $(seq 50); do b exec e1 true 2> /dev/null && break; sleep 0.2; done
  refused_utf8 '"-e, --env" flag' 'A=\xff' exec -e $'A=\xff' e1 true
  refused_utf8 '"-u, --user" flag' 'root\xff' exec -u $'root\xff' e1 true
  refused_utf8 '"-w, --workdir" flag' '/\xff' exec -w $'/\xff' e1 true
  refused_utf8 'the command' 'x\xff' exec e1 echo $'x\xff'
}

@test "stop -t: a value that is not an integer is refused in Docker's words" {
  b create --name s1 "$IMG" true > /dev/null
  store_snapshot
  run -125 --separate-stderr b stop -t abc s1
  [ "$stderr" = $'berth: invalid argument "abc" for "-t, --time" flag: strconv.ParseInt: parsing "abc": invalid syntax\nSee \'berth stop --help\'.' ] ||
    fail_with "stderr: $stderr"
  run -125 --separate-stderr b stop -t 3xyz s1
  [[ "$stderr" == *'invalid argument "3xyz" for "-t, --time" flag: strconv.ParseInt: parsing "3xyz": invalid syntax'* ]] ||
    fail_with "stderr: $stderr"
  run -125 --separate-stderr b stop --time= s1
  [[ "$stderr" == *'parsing "": invalid syntax'* ]] || fail_with "stderr: $stderr"
  run -125 --separate-stderr b stop -t 99999999999 s1
  [[ "$stderr" == *'parsing "99999999999": value out of range'* ]] || fail_with "stderr: $stderr"
  assert_store_unchanged
  run --separate-stderr b stop -t 1 s1
  assert_success
}

@test "a flag without its value says so in Docker's words" {
  store_snapshot
  run -125 --separate-stderr b run -e
  [ "$stderr" = $'flag needs an argument: \'e\' in -e\nSee \'berth run --help\'.' ] ||
    fail_with "stderr: $stderr"
  run -125 --separate-stderr b create --env-file
  [ "$stderr" = $'flag needs an argument: --env-file\nSee \'berth create --help\'.' ] ||
    fail_with "stderr: $stderr"
  run -125 --separate-stderr b stop -t
  [ "$stderr" = $'flag needs an argument: \'t\' in -t\nSee \'berth stop --help\'.' ] ||
    fail_with "stderr: $stderr"
  run -125 --separate-stderr b commit -m
  [[ "$stderr" == "flag needs an argument: 'm' in -m"* ]] || fail_with "stderr: $stderr"
  run -125 --separate-stderr b exec -u
  [[ "$stderr" == "flag needs an argument: 'u' in -u"* ]] || fail_with "stderr: $stderr"
  run -125 --separate-stderr b kill --signal
  [[ "$stderr" == "flag needs an argument: --signal"* ]] || fail_with "stderr: $stderr"
  run -125 --separate-stderr b run -Z 80 "$IMG" true # not a flag of run's: unknown, as any other
  [[ "$stderr" == "unknown shorthand flag: 'Z' in -Z"* ]] || fail_with "stderr: $stderr"
  assert_store_unchanged
}

@test "--env-file /dev/zero is refused, bounded, naming the file" {
  store_snapshot
  run -125 --separate-stderr b run --rm --env-file /dev/zero "$IMG" true
  [[ "$stderr" == *"env file /dev/zero: line 1 is longer than 65536 bytes"* ]] ||
    fail_with "stderr: $stderr"
  # many short lines: bounded as a whole
  run -125 --separate-stderr b run --rm --env-file <(yes A=b) "$IMG" true
  [[ "$stderr" == *"is larger than 2097152 bytes"* ]] || fail_with "stderr: $stderr"
  run -125 --separate-stderr b run --rm --env-file "$BATS_TEST_TMPDIR/nope" "$IMG" true
  [[ "$stderr" == *"open $BATS_TEST_TMPDIR/nope: No such file or directory"* ]] ||
    fail_with "stderr: $stderr"
  run -125 --separate-stderr b run --rm --env-file / "$IMG" true
  [[ "$stderr" == *"read /: Is a directory"* ]] || fail_with "stderr: $stderr"
  assert_store_unchanged
}

@test "login --password-stdin from /dev/zero is refused, bounded" {
  run --separate-stderr b login -u me --password-stdin 127.0.0.1:1 < /dev/zero
  assert_one_line_error
  [ "$stderr" = "Error: password from stdin is longer than 65536 bytes" ] ||
    fail_with "stderr: $stderr"
  [ ! -e "$DOCKER_CONFIG/config.json" ] || fail_with "credentials were written"
}

@test "a relative --root (and BERTH_ROOT) works for run" {
  cd "$BATS_TEST_TMPDIR"
  run --separate-stderr timeout 60 "$BERTH" --root root run --rm "$IMG" echo rel
  assert_success
  [ "$output" = "rel" ] || fail_with "got '$output'"
  run --separate-stderr env BERTH_ROOT=root timeout 60 "$BERTH" run --rm "$IMG" echo env
  assert_success
  [ "$output" = "env" ] || fail_with "got '$output'"
  run --separate-stderr env BERTH_ROOT=./root/../root timeout 60 "$BERTH" run -d --name r1 "$IMG" sleep 30
  assert_success
  run --separate-stderr timeout 60 "$BERTH" --root root inspect -f '{{.State.Status}}' r1
  run --separate-stderr b rm -f r1
  assert_success
}

@test "logs: output that is not UTF-8 is kept, bad bytes as U+FFFD (Docker's json-file)" {
  local id
  id=$(b run -d "$IMG" sh -c "printf 'a\\377b\\n'; echo after")
  b wait "$id" > /dev/null
  run --separate-stderr b logs "$id"
  assert_success
  [ "${lines[0]}" = $'a\xef\xbf\xbdb' ] || fail_with "got '${lines[0]}'"
  [ "${lines[1]}" = "after" ] || fail_with "got '${lines[1]}'"
}
