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

teardown_file() {
  registry_stop REG
}

setup() {
  build_setup
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
  assert_lines_match "Step 1/2 : FROM $IMG" " ---> $H" 'Step 2/2 : RUN echo hi > /hi' \
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
    [[ "$stderr" == "Error: Error processing tar file(exit status 1): "*"escape"* ]] || fail_with "$f: $stderr"
    echo "# $f: $stderr" >&3
  done
  for f in symout hardout hardup; do
    run --separate-stderr b build - < "$t/$f.tar"
    assert_failure
    assert_one_line_error
    [[ "$stderr" == "Error: Error processing tar file(exit status 1): "* ]] || fail_with "$f: $stderr"
    echo "# $f: $stderr" >&3
  done
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
    echo "# $f: $stderr" >&3
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
