#!/usr/bin/env bats
# images --format: Docker's formatter (columns, table header, tabwriter,
# HeaderFunctions, {{json .}}), each template run by berth and by Docker
# 20.10's client (its private daemon) on the same pulled images.

load lib/common
load lib/dockerd

setup_file() {
  require_tool docker-registry dockerd
  registry_with_fixtures REG plain basic layered
  dockerd_start "$BATS_FILE_TMPDIR/dockerd"
  local img
  for img in library/busybox:latest test/layered:1; do
    dk pull -q "$REG_HOST/$img" > /dev/null
    dk tag "$REG_HOST/$img" "$REG_HOST/copy/${img#*/}"
  done
}

teardown_file() {
  dockerd_stop
  registry_stop REG
}

setup() {
  common_setup
  local img
  for img in library/busybox:latest test/layered:1; do
    b pull -q "$REG_HOST/$img" > /dev/null
    b tag "$REG_HOST/$img" "$REG_HOST/copy/${img#*/}"
  done
}

# images ARGS...: the same in both; the two fixtures were made in the same
# second, and for a tie in CREATED Docker's order is its sort's
same() {
  SAME_SORT=1 same_as_docker images "$@"
}

@test "images --format: columns and templates as Docker prints them" {
  local t failed=0
  for t in '{{.Repository}}:{{.Tag}}' '{{.ID}} {{.Size}} {{.VirtualSize}} {{.CreatedSince}}' \
    '{{.Digest}} {{.Containers}} {{.SharedSize}} {{.UniqueSize}}' '{{json .}}' \
    'table {{.Repository}}\t{{.Tag}}\t{{.ID}}' 'table {{.ID}}|{{json .Size}}|{{upper .Tag}}|{{pad .Tag 1 1}}' \
    'table' '  table {{.Tag}}  ' '{{.Repository}}\t{{.Tag}}' 'x\ny {{.Tag}}' \
    'table {{.Repository}}\t{{if eq .Tag "1"}}one{{else}}{{.Tag}}{{end}}'; do
    same --format "$t" || failed=1
  done
  same --format '{{.ID}} {{.Digest}}' --digests || failed=1
  same --format 'table {{.Repository}}\t{{.ID}}' --digests || failed=1
  same --format '{{.ID}}' --no-trunc || failed=1
  same --format '{{.Tag}}' -q || failed=1
  same --format 'table {{.Repository}}' "$REG_HOST/copy/busybox" || failed=1
  same --digests || failed=1
  same || failed=1
  [ "$failed" -eq 0 ]
}

@test "images --format: template errors in Docker's words and exit status, nothing printed" {
  local t failed=0
  for t in '{{foo}}' '{{.Foo}}' '{{.ID' 'table {{.Nope}}\t{{.ID}}' '{{index .ID 99}}'; do
    same --format "$t" || failed=1
  done
  [ "$failed" -eq 0 ]
}

@test "images, history --format json: newer Docker's shorthand, the rows of 20.10's {{json .}}" {
  [ "$(b images --format json | sort)" = "$(dk images --format '{{json .}}' | sort)" ] ||
    fail_with "images: $(b images --format json)"
  [ "$(b history --format json "$REG_HOST/test/layered:1")" = \
    "$(dk history --format '{{json .}}' "$REG_HOST/test/layered:1")" ] || fail_with "history"
}
