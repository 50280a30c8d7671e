#!/usr/bin/env bats
# inspect --format over Docker's typed structs, without a Docker daemon:
# berth's output for each template of data/inspect_typed_fixed.tsv on the
# image data/fixed.tar is what Docker 20.10's client printed (the file says
# how it was made; inspect_format.bats compares with a live daemon).

load lib/common

setup() {
  common_setup
}

@test "inspect --format: the typed image struct prints what Docker 20.10 printed (data/inspect_typed_fixed.tsv)" {
  local t want got failed=0
  b load -q -i "$BATS_TEST_DIRNAME/data/fixed.tar" > /dev/null
  while IFS=$'\t' read -r t want; do
    [[ -z "$t" || "$t" == "#"* ]] && continue
    got=$(b inspect -f "$t" fixed/app:1.0 2>&1 | sed ':a;N;$!ba;s/\n/\\n/g')
    if [[ "$got" != "$want" ]]; then
      printf '%s\n want: %s\n got:  %s\n' "$t" "$want" "$got" >&2
      failed=1
    fi
  done < "$BATS_TEST_DIRNAME/data/inspect_typed_fixed.tsv"
  [ "$failed" -eq 0 ]
}
