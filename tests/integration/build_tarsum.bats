#!/usr/bin/env bats
# COPY/ADD's CREATED BY hash is Docker 20.10's (file:/dir:/multi:, the
# tarsums of the context the docker CLI sends, or of an image's rootfs for
# COPY --from), and the cache stays incremental and never wrong where
# Docker's hash leaves something out (symlinks, hard links).
#
# The expected strings are what Docker 20.10.24's legacy builder (Debian's
# docker.io, DOCKER_BUILDKIT=0, a private dockerd) printed in
# `docker history --no-trunc --format '{{.CreatedBy}}'` for this very
# context and Dockerfile (tarsum_context below), built on this machine on
# 2026-12-01.

load lib/common
load lib/build

LONG=$(printf 'L%.0s' $(seq 1 120))

# tarsum_context DIR: files, directories, symlinks (a source and inside a
# directory), hard links, an excluded directory entered for an exception,
# setuid, a fifo and a device, security.capability, a 120-byte name; every
# mode set.
tarsum_context() {
  local c=$1
  mkdir -p "$c"
  (
    cd "$c" || exit 1
    printf 'hello\n' > a.txt
    printf 'bee\n' > b.txt
    mkdir -p dir/sub && printf 'x\n' > dir/b && printf 'y\n' > dir/sub/c
    ln -s a.txt link.txt
    mkdir dir2 && printf 'z\n' > dir2/f && ln -s f dir2/ln && ln -s ../a.txt dir2/up
    printf 'hard\n' > h1 && ln h1 h2
    mkdir hd && printf 'hh\n' > hd/x && ln hd/x hd/y && ln hd/x hz
    mkdir -p ex/sub && printf 'k\n' > ex/keep && printf 'n\n' > ex/no && printf 's\n' > ex/sub/s
    printf 'ex\n!ex/keep\n' > .dockerignore
    printf 'suid\n' > su && chmod 4755 su
    mkdir sp && mkfifo sp/fifo && chmod 0640 sp/fifo && mknod sp/null c 1 3 && chmod 0666 sp/null
    printf 'cap\n' > capf && setfattr -n security.capability -v 0sAQAAAgAgAAAAAAAAAAAAAAAAAAA= capf
    printf 'long\n' > "$LONG"
    chmod 0644 a.txt b.txt dir/b dir/sub/c dir2/f h1 hd/x ex/keep ex/no ex/sub/s capf "$LONG" .dockerignore
    chmod 0755 . dir dir/sub dir2 hd ex ex/sub sp
    cat > Dockerfile << EOF
FROM scratch AS s1
COPY a.txt /a
COPY dir /d
COPY a.txt dir /m/
COPY *.txt /x/
COPY b*.txt /y/
COPY link.txt /l/
COPY dir2 /d2
COPY h1 /h1
COPY h2 /h2
COPY hd /hd
COPY hz /hz
COPY ex /e
COPY su /su
COPY sp /sp
COPY capf /capf
COPY $LONG /long
ADD a.txt dir /t/
COPY --chown=5:6 a.txt /o.txt
COPY . /all
FROM scratch
COPY --from=s1 /d /fd
COPY --from=s1 /o.txt /fo
COPY --from=s1 /a /o.txt /fm/
EOF
    chmod 0644 Dockerfile
  )
}

# Docker's history of stage s1, oldest first.
DOCKER_S1='/bin/sh -c #(nop) COPY file:679c43c79a56cffbb3b002bda3050542c152a2f09757a0f1a9578871f7cda00d in /a<sp>
/bin/sh -c #(nop) COPY dir:ea86d658258d27c95f4f8995200660c4da133caddcd36ba9ecf4ede51feab826 in /d<sp>
/bin/sh -c #(nop) COPY multi:14d132e6da643f96e7e2cbe7f6f0582c32aa6762c1fb30518e870eef59ae8767 in /m/<sp>
/bin/sh -c #(nop) COPY multi:e3b74028236e29e6d632776e87a1e65753cbc3277409e76037c878f7aed9b201 in /x/<sp>
/bin/sh -c #(nop) COPY file:4942362024dd4be67fac32ff2a7f324eff07ab5e3f3ed7f908288b3b37e4b823 in /y/<sp>
/bin/sh -c #(nop) COPY file:679c43c79a56cffbb3b002bda3050542c152a2f09757a0f1a9578871f7cda00d in /l/<sp>
/bin/sh -c #(nop) COPY dir:1869a81ab78f8263e4a723d2ff4980d42597e8801618efd4935b439891663b2a in /d2<sp>
/bin/sh -c #(nop) COPY file:3de65d3197a62e29599d7434a0a85ac2adf31f351c84e3e3aaf23810a3810ef8 in /h1<sp>
/bin/sh -c #(nop) COPY file:f6991074de2eae9f32a0d394546e11b58c52f74b131a5f278eeb01c73ac2ce7f in /h2<sp>
/bin/sh -c #(nop) COPY dir:ea086bf3f0401752252c26b79a7e67a25ebd9a8b8cec6a8d84a5593c55777a9b in /hd<sp>
/bin/sh -c #(nop) COPY file:0ff176cb49a4376dfc8f4abf70af4464f4e1cece19439a95261a5566ac6d1024 in /hz<sp>
/bin/sh -c #(nop) COPY dir:5544307474f9e3990a6a4a554c0901d4e5b6e241f47dfe42bf6b6a5c98c9f0c8 in /e<sp>
/bin/sh -c #(nop) COPY file:830a62309a56741f7b78224825e6db468254659e7d27667068860825ed005848 in /su<sp>
/bin/sh -c #(nop) COPY dir:18f101f53bdf41b831f952e42f965182a759ebf259c960ee16d824fa00bba631 in /sp<sp>
/bin/sh -c #(nop) COPY file:e2752da0a0db66161a666577966625591849ad3d1e8183ba43367fc4066ce13a in /capf<sp>
/bin/sh -c #(nop) COPY file:2fd5e0196d11163696c2d8a8b71ea5343681a2bc3c0421e3e6066bde99389020 in /long<sp>
/bin/sh -c #(nop) ADD multi:14d132e6da643f96e7e2cbe7f6f0582c32aa6762c1fb30518e870eef59ae8767 in /t/<sp>
/bin/sh -c #(nop) COPY --chown=5:6file:679c43c79a56cffbb3b002bda3050542c152a2f09757a0f1a9578871f7cda00d in /o.txt<sp>
/bin/sh -c #(nop) COPY dir:0478f200bf533f85c5fe3c48219310609a334258b059f851af11fccf17c9040a in /all<sp>'

# ... and of the last stage: COPY --from hashes the rootfs with its owners
# and the names this host gives them (5 games, 6 disk on Debian).
DOCKER_FROM='/bin/sh -c #(nop) COPY dir:c996dbdb2db8b85c516fcb77a74897d883755890f3b20716abb97eba6b3d8d07 in /fd<sp>
/bin/sh -c #(nop) COPY file:62ac4be8b5a1c0aa345ecf74ce0928f6c8cafe52db79163f88f970e35e9c7687 in /fo<sp>
/bin/sh -c #(nop) COPY multi:a40e76d01de6bbc37d158183ed1d769dd6fa53f2f52a40f0b25d25266a91aad5 in /fm/<sp>'

@test "build_tarsum: every COPY/ADD's CREATED BY is the string Docker 20.10 wrote for the same context" {
  tarsum_context "$CTX"
  run --separate-stderr b build -q --target s1 -t demo/ts:s1 "$CTX"
  assert_success
  [ "$(created_by demo/ts:s1 | tac)" = "$DOCKER_S1" ] ||
    fail_with "$(diff <(echo "$DOCKER_S1") <(created_by demo/ts:s1 | tac))"
  [ "$(getent passwd 5 | cut -d: -f1):$(getent group 6 | cut -d: -f1)" = games:disk ] ||
    skip "COPY --from's strings need this host's names of 5 and 6 (games, disk)"
  run --separate-stderr b build -q -t demo/ts:1 "$CTX"
  assert_success
  [ "$(created_by demo/ts:1 | tac)" = "$DOCKER_FROM" ] ||
    fail_with "$(diff <(echo "$DOCKER_FROM") <(created_by demo/ts:1 | tac))"
}

@test "build_tarsum: a rebuild is all cache and reads no file, hard links and symlinks too" {
  tarsum_context "$CTX"
  b build -q -t demo/ts:1 "$CTX" > /dev/null
  # a build within 50 ms of a file's change reads it again (racy, as git's
  # index): rebuild until the files are older
  local n=0
  until [[ "$(BERTH_DEBUG_CONTEXT=1 b build -q "$CTX" 2>&1 > /dev/null)" == *" 0 files read" ]]; do
    n=$((n + 1))
    [ "$n" -lt 20 ] || fail_with "every rebuild reads the context again"
  done
  run --separate-stderr env BERTH_DEBUG_CONTEXT=1 "$BERTH" --root "$BERTH_TEST_ROOT" build "$CTX"
  assert_success
  [ "$stderr" = "berth: context: 0 files read" ] || fail_with "$stderr"
  [ "$(cache_hits)" -eq 22 ] || fail_with "$output"
  # touch only: a hit; one byte changed (same size, same mtime): a miss
  # from that step on, and the new hash
  touch "$CTX/b.txt"
  run --separate-stderr b build "$CTX"
  [ "$(cache_hits)" -eq 22 ] || fail_with "$output"
  local keep
  keep=$(stat -c %y "$CTX/a.txt")
  printf 'hellO\n' > "$CTX/a.txt"
  touch -d "$keep" "$CTX/a.txt"
  run --separate-stderr b build -t demo/ts:2 "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 0 ] || fail_with "$output"
  [[ "$(created_by demo/ts:2 | tail -1)" != *679c43c79a56cffbb3b002bda3050542c152a2f09757a0f1a9578871f7cda00d* ]] ||
    fail_with "$(created_by demo/ts:2)"
}

# Where Docker's hash is the same for two different copies, berth's cache
# still tells them apart (berth's digest in container_config's Cmd).
@test "build_tarsum: Docker's hash blind to a symlink's name, its target or a hard link's contents: berth misses" {
  tarsum_context "$CTX"
  # a symlink source: Docker hashes the followed path, copied as link.txt
  dockerfile 'FROM scratch' 'COPY link.txt /l/'
  b build -q "$CTX" > /dev/null
  dockerfile 'FROM scratch' 'COPY a.txt /l/'
  run --separate-stderr b build -t demo/l:1 "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 0 ] || fail_with "$output"
  [ "$(created_by demo/l:1 | head -1)" = '/bin/sh -c #(nop) COPY file:679c43c79a56cffbb3b002bda3050542c152a2f09757a0f1a9578871f7cda00d in /l/<sp>' ] ||
    fail_with "$(created_by demo/l:1)"
  # but a rebuild of it hits
  run --separate-stderr b build "$CTX"
  [ "$(cache_hits)" -eq 1 ] || fail_with "$output"
  # a symlink in a directory: another target naming the same file
  dockerfile 'FROM scratch' 'COPY dir2 /d2'
  b build -q -t demo/d2:1 "$CTX" > /dev/null
  ln -sfn ./f "$CTX/dir2/ln"
  run --separate-stderr b build -t demo/d2:2 "$CTX"
  [ "$(cache_hits)" -eq 0 ] || fail_with "$output"
  [ "$(created_by demo/d2:1)" = "$(created_by demo/d2:2)" ] || fail_with "Docker's hash moved"
  # a hard link after the first: its '1' entry holds no contents
  dockerfile 'FROM scratch' 'COPY h2 /h2'
  b build -q -t demo/h:1 "$CTX" > /dev/null
  printf 'HARD\n' > "$CTX/h1"
  run --separate-stderr b build -t demo/h:2 "$CTX"
  [ "$(cache_hits)" -eq 0 ] || fail_with "$output"
  [ "$(created_by demo/h:1)" = "$(created_by demo/h:2)" ] || fail_with "Docker's hash moved"
}

# Docker 20.10.24's history for these two Dockerfiles on tarsum_context,
# recorded as above.
@test "build_tarsum: COPY --from reads the image's layers alone; links in a rootfs, links to nothing" {
  tarsum_context "$CTX"
  mkdir "$CTX/dir3" && printf 'o\n' > "$CTX/dir3/ok" && chmod 0644 "$CTX/dir3/ok"
  ln -s nothere "$CTX/dir3/dang" && ln -s /etc/passwd "$CTX/dir3/abs"
  dockerfile 'FROM scratch AS s1' 'COPY dir2 /d2' 'COPY a.txt /a' 'COPY hd /hd' 'COPY dir3 /d3' \
    'FROM scratch' 'COPY --from=s1 /d2 /x' 'COPY --from=s1 / /r' 'COPY --from=s1 /d2/ln /hd /m/' \
    'COPY --from=s1 /d3 /y'
  run --separate-stderr b build -q -t demo/from:1 "$CTX"
  assert_success
  # a link to nothing: in the context by its own path, in a rootfs by the
  # path it points to; / of s1 holds nothing of a container's init layer
  # (/dev, /etc/hosts, /.dockerenv would change its hash)
  [ "$(created_by demo/from:1 | tac)" = '/bin/sh -c #(nop) COPY dir:2022e684a5d27f9d8d14525ad146c571ce1ebbd2bdf069e13146619ec173952c in /x<sp>
/bin/sh -c #(nop) COPY dir:114e224f6922c4c0746a3a01c4af420e65510f98b814fb40b45278ee495081e1 in /r<sp>
/bin/sh -c #(nop) COPY multi:c4867bf2891477675474e107ba2281fcf2383654af5acf37c491153886e5820a in /m/<sp>
/bin/sh -c #(nop) COPY dir:f3085dc4ef7176aea393a2f2fb38f5b86903c89fdb4f02f87ab7373fc2c942c5 in /y<sp>' ] ||
    fail_with "$(created_by demo/from:1)"
  run --separate-stderr b build -q --target s1 -t demo/from:s1 "$CTX"
  [ "$(created_by demo/from:s1 | head -1)" = '/bin/sh -c #(nop) COPY dir:56fe793f1162cdf25a9edeb9436f571dfe2430c68665be1374ed377e2d2f6bbb in /d3<sp>' ] ||
    fail_with "$(created_by demo/from:s1)"
}

@test "tarsum: a file's security.capability alone changed misses the COPY cache, as its bytes would" {
  require_tool setcap
  echo x > "$CTX/f"
  dockerfile "FROM $IMG" 'COPY f /f'
  b build -q "$CTX" > /dev/null
  sleep 0.1 # past the stat cache's racy window: the next build records the file
  b build -q "$CTX" > /dev/null
  setcap cap_net_raw+ep "$CTX/f"
  run --separate-stderr b build "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 0 ] || fail_with "a capability change must miss"
  run --separate-stderr b build "$CTX"
  [ "$(cache_hits)" -eq 1 ] || fail_with "and hit once built"
}
