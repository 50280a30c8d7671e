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
