#!/usr/bin/env bats
# ps --format: Docker's ContainerContext columns, the check Docker's runPs
# makes of a template before listing, each run by berth and by Docker
# 20.10's client (its private daemon) on containers made the same way.

load lib/common
load lib/dockerd

setup_file() {
  require_tool docker-registry dockerd runc
  registry_with_fixtures REG plain basic
  dockerd_start "$BATS_FILE_TMPDIR/dockerd"
  dk pull -q "$REG_HOST/library/busybox:latest" > /dev/null
}

teardown_file() {
  dockerd_stop
  registry_stop REG
}

setup() {
  container_setup
  mkdir -p "$BATS_TEST_TMPDIR/shared"
  local tool
  for tool in dk b; do
    $tool run --name c1 --label b=2 --label a=1 -v "$BATS_TEST_TMPDIR/shared:/shared" "$IMG" \
      sh -c 'exit 3' > /dev/null 2>&1 || true
    $tool create --name c2 "$IMG" echo a long command line with words > /dev/null
  done
}

teardown() {
  dk rm -f c1 c2 > /dev/null 2>&1 || true
  container_teardown
}

@test "ps --format: the columns Docker shows, as it shows them" {
  local t failed=0
  for t in '{{.Names}}|{{.Image}}|{{.Command}}|{{.State}}|{{.Ports}}' \
    '{{.Names}} [{{.Label "a"}}] [{{.Label "nope"}}] {{.LocalVolumes}}' \
    '{{.Names}} {{.Mounts}}' 'table {{.Names}}\t{{.Command}}\t{{.State}}' \
    '{{if eq .State "exited"}}{{.Names}} stopped{{else}}{{.Names}} {{.State}}{{end}}'; do
    same_as_docker ps -a --format "$t" || failed=1
  done
  same_as_docker ps -a --no-trunc --format '{{.Names}} {{.Command}} {{.Mounts}}' || failed=1
  same_as_docker ps -a -q --format '{{.Names}}' || failed=1
  same_as_docker ps --format '{{.Names}}' || failed=1
  # Docker joins .Labels in Go's map order, which changes from run to run;
  # berth sorts them: the same set
  [ "$(dk ps -a --filter name=c1 --format '{{.Labels}}' | tr , '\n' | sort | paste -sd,)" = \
    "$(b ps -a --format '{{if eq .Names "c1"}}{{.Labels}}{{end}}' | grep .)" ] || failed=1
  [ "$failed" -eq 0 ]
}

@test "ps --format: template errors in Docker's words and exit status, before anything is listed" {
  local t failed=0
  for t in '{{foo}}' '{{.Foo}}' '{{.Names' '{{index .Names 3}}'; do
    same_as_docker ps -a --format "$t" || failed=1
  done
  [ "$failed" -eq 0 ]
}

@test "ps -s and .Size: the container's layer and its image's, as Docker measures them" {
  local tool
  for tool in dk b; do
    $tool run --name c3 --network none "$IMG" sh -c 'head -c 3000 /dev/zero > /big; mkdir /d; head -c 10 /dev/zero > /d/f' > /dev/null
  done
  SAME_SORT=1 same_as_docker ps -a --format '{{.Names}} {{.Size}}'
  # -s adds the SIZE column to Docker's table; a row's other cells are
  # compared by the other tests (ages and IDs differ)
  run --separate-stderr b ps -a -s --filter name=c3
  [[ "${lines[0]}" == *"NAMES     SIZE" ]] || fail_with "${lines[0]}"
  [[ "${lines[1]}" == *"c3        3.01kB (virtual "*")" ]] || fail_with "${lines[1]}"
  # and without a size asked for, .Size is Docker's zero
  run --separate-stderr b ps -a --format '{{.Names}}' --filter name=c3
  [ "$output" = c3 ] || fail_with "$output"
  dk rm -f c3 > /dev/null
}

@test "inspect -s: SizeRw and SizeRootFs after GraphDriver, as Docker's" {
  local tool
  for tool in dk b; do
    $tool run --name c4 --network none "$IMG" sh -c 'head -c 3000 /dev/zero > /big' > /dev/null
  done
  same_as_docker inspect -s -f '{{.SizeRw}} {{.SizeRootFs}}' c4
  same_as_docker container inspect --size --format '{{json .SizeRw}}' c4
  [ "$(b inspect -s c4 | jq -r '.[0] | keys_unsorted | .[index("GraphDriver") + 1]')" = SizeRw ]
  [ "$(b inspect c4 | jq -r '.[0] | has("SizeRw")')" = false ]
  dk rm -f c4 > /dev/null
}
