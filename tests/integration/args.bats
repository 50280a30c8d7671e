#!/usr/bin/env bats
# A command line as Docker's client takes it: flags anywhere among the
# arguments (pflag's; but for run, create, exec and top, whose words after
# the image or container are the command's own), "--" ending them, and a
# wrong number of arguments refused in Docker's words with its status 1
# (cli/required.go).  Docker 20.10's texts are data: data/docker-args.txt,
# made by data/docker-args.sh with Debian's /usr/bin/docker pointed at a
# socket that does not exist (it errs on the command line first).

load lib/common

DATA="$INTEG_DIR/data"

setup() {
  common_setup
}

teardown() {
  common_teardown
}

# Where berth's words are its own on purpose (help.bats says the same of
# their help): build takes no URL; the descriptions of exec, pull,
# inspect, login, logout and version.  Docker's text, rewritten so.
own_words() {
  sed -e 's/docker/berth/g' \
    -e 's/ PATH | URL | -$/ PATH | -/' \
    -e 's/^Run a command in a running container$/Execute a command in a running container/' \
    -e 's/^Pull an image or a repository from a registry$/Pull an image from a registry/' \
    -e 's/^Return low-level information on Docker objects$/Return low-level information on images and containers/' \
    -e 's/^Log in to a Docker registry$/Log in to a registry./' \
    -e 's/^Log out from a Docker registry$/Log out from a registry./' \
    -e 's/^Show the Docker version information$/Show the berth version information/'
}

# The blocks of docker-args.txt, but diff's: berth's also compares two
# images (`berth diff IMAGE IMAGE`), so it takes 1 or 2 arguments.
docker_blocks() {
  tail -n +2 "$DATA/docker-args.txt" |
    awk '/^\$ docker /{ keep = $0 !~ /^\$ docker (container )?diff( |$)/ } keep'
}

# Each command line of docker_blocks run by berth, in the same shape.
berth_blocks() {
  local line status text
  local -a args
  while IFS= read -r line; do
    [[ "$line" == '$ docker '* ]] || continue
    read -r -a args <<< "${line#'$ docker '}"
    status=0
    text=$(b "${args[@]}" < /dev/null 2>&1) || status=$?
    printf '%s\n%s\n[exit %s]\n' "$line" "$text" "$status"
  done < <(docker_blocks)
}

@test "args: berth refuses a wrong number of arguments and a bad flag as Docker 20.10 does, status too" {
  store_snapshot
  diff -u <(docker_blocks | own_words) <(berth_blocks | sed 's/docker/berth/g') ||
    fail_with "berth differs from data/docker-args.txt (- Docker, + berth)"
  [[ "$(grep -c '^\$ docker ' "$DATA/docker-args.txt")" -gt 120 ]]
  assert_store_unchanged
}

@test "args: the data is still what Docker 20.10 prints" {
  require_tool /usr/bin/docker
  bash "$DATA/docker-args.sh" "$BATS_TEST_TMPDIR/docker-args.txt"
  diff -u <(tail -n +2 "$DATA/docker-args.txt") <(tail -n +2 "$BATS_TEST_TMPDIR/docker-args.txt") ||
    fail_with "Docker's texts changed: rerun data/docker-args.sh"
}

# want_args_error "CMD" WORDS...: berth CMD WORDS fails with status 1 and
# Docker's shape: the message, "See …", its usage lines and description as
# its --help shows them (berth's own commands, which Docker has not).
want_args_error() {
  local -a cmd
  read -r -a cmd <<< "$1"
  local message=$2
  shift 2
  local help usage description
  help=$(b "${cmd[@]}" --help)
  # the help's first paragraph, and its second
  usage=$(awk -v RS= 'NR == 1' <<< "$help")
  description=$(awk -v RS= 'NR == 2' <<< "$help")
  run --separate-stderr b "${cmd[@]}" "$@" < /dev/null
  [[ "$status" == 1 && "$output" == "" ]] || fail_with "berth ${cmd[*]} $* ($status): $output"
  local want="\"berth ${cmd[*]}\" $message"$'\n'"See 'berth ${cmd[*]} --help'."$'\n\n'"$usage"$'\n\n'"$description"
  [ "$stderr" = "$want" ] || fail_with "berth ${cmd[*]} $*: $stderr"
}

@test "args: berth's own commands count their arguments in Docker's words too" {
  store_snapshot
  want_args_error layers "requires exactly 1 argument."
  want_args_error "image layers" "requires exactly 1 argument." a b
  want_args_error mount "requires exactly 1 argument." a b
  want_args_error umount "requires exactly 1 argument."
  want_args_error "image mount" "requires at least 1 and at most 2 arguments." --rw
  want_args_error "image mount" "requires at least 1 and at most 2 arguments." a b c
  want_args_error "image umount" "requires exactly 1 argument." a b
  want_args_error diff "requires at least 1 and at most 2 arguments." a b c
  want_args_error "container diff" "requires at least 1 and at most 2 arguments."
  assert_store_unchanged
}

@test "args: a flag after the arguments is a flag, with or without POSIXLY_CORRECT; -- ends them" {
  python3 "$INTEG_DIR/lib/fixed_image.py" "$BATS_TEST_TMPDIR/fixed.tar"
  b load -q -i "$BATS_TEST_TMPDIR/fixed.tar" > /dev/null
  local want posix
  want=$(b history --no-trunc -q fixed/app:1.0)
  [[ "$want" == sha256:* ]] || fail_with "$want"
  for posix in "" 1; do
    run env ${posix:+POSIXLY_CORRECT=1} "$BERTH" --root "$BERTH_TEST_ROOT" history fixed/app:1.0 --no-trunc -q
    assert_success
    [ "$output" = "$want" ] || fail_with "POSIXLY_CORRECT=$posix: $output"
    run env ${posix:+POSIXLY_CORRECT=1} "$BERTH" --root "$BERTH_TEST_ROOT" images fixed/app -q --no-trunc
    assert_success
    [[ "$output" == "sha256:87faebfa2007"* ]] || fail_with "POSIXLY_CORRECT=$posix: $output"
    rm -f "$BATS_TEST_TMPDIR/out.tar"
    run env ${posix:+POSIXLY_CORRECT=1} "$BERTH" --root "$BERTH_TEST_ROOT" save fixed/app:1.0 -o "$BATS_TEST_TMPDIR/out.tar"
    assert_success
    tar -tf "$BATS_TEST_TMPDIR/out.tar" | grep -qx manifest.json || fail_with "no archive"
  done
  # after --, a word that looks like a flag is an argument (an image name
  # here, not a valid one)
  run --separate-stderr b history -- --no-trunc
  [[ "$status" == 1 && "$stderr" == "Error: invalid reference format" ]] ||
    fail_with "$status: $stderr"
  # and counts with the others: one too many
  run --separate-stderr b history fixed/app:1.0 -- -q
  [[ "$status" == 1 && "$stderr" == '"berth history" requires exactly 1 argument.'* ]] ||
    fail_with "$status: $stderr"
}
