#!/usr/bin/env bats
# save's output path: the same bytes whatever the destination, for archives
# larger than its write-behind window (8 MiB, images/save_plan.h).

load lib/common

setup() {
  common_setup
  OUT="$BATS_TEST_TMPDIR/out"
  mkdir -p "$OUT/tree/opt"
  # 20 MiB that do not compress, in one layer made here
  head -c 20971520 /dev/urandom > "$OUT/tree/opt/big.bin"
  printf 'small\n' > "$OUT/tree/opt/small.txt"
  tar -C "$OUT/tree" -cf "$OUT/rootfs.tar" opt
  b import "$OUT/rootfs.tar" test/big:1 > /dev/null
}

teardown() {
  common_teardown
}

@test "save: -o, a pipe and a file appended to on stdout get the same archive, byte for byte" {
  b save -o "$OUT/o.tar" test/big:1
  b save test/big:1 | cat > "$OUT/pipe.tar"
  printf 'prefix' > "$OUT/appended"
  b save test/big:1 >> "$OUT/appended"
  [[ $(stat -c %s "$OUT/o.tar") -gt 20971520 ]]
  cmp "$OUT/o.tar" "$OUT/pipe.tar"
  cmp "$OUT/o.tar" <(tail -c +7 "$OUT/appended")
  [[ "$(head -c 6 "$OUT/appended")" == prefix ]]
  # the layer inside is the image's, checked against its diffID
  local layer diff
  layer=$(tar -xOf "$OUT/o.tar" manifest.json | jq -r '.[0].Layers[0]')
  diff=$(b inspect test/big:1 | jq -r '.[0].RootFS.Layers[0]')
  [[ "sha256:$(tar -xOf "$OUT/o.tar" "$layer" | sha256sum | cut -d' ' -f1)" == "$diff" ]]
}

@test "save --format oci-archive: -o and a pipe get the same archive, byte for byte" {
  b save --format oci-archive -o "$OUT/o.tar" test/big:1
  b save --format oci-archive test/big:1 | cat > "$OUT/pipe.tar"
  [[ $(stat -c %s "$OUT/o.tar") -gt 20971520 ]]
  cmp "$OUT/o.tar" "$OUT/pipe.tar"
}
