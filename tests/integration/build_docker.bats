#!/usr/bin/env bats
# `build` against Docker 20.10's legacy builder (issue 7, "Tests against
# material no one here wrote"): the same Dockerfiles built by berth and by
# a private dockerd (lib/dockerd.bash, one per file) from the same base
# image (the test registry's busybox, pulled by both), compared on the
# printed lines, the history (CREATED BY, empty_layer, sizes), the Config
# and the files of the result (lib/buildcmp.bash).  Together the files
# here use every instruction of the classic builder.

load lib/common
load lib/build
load lib/dockerd
load lib/buildcmp

setup_file() {
  registry_with_fixtures REG plain basic
  dockerd_start "$BATS_FILE_TMPDIR/dockerd"
  dk pull -q "$REG_HOST/library/busybox:latest" > /dev/null
}

teardown_file() {
  dockerd_stop
  registry_stop REG
}

setup() {
  build_setup
}

teardown() {
  dockerd_reset "$REG_HOST/library/busybox:latest"
  container_teardown
}

@test "build vs docker: both start from the same base image" {
  [ "$(b inspect "$IMG" | jq -r '.[0].Id')" = "$(dk inspect -f '{{.Id}}' "$IMG")" ] ||
    fail_with "berth and dockerd pulled different images for $IMG"
}

@test "build vs docker: ENV, ARG, LABEL, EXPOSE, STOPSIGNAL, USER, VOLUME, HEALTHCHECK, ONBUILD, MAINTAINER, CMD" {
  dockerfile "FROM $IMG" \
    'MAINTAINER Jane Doe <jane@example.com>' \
    'ENV A=1 B="two words" C=x\ y' \
    'ENV D 4 and more' \
    'ENV E=$A F=${B}-f' \
    'ARG V=arg1' \
    'ARG W' \
    'RUN echo "$V $E" > /v && echo "w=$W" >> /v' \
    'LABEL a=1 "b c"="d e" version="1.0"' \
    "LABEL org.example.x='single quoted'" \
    'EXPOSE 8080 53/udp 443 80/tcp' \
    'STOPSIGNAL SIGTERM' \
    'USER nobody' \
    'VOLUME ["/data", "/logs"]' \
    'VOLUME /cache /tmp/x' \
    'HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD wget -q -O- http://localhost/ || exit 1' \
    'ONBUILD RUN echo triggered' \
    'ONBUILD COPY . /app' \
    'CMD echo hello $A'
  compare_build meta --build-arg W=fromflag
}

@test "build vs docker: WORKDIR, COPY, ADD, SHELL, a RUN that changes nothing, exec ENTRYPOINT and CMD" {
  mkdir -p "$CTX/dir/sub" "$BATS_TEST_TMPDIR/pkg/etc"
  printf 'a\n' > "$CTX/a.txt"
  printf 'bb\n' > "$CTX/b.txt"
  printf 'readme\n' > "$CTX/README.md"
  printf 'notes\n' > "$CTX/NOTES.md"
  printf '#!/bin/sh\necho run\n' > "$CTX/dir/run.sh"
  printf 'deep\n' > "$CTX/dir/sub/deep.txt"
  chmod 0644 "$CTX"/*.txt "$CTX"/*.md "$CTX/dir/sub/deep.txt"
  chmod 0755 "$CTX/dir/run.sh" "$CTX/dir" "$CTX/dir/sub"
  printf 'packed\n' > "$BATS_TEST_TMPDIR/pkg/etc/packed.conf"
  tar -C "$BATS_TEST_TMPDIR/pkg" -czf "$CTX/pkg.tar.gz" etc
  dockerfile "FROM $IMG" \
    'WORKDIR app' \
    'WORKDIR /srv/www' \
    'WORKDIR sub' \
    'COPY a.txt .' \
    'COPY dir /opt/dir/' \
    'COPY a.txt b.txt /multi/' \
    'COPY *.md /docs/' \
    'COPY --chown=1000:1000 a.txt /owned/a.txt' \
    'COPY --chown=nobody:nogroup dir /owned/dir' \
    'COPY --chown=123 b.txt /owned/' \
    'ADD pkg.tar.gz /unpacked/' \
    'RUN true' \
    'SHELL ["/bin/sh", "-e", "-c"]' \
    'RUN echo shell > /shell.txt' \
    'HEALTHCHECK NONE' \
    'ENTRYPOINT ["/bin/echo", "entry"]' \
    'CMD ["cmd"]'
  compare_build fs
}

@test "build vs docker: shell-form ENTRYPOINT (no CMD yet), then shell CMD, exec HEALTHCHECK" {
  dockerfile "FROM $IMG" \
    'ENTRYPOINT echo "from entry" $HOME' \
    'HEALTHCHECK --start-period=1m30s --interval=5m CMD ["/bin/true", "arg"]' \
    'CMD ls -l /'
  compare_build entry
}

@test "build vs docker: a context with .dockerignore, long names, links and an empty file: COPY . and its size" {
  local long
  long=$(printf 'n%.0s' $(seq 1 120))
  mkdir -p "$CTX/d/$long" "$CTX/skip" "$CTX/keep/sub" "$CTX/$(printf 'p%.0s' $(seq 1 90))/$(printf 'q%.0s' $(seq 1 60))"
  printf 'x\n' > "$CTX/d/$long/f"
  printf 'y%.0s' $(seq 1 700) > "$CTX/d/big"
  : > "$CTX/empty"
  ln -s d/big "$CTX/link"
  ln "$CTX/d/big" "$CTX/hard"
  printf 'no\n' > "$CTX/skip/x"
  printf 'yes\n' > "$CTX/keep/sub/y"
  printf 'z\n' > "$CTX/$(printf 'p%.0s' $(seq 1 90))/$(printf 'q%.0s' $(seq 1 60))/z"
  printf '%s\n' skip 'keep' '!keep/sub' '*.log' > "$CTX/.dockerignore"
  printf 'log\n' > "$CTX/a.log"
  chmod -R go-w "$CTX"
  # Docker's CLI sends every file as 0:0: the owner here is in no hash
  chown 1000:1000 "$CTX/d/big"
  dockerfile "FROM $IMG" 'COPY . /ctx/' 'COPY d /d2' 'RUN ls -R /ctx > /dev/null'
  compare_build context
}

@test "build vs docker: COPY --from a stage (files of other owners, a dir, a link) and by index; FROM a stage" {
  dockerfile "FROM $IMG AS builder" \
    'RUN mkdir -p /out/sub && echo built > /out/f && echo s > /out/sub/s && ln -s f /out/l && chown -R 7:8 /out && chown 65534:65534 /out/sub/s' \
    "FROM $IMG AS second" \
    'COPY --from=builder /out/f /got' \
    'COPY --from=builder /out /all/' \
    'COPY --from=0 /out/l /out/sub/ /some/' \
    'FROM builder' \
    'COPY --from=1 /got /again'
  compare_build stages-second --target second
  compare_build stages
}

@test "build vs docker: word and value quirks (same-step references, ranges, empty forms, exec RUN, proxy args)" {
  mkdir -p "$CTX/tree/in"
  printf 'plain\n' > "$CTX/plain.txt"
  printf 'in\n' > "$CTX/tree/in/f"
  dockerfile "FROM $IMG" \
    'ENV X=a\ b Y="$X-1"' \
    'ENV DIR=/base' \
    'ENV  SPACED   value  with   spaces' \
    'LABEL "key \"q\""="v \"w\"" multi=one\ two' \
    'ARG EMPTY=' \
    'ARG UNSET' \
    'ARG X=argx' \
    'RUN echo "[$EMPTY] [$UNSET] [$X] [$HTTP_PROXY]" > /args' \
    'EXPOSE 3000-3002/tcp 9/udp' \
    'WORKDIR $DIR/x' \
    'RUN ["/bin/sh", "-c", "echo exec > e"]' \
    'ADD plain.txt tree /added/' \
    'COPY --chown=nobody:nogroup tree/in/ /named/' \
    'STOPSIGNAL 9' \
    'USER 1000:1000' \
    'VOLUME ["/a b", "/c"]' \
    'SHELL ["/bin/sh", "-c"]' \
    'ENTRYPOINT []' \
    'CMD []'
  # (not `--build-arg UNSET` with UNSET unset: Docker takes it as no
  # value, berth refuses it, as issue 7 asks)
  compare_build quirks --build-arg HTTP_PROXY=http://proxy.invalid
  # proxy args alone: in the RUN's environment, not in CREATED BY (`|0 …`),
  # unless an ARG declares one
  dockerfile "FROM $IMG" 'RUN echo "$all_proxy $NO_PROXY" > /p' 'ARG NO_PROXY' 'RUN echo "$NO_PROXY" > /q'
  # (all_proxy is not one in Docker 20.10: an unused build arg, warned
  # about; one only: Docker lists several in its map's random order)
  compare_build proxies --build-arg all_proxy=socks://p.invalid --build-arg NO_PROXY=localhost
}

@test "build vs docker: a rebuild prints Docker's cache lines; a failing RUN Docker's words and code" {
  printf 'a\n' > "$CTX/a.txt"
  dockerfile "FROM $IMG" 'COPY a.txt /' 'ENV A=1' 'RUN echo ran > /r' 'CMD ["cat", "/r"]'
  compare_build cached
  compare_build cached
  dockerfile "FROM $IMG" 'RUN echo step1' 'RUN exit 3'
  local d="$BATS_TEST_TMPDIR/fail"
  mkdir -p "$d"
  run b build "$CTX"
  echo "$status" > "$d/berth.status"
  printf '%s\n' "$output" | mask_build_output > "$d/berth.lines"
  run dk build --network none "$CTX"
  echo "$status" > "$d/docker.status"
  printf '%s\n' "$output" | mask_build_output > "$d/docker.lines"
  diff -u "$d/docker.lines" "$d/berth.lines" >&2 || fail_with "a failing build's lines differ"
  diff -u "$d/docker.status" "$d/berth.status" >&2 || fail_with "exit codes differ"
}

@test "build vs docker: old forms, overrides, uppercase protocol, whiteouts and links made by RUN, --label, -f, --target" {
  mkdir -p "$CTX/sub"
  printf 'one\n' > "$CTX/one"
  printf 'x\n' > "$CTX/sub/x"
  printf '%s\n' "ARG BASE=$IMG" 'ARG V=meta' 'FROM $BASE AS first' 'ARG V' \
    'RUN echo "$V" > /v && ln -s /v /vlink && rm -f /etc/nsswitch.conf && chmod 600 /etc/group' \
    'LABEL oldform value with spaces' \
    'ENV K "quoted value"' \
    'EXPOSE 80/TCP 53/UDP' \
    'HEALTHCHECK --interval=1m30s --timeout=2s --start-period=500ms --retries=10 CMD true' \
    'HEALTHCHECK --retries=1 CMD ["true"]' \
    'STOPSIGNAL SIGKILL' \
    'WORKDIR /a/b/../c/' \
    'COPY one sub/x ./' \
    'COPY sub /etc/' \
    'USER root:root' \
    'MAINTAINER someone' \
    'RUN echo by-maintainer > m' \
    'FROM first AS second' \
    'RUN rm -rf /etc/x /vlink' > "$CTX/sub/Build.file"
  compare_build olds -f "$CTX/sub/Build.file" --target first --label "built.by=both" --label 'a=x y' --label 'q=it'"'"'s $HOME'
  compare_build olds2 -f "$CTX/sub/Build.file"
}

@test "build vs docker: a .dockerignore that excludes itself and the Dockerfile; a Dockerfile outside the context" {
  printf 'kept\n' > "$CTX/kept"
  printf 'gone\n' > "$CTX/gone.md"
  printf '%s\n' Dockerfile .dockerignore '*.md' > "$CTX/.dockerignore"
  dockerfile "FROM $IMG" 'COPY . /ctx/' 'RUN ls -a /ctx'
  compare_build ignored
  # Docker's CLI adds an outside Dockerfile to the tar under a random name
  # and appends that name to the .dockerignore: one there keeps Docker's
  # number the same from run to run (context/send_size.c), and it
  # excludes itself because a copy of it differs with every Docker build
  # (berth's is the file as it is: a deliberate difference)
  printf '%s\n' "FROM $IMG" 'COPY . /ctx/' > "$BATS_TEST_TMPDIR/Outside.dockerfile"
  printf '%s\n' '*.md' .dockerignore > "$CTX/.dockerignore"
  compare_build outside -f "$BATS_TEST_TMPDIR/Outside.dockerfile"
}

@test "build vs docker: the COPY cache after touch and chmod of a source" {
  printf 'a\n' > "$CTX/a.txt"
  dockerfile "FROM $IMG" 'COPY a.txt /' 'RUN cat /a.txt'
  compare_build c1
  touch -d '2001-01-01' "$CTX/a.txt"
  compare_build c2
  chmod 600 "$CTX/a.txt"
  compare_build c4
  # (a chown alone: Docker hits, as its CLI sends every file as 0:0 and the
  # copy is 0:0; berth misses, as its digest of the sources keeps owners:
  # stricter, never wrong, not compared here)
}

@test "build vs docker: a base's ONBUILD triggers run in the child build, from the child's context" {
  printf 'parent\n' > "$CTX/p.txt"
  dockerfile "FROM $IMG" 'ONBUILD RUN echo triggered > /t' 'ONBUILD COPY . /app/' 'ONBUILD ENV FROM_TRIGGER=1' 'CMD ["sh"]'
  compare_build parent
  rm "$CTX/p.txt"
  printf 'child\n' > "$CTX/c.txt"
  dockerfile 'FROM cmp/parent' 'RUN cat /t /app/c.txt'
  compare_build child
  dockerfile 'FROM cmp/parent AS base' 'FROM base' 'RUN ls /app'
  compare_build grandchild
}

@test "build vs docker: -q, --no-cache, --rm=false and --force-rm print what Docker prints" {
  dockerfile "FROM $IMG" 'RUN echo one > /one' 'ENV A=1' 'RUN echo two'
  compare_build flags -q
  compare_build flags --no-cache
  compare_build flags --no-cache --rm=false
  # --rm=false kept every RUN's container, in both (Docker's also those of
  # its metadata steps, which berth has none of)
  # and `ps` names their images by short ID, as Docker's
  [ "$(b ps -a | sed 1d | awk '{ print length($2) }' | sort -u)" = 12 ] &&
    [ "$(b ps -a | sed 1d | wc -l)" -eq "$(dk ps -a | sed 1d | grep -vc '#(nop)')" ] ||
    fail_with "--rm=false: $(b ps -a) $(dk ps -a)"
  b rm -f $(b ps -aq) > /dev/null
  dk rm -f $(dk ps -aq) > /dev/null
  dockerfile "FROM $IMG" 'RUN echo ok' 'RUN echo bad && exit 7'
  local d="$BATS_TEST_TMPDIR/forcerm" tool
  mkdir -p "$d"
  for tool in b dk; do
    run "$tool" build --force-rm --no-cache "$CTX"
    { echo "status $status"; printf '%s\n' "$output" | mask_build_output; } > "$d/$tool.lines"
    [[ $tool == b ]] && b ps -aq > "$d/$tool.left" || dk ps -aq > "$d/$tool.left"
  done
  diff -u "$d/dk.lines" "$d/b.lines" >&2 || fail_with "--force-rm: the lines differ"
  [[ ! -s "$d/b.left" && ! -s "$d/dk.left" ]] || fail_with "--force-rm left a container"
}

@test "build vs docker: a stage the target does not need is not built (berth's choice), the rest as Docker's" {
  dockerfile "FROM $IMG AS unused" 'RUN echo never > /n' "FROM $IMG AS used" 'RUN echo used > /u' \
    'FROM used' 'COPY --from=used /u /u2'
  BUILDCMP_DOCKER_SKIP="1 2" compare_build stages-needed
}

@test "build vs docker: substitution modifiers, the escape directive, continuations and comments in the Step lines" {
  printf '%s\n' '# escape=`' "FROM $IMG" 'ENV SET=yes EMPTY=' \
    'ENV A=${SET:-d1} B=${UNSET:-d2} C=${SET:+alt} D=${UNSET:+alt} F=${EMPTY:-d4} G=`$SET' \
    'LABEL l1="${SET}s" l2=${UNSET:-x}y' \
    'WORKDIR /w/${SET:+sub}' \
    'RUN echo a && `' \
    '    # a comment inside' \
    '' \
    '    echo "b c"   `' \
    '      > /out' \
    'CMD echo $A `' \
    '  $B' > "$CTX/Dockerfile"
  compare_build words
}

@test "build vs docker: COPY destinations (existing dir without /, a link in the image, new parents, --chown parents) and several tags" {
  mkdir -p "$CTX/dir/in" "$CTX/logs/keep" "$CTX/deep/a/b"
  printf 'a\n' > "$CTX/a.txt"
  printf 'i\n' > "$CTX/dir/in/i"
  printf 'l\n' > "$CTX/logs/x.log"
  printf 'k\n' > "$CTX/logs/keep/important.log"
  printf 'd\n' > "$CTX/deep/a/b/d.log"
  printf 't\n' > "$CTX/top.log"
  printf '%s\n' '**/*.log' '!logs/keep/important.log' '/top.log' > "$CTX/.dockerignore"
  ln -s dir "$CTX/dirlink"
  dockerfile "FROM $IMG" 'RUN ln -s /tmp /linkdir && mkdir -m 700 /private' \
    'COPY a.txt /etc' 'COPY a.txt /newfile' 'COPY dir /etc/' 'COPY a.txt /linkdir/' \
    'COPY dirlink /viadirlink/' 'COPY --chown=1:2 dir /p1/p2/p3/' 'COPY a.txt /private/sub/' \
    'WORKDIR /w' 'COPY a.txt rel/' 'COPY . /all/' 'COPY logs /logs/' \
    'ADD --chown=3:4 pkg.tgz /un/packed/' 'ADD --chown=5:6 a.txt /added/deep/'
  mkdir -p "$BATS_TEST_TMPDIR/pkg/t"
  printf 'p\n' > "$BATS_TEST_TMPDIR/pkg/t/p"
  tar -C "$BATS_TEST_TMPDIR/pkg" --owner=7 --group=8 -czf "$CTX/pkg.tgz" t
  compare_build dests -t cmp/dests:two -t other/tag
}
