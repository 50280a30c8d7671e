#!/usr/bin/env bats
# berth cp (issue 9, "Container commands still missing"): both directions,
# -L, -a, "-" for a tar stream, stopped and running containers, Docker's path
# rules, and confinement: a symlink in the container pointing at /etc or
# ../../ on the host is resolved inside the container's root, never out.
#
# The expected words and layouts are Docker 20.10's (Debian docker.io,
# /usr/bin/docker against a private dockerd, ../shared/peers/README.md), on a
# container holding the same files: /etc/hello, /d/a, /etcabs -> /etc,
# /etcrel -> ../../../../etc.  Docker prints its daemon's errors as "Error
# response from daemon: WORDS", berth (no daemon) as "Error: WORDS"; the
# client's own words (no such directory, cannot copy directory, ...) are bare
# in both.

load lib/common

setup_file() {
  registry_with_fixtures REG plain basic
}

teardown_file() {
  registry_stop REG
}

setup() {
  container_setup
  # the container of the comparison with Docker, stopped
  run --separate-stderr b run --name c1 "$IMG" sh -c \
    'echo hi > /etc/hello; mkdir /d; echo a > /d/a; ln -s /etc /etcabs; ln -s ../../../../etc /etcrel'
  assert_success
  OUT="$BATS_TEST_TMPDIR/out"
  mkdir -p "$OUT"
  cd "$OUT"
}

teardown() {
  cd /
  container_teardown
}

# the names in a tar on stdin, one per line
tar_names() {
  tar -tf - | LC_ALL=C sort
}

@test "cp: a file out of a stopped container, into . and to a new name" {
  run --separate-stderr b cp c1:/etc/hello .
  assert_success
  [ -z "$output$stderr" ] || fail_with "docker cp prints nothing; got '$output' '$stderr'"
  [ "$(cat "$OUT/hello")" = hi ]
  run --separate-stderr b cp c1:/etc/hello "$OUT/renamed"
  assert_success
  [ "$(cat "$OUT/renamed")" = hi ]
  # an existing file is replaced
  echo old > "$OUT/old"
  run --separate-stderr b cp c1:/etc/hello "$OUT/old"
  assert_success
  [ "$(cat "$OUT/old")" = hi ]
  # nothing stays mounted
  ! grep -q "$BERTH_TEST_ROOT/overlay2" /proc/mounts || fail_with "left mounted"
}

@test "cp: directories out: DIR, DIR/ and DIR/. as Docker lays them out" {
  run --separate-stderr b cp c1:/d "$OUT/new"
  assert_success
  [ "$(cat "$OUT/new/a")" = a ] || fail_with "a missing DEST takes SRC's contents"
  mkdir "$OUT/into"
  run --separate-stderr b cp c1:/d "$OUT/into"
  assert_success
  [ "$(cat "$OUT/into/d/a")" = a ] || fail_with "an existing DEST receives SRC by name"
  mkdir "$OUT/contents"
  run --separate-stderr b cp c1:/d/. "$OUT/contents"
  assert_success
  [ "$(cat "$OUT/contents/a")" = a ] || fail_with "SRC/. copies the contents"
  [ ! -e "$OUT/contents/d" ]
}

@test "cp: - streams a tar with Docker's names (DIR, DIR/., a symlink with and without -L)" {
  # docker cp c1:/d - | tar -t: d/ d/a; c1:/d/.: ./ ./a
  run bash -c "'$BERTH' --root '$BERTH_TEST_ROOT' cp c1:/d - | tar -tf - | LC_ALL=C sort"
  assert_success
  [ "$output" = $'d/\nd/a' ] || fail_with "got '$output'"
  run bash -c "'$BERTH' --root '$BERTH_TEST_ROOT' cp c1:/d/. - | tar -tf - | LC_ALL=C sort"
  [ "$output" = $'./\n./a' ] || fail_with "got '$output'"
  # docker: etcabs -> /etc; with -L: etc/ etc/hello ...; with etcabs/: etcabs/ etcabs/hello ...
  run bash -c "'$BERTH' --root '$BERTH_TEST_ROOT' cp c1:/etcabs - | tar -tvf -"
  [[ "$output" == *"etcabs -> /etc" ]] || fail_with "got '$output'"
  run bash -c "'$BERTH' --root '$BERTH_TEST_ROOT' cp -L c1:/etcabs - | tar -tf -"
  [[ "$output" == etc/*etc/hello* ]] || fail_with "got '$output'"
  run bash -c "'$BERTH' --root '$BERTH_TEST_ROOT' cp c1:/etcabs/ - | tar -tf -"
  [[ "$output" == etcabs/*etcabs/hello* ]] || fail_with "got '$output'"
}

@test "cp: a symlink to /etc or ../../etc in the container is the container's /etc, out and in" {
  [ -f /etc/hostname ] || skip "needs a host /etc/hostname"
  # out: the container's file, not the host's
  run --separate-stderr b cp c1:/etcabs/hello "$OUT/h1"
  assert_success
  [ "$(cat "$OUT/h1")" = hi ]
  run --separate-stderr b cp c1:/etcrel/hello "$OUT/h2"
  assert_success
  [ "$(cat "$OUT/h2")" = hi ]
  # in: lands in the container's /etc; the host's /etc never sees it
  local name="berth-cp-test-$$-$RANDOM"
  echo payload > "$OUT/$name"
  run --separate-stderr b cp "$OUT/$name" c1:/etcabs/
  assert_success
  run --separate-stderr b cp "$OUT/$name" "c1:/etcrel/$name.2"
  assert_success
  [ ! -e "/etc/$name" ] && [ ! -e "/etc/$name.2" ] || fail_with "written to the host's /etc"
  run bash -c "'$BERTH' --root '$BERTH_TEST_ROOT' cp c1:/etc - | tar -tf - | grep '$name'"
  [ "$output" = "etc/$name"$'\n'"etc/$name.2" ] || fail_with "got '$output'"
}

@test "cp: a tar on stdin with a symlink to /etc and a file through it stays in the container" {
  local name="berth-cp-test-$$-$RANDOM" src="$BATS_TEST_TMPDIR/src"
  mkdir -p "$src"
  ln -s /etc "$src/evil"
  ln -s ../../../../../.. "$src/up"
  mkdir -p "$BATS_TEST_TMPDIR/t/evil" "$BATS_TEST_TMPDIR/t/up"
  echo x > "$BATS_TEST_TMPDIR/t/evil/$name"
  echo y > "$BATS_TEST_TMPDIR/t/up/$name"
  # the links first, then files whose names pass through them
  (cd "$src" && tar -cf "$BATS_TEST_TMPDIR/evil.tar" evil up)
  (cd "$BATS_TEST_TMPDIR/t" && tar -rf "$BATS_TEST_TMPDIR/evil.tar" "evil/$name" "up/$name")
  run --separate-stderr bash -c "'$BERTH' --root '$BERTH_TEST_ROOT' cp - c1:/tmp < '$BATS_TEST_TMPDIR/evil.tar'"
  # /etc means the destination's own etc, which does not exist: refused
  assert_one_line_error
  [[ "$stderr" == *"extract 'evil/$name': cannot create directory 'evil': a dangling symlink is in the way" ]] || fail_with "$stderr"
  [ ! -e "/etc/$name" ] && [ ! -e "/$name" ] || fail_with "written outside the container"
  # a name climbing out of the destination is refused
  (cd "$BATS_TEST_TMPDIR/t" && tar -cf "$BATS_TEST_TMPDIR/dots.tar" --transform "s|^|../../|" "up/$name")
  run --separate-stderr bash -c "'$BERTH' --root '$BERTH_TEST_ROOT' cp - c1:/tmp < '$BATS_TEST_TMPDIR/dots.tar'"
  [ "$status" -ne 0 ] || fail_with "a ../ entry was accepted"
  [ ! -e "/$name" ] && [ ! -e "$BERTH_TEST_ROOT/$name" ] || fail_with "written outside"
}

@test "cp: into a stopped container, the container sees the files; -a and -L accepted" {
  echo payload > "$OUT/f"
  # docker cp keeps the host file's owner in the container, with or without -a
  chown 1234:567 "$OUT/f"
  mkdir -p "$OUT/dir/sub" && echo deep > "$OUT/dir/sub/x"
  ln -s f "$OUT/link"
  run --separate-stderr b cp "$OUT/f" c1:/tmp/
  assert_success
  run --separate-stderr b cp -a "$OUT/dir" c1:/newdir
  assert_success
  run --separate-stderr b cp "$OUT/link" c1:/tmp/
  assert_success
  run --separate-stderr b cp -L "$OUT/link" c1:/tmp/followed
  assert_success
  run --separate-stderr b commit c1 cp-result
  assert_success
  run --separate-stderr b run --rm cp-result sh -c \
    'cat /tmp/f /newdir/sub/x /tmp/followed; readlink /tmp/link; test -L /tmp/followed || echo regular; stat -c %u:%g /tmp/f'
  assert_success
  [ "$output" = $'payload\ndeep\npayload\nf\nregular\n1234:567' ] || fail_with "got '$output'"
}

@test "cp: a running container, both directions, and - from stdin" {
  run --separate-stderr b run -d --name live "$IMG" sleep 300
  assert_success
  echo live > "$OUT/f"
  run --separate-stderr b cp "$OUT/f" live:/tmp/f
  assert_success
  run --separate-stderr b exec live cat /tmp/f
  [ "$output" = live ] || fail_with "the container does not see it: '$output'"
  run --separate-stderr b exec live sh -c 'echo made > /tmp/m'
  run --separate-stderr b cp live:/tmp/m "$OUT/m"
  assert_success
  [ "$(cat "$OUT/m")" = made ]
  (cd "$OUT" && tar -cf "$BATS_TEST_TMPDIR/in.tar" f)
  run --separate-stderr bash -c "'$BERTH' --root '$BERTH_TEST_ROOT' cp - live:/root < '$BATS_TEST_TMPDIR/in.tar'"
  assert_success
  run --separate-stderr b exec live cat /root/f
  [ "$output" = live ] || fail_with "got '$output'"
}

@test "cp: Docker's words for bad paths, the store unchanged" {
  echo h > "$OUT/hf"
  store_snapshot
  # docker: Error response from daemon: Could not find the file /nosuch in container c1
  run --separate-stderr b cp c1:/nosuch "$OUT/x"
  assert_one_line_error
  [ "$stderr" = "Error: Could not find the file /nosuch in container c1" ] || fail_with "$stderr"
  # docker: invalid output path: directory "/nonexist/dir" does not exist
  run --separate-stderr b cp c1:/etc/hello /nonexist/dir/x
  assert_one_line_error
  [ "$stderr" = 'invalid output path: directory "/nonexist/dir" does not exist' ] || fail_with "$stderr"
  # docker: no such directory (a file to DIR/ that does not exist, either way)
  run --separate-stderr b cp c1:/etc/hello "$OUT/nodir/"
  [ "$stderr" = "no such directory" ] || fail_with "$stderr"
  run --separate-stderr b cp "$OUT/hf" c1:/nosuchdir/
  [ "$stderr" = "no such directory" ] || fail_with "$stderr"
  run --separate-stderr b cp "$OUT/hf" c1:/etc/hello/
  [ "$stderr" = "no such directory" ] || fail_with "$stderr"
  # docker: Error response from daemon: Could not find the file /nosuchdir in container c1
  run --separate-stderr b cp "$OUT/hf" c1:/nosuchdir/x
  [ "$stderr" = "Error: Could not find the file /nosuchdir in container c1" ] || fail_with "$stderr"
  # docker: Error response from daemon: extraction point is not a directory
  run --separate-stderr b cp "$OUT/hf" c1:/d/a/x
  [ "$stderr" = "Error: extraction point is not a directory" ] || fail_with "$stderr"
  # docker: cannot copy directory
  run --separate-stderr b cp c1:/d/ "$OUT/hf"
  [ "$stderr" = "cannot copy directory" ] || fail_with "$stderr"
  # docker: lstat <its merged dir>/etc/hello/: not a directory (berth names the container's path)
  run --separate-stderr b cp c1:/etc/hello/ "$OUT/x"
  [ "$stderr" = "lstat /etc/hello/: not a directory" ] || fail_with "$stderr"
  run --separate-stderr b cp /nonexist c1:/tmp
  [ "$stderr" = "lstat /nonexist: no such file or directory" ] || fail_with "$stderr"
  # docker: Error response from daemon: No such container: nosuch
  run --separate-stderr b cp nosuch:/x "$OUT"
  [ "$stderr" = "Error: No such container: nosuch" ] || fail_with "$stderr"
  run --separate-stderr b cp c1:/etc/hello c1:/x
  [ "$status" -eq 1 ] && [ "$stderr" = "copying between containers is not supported" ] || fail_with "$stderr"
  run --separate-stderr b cp a b
  [ "$status" -eq 1 ] && [ "$stderr" = "must specify at least one container source" ] || fail_with "$stderr"
  run --separate-stderr b cp a
  [ "$status" -eq 1 ] || fail_with "want 1 (Docker's), got $status"
  [[ "$stderr" == '"berth cp" requires exactly 2 arguments.'$'\n'* ]] || fail_with "$stderr"
  # a path climbing above the container's root: refused (Docker would take it as /x)
  run --separate-stderr b cp "$OUT/hf" c1:../../x
  assert_one_line_error
  [ "$stderr" = "Error: path ../../x escapes the container's root" ] || fail_with "$stderr"
  [ ! -e "$BERTH_TEST_ROOT/x" ] && [ ! -e /x ] || fail_with "written outside"
  assert_store_unchanged
  ! grep -q "$BERTH_TEST_ROOT/overlay2" /proc/mounts || fail_with "left mounted"
}

@test "cp: hard links within the copied tree stay hard links" {
  run --separate-stderr b run --name hl "$IMG" sh -c 'mkdir /h && echo x > /h/x && ln /h/x /h/y'
  assert_success
  run --separate-stderr b cp hl:/h "$OUT/h"
  assert_success
  [ "$(stat -c %i "$OUT/h/x")" = "$(stat -c %i "$OUT/h/y")" ] || fail_with "not linked"
  [ "$(cat "$OUT/h/y")" = x ]
}
