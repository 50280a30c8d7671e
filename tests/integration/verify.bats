#!/usr/bin/env bats
# berth verify (SPEC §7, issue 6 §8 and §9): a layer exactly as pulled
# verifies clean, whatever extraction had to do with its tar; each kind of
# change to a layer directory is named by path and kind.

load lib/common

setup_file() {
  registry_with_fixtures REG plain basic layered honest
}

teardown_file() {
  registry_stop REG
}

setup() {
  common_setup
  IMG="$REG_HOST/library/busybox:latest"
  berth pull -q "$IMG" > /dev/null
  CHAIN=$(berth inspect "$IMG" | jq -r '.[0].RootFS.Layers[0]')
  DIR=$(layer_diff_dir "$CHAIN")
}

# tampered WANT...: verify fails naming the busybox layer, then exactly the
# lines WANT.
tampered() {
  run berth verify "$IMG"
  [ "$status" -eq 1 ] || fail_with "status $status: $output"
  [ "${lines[0]}" = "$CHAIN TAMPERED" ] || fail_with "verify: $output"
  local want
  want=$(printf '%s\n' "$@")
  [ "$(printf '%s\n' "${lines[@]:1}")" = "$want" ] || fail_with "verify: $output"
}

clean() {
  run berth verify "$IMG"
  assert_success
  [ "$output" = "$CHAIN ok" ] || fail_with "verify: $output"
}

@test "verify: a pulled image is ok" {
  clean
}

@test "verify: every layer of an image with whiteouts, an opaque dir, links is ok" {
  local img="$REG_HOST/test/layered:1"
  berth pull -q "$img" > /dev/null
  run berth verify "$img"
  assert_success
  [ "${#lines[@]}" -eq 4 ] || fail_with "verify: $output"
  local l
  for l in "${lines[@]}"; do
    [[ "$l" =~ ^sha256:[0-9a-f]{64}\ ok$ ]] || fail_with "verify: $output"
  done
}

@test "verify: chmod u+s is named" {
  chmod u+s "$DIR/bin/busybox"
  tampered "  ~ changed mode 0755 -> 4755 /bin/busybox"
}

@test "verify: chown is named" {
  chown 1000:1000 "$DIR/etc/passwd"
  tampered "  ~ changed owner 0:0 -> 1000:1000 /etc/passwd"
}

@test "verify: a retargeted symlink is named" {
  ln -sfn /tmp/evil "$DIR/bin/ls"
  tampered "  ~ changed link target /bin/busybox -> /tmp/evil /bin/ls"
}

@test "verify: an xattr set on a file is named" {
  require_tool setfattr
  setfattr -n user.x -v 1 "$DIR/etc/group"
  tampered "  ~ changed xattr user.x /etc/group"
}

@test "verify: a file replaced by a directory is named" {
  rm "$DIR/etc/nsswitch.conf"
  mkdir "$DIR/etc/nsswitch.conf"
  tampered "  ~ changed type file -> directory /etc/nsswitch.conf"
}

@test "verify: an added file is named" {
  echo evil > "$DIR/etc/added"
  tampered "  + /etc/added"
}

@test "verify: a removed file is named" {
  rm "$DIR/etc/group"
  tampered "  - /etc/group"
}

@test "verify: edited contents are named, with the size when it changed" {
  printf 'ROOT' | dd of="$DIR/etc/passwd" conv=notrunc status=none
  tampered "  ~ /etc/passwd"
  echo more >> "$DIR/etc/passwd"
  local size
  size=$(stat -c %s "$DIR/etc/passwd")
  tampered "  ~ /etc/passwd" "  ~ changed size $((size - 5)) -> $size /etc/passwd"
}

# honest NAME [NOTE]: the honest/NAME image pulls and verifies ok (with
# NOTE after the layer line when given).
honest() {
  local img="$REG_HOST/honest/$1:1"
  berth pull -q "$img" > /dev/null
  local chain
  chain=$(berth inspect "$img" | jq -r '.[0].RootFS.Layers[0]')
  run berth verify "$img"
  assert_success
  if [ -n "${2:-}" ]; then
    [ "$output" = "$chain ok"$'\n'"  ($2)" ] || fail_with "verify: $output"
  else
    [ "$output" = "$chain ok" ] || fail_with "verify: $output"
  fi
}

@test "verify: a tar that replaces entries with later ones verifies clean" {
  honest replaced "diffID not re-checked: the contents of 3 files of the layer tar are not kept (replaced by later entries or aufs metadata)"
  local dir
  dir=$(layer_diff_dir "$(berth inspect "$REG_HOST/honest/replaced:1" | jq -r '.[0].RootFS.Layers[0]')")
  # the later a (0600) is the one that counts
  chmod 644 "$dir/a"
  run berth verify "$REG_HOST/honest/replaced:1"
  [ "$status" -eq 1 ]
  [ "${lines[1]}" = "  ~ changed mode 0600 -> 0644 /a" ] || fail_with "verify: $output"
}

@test "verify: skipped aufs metadata is not called removed" {
  honest aufs "diffID not re-checked: the contents of 1 file of the layer tar are not kept (replaced by later entries or aufs metadata)"
}

@test "verify: writes confined through symlinks, whiteouts and an opaque dir verify clean" {
  honest through
}

@test "verify: PAX and GNU sparse files verify clean; a byte in a hole is named" {
  honest sparse-pax
  honest sparse-gnu
  local img="$REG_HOST/honest/sparse-pax:1" dir
  dir=$(layer_diff_dir "$(berth inspect "$img" | jq -r '.[0].RootFS.Layers[0]')")
  printf 'x' | dd of="$dir/holes" bs=1 seek=1048576 conv=notrunc status=none
  run berth verify "$img"
  [ "$status" -eq 1 ]
  [ "${lines[1]}" = "  ~ /holes" ] || fail_with "verify: $output"
}
