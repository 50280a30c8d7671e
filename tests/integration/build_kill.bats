#!/usr/bin/env bats
# `build` (issue 7) killed with SIGKILL at any moment: no half layer, no half
# image, no stray mount, and the next build works and takes every step that
# had finished from its cache.  And the commit that moves a build step's
# upperdir into the layer instead of copying it: the layer as the copy
# would have made it, `verify` clean.  The moments a commit lasts
# microseconds are hit with BERTH_TEST_PAUSE (common/testpoint.h).

load lib/common
load lib/build

# The files of a layer's directory: type, mode, owner, size, device, link
# target, contents' digest and every xattr, one line each (no times).
layer_listing() {
  "$PY3" - "$1" <<'EOF'
import hashlib, os, stat, sys
root = sys.argv[1]
for dirpath, dirs, files in os.walk(root):
    dirs.sort()
    for name in sorted(dirs + files):
        p = os.path.join(dirpath, name)
        st = os.lstat(p)
        rel = os.path.relpath(p, root)
        extra = ""
        if stat.S_ISREG(st.st_mode):
            extra = hashlib.sha256(open(p, "rb").read()).hexdigest()[:16]
        elif stat.S_ISLNK(st.st_mode):
            extra = os.readlink(p)
        elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
            extra = "%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
        xs = sorted("%s=%r" % (x, os.getxattr(p, x, follow_symlinks=False))
                    for x in os.listxattr(p, follow_symlinks=False))
        print(rel, oct(st.st_mode), st.st_uid, st.st_gid, st.st_size if not stat.S_ISDIR(st.st_mode) else "-",
              st.st_nlink if not stat.S_ISDIR(st.st_mode) else "-", extra, " ".join(xs))
EOF
}

# top_layer_dir IMAGE: the diff dir of the image's topmost layer.
top_layer_dir() {
  local id chain
  id=$(b inspect "$1" | jq -r '.[0].Id')
  chain=$(chain_ids $(jq -r '.rootfs.diff_ids[]' "$(img_dir)/imagedb/content/sha256/${id#sha256:}") | tail -1)
  layer_diff_dir "$chain"
}

top_diff_id() {
  b inspect "$1" | jq -r '.[0].RootFS.Layers[-1]'
}

# A RUN making one of everything a container's upperdir holds: new files
# and dirs, a copied-up dir (overlay's origin/impure xattrs), a whiteout, an
# opaque dir, a hard link, a symlink, a fifo, set-id bits, other owners.
MAKER='mkdir -p /data/d && echo hi > /data/d/f && ln /data/d/f /data/d/h && ln -s f /data/d/s && mkfifo /data/p && chmod 4755 /data/d/f && chown 12:34 /data/d/s && echo more >> /etc/group && rm /etc/passwd && rm -rf /home && mkdir /home && echo x > /home/x'

@test "build: a RUN's and a COPY's upperdir become the layer by a move: the same files as the copy, verify clean" {
  mkdir -p "$CTX/files/sub"
  for i in 1 2 3; do echo "file $i" > "$CTX/files/sub/f$i"; done
  chmod 0600 "$CTX/files/sub/f2"
  dockerfile "FROM $IMG" "RUN $MAKER" 'COPY files /files' 'WORKDIR /w/x'
  # default --rm: the containers go, so their upperdirs are moved
  run --separate-stderr b build -t demo/move:1 "$CTX"
  assert_success
  # --rm=false keeps the RUN's container: its upperdir is copied, as before
  run --separate-stderr b build --no-cache --rm=false -t demo/copy:1 "$CTX"
  assert_success
  # every layer, the COPY's and the WORKDIR's moved in both builds too
  run b verify demo/move:1
  assert_success
  run b verify demo/copy:1
  assert_success
  # the RUN's layer: the same files, modes, owners, xattrs as the copy's
  local mchain cchain
  mchain=$(chain_ids $(b inspect demo/move:1 | jq -r '.[0].RootFS.Layers[0,1]') | tail -1)
  cchain=$(chain_ids $(b inspect demo/copy:1 | jq -r '.[0].RootFS.Layers[0,1]') | tail -1)
  diff <(layer_listing "$(layer_diff_dir "$cchain")") <(layer_listing "$(layer_diff_dir "$mchain")") ||
    fail_with "the moved RUN layer differs from the copied one"
  # no overlay bookkeeping left, the opaque marker kept
  run getfattr -R -h -d -m '^trusted\.overlay\.' --absolute-names "$(layer_diff_dir "$mchain")"
  [[ "$output" != *origin* && "$output" != *impure* ]] || fail_with "$output"
  [[ "$output" == *"/home"$'\n'"trusted.overlay.opaque=\"y\""* ]] || fail_with "$output"
  # the whiteout is the overlay2 format's: a 0/0 character device
  [ "$(stat -c '%F %t,%T' "$(layer_diff_dir "$mchain")/etc/passwd")" = "character special file 0,0" ]
  # the image runs with what the steps made
  run --separate-stderr in_image demo/move:1 sh -c 'cat /data/d/h /files/sub/f3 /home/x; ls /etc/passwd 2>&1; ls /w'
  assert_success
  [ "$output" = $'hi\nfile 3\nx\nls: /etc/passwd: No such file or directory\nx' ] || fail_with "$output"
  assert_no_unreferenced_layers
}

@test "build: an upperdir with a name extraction reads as a whiteout is copied, not moved: the layer as unpacked, verify clean" {
  dockerfile "FROM $IMG" 'RUN touch /.wh.bin2 /etc/.wh..wh.aufs && echo y > /y'
  run --separate-stderr b build -t demo/wh:1 "$CTX"
  assert_success
  run b verify demo/wh:1
  assert_success
  local dir
  dir=$(top_layer_dir demo/wh:1)
  # as extraction made it: a whiteout for ".wh.bin2", the aufs name skipped
  [ "$(stat -c '%F %t,%T' "$dir/bin2")" = "character special file 0,0" ]
  [ ! -e "$dir/.wh.bin2" ] && [ ! -e "$dir/etc/.wh..wh.aufs" ] && [ -f "$dir/y" ]
  assert_no_unreferenced_layers
}

# ---- SIGKILL ------------------------------------------------------------------

# bg_build ARGS...: `berth build ARGS` in the background (BG_PID), its
# output in $OUT.
bg_build() {
  OUT="$BATS_TEST_TMPDIR/build.out"
  "$BERTH" --root "$BERTH_TEST_ROOT" build "$@" > "$OUT" 2>&1 &
  BG_PID=$!
}

# wait_for WHAT CMD...: until CMD succeeds (at most 60 s: a limit, not a
# timing the test depends on).
wait_for() {
  local what=$1 i
  shift
  for i in $(seq 600); do
    "$@" && return 0
    sleep 0.1
  done
  fail_with "waited 60 s for $what; build output: $(cat "$OUT" 2> /dev/null)"
}

kill_build() {
  kill -9 "$BG_PID"
  wait "$BG_PID" 2> /dev/null || true
  BG_PID=
}

no_mounts() { ! grep -q "$BERTH_TEST_ROOT" /proc/self/mountinfo; }
no_containers() { [ -z "$(b ps -aq)" ]; }

# What a killed build may leave, after the next writer swept: no half layer
# or image (every image verifies, no unreferenced layer, no stage), no mount.
assert_clean_after_kill() {
  no_mounts || fail_with "mounts left: $(grep "$BERTH_TEST_ROOT" /proc/self/mountinfo)"
  b tag "$IMG" next-writer:1 # the next writer collects what the killed one left
  assert_no_unreferenced_layers
  local left id
  left=$(ls "$BERTH_TEST_ROOT/tmp" | grep -E '^(stage|trash)-' || true)
  [ -z "$left" ] || fail_with "left in tmp/: $left"
  for id in $(b images -aq --no-trunc); do
    run b verify "$id"
    assert_success
  done
}

# The three container steps of the kill tests: RUN, COPY of 300 files, RUN.
three_steps() {
  mkdir -p "$CTX/files"
  local i
  for i in $(seq 300); do echo "$i" > "$CTX/files/f$i"; done
  dockerfile "FROM $IMG" 'RUN echo one > /one' 'COPY files /files' 'RUN echo two > /two'
}

# kill_at POINT CACHED [BUILD FLAGS]: the build killed at the test point
# (common/testpoint.h, e.g. "commit-moved#2": the second commit), then the
# store is clean and the next build takes CACHED steps from the cache.
kill_at() {
  local point=$1 cached=$2
  shift 2
  three_steps
  local marker="$BATS_TEST_TMPDIR/at-point"
  BERTH_TEST_PAUSE="$point:$marker" bg_build "$@" -t demo/k "$CTX"
  wait_for "test point $point" test -e "$marker"
  kill_build
  # before any other writer: no image names a layer that is not whole
  for id in $(b images -aq --no-trunc); do
    run b verify "$id"
    assert_success
  done
  assert_clean_after_kill
  run --separate-stderr b build "$@" -t demo/k "$CTX"
  assert_success
  [ "$(cache_hits)" -eq "$cached" ] || fail_with "want $cached cached steps: $output"
  run b verify demo/k
  assert_success
  run --separate-stderr in_image demo/k sh -c 'cat /one /two; ls /files | wc -l'
  assert_success
  [ "$output" = $'one\ntwo\n300' ] || fail_with "$output"
  assert_no_unreferenced_layers
  # a container the kill left (its step had run) is whole: it can be
  # looked at and removed
  local c
  for c in $(b ps -aq); do
    run --separate-stderr b diff "$c"
    assert_success
    run --separate-stderr b rm "$c"
    assert_success
  done
  assert_no_unreferenced_layers
}

@test "build killed while a RUN's command runs: the container killed and removed, no mount, the next build reuses the steps before" {
  dockerfile "FROM $IMG" 'RUN echo one > /one' 'ARG S=0' 'RUN sleep $S' 'RUN echo three > /three'
  bg_build --build-arg S=600 -t demo/k "$CTX"
  running() { [ -n "$(b ps -q)" ]; }
  wait_for "the RUN's container to run" running
  kill_build
  # the container does not outlive the build (its sleep has 600 s to go)
  wait_for "the RUN's container to go" no_containers
  wait_for "the RUN's mount to go" no_mounts
  assert_clean_after_kill
  run --separate-stderr b build -t demo/k "$CTX"
  assert_success
  [[ "$output" == *$'Step 2/5 : RUN echo one > /one\n ---> Using cache'* ]] || fail_with "$output"
  [[ "$output" == *$'Step 4/5 : RUN sleep $S\n ---> Running in'* ]] || fail_with "$output"
  run --separate-stderr in_image demo/k cat /one /three
  assert_success
  [ "$output" = $'one\nthree' ] || fail_with "$output"
}

@test "build killed while COPY writes into the mounted rootfs: no mount left, the next build reuses the RUN before" {
  kill_at build-fs-mounted 1
}

@test "build killed in a moved commit, after the pack: no half layer, the container whole, the next build reuses" {
  kill_at 'commit-packed#2' 1
}

@test "build killed in a moved commit, the upperdir in the stage: nothing half-made left, the next build reuses" {
  kill_at 'commit-moved#3' 2
}

@test "build killed between a layer's overlay2 dir and its layerdb entry: collected, the next build reuses" {
  kill_at 'publish-overlay#2' 1
}

@test "build killed after a layer's publish, before its image: collected, the next build reuses" {
  kill_at 'commit-published#3' 2
}

@test "build --rm=false (a copied commit) killed after the pack: the same" {
  kill_at 'commit-packed#1' 0 --rm=false
}

@test "build --rm=false (a copied commit) killed between a layer's renames: the same" {
  kill_at 'publish-overlay#3' 2 --rm=false
}
