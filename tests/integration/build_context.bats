#!/usr/bin/env bats
# `build` (issue 7): the context from standard input (`build -`: a
# Dockerfile alone, or a tar: plain, gzip, bzip2, xz), `-f -`, a context
# that is not a directory; ADD of an http(s) URL; FROM --platform, build
# --platform and --pull.  Docker 20.10's legacy builder's behaviour and
# words, checked against it here.

load lib/common
load lib/build

setup_file() {
  registry_with_fixtures REG plain basic multi
}

teardown() {
  [[ -n "${HTTP_PID:-}" ]] && kill "$HTTP_PID" 2> /dev/null
  container_teardown
}

# mktar OUT ENTRY...: a tar of entries NAME=f:TEXT (file), NAME=l:TARGET
# (symlink), NAME=h:TARGET (hard link), NAME=d (directory), written as
# given (names with ../ or / kept).
mktar() {
  "$PY3" - "$@" << 'PY'
import io, sys, tarfile
out, entries = sys.argv[1], sys.argv[2:]
with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as t:
    for e in entries:
        name, spec = e.split("=", 1)
        kind, _, val = spec.partition(":")
        ti = tarfile.TarInfo(name)
        ti.mtime = 1600000000
        if kind == "f":
            data = val.encode().decode("unicode_escape").encode()
            ti.size, ti.mode = len(data), 0o644
            t.addfile(ti, io.BytesIO(data))
        elif kind == "d":
            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            t.addfile(ti)
        else:
            ti.type = tarfile.SYMTYPE if kind == "l" else tarfile.LNKTYPE
            ti.linkname = val
            t.addfile(ti)
PY
}

# no_scratch: no scratch dir of a build is left in the store's tmp/
no_scratch() {
  local left
  left=$(ls -A "$BERTH_TEST_ROOT/tmp" | grep '^scratch-' || true)
  [[ -z "$left" ]] || fail_with "scratch dirs left: $left"
}

# ---- the context from standard input ---------------------------------------

@test "build - < Dockerfile: the Dockerfile alone is the context" {
  printf '%s\n' "FROM $IMG" 'RUN echo hi > /hi' > "$BATS_TEST_TMPDIR/Df"
  run --separate-stderr b build -t demo/stdin:1 - < "$BATS_TEST_TMPDIR/Df"
  assert_success
  assert_lines_match "$SENDING" "Step 1/2 : FROM $IMG" " ---> $H" 'Step 2/2 : RUN echo hi > /hi' \
    " ---> Running in $H" "Removing intermediate container $H" " ---> $H" \
    "Successfully built $H" 'Successfully tagged demo/stdin:1'
  run --separate-stderr in_image demo/stdin:1 cat /hi
  [ "$output" = hi ] || fail_with "$output"
  no_scratch
  # COPY finds only the Dockerfile (Docker's CLI sends it as "Dockerfile")
  printf '%s\n' "FROM $IMG" 'COPY . /x/' 'CMD ["ls","-l","/x"]' > "$BATS_TEST_TMPDIR/Df"
  run --separate-stderr b build -t demo/stdin:2 - < "$BATS_TEST_TMPDIR/Df"
  assert_success
  run --separate-stderr in_image demo/stdin:2 ls -A /x
  [ "$output" = Dockerfile ] || fail_with "$output"
  run --separate-stderr in_image demo/stdin:2 stat -c %a /x/Dockerfile
  [ "$output" = 644 ] || fail_with "$output"
  store_snapshot
  printf '%s\n' "FROM $IMG" 'COPY a /a' > "$BATS_TEST_TMPDIR/Df"
  run --separate-stderr b build - < "$BATS_TEST_TMPDIR/Df"
  assert_failure
  [[ "$stderr" == *"COPY failed: file not found in build context or excluded by .dockerignore: stat a: file does not exist"* ]] ||
    fail_with "$stderr"
  no_scratch
}

@test "build - < context.tar: plain, gzip, bzip2 and xz give the same image" {
  local t="$BATS_TEST_TMPDIR"
  mktar "$t/c.tar" "Dockerfile=f:FROM $IMG\nCOPY a /a\nCOPY sub /sub/\n" 'a=f:AAA\n' \
    'sub=d' 'sub/b=f:BBB\n' 'sub/Df=f:FROM '"$IMG"'\nCOPY a /other\n'
  gzip -k "$t/c.tar"
  bzip2 -k "$t/c.tar"
  xz -k "$t/c.tar"
  run --separate-stderr b build -t demo/tar:1 - < "$t/c.tar"
  assert_success
  want=$(short_id demo/tar:1)
  run --separate-stderr in_image demo/tar:1 cat /a /sub/b
  [ "$output" = $'AAA\nBBB' ] || fail_with "$output"
  for f in c.tar.gz c.tar.bz2 c.tar.xz; do
    run --separate-stderr b build - < "$t/$f"
    assert_success
    [[ "$output" == *"Successfully built $want"* ]] || fail_with "$f: $output"
  done
  # -f names a file inside the tar
  run --separate-stderr b build -t demo/tar:2 -f sub/Df - < "$t/c.tar.gz"
  assert_success
  run --separate-stderr in_image demo/tar:2 cat /other
  [ "$output" = AAA ] || fail_with "$output"
  no_scratch
  store_snapshot
  run --separate-stderr b build -f nope - < "$t/c.tar"
  assert_failure
  assert_one_line_error
  [ "$stderr" = "Error: Cannot locate specified Dockerfile: nope" ] || fail_with "$stderr"
  # an absolute -f is a path inside the tar too, as the daemon reads it
  run --separate-stderr b build -f "$t/c.tar" - < "$t/c.tar"
  assert_failure
  [ "$stderr" = "Error: Cannot locate specified Dockerfile: $t/c.tar" ] || fail_with "$stderr"
  assert_store_unchanged
  no_scratch
}

@test "build - < context.tar: no .dockerignore filter, but an excluded Dockerfile is removed" {
  local t="$BATS_TEST_TMPDIR"
  mktar "$t/c.tar" "Dockerfile=f:FROM $IMG\nCOPY . /x/\n" '.dockerignore=f:secret\nDockerfile\n' \
    'secret=f:s\n' 'a=f:a\n'
  run --separate-stderr b build -t demo/ign:1 - < "$t/c.tar"
  assert_success
  run --separate-stderr in_image demo/ign:1 ls -A /x
  [ "$output" = $'.dockerignore\na\nsecret' ] || fail_with "$output"
}

@test "build -f -: the Dockerfile from stdin, the context a directory" {
  echo AAA > "$CTX/a"
  echo 'a' > "$CTX/.dockerignore"
  echo b > "$CTX/b"
  run --separate-stderr b build -t demo/dfstdin:1 -f - "$CTX" <<< "FROM $IMG
COPY b /b
COPY . /x/"
  assert_success
  run --separate-stderr in_image demo/dfstdin:1 ls -A /x
  [ "$output" = $'.dockerignore\nb' ] || fail_with "$output"
  store_snapshot
  run --separate-stderr b build -f - - < /dev/null
  assert_failure
  assert_one_line_error
  [ "$stderr" = "Error: invalid argument: can't use stdin for both build context and dockerfile" ] ||
    fail_with "$stderr"
  assert_store_unchanged
}

@test "build: -f of a Dockerfile outside the context still works" {
  echo AAA > "$CTX/a"
  printf '%s\n' "FROM $IMG" 'COPY a /a' > "$BATS_TEST_TMPDIR/Outside"
  run --separate-stderr b build -t demo/out:1 -f "$BATS_TEST_TMPDIR/Outside" "$CTX"
  assert_success
  run --separate-stderr in_image demo/out:1 cat /a
  [ "$output" = AAA ] || fail_with "$output"
}

@test "build: a context that is a file, or absent, is Docker's error; nothing stored" {
  store_snapshot
  dockerfile "FROM $IMG"
  run --separate-stderr b build "$CTX/Dockerfile"
  assert_failure
  assert_one_line_error
  [ "$stderr" = "Error: unable to prepare context: context must be a directory: $(realpath "$CTX/Dockerfile")" ] ||
    fail_with "$stderr"
  run --separate-stderr b build "$CTX/none"
  assert_failure
  assert_one_line_error
  [ "$stderr" = "Error: unable to prepare context: path \"$CTX/none\" not found" ] || fail_with "$stderr"
  assert_store_unchanged
}

@test "build - < context.tar: entries escaping the context are refused; nothing stored" {
  local t="$BATS_TEST_TMPDIR" df="Dockerfile=f:FROM $IMG\nCOPY . /x/\n"
  mktar "$t/dotdot.tar" "$df" '../escape=f:bad\n'
  mktar "$t/deep.tar" "$df" 'a=d' 'a/../../escape=f:bad\n'
  mktar "$t/symout.tar" "$df" 'lnk=l:/nonexistent-dir' 'lnk/x=f:bad\n'
  mktar "$t/hardout.tar" "$df" 'hl=h:/etc/passwd'
  mktar "$t/hardup.tar" "$df" 'hl=h:../../../../etc/passwd'
  store_snapshot
  for f in dotdot deep; do
    run --separate-stderr b build - < "$t/$f.tar"
    assert_failure
    assert_one_line_error
    [[ "$stderr" == "Error: Error processing tar file(exit status 1): "*"escape"*"escapes the build context" ]] ||
      fail_with "$f: $stderr"
  done
  for f in symout hardout hardup; do
    run --separate-stderr b build - < "$t/$f.tar"
    assert_failure
    assert_one_line_error
    [[ "$stderr" == "Error: Error processing tar file(exit status 1): "* ]] || fail_with "$f: $stderr"
  done
  # a Dockerfile that is a link out is looked up inside the context, as the daemon does
  mktar "$t/dflink.tar" 'Dockerfile=l:/etc/hostname'
  run --separate-stderr b build - < "$t/dflink.tar"
  assert_failure
  assert_one_line_error
  [ "$stderr" = "Error: Cannot locate specified Dockerfile: Dockerfile" ] || fail_with "$stderr"
  [ ! -e "$t/escape" ] && [ ! -e "$BERTH_TEST_ROOT/escape" ] && [ ! -e "$BERTH_TEST_ROOT/tmp/escape" ] ||
    fail_with "an entry escaped"
  assert_store_unchanged
  no_scratch
}

@test "build - < a corrupt or truncated tar: an error, nothing stored" {
  local t="$BATS_TEST_TMPDIR"
  mktar "$t/c.tar" "Dockerfile=f:FROM $IMG\nCOPY . /x/\n" "a=f:$(head -c 3000 /dev/zero | tr '\0' a)"
  head -c 1100 "$t/c.tar" > "$t/trunc.tar"
  { printf '\037\213\010\000'; head -c 700 /dev/zero | tr '\0' g; } > "$t/corrupt.gz"
  printf 'BZh9garbage-garbage' > "$t/corrupt.bz2"
  store_snapshot
  for f in trunc.tar corrupt.gz corrupt.bz2; do
    run --separate-stderr b build - < "$t/$f"
    assert_failure
    assert_one_line_error
    [[ "$stderr" == "Error: Error processing tar file("* ]] || fail_with "$f: $stderr"
  done
  assert_store_unchanged
  no_scratch
}

@test "build -: a scratch dir left by a killed build is swept by the next command" {
  mkdir -p "$BERTH_TEST_ROOT/tmp/scratch-0123456789abcdef/sub"
  echo x > "$BERTH_TEST_ROOT/tmp/scratch-0123456789abcdef/sub/f"
  printf '%s\n' "FROM $IMG" 'RUN true' | b build -q - > /dev/null
  no_scratch
}

# http_serve DIR: a python3 http.server on 127.0.0.1 (a free port) serving
# DIR, plus /nolm/… (no Last-Modified), /cd… (Content-Disposition
# filename="named.txt") and /moved (a 302 to /f.txt); sets HTTP and
# HTTP_PID.
http_serve() {
  local port="$BATS_TEST_TMPDIR/http.port"
  cat > "$BATS_TEST_TMPDIR/serve_files.py" << 'PY'
import http.server, os, sys
root, portfile = sys.argv[1], sys.argv[2]
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def log_message(self, *a):
        pass
    def reply(self, body, headers):
        self.send_response(200)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        if self.path.startswith("/nolm/"):
            self.reply(b"no last-modified\n", [])
        elif self.path.startswith("/cd"):
            self.reply(b"named by the server\n",
                       [("Content-Disposition", 'attachment; filename="named.txt"'),
                        ("Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT")])
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/f.txt")
            self.end_headers()
        else:
            super().do_GET()
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
PY
  "$PY3" "$BATS_TEST_TMPDIR/serve_files.py" "$1" "$port" > "$BATS_TEST_TMPDIR/http.log" 2>&1 &
  HTTP_PID=$!
  local i
  for i in $(seq 100); do
    [[ -s "$port" ]] && break
    sleep 0.1
  done
  [[ -s "$port" ]] || fail_with "the http server did not start: $(cat "$BATS_TEST_TMPDIR/http.log")"
  HTTP="http://127.0.0.1:$(cat "$port")"
}

# www: the files the ADD tests download (their times as Docker saw them)
www() {
  WWW="$BATS_TEST_TMPDIR/www"
  mkdir -p "$WWW"
  echo "hello url" > "$WWW/f.txt"
  echo second > "$WWW/g.txt"
  printf 'x' > "$WWW/x"
  tar -C "$WWW" -czf "$WWW/t.tgz" x
  touch -d '2020-01-02 03:04:05 UTC' "$WWW/f.txt" "$WWW/g.txt"
  http_serve "$WWW"
}

# ---- ADD of a URL --------------------------------------------------------

# The hashes in CREATED BY are those Docker 20.10's legacy builder wrote
# for the same files (same names and contents) here.
@test "build: ADD <url> downloads the file: mode 0600, Last-Modified, never unpacked, Docker's history" {
  www
  dockerfile "FROM $IMG" "ADD $HTTP/f.txt /dir/" "ADD $HTTP/f.txt?x=1 /file" "ADD $HTTP/t.tgz /t/" \
    "ADD $HTTP/f.txt $HTTP/g.txt /m/" "ADD $HTTP/cd/ /c/" "ADD $HTTP/nolm/ /n" "ADD $HTTP/moved /r/"
  run --separate-stderr b build -t demo/url:1 "$CTX"
  assert_success
  # Docker's blank line after each download
  [[ "$output" == *$'Step 2/8 : ADD '"$HTTP"$'/f.txt /dir/\n\n ---> '* ]] || fail_with "$output"
  [[ "$output" == *$'Step 5/8 : ADD '"$HTTP/f.txt $HTTP"$'/g.txt /m/\n\n\n ---> '* ]] || fail_with "$output"
  run --separate-stderr in_image demo/url:1 stat -c '%n %a %u:%g %Y %s' /dir/f.txt /file /t/t.tgz \
    /m/f.txt /m/g.txt /c/named.txt /n /r/moved
  assert_success
  [ "$output" = "/dir/f.txt 600 0:0 1577934245 10
/file 600 0:0 1577934245 10
/t/t.tgz 600 0:0 $(stat -c %Y "$WWW/t.tgz") $(stat -c %s "$WWW/t.tgz")
/m/f.txt 600 0:0 1577934245 10
/m/g.txt 600 0:0 1577934245 7
/c/named.txt 600 0:0 784111777 20
/n 600 0:0 0 17
/r/moved 600 0:0 1577934245 10" ] || fail_with "$output"
  run --separate-stderr in_image demo/url:1 cat /dir/f.txt
  [ "$output" = "hello url" ] || fail_with "$output"
  run --separate-stderr created_by demo/url:1
  [ "${lines[0]}" = "/bin/sh -c #(nop) ADD 1eab6d220249f356460d051b5d581fcf92bf39e7cd438f2071c88dabe2319e3a in /r/<sp>" ] || fail_with "$output"
  [ "${lines[1]}" = "/bin/sh -c #(nop) ADD d1ad1d32fd0a14b0798c2cb2600e88ba86ffa79e514847993fc10b5555e201d7 in /n<sp>" ] || fail_with "$output"
  [ "${lines[2]}" = "/bin/sh -c #(nop) ADD 0384df430f38cb766b1b351635f898a16a83f0a61de28cbf963f8eac0407aff2 in /c/<sp>" ] || fail_with "$output"
  [ "${lines[3]}" = "/bin/sh -c #(nop) ADD multi:68ef5d77e139b88ea3b658d8ba77c88e6ab66615e1dfe68ab6c7fe3e193a6c75 in /m/<sp>" ] || fail_with "$output"
  [ "${lines[5]}" = "/bin/sh -c #(nop) ADD dc9142636ca715ec08473e238aeb52183b9b6b3c6e342363507f316a4282c131 in /file<sp>" ] || fail_with "$output"
  [ "${lines[6]}" = "/bin/sh -c #(nop) ADD dc9142636ca715ec08473e238aeb52183b9b6b3c6e342363507f316a4282c131 in /dir/<sp>" ] || fail_with "$output"
  no_scratch
}

@test "build: ADD <url> names the file from the decoded path, no pattern in it" {
  www
  echo br > "$WWW/a[1] b.txt"
  dockerfile "FROM $IMG" "ADD $HTTP/a%5B1%5D%20b.txt /d/"
  run --separate-stderr b build -t demo/urln:1 "$CTX"
  assert_success
  run --separate-stderr in_image demo/urln:1 cat '/d/a[1] b.txt'
  [ "$output" = br ] || fail_with "$output"
}

@test "build: ADD <url> is cached by content: same bytes hit, changed bytes miss; --chown as Docker glues it" {
  www
  echo local > "$CTX/l.txt"
  dockerfile "FROM $IMG" "ADD --chown=1:2 $HTTP/f.txt /c" "ADD l.txt $HTTP/g.txt /lm/"
  b build -q "$CTX" > /dev/null
  run --separate-stderr b build -t demo/urlc:1 "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 2 ] || fail_with "$output"
  run --separate-stderr created_by demo/urlc:1
  [ "${lines[1]}" = "/bin/sh -c #(nop) ADD --chown=1:2dc9142636ca715ec08473e238aeb52183b9b6b3c6e342363507f316a4282c131 in /c<sp>" ] || fail_with "$output"
  [[ "${lines[0]}" == "/bin/sh -c #(nop) ADD multi:"*" in /lm/<sp>" ]] || fail_with "$output"
  run --separate-stderr in_image demo/urlc:1 stat -c '%n %a %u:%g' /c /lm/l.txt /lm/g.txt
  [ "$output" = $'/c 600 1:2\n/lm/l.txt 644 0:0\n/lm/g.txt 600 0:0' ] || fail_with "$output"
  # same size, same time, one byte changed: the download is hashed again
  echo "hello URL" > "$WWW/f.txt"
  touch -d '2020-01-02 03:04:05 UTC' "$WWW/f.txt"
  run --separate-stderr b build "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 0 ] || fail_with "$output"
}

@test "build: ADD <url> errors: 404 with Docker's words, a refused connection, no file name; nothing stored" {
  www
  store_snapshot
  dockerfile "FROM $IMG" "ADD $HTTP/nope.txt /x"
  run --separate-stderr b build "$CTX"
  assert_failure
  assert_one_line_error
  [[ "$stderr" == "Error: Dockerfile:2: ADD failed: failed to GET $HTTP/nope.txt with status 404 File not found: <!DOCTYPE HTML>"*"Error code: 404"* ]] ||
    fail_with "$stderr"
  dockerfile "FROM $IMG" "ADD $HTTP/nolm/ /x/"
  run --separate-stderr b build "$CTX"
  assert_failure
  assert_one_line_error
  [ "$stderr" = "Error: Dockerfile:2: ADD failed: cannot determine filename for source $HTTP/nolm/" ] || fail_with "$stderr"
  kill "$HTTP_PID"
  wait "$HTTP_PID" 2> /dev/null || true
  HTTP_PID=
  dockerfile "FROM $IMG" "ADD $HTTP/f.txt /x"
  run --separate-stderr b build "$CTX"
  assert_failure
  assert_one_line_error
  [[ "$stderr" == "Error: Dockerfile:2: ADD failed: Get \"$HTTP/f.txt\": "*"onnection refused"* ]] || fail_with "$stderr"
  dockerfile "FROM $IMG" "COPY $HTTP/f.txt /x"
  run --separate-stderr b build "$CTX"
  assert_failure
  [[ "$stderr" == *"source can't be a URL for COPY"* ]] || fail_with "$stderr"
  assert_store_unchanged
  no_scratch
}

# ---- FROM --platform, build --platform, --pull ------------------------------

# arch IMAGE: the architecture of its config
arch() {
  b inspect "$1" | jq -r '.[0].Architecture'
}

@test "build: FROM --platform pulls the base for that platform; a local one of another is pulled for it" {
  local multi="$REG_HOST/test/multi:1"
  dockerfile 'ARG P=linux/arm64' "FROM --platform=\$P $multi" 'ENV A=1'
  run --separate-stderr b build -t demo/plat:arm "$CTX"
  assert_success
  [[ "$output" == *"Step 2/3 : FROM --platform=\$P $multi"$'\n'*"Pulling from test/multi"* ]] || fail_with "$output"
  [ "$(arch demo/plat:arm)" = arm64 ] || fail_with "$(arch demo/plat:arm)"
  [ "$(arch "$multi")" = arm64 ] || fail_with "base $(arch "$multi")"
  # the local base is of that platform: used, and the steps cached
  run --separate-stderr b build "$CTX"
  assert_success
  [[ "$output" != *"Pulling"* ]] || fail_with "$output"
  [ "$(cache_hits)" -eq 1 ] || fail_with "$output"
  # build --platform: the local arm64 base is not of it: pulled for amd64
  dockerfile "FROM $multi" 'ENV A=1'
  run --separate-stderr b build --platform linux/amd64 -t demo/plat:amd "$CTX"
  assert_success
  [[ "$output" == *"Pulling from test/multi"* ]] || fail_with "$output"
  [ "$(arch demo/plat:amd)" = amd64 ] || fail_with "$(arch demo/plat:amd)"
  # FROM's own --platform wins over build --platform (and the base is local)
  dockerfile "FROM --platform=linux/amd64 $multi" 'ENV A=1'
  run --separate-stderr b build --platform linux/arm64 -t demo/plat:amd2 "$CTX"
  assert_success
  [[ "$output" != *"Pulling"* ]] || fail_with "$output"
  [ "$(short_id demo/plat:amd2)" = "$(short_id demo/plat:amd)" ] || fail_with "$output"
}

@test "build: a bad platform, or a local-only base of another platform, is an error; nothing stored" {
  b tag "$IMG" "$REG_HOST/nosuch/base:1"
  store_snapshot
  dockerfile 'FROM --platform=nonsense/// '"$IMG"
  run --separate-stderr b build "$CTX"
  assert_failure
  assert_one_line_error
  [[ "$stderr" == "Error: Dockerfile:1: failed to parse platform nonsense///"* ]] || fail_with "$stderr"
  dockerfile "FROM $IMG"
  run --separate-stderr b build --platform 'a/b/c/d' "$CTX"
  assert_failure
  assert_one_line_error
  [[ "$stderr" == "Error: failed to parse platform a/b/c/d"* ]] || fail_with "$stderr"
  # only here, amd64: pulling it for arm64 finds nothing
  dockerfile "FROM --platform=linux/arm64 $REG_HOST/nosuch/base:1"
  run --separate-stderr b build "$CTX"
  assert_failure
  [[ "$stderr" == *"nosuch/base"* ]] || fail_with "$stderr"
  assert_store_unchanged
}

@test "build --pull: the base is pulled even when present, and a newer digest for the tag is used" {
  local moving="$REG_HOST/test/moving:1"
  skopeo --insecure-policy copy -q --dest-tls-verify=false --format v2s2 \
    "oci:$FIXTURES/busybox:latest" "docker://$moving" > /dev/null
  dockerfile "FROM $moving" 'ENV A=1'
  b build -q "$CTX" > /dev/null
  old=$(short_id "$moving")
  run --separate-stderr b build --pull "$CTX"
  assert_success
  [[ "$output" == *"Status: Image is up to date for $moving"* ]] || fail_with "$output"
  [ "$(cache_hits)" -eq 1 ] || fail_with "$output"
  # the tag moves in the registry
  skopeo --insecure-policy copy -q --dest-tls-verify=false --format v2s2 \
    "oci:$FIXTURES/layered:1" "docker://$moving" > /dev/null
  run --separate-stderr b build "$CTX"
  assert_success
  [[ "$output" == *" ---> $old"* ]] || fail_with "without --pull the local base is used: $output"
  run --separate-stderr b build --pull -t demo/pulled:1 "$CTX"
  assert_success
  [[ "$output" == *"Status: Downloaded newer image for $moving"* ]] || fail_with "$output"
  new=$(short_id "$moving")
  [ "$new" != "$old" ] || fail_with "the base did not change"
  [[ "$output" == *" ---> $new"* ]] || fail_with "$output"
  [ "$(cache_hits)" -eq 0 ] || fail_with "$output"
  [ "$(b inspect demo/pulled:1 | jq -r '.[0].Parent' | cut -c8-19)" = "$new" ] ||
    [ "$(layer_count demo/pulled:1)" = "$(layer_count "$moving")" ] || fail_with "not built on the new base"
}
