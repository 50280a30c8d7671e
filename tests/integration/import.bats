#!/usr/bin/env bats
# import: from a URL (as Docker's daemon fetches it), with -c changes and
# --platform, compared with Docker 20.10's docker import; the round trip of
# export | import; bad input.

load lib/common
load lib/dockerd

setup() {
  common_setup
  HTTP_PID=
  WWW="$BATS_TEST_TMPDIR/www"
  mkdir -p "$WWW/rootfs/etc" "$WWW/rootfs/bin"
  echo hello > "$WWW/rootfs/etc/hello"
  ln -s ../etc/hello "$WWW/rootfs/bin/link"
  tar -C "$WWW/rootfs" --numeric-owner -czf "$WWW/rootfs.tar.gz" .
  echo "this is not a tar" > "$WWW/notar.tar.gz"
}

teardown() {
  [[ -z "$HTTP_PID" ]] || { kill "$HTTP_PID" 2> /dev/null; wait "$HTTP_PID" 2> /dev/null || true; }
  [[ -z "${DOCKERD_DIR:-}" ]] || dockerd_stop
  for id in $(b ps -aq --no-trunc 2> /dev/null); do
    b rm -f "$id" > /dev/null 2>&1 || true
  done
  common_teardown
}

# http_serve DIR: python3's http.server on 127.0.0.1 (a free port) serving
# DIR; sets HTTP and HTTP_PID.
http_serve() {
  local port="$BATS_TEST_TMPDIR/http.port"
  cat > "$BATS_TEST_TMPDIR/serve.py" << 'PY'
import functools, http.server, os, sys
root, portfile = sys.argv[1], sys.argv[2]
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), functools.partial(H, directory=root))
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
PY
  "$PY3" "$BATS_TEST_TMPDIR/serve.py" "$1" "$port" > "$BATS_TEST_TMPDIR/http.log" 2>&1 &
  HTTP_PID=$!
  local i
  for i in $(seq 100); do
    [[ -s "$port" ]] && break
    sleep 0.1
  done
  [[ -s "$port" ]] || fail_with "the http server did not start: $(cat "$BATS_TEST_TMPDIR/http.log")"
  HTTP="http://127.0.0.1:$(cat "$port")"
}

config_of() {
  cat "$(img_dir)/imagedb/content/sha256/$(b inspect "$1" | jq -r '.[0].Id | ltrimstr("sha256:")')"
}

@test "import URL: fetched and unpacked while it streams, Docker's lines and history comment" {
  http_serve "$WWW"
  run --separate-stderr b import "$HTTP/rootfs.tar.gz" imp/url:1
  assert_success
  [[ "${lines[0]}" == "Downloading from $HTTP/rootfs.tar.gz" ]] || fail_with "first line"
  [[ "${lines[1]}" == "$(b inspect imp/url:1 | jq -r '.[0].Id')" ]] || fail_with "the id last"
  [[ "${#lines[@]}" -eq 2 ]] || fail_with "two lines"
  [[ "$(config_of imp/url:1 | jq -r '.history[0].comment, .comment' | sort -u)" == "Imported from $HTTP/rootfs.tar.gz" ]] ||
    fail_with "comment"
  chain=$(b inspect imp/url:1 | jq -r '.[0].RootFS.Layers[0]')
  [[ "$(cat "$(layer_diff_dir "$chain")/etc/hello")" == "hello" ]] || fail_with "contents"
  [[ "$(readlink "$(layer_diff_dir "$chain")/bin/link")" == "../etc/hello" ]] || fail_with "symlink"
  # the same bytes as a file give the same layer
  b import "$WWW/rootfs.tar.gz" imp/file:1 > /dev/null
  [[ "$(b inspect imp/file:1 | jq -r '.[0].RootFS.Layers[0]')" == "$chain" ]] || fail_with "another layer"
  [[ -z "$(ls "$BERTH_TEST_ROOT/tmp" | grep -v '^\.' || true)" ]] || fail_with "tmp/ not empty"
}

@test "import -c: CMD ENV WORKDIR EXPOSE LABEL USER ENTRYPOINT VOLUME in the image's Config; -m; --platform" {
  run --separate-stderr b import -c 'CMD ["/bin/sh","-c","echo hi"]' -c 'ENV A=1 B="two words"' \
    -c 'WORKDIR /work' -c 'EXPOSE 8080/tcp 53/udp' -c 'LABEL k=v "x y"=z' -c 'USER nobody' \
    -c 'ENTRYPOINT /bin/entry' -c 'VOLUME /data /logs' -m "a message" "$WWW/rootfs.tar.gz" imp/c:1
  assert_success
  run --separate-stderr b inspect imp/c:1
  assert_success
  c=$(jq -c '.[0].Config | {Cmd, Env, WorkingDir, ExposedPorts, Labels, User, Entrypoint, Volumes}' <<< "$output")
  [[ "$c" == '{"Cmd":["/bin/sh","-c","echo hi"],"Env":["A=1","B=two words"],"WorkingDir":"/work","ExposedPorts":{"53/udp":{},"8080/tcp":{}},"Labels":{"k":"v","x y":"z"},"User":"nobody","Entrypoint":["/bin/sh","-c","/bin/entry"],"Volumes":{"/data":{},"/logs":{}}}' ]] ||
    fail_with "config: $c"
  [[ "$(jq -r '.[0].Comment' <<< "$output")" == "a message" ]] || fail_with "comment"
  run --separate-stderr b import --platform linux/arm64/v8 "$WWW/rootfs.tar.gz" imp/arm:1
  assert_success
  [[ "$(b inspect imp/arm:1 | jq -r '.[0] | .Os + "/" + .Architecture')" == "linux/arm64" ]] || fail_with "platform"
}

@test "import -c: the Config is Docker 20.10's docker import -c Config, byte for byte" {
  dockerd_start "$BATS_TEST_TMPDIR/docker"
  local changes=(-c 'CMD ["/bin/sh","-c","echo hi"]' -c 'ENV A=1 B="two words"' -c 'WORKDIR /work'
    -c 'EXPOSE 8080/tcp 53/udp' -c 'LABEL k=v "x y"=z' -c 'USER nobody' -c 'ENTRYPOINT /bin/entry'
    -c 'VOLUME /data /logs')
  did=$(dk import "${changes[@]}" -m msg "$WWW/rootfs.tar.gz" imp/d:1)
  b import "${changes[@]}" -m msg "$WWW/rootfs.tar.gz" imp/b:1 > /dev/null
  dconf="$(dk_img_dir)/imagedb/content/sha256/${did#sha256:}"
  for key in config container_config rootfs comment os architecture; do
    [[ "$(jq -c ".$key" "$dconf")" == "$(config_of imp/b:1 | jq -c ".$key")" ]] ||
      fail_with "$key: docker $(jq -c ".$key" "$dconf") berth $(config_of imp/b:1 | jq -c ".$key")"
  done
  # without changes too, from a URL: the same comment
  http_serve "$WWW"
  did=$(dk import "$HTTP/rootfs.tar.gz" | tail -1)
  b import "$HTTP/rootfs.tar.gz" imp/u:1 > /dev/null
  dconf="$(dk_img_dir)/imagedb/content/sha256/${did#sha256:}"
  for key in config history[0].comment rootfs; do
    [[ "$(jq -c ".$key" "$dconf")" == "$(config_of imp/u:1 | jq -c ".$key")" ]] || fail_with "url: $key"
  done
}

@test "export CONTAINER | import: the same files come back" {
  b import "$WWW/rootfs.tar.gz" imp/src:1 > /dev/null
  cid=$(b create imp/src:1 /bin/true)
  b export "$cid" | b import - imp/rt:1 > /dev/null
  a=$(b inspect imp/src:1 | jq -r '.[0].RootFS.Layers[0]')
  r=$(b inspect imp/rt:1 | jq -r '.[0].RootFS.Layers[0]')
  (cd "$(layer_diff_dir "$a")" && find . -printf '%p %y %m %U:%G %s %l\n' | sort) > "$BATS_TEST_TMPDIR/a"
  (cd "$(layer_diff_dir "$r")" && find . -printf '%p %y %m %U:%G %s %l\n' | sort) > "$BATS_TEST_TMPDIR/r"
  # what export adds for a container (its mount points) aside, the same tree
  grep -vE '^\./(\.dockerenv|dev|proc|sys|etc/(hostname|hosts|resolv\.conf|mtab))( |/)' "$BATS_TEST_TMPDIR/r" |
    diff "$BATS_TEST_TMPDIR/a" - || fail_with "another tree"
  [[ "$(cat "$(layer_diff_dir "$r")/etc/hello")" == "hello" ]] || fail_with "contents"
}

# bad_import WORDS ARGS...: import ARGS fails with one line holding WORDS,
# the store (holding an image imported before) unchanged.
bad_import() {
  local words=$1
  shift
  b import "$WWW/rootfs.tar.gz" imp/before:1 > /dev/null
  store_snapshot
  run --separate-stderr b import "$@"
  assert_one_line_error
  [[ "$stderr" == *"$words"* ]] || fail_with "expected the words: $words"
  assert_store_unchanged
}

@test "import, bad input: a URL answered 404" {
  http_serve "$WWW"
  bad_import "Error: import: failed to GET $HTTP/nope.tar.gz with status 404 File not found: " "$HTTP/nope.tar.gz" imp/x:1
  [[ "$output" == "" ]] || fail_with "no Downloading line before a 404"
}

@test "import, bad input: a URL whose body is not a tar" {
  http_serve "$WWW"
  bad_import "Error: import: invalid layer tar: " "$HTTP/notar.tar.gz" imp/x:1
}

@test "import, bad input: a URL nothing listens on" {
  bad_import "Error: import: Get \"http://127.0.0.1:1/r.tar\": connect: Connection refused" http://127.0.0.1:1/r.tar
}

@test "import, bad input: -c with an instruction import does not take, before anything is read" {
  bad_import "Error: BOGUS is not a valid change command" -c 'BOGUS x' "$WWW/rootfs.tar.gz"
  bad_import "Error: stopsignal is not a valid change command" -c 'STOPSIGNAL 9' "$WWW/rootfs.tar.gz"
  bad_import "Error: ENV requires" -c 'ENV' "$WWW/rootfs.tar.gz"
}

@test "import, bad input: --platform of another OS, as Docker's words" {
  bad_import "Error: operating system is not supported" --platform windows/amd64 "$WWW/rootfs.tar.gz"
}
