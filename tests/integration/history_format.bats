#!/usr/bin/env bats
# history and history --format: Docker's historyContext columns, the
# default tables (-H, -H=false, --no-trunc, -q), each run by berth and by
# Docker 20.10's client (its private daemon) on the same pulled image.

load lib/common
load lib/dockerd

setup_file() {
  require_tool docker-registry dockerd
  registry_with_fixtures REG plain layered
  dockerd_start "$BATS_FILE_TMPDIR/dockerd"
  dk pull -q "$REG_HOST/test/layered:1" > /dev/null
}

teardown_file() {
  dockerd_stop
  registry_stop REG
}

setup() {
  common_setup
  IMG="$REG_HOST/test/layered:1"
  b pull -q "$IMG" > /dev/null
}

@test "history: the default tables and the columns of --format, as Docker prints them" {
  local failed=0 t
  same_as_docker history "$IMG" || failed=1
  same_as_docker history -H=false "$IMG" || failed=1
  same_as_docker history --no-trunc "$IMG" || failed=1
  same_as_docker history -q "$IMG" || failed=1
  same_as_docker history -q --no-trunc "$IMG" || failed=1
  for t in '{{.ID}}|{{.CreatedAt}}|{{.CreatedSince}}|{{.Size}}|{{.Comment}}' '{{json .}}' \
    'table {{.ID}}\t{{.CreatedBy}}' 'table' '{{.CreatedBy}}' 'table {{.Size}}\t{{upper .Comment}}'; do
    same_as_docker history --format "$t" "$IMG" || failed=1
  done
  same_as_docker history -H=false --format '{{.CreatedSince}} {{.Size}}' "$IMG" || failed=1
  same_as_docker history -q --format 'table {{.ID}}\t{{.Size}}' "$IMG" || failed=1
  [ "$failed" -eq 0 ]
}

@test "history --format: template errors in Docker's words and exit status" {
  local failed=0 t
  for t in '{{.Foo}}' '{{foo}}' '{{.ID'; do
    same_as_docker history --format "$t" "$IMG" || failed=1
  done
  [ "$failed" -eq 0 ]
}
