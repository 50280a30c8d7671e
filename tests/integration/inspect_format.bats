#!/usr/bin/env bats
# inspect --format: Go templates over the inspect JSON, each template run by
# berth and by Docker 20.10's client (its private daemon) on the same pulled
# image; output, error words and exit status must be Docker's.

load lib/common
load lib/dockerd

setup_file() {
  require_tool docker-registry dockerd
  registry_with_fixtures REG plain basic
  dockerd_start "$BATS_FILE_TMPDIR/dockerd"
  dk pull -q "$REG_HOST/library/busybox:latest" > /dev/null
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
