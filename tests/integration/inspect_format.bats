#!/usr/bin/env bats
# inspect --format: Go templates over the inspect JSON, each template run by
# berth and by Docker 20.10's client (its private daemon) on the same pulled
# image; output, error words and exit status must be Docker's.  Docker runs a
# template over its typed Go structs first (nil slices print [], structs
# {…}), then over the JSON: the typed tests use the fixed image of
# lib/fixed_image.py (whose typed templates are in data/docker/commands,
# recorded.bats) and containers both engines create from it with the same
# flags.

load lib/common
load lib/dockerd

setup_file() {
  require_tool docker-registry dockerd
  registry_with_fixtures REG plain basic
  dockerd_start "$BATS_FILE_TMPDIR/dockerd"
  dk pull -q "$REG_HOST/library/busybox:latest" > /dev/null
  python3 "$INTEG_DIR/lib/fixed_image.py" "$BATS_FILE_TMPDIR/fixed.tar"
  dk load -q -i "$BATS_FILE_TMPDIR/fixed.tar" > /dev/null
}

teardown_file() {
  dockerd_stop
  registry_stop REG
}

setup() {
  common_setup
  IMG="$REG_HOST/library/busybox:latest"
  b pull -q "$IMG" > /dev/null
}

# same TEMPLATE: inspect --format TEMPLATE prints and fails the same in both
same() {
  same_as_docker inspect --format "$1" "$IMG"
}

@test "inspect --format: the same image in both" {
  same '{{.Id}}'
}

@test "inspect --format: fields, index, len, range, if, with, variables, as Docker prints them" {
  local t failed=0
  for t in '{{.Id}} {{.Os}}/{{.Architecture}}' '{{.Config.Cmd}}' '{{index .Config.Cmd 0}}' \
    '{{len .RootFS.Layers}}' '{{range .RootFS.Layers}}{{.}} {{end}}' \
    '{{range $i, $l := .RootFS.Layers}}{{$i}}:{{$l}}{{end}}' '{{.Size}}' '{{.Created}}' \
    '{{if .Config.Cmd}}cmd{{else}}none{{end}}' '{{with .Config}}{{.Cmd}}{{end}}' \
    '{{$c := .Config.Cmd}}{{$c}}' '{{json .Config.Cmd}}' '{{json .RootFS}}' \
    '{{printf "%s|%5d|%q" .Os .Size .Architecture}}' '{{upper .Os}} {{title .Os}}' \
    '{{join .Config.Cmd ","}}' '{{split .Id ":"}}' '{{truncate .Id 10}}' '[{{pad .Os 2 1}}]' \
    '{{eq .Os "linux"}} {{ne .Os "linux"}} {{and .Os .Size}} {{or "" .Os}} {{not .Os}}' \
    'a {{- .Os -}} b' '{{/* nothing */}}x'; do
    same "$t" || failed=1
  done
  [ "$failed" -eq 0 ]
}

@test "inspect --format: template errors in Docker's words and exit status, only the empty line Docker prints" {
  local t failed=0
  for t in '{{.Nope}}' '{{.Config.Nope}}' '{{.Os.X}}' '{{index .Config.Cmd 5}}' '{{foo .Id}}' \
    '{{.Id' '{{if .Id}}' '{{end}}' '{{$x}}' '{{len 3}}' '{{range .Os}}{{end}}' '{{"abc}}' \
    '{{.Id %}}'; do
    same "$t" || failed=1
  done
  [ "$failed" -eq 0 ]
}

@test "inspect --format: one line per object; a missing one is an error after the others" {
  run --separate-stderr b inspect -f '{{.Os}}' "$IMG" nothere "$IMG"
  [ "$status" -eq 1 ]
  [ "$output" = $'linux\nlinux' ] || fail_with "$output"
  [ "$stderr" = "Error: No such object: nothere" ] || fail_with "$stderr"
}

# same_shape TEMPLATE NAME: Docker's output with its pointers' addresses
# (0xc…) and berth's with the &{…} it prints for them masked
same_shape() {
  local want got
  want=$(dk inspect --format "$1" "$2" 2>&1 | sed -E 's/0xc[0-9a-f]+/PTR/g')
  got=$(b inspect --format "$1" "$2" 2>&1 | sed -E 's/&\{[^{}]*\}/PTR/g')
  [[ "$got" == "$want" ]] || {
    printf '%s\n docker:\n%s\n berth:\n%s\n' "$1" "$want" "$got" >&2
    return 1
  }
}

@test "inspect --format: a created container's typed struct as Docker prints it" {
  local t failed=0 dir="$BATS_TEST_TMPDIR/src" flags
  mkdir -p "$dir"
  b load -q -i "$BATS_FILE_TMPDIR/fixed.tar" > /dev/null
  flags=(--name typed --network none -h hn -u 0:0 -w /w -l k=v --entrypoint /bin/x -v "$dir:/c:ro")
  dk rm -f typed > /dev/null 2>&1 || true
  dk create "${flags[@]}" fixed/app:1.0 a b > /dev/null
  b create "${flags[@]}" fixed/app:1.0 a b > /dev/null
  for t in '{{.State}}' '{{.Config}}' '{{.HostConfig.Binds}} {{.HostConfig.LogConfig}}' \
    '{{.HostConfig.RestartPolicy}} {{.HostConfig.PortBindings}} {{.HostConfig.Ulimits}}' \
    '{{.Config.Healthcheck}} {{.Config.Shell}} {{.Config.OnBuild}} {{.State.Health}}' \
    '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{$v}}{{end}}' \
    '{{.Name}} {{.Path}} {{.Args}} {{.ExecIDs}} {{.SizeRw}} {{.RestartCount}} {{.Platform}}' \
    '{{.HostConfig.Memory}} {{.HostConfig.NetworkMode}} {{.NetworkSettings.Ports}}' \
    '{{with .State}}{{.Status}} {{.ExitCode}} {{.StartedAt}}{{end}}' '{{.State.Health.Status}}' \
    '{{.Config.Nope}}' '{{.HostConfig.NetworkMode}} {{.HostConfig.Nope}}'; do
    same_as_docker inspect --format "$t" typed || failed=1
  done
  same_shape '{{.NetworkSettings}}' typed || failed=1
  same_shape '{{.NetworkSettings.Networks}}' typed || failed=1
  dk rm -f typed > /dev/null
  [ "$failed" -eq 0 ]
}

@test "create -e: Docker's merge of the user's variables with the image's (one user key: Docker's order is then fixed)" {
  local failed=0 args want got
  b load -q -i "$BATS_FILE_TMPDIR/fixed.tar" > /dev/null
  unset NOPE_UNSET
  for args in "-e B=1 -e B=2" "-e LANG=X" "-e B=1 -e B" "-e NOPE_UNSET" "-e PATH=/x" "-e LANG"; do
    dk rm -f envm > /dev/null 2>&1 || true
    # shellcheck disable=SC2086 # the words of args are the flags
    dk create --name envm --network none $args fixed/app:1.0 > /dev/null
    # shellcheck disable=SC2086
    b create --name envm --network none $args fixed/app:1.0 > /dev/null
    want=$(dk inspect -f '{{json .Config.Env}}' envm)
    got=$(b inspect -f '{{json .Config.Env}}' envm)
    [[ "$got" == "$want" ]] || {
      echo "$args: docker $want, berth $got" >&2
      failed=1
    }
    b rm -f envm > /dev/null
  done
  dk rm -f envm > /dev/null 2>&1 || true
  [ "$failed" -eq 0 ]
}

@test "inspect: Mounts of -v binds and the Attach/StdinOnce fields of create and run -d as Docker's" {
  local failed=0 args want got d1="$BATS_TEST_TMPDIR/d1" d2="$BATS_TEST_TMPDIR/d2"
  local F='{{.Config.AttachStdin}} {{.Config.AttachStdout}} {{.Config.AttachStderr}} {{.Config.OpenStdin}} {{.Config.StdinOnce}} {{.Config.Tty}}'
  # Docker lists a container's mounts from a Go map: in any order
  local M='sort_by(.Destination)'
  mkdir -p "$d1" "$d2"
  for args in "create -v $d1:/a -v $d2:/b:ro" "create -i -v $d1:/a:rw" "create -it" "run -d -i" "run -d" "run -d -it"; do
    dk rm -f mnt > /dev/null 2>&1 || true
    # shellcheck disable=SC2086 # the words of args are the command and its flags
    dk $args --name mnt --network none "$IMG" sleep 2 > /dev/null
    # shellcheck disable=SC2086
    b $args --name mnt --network none "$IMG" sleep 2 > /dev/null
    want="$(dk inspect -f "$F" mnt) $(dk inspect -f '{{json .Mounts}}' mnt | jq -c "$M")"
    got="$(b inspect -f "$F" mnt) $(b inspect -f '{{json .Mounts}}' mnt | jq -c "$M")"
    [[ "$got" == "$want" ]] || {
      printf '%s:\n docker %s\n berth  %s\n' "$args" "$want" "$got" >&2
      failed=1
    }
    b rm -f mnt > /dev/null
  done
  dk rm -f mnt > /dev/null 2>&1 || true
  [ "$failed" -eq 0 ]
}
