#!/usr/bin/env bats
# info --format and version --format (Docker's system.info and
# system.versionInfo for what berth has), compared with Docker 20.10's
# client on its private daemon where a field means the same.

load lib/common
load lib/dockerd

setup_file() {
  require_tool dockerd
  dockerd_start "$BATS_FILE_TMPDIR/dockerd"
}

teardown_file() {
  dockerd_stop
}

setup() {
  common_setup
}

teardown() {
  common_teardown
}

@test "info --format: the host's fields as Docker prints them" {
  local t
  for t in '{{.OSType}}' '{{.Architecture}}' '{{.KernelVersion}}' '{{.OperatingSystem}}' \
    '{{.NCPU}}' '{{.MemTotal}}' '{{.IndexServerAddress}}' '{{.Driver}}' \
    '{{.Images}} {{.Containers}}' '{{.RegistryConfig.InsecureRegistryCIDRs}}' \
    '{{index .DriverStatus 0}}' '{{range .DriverStatus}}{{index . 0}};{{end}}' \
    '{{.Debug}}' '{{.ClientInfo.Debug}}' '{{json .OSType}}' '{{if eq .OSType "linux"}}yes{{end}}' \
    '{{with .RegistryConfig}}{{index .IndexConfigs "docker.io" | json}}{{end}}'; do
    same_as_docker info --format "$t"
  done
}

@test "info --format: berth's own values where Docker's are its daemon's" {
  run --separate-stderr b info --format '{{.DockerRootDir}}|{{.ServerVersion}}|{{.DefaultRuntime}}'
  assert_success
  [[ "$output" == "$BERTH_TEST_ROOT|0.1.0|"* ]] || fail_with "$output"
  run --separate-stderr b info --format '{{json .}}'
  assert_success
  jq -e '.Driver == "overlay2" and .Images == 0 and .DockerRootDir != null
    and (.RegistryConfig.InsecureRegistryCIDRs | index("127.0.0.0/8") != null)' <<< "$output"
  # json: newer Docker's shorthand for {{json .}} (Docker 20.10 printed
  # the word), as berth's images, ps and history take it
  [ "$(b info --format json | jq -r .Driver)" = overlay2 ] || fail_with "info --format json"
  # an empty format is the default output
  run --separate-stderr b info --format ''
  [[ "$output" == *" Storage Driver: overlay2"* ]] || fail_with "$output"
}

@test "info --format: bad templates fail as Docker's do, before any output" {
  same_as_docker info --format '{{.Foo}}'
  same_as_docker info --format '{{.Foo'
  same_as_docker info --format '{{.OSType | nosuch}}'
  store_snapshot
  run --separate-stderr b info --format '{{.Foo}}'
  [[ "$status" == 1 && "$output" == "" ]] || fail_with "$status: $output"
  [[ "$stderr" == *'can'"'"'t evaluate field Foo in type system.info' ]] || fail_with "$stderr"
  assert_store_unchanged
}

@test "version --format: Docker's fields, Docker's errors" {
  local t
  for t in '{{.Client.Os}}/{{.Client.Arch}}' '{{.Server.Os}} {{.Server.Arch}}' \
    '{{.Server.KernelVersion}}' '{{(index .Server.Components 0).Name}}' \
    '{{.Foo}}' '{{.Foo' '{{.Client.Os' '{{range .Server.Components}}{{.Name}}{{break}}{{end}}'; do
    same_as_docker version --format "$t"
  done
  run --separate-stderr b version --format '{{.Client.Version}} {{.Server.Version}}'
  assert_success
  [[ "$output" == "0.1.0 0.1.0" ]] || fail_with "$output"
  # json: newer Docker's {{json .}} (Docker 20.10 printed the word)
  [ "$(b version -f json | jq -r .Server.Version)" = "$(b version -f '{{.Server.Version}}')" ] \
    || fail_with "version -f json: $(b version -f json)"
  run --separate-stderr b version -f '{{json .}}'
  assert_success
  jq -e '.Client.Version == "0.1.0" and .Server.Components[0].Name == "Engine"' <<< "$output"
  run --separate-stderr b version
  [[ "$output" == "berth version 0.1.0" ]] || fail_with "$output"
}
