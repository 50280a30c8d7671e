#!/usr/bin/env bats
# `build` (issue 7): heredocs in RUN, COPY and ADD with BuildKit's
# semantics (Docker 20.10's classic builder has none; podman 4.3 / buildah
# 1.28 here have none either: they read the body lines as instructions), and
# ONBUILD triggers run in the child build as Docker 20.10's classic builder
# runs them, on the test registry's busybox.

load lib/common
load lib/build

TAB=$'\t'

@test "heredoc: RUN <<EOF runs the body with the shell; CREATED BY holds the body" {
  dockerfile "FROM $IMG" 'ENV WHO=world' 'RUN <<EOF' 'echo "one $WHO" > /one' 'echo two >> /one' 'EOF'
  run --separate-stderr b build -t hd/run:1 "$CTX"
  assert_success
  assert_lines_match "$SENDING" "Step 1/3 : FROM $IMG" " ---> $H" 'Step 2/3 : ENV WHO=world' " ---> $H" \
    'Step 3/3 : RUN <<EOF' " ---> Running in $H" "Removing intermediate container $H" " ---> $H" \
    "Successfully built $H" 'Successfully tagged hd/run:1'
  run --separate-stderr in_image hd/run:1 cat /one
  assert_success
  [ "$output" = $'one world\ntwo' ] || fail_with "got '$output'"
  run --separate-stderr created_by hd/run:1
  [ "${lines[0]}" = '/bin/sh -c echo "one $WHO" > /one' ] || fail_with "$output"
  [ "${lines[1]}" = 'echo two >> /one' ] || fail_with "$output"
}

@test "heredoc: a body starting with #! runs with that interpreter from /dev/pipes" {
  dockerfile "FROM $IMG" 'RUN <<EOF' '#!/usr/bin/awk -f' 'BEGIN { print "by awk" > "/by-awk" }' 'EOF' \
    'RUN <<SCRIPT' '#!/bin/sh' 'echo "$0" > /zero' 'SCRIPT' 'USER nobody' 'RUN <<EOF' '#!/bin/sh' 'id -u' 'EOF'
  run --separate-stderr b build -t hd/bang:1 "$CTX"
  assert_success
  [[ "$output" == *$'\n65534\n'* ]] || fail_with "$output"
  run --separate-stderr in_image hd/bang:1 cat /by-awk /zero
  assert_success
  [ "$output" = $'by awk\n/dev/pipes/SCRIPT' ] || fail_with "got '$output'"
  # the pipe is not in the image, and its scratch dir is gone
  run --separate-stderr in_image hd/bang:1 ls /dev/pipes
  assert_failure
  run ls "$BERTH_TEST_ROOT/tmp"
  [[ "$output" != *stage-* ]] || fail_with "left in tmp/: $output"
  run --separate-stderr created_by hd/bang:1
  [[ "$output" == *'/bin/sh -c <<SCRIPT'*'echo "$0" > /zero'*'SCRIPT'* ]] || fail_with "$output"
}

@test "heredoc: RUN cmd <<EOF feeds stdin; quoted delimiters, <<- tabs and several heredocs" {
  dockerfile "FROM $IMG" 'ENV WHO=world' \
    'RUN cat <<EOF > /plain' 'hello $WHO' 'EOF' \
    "RUN cat <<'EOF' > /single" 'hello $WHO' 'EOF' \
    'RUN cat <<"EOF" > /double' 'hello $WHO' 'EOF' \
    'RUN cat <<-EOF > /tabs' "${TAB}${TAB}indented" "${TAB}EOF" \
    'RUN cat <<A > /a && cat <<B > /b' 'first' 'A' 'second' 'B'
  run --separate-stderr b build -q -t hd/stdin:1 "$CTX"
  assert_success
  run --separate-stderr in_image hd/stdin:1 cat /plain /single /double /tabs /a /b
  assert_success
  [ "$output" = $'hello world\nhello $WHO\nhello $WHO\nindented\nfirst\nsecond' ] || fail_with "got '$output'"
  run --separate-stderr created_by hd/stdin:1
  [ "${lines[0]}" = '/bin/sh -c cat <<A > /a && cat <<B > /b' ] || fail_with "$output"
  [ "${lines[1]}" = 'first' ] && [ "${lines[2]}" = 'A' ] || fail_with "$output"
  [ "${lines[3]}" = 'second' ] && [ "${lines[4]}" = 'B' ] || fail_with "$output"
}

@test "heredoc: COPY/ADD <<EOF make files: expansion unless quoted, several, --chown/--chmod" {
  dockerfile "FROM $IMG" 'ARG NAME=arg' 'ENV WHO=world' 'WORKDIR /w' \
    'COPY <<EOF /etc/greeting' 'hello $WHO from ${NAME} "quoted" \$HOME' 'EOF' \
    "COPY <<'EOF' literal" 'hello $WHO' 'EOF' \
    'COPY --chown=1:2 --chmod=600 <<a <<b /dir/' 'A' 'a' 'B' 'b' \
    'ADD <<-EOF /added' "${TAB}added" 'EOF'
  run --separate-stderr b build -q -t hd/copy:1 "$CTX"
  assert_success
  run --separate-stderr in_image hd/copy:1 cat /etc/greeting /w/literal /dir/a /dir/b /added
  assert_success
  [ "$output" = $'hello world from arg "quoted" $HOME\nhello $WHO\nA\nB\nadded' ] || fail_with "got '$output'"
  run ls "$BERTH_TEST_ROOT/tmp"
  [[ "$output" != *stage-* ]] || fail_with "left in tmp/: $output"
  run --separate-stderr in_image hd/copy:1 stat -c '%n %a %u:%g' /etc/greeting /w/literal /dir/a /dir/b /added
  [ "$output" = $'/etc/greeting 644 0:0\n/w/literal 644 0:0\n/dir/a 600 1:2\n/dir/b 600 1:2\n/added 644 0:0' ] \
    || fail_with "got '$output'"
  run --separate-stderr created_by hd/copy:1
  [[ "${lines[1]}" == '/bin/sh -c #(nop) COPY --chown=1:2'*'multi:'*' in /dir/<sp>' ]] || fail_with "$output"
  [[ "${lines[3]}" == '/bin/sh -c #(nop) COPY file:'*' in /etc/greeting<sp>' ]] || fail_with "$output"
}

@test "heredoc: COPY of a context file and a heredoc together; a heredoc destination is refused" {
  echo from-context > "$CTX/ctx.txt"
  dockerfile "FROM $IMG" 'COPY ctx.txt <<EOF /both/' 'from-heredoc' 'EOF'
  run --separate-stderr b build -q -t hd/both:1 "$CTX"
  assert_success
  run --separate-stderr in_image hd/both:1 cat /both/ctx.txt /both/EOF
  [ "$output" = $'from-context\nfrom-heredoc' ] || fail_with "got '$output'"
  store_snapshot
  dockerfile "FROM $IMG" 'COPY ctx.txt <<EOF' 'x' 'EOF'
  run --separate-stderr b build "$CTX"
  assert_failure
  assert_one_line_error
  [[ "$stderr" == *"Dockerfile:2: COPY cannot accept a heredoc as a destination"* ]] || fail_with "$stderr"
  dockerfile "FROM $IMG" 'COPY <<EOF <<EOF2 /one-file' 'x' 'EOF' 'y' 'EOF2'
  run --separate-stderr b build "$CTX"
  assert_failure
  assert_one_line_error
  [[ "$stderr" == *"Dockerfile:2: When using COPY with more than one source file, the destination must be a directory and end with a /"* ]] \
    || fail_with "$stderr"
  assert_store_unchanged
}

@test "heredoc: an unchanged body hits the cache, a changed one misses (RUN and COPY)" {
  dockerfile "FROM $IMG" 'RUN <<EOF' 'echo one > /one' 'EOF' 'COPY <<EOF /f' 'body one' 'EOF' 'ENV A=1'
  b build -q "$CTX" > /dev/null
  run --separate-stderr b build "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 3 ] || fail_with "$output"
  # the COPY body changes: its step and the next miss
  dockerfile "FROM $IMG" 'RUN <<EOF' 'echo one > /one' 'EOF' 'COPY <<EOF /f' 'body two' 'EOF' 'ENV A=1'
  run --separate-stderr b build -t hd/cache:2 "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 1 ] || fail_with "$output"
  run --separate-stderr in_image hd/cache:2 cat /f
  [ "$output" = 'body two' ] || fail_with "got '$output'"
  # the RUN body changes, by one byte, line count and first line the same
  dockerfile "FROM $IMG" 'RUN <<EOF' 'echo one > /One' 'EOF' 'COPY <<EOF /f' 'body two' 'EOF' 'ENV A=1'
  run --separate-stderr b build -t hd/cache:3 "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 0 ] || fail_with "$output"
  [[ "$output" == *$'Step 2/4 : RUN <<EOF\n ---> Running in'* ]] || fail_with "$output"
  # a quoted delimiter, no variable in the body: the same file, a hit;
  # with one, another file, a miss
  dockerfile "FROM $IMG" 'RUN <<EOF' 'echo one > /One' 'EOF' "COPY <<'EOF' /f" 'body two' 'EOF' 'ENV A=1'
  run --separate-stderr b build "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 3 ] || fail_with "same body, same file: $output"
  dockerfile "FROM $IMG" 'ENV V=x' 'COPY <<EOF /f' '$V' 'EOF'
  b build -q "$CTX" > /dev/null
  dockerfile "FROM $IMG" 'ENV V=x' "COPY <<'EOF' /f" '$V' 'EOF'
  run --separate-stderr b build -t hd/cache:4 "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 1 ] || fail_with "$output"
  run --separate-stderr in_image hd/cache:4 cat /f
  [ "$output" = '$V' ] || fail_with "got '$output'"
}

# The ONBUILD base of the tests below: triggers of each kind, written as
# Docker keeps them (the continuation joined).
onbuild_base() {
  mkdir -p "$BATS_TEST_TMPDIR/base"
  printf '%s\n' "FROM $IMG" 'ONBUILD RUN echo trig1 > /t1' 'ONBUILD   COPY f.txt /f.txt' \
    'ONBUILD ENV X=1' 'ONBUILD RUN   echo "a  b"   \' '  && echo c' > "$BATS_TEST_TMPDIR/base/Dockerfile"
  b build -q -t hd/obbase:1 "$BATS_TEST_TMPDIR/base" > /dev/null
}

@test "onbuild: the triggers as Docker records them; a child runs them right after FROM" {
  onbuild_base
  run --separate-stderr b inspect hd/obbase:1
  assert_success
  [ "$(jq -c '.[0].Config.OnBuild' <<< "$output")" = \
    '["RUN echo trig1 > /t1","COPY f.txt /f.txt","ENV X=1","RUN   echo \"a  b\"     && echo c"]' ] \
    || fail_with "$output"
  run --separate-stderr created_by hd/obbase:1
  [ "${lines[0]}" = '/bin/sh -c #(nop)  ONBUILD RUN   echo "a  b"     && echo c' ] || fail_with "$output"
  echo hello > "$CTX/f.txt"
  dockerfile 'FROM hd/obbase:1' 'RUN cat /f.txt /t1'
  run --separate-stderr b build -t hd/obchild:1 "$CTX"
  assert_success
  # Docker 20.10's lines: no Step and no " ---> <id>" per trigger
  assert_lines_match "$SENDING" 'Step 1/2 : FROM hd/obbase:1' '# Executing 4 build triggers' \
    " ---> Running in $H" "Removing intermediate container $H" \
    " ---> Running in $H" 'a  b' 'c' "Removing intermediate container $H" " ---> $H" \
    'Step 2/2 : RUN cat /f.txt /t1' " ---> Running in $H" 'hello' 'trig1' \
    "Removing intermediate container $H" " ---> $H" \
    "Successfully built $H" 'Successfully tagged hd/obchild:1'
  run --separate-stderr b inspect hd/obchild:1
  [ "$(jq -c '.[0].Config.OnBuild' <<< "$output")" = null ] || fail_with "$output"
  [[ "$(jq -c '.[0].Config.Env' <<< "$output")" == *'"X=1"'* ]] || fail_with "$output"
  run --separate-stderr created_by hd/obchild:1
  [ "${lines[0]}" = '/bin/sh -c cat /f.txt /t1' ] || fail_with "$output"
  [ "${lines[1]}" = '/bin/sh -c echo "a  b"     && echo c' ] || fail_with "$output"
  [ "${lines[2]}" = '/bin/sh -c #(nop)  ENV X=1' ] || fail_with "$output"
  [[ "${lines[3]}" == '/bin/sh -c #(nop) COPY file:'*' in /f.txt<sp>' ]] || fail_with "$output"
  [ "${lines[4]}" = '/bin/sh -c echo trig1 > /t1' ] || fail_with "$output"
  # the rebuild: every trigger from the cache, as Docker prints it
  run --separate-stderr b build "$CTX"
  assert_success
  assert_lines_match "$SENDING" 'Step 1/2 : FROM hd/obbase:1' '# Executing 4 build triggers' \
    ' ---> Using cache' ' ---> Using cache' ' ---> Using cache' ' ---> Using cache' " ---> $H" \
    'Step 2/2 : RUN cat /f.txt /t1' ' ---> Using cache' " ---> $H" "Successfully built $H"
  # a changed file that a trigger copies from the child's context misses there
  echo changed > "$CTX/f.txt"
  run --separate-stderr b build -t hd/obchild:2 "$CTX"
  assert_success
  [ "$(cache_hits)" -eq 1 ] || fail_with "$output"
  run --separate-stderr in_image hd/obchild:2 cat /f.txt
  [ "$output" = changed ] || fail_with "got '$output'"
}

@test "onbuild: one trigger, a grandchild sees none, an earlier stage's triggers, a heredoc trigger" {
  dockerfile "FROM $IMG" 'ONBUILD RUN <<EOF' 'echo from-heredoc > /hd' 'EOF'
  b build -q -t hd/ob1:1 "$CTX" > /dev/null
  run --separate-stderr b inspect hd/ob1:1
  [ "$(jq -c '.[0].Config.OnBuild' <<< "$output")" = '["RUN <<EOF\necho from-heredoc > /hd\nEOF"]' ] \
    || fail_with "$output"
  dockerfile 'FROM hd/ob1:1'
  run --separate-stderr b build -t hd/ob1child:1 "$CTX"
  assert_success
  assert_lines_match "$SENDING" 'Step 1/1 : FROM hd/ob1:1' '# Executing 1 build trigger' \
    " ---> Running in $H" "Removing intermediate container $H" " ---> $H" \
    "Successfully built $H" 'Successfully tagged hd/ob1child:1'
  run --separate-stderr in_image hd/ob1child:1 cat /hd
  [ "$output" = from-heredoc ] || fail_with "got '$output'"
  dockerfile 'FROM hd/ob1child:1' 'RUN test ! -e /again'
  run --separate-stderr b build "$CTX"
  assert_success
  [[ "$output" != *"build trigger"* ]] || fail_with "$output"
  # FROM an earlier stage that declared triggers runs them too
  dockerfile "FROM $IMG AS base" 'ONBUILD RUN echo staged > /staged' 'FROM base' 'RUN cat /staged'
  run --separate-stderr b build "$CTX"
  assert_success
  [[ "$output" == *$'Step 3/4 : FROM base\n# Executing 1 build trigger\n ---> Running in'* ]] \
    || fail_with "$output"
  [[ "$output" == *$'\nstaged\n'* ]] || fail_with "$output"
}

# A base image whose config holds the trigger $1 (as an image made by
# another tool could): its config written into the store by hand.
crafted_base() {
  dockerfile "FROM $IMG" 'ONBUILD RUN true'
  b build -q -t hd/craft:1 "$CTX" > /dev/null
  local id new dir
  id=$(b inspect hd/craft:1 | jq -r '.[0].Id')
  dir="$(img_dir)/imagedb/content/sha256"
  jq -c --arg t "$1" '.config.OnBuild = [$t]' "$dir/${id#sha256:}" > "$BATS_TEST_TMPDIR/cfg"
  new=$(sha256sum "$BATS_TEST_TMPDIR/cfg" | cut -d' ' -f1)
  cp "$BATS_TEST_TMPDIR/cfg" "$dir/$new"
  b tag "sha256:$new" hd/craft:bad
}

@test "onbuild: triggers Docker refuses, in the Dockerfile and in a base image; nothing stored" {
  store_snapshot
  local -a cases=(
    'ONBUILD ONBUILD RUN x|Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn'"'"'t allowed'
    'ONBUILD FROM busybox|Dockerfile:2: FROM isn'"'"'t allowed as an ONBUILD trigger'
    'ONBUILD MAINTAINER me|Dockerfile:2: MAINTAINER isn'"'"'t allowed as an ONBUILD trigger'
    'RUN <<EOF|Dockerfile:2: unterminated heredoc (<<EOF)'
  )
  assert_refused_cases "${cases[@]}"
  assert_store_unchanged
  local -a bad=(
    'ONBUILD RUN x|Chaining ONBUILD via `ONBUILD ONBUILD` isn'"'"'t allowed'
    'FROM busybox|FROM isn'"'"'t allowed as an ONBUILD trigger'
    'BOGUS x|unknown instruction: BOGUS'
    $'RUN <<EOF\necho never|ONBUILD trigger:1: unterminated heredoc (<<EOF)'
  )
  for c in "${bad[@]}"; do
    crafted_base "${c%%|*}"
    store_snapshot
    dockerfile 'FROM hd/craft:bad' 'RUN echo child'
    run --separate-stderr b build "$CTX"
    assert_failure
    assert_one_line_error
    [[ "$stderr" == *"Dockerfile:1: ${c#*|}"* ]] || fail_with "${c%%|*}: $stderr"
    assert_store_unchanged
  done
}
