#!/usr/bin/env bats
# Docker 20.10's outputs kept as data: every command of
# data/docker/commands, run by berth on the fixed image, prints what
# Debian's docker client printed for it (data/docker/outputs.txt, made by
# data/docker/record.sh on a private daemon holding only that image), and
# exits with its status.  Where a Docker daemon runs here, the data is
# recorded afresh and must still be what the file says.

load lib/common

DATA="$INTEG_DIR/data/docker"

setup() {
  common_setup
  python3 "$INTEG_DIR/lib/fixed_image.py" "$BATS_TEST_TMPDIR/fixed.tar"
  b load -q -i "$BATS_TEST_TMPDIR/fixed.tar" > /dev/null
}

teardown() {
  common_teardown
}

# "N years ago" moves with the clock: masked on both sides.  berth has no
# daemon: Docker's "Error response from daemon: X" is berth's "Error: X".
mask_age() {
  sed -E -e 's/[0-9]+ years ago/N years ago/g' -e 's/^Error response from daemon: /Error: /'
}

# berth_outputs: outputs.txt's shape, each command run by berth
berth_outputs() {
  local line args
  while IFS= read -r line; do
    [[ -z "$line" || "$line" == "#"* ]] && continue
    eval "args=($line)"
    echo "\$ docker $line"
    if TZ=UTC b "${args[@]}" 2>&1; then echo "[exit 0]"; else echo "[exit $?]"; fi
  done < "$DATA/commands"
}

@test "recorded: berth prints what Docker 20.10 printed for each command, exit status too" {
  diff -u <(tail -n +2 "$DATA/outputs.txt" | mask_age) <(berth_outputs | mask_age) ||
    fail_with "berth differs from the recorded Docker outputs (- Docker, + berth)"
}

@test "recorded: the data is still what Docker prints (recorded afresh)" {
  require_tool dockerd /usr/bin/docker
  bash "$DATA/record.sh" "$BATS_TEST_TMPDIR/outputs.txt"
  diff -u <(tail -n +2 "$DATA/outputs.txt" | mask_age) \
    <(tail -n +2 "$BATS_TEST_TMPDIR/outputs.txt" | mask_age) ||
    fail_with "Docker's outputs changed: rerun data/docker/record.sh"
}
