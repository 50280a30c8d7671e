#!/usr/bin/env bats
# --help of every command against what the command really parses: each
# flag the help lists is accepted (nothing listed that berth does not have),
# each option of the command's getopt table (its long names and its short
# letters, read from the source) is listed, and a flag Docker 20.10 also
# has is described in Docker's words (Debian's /usr/bin/docker, which
# prints its help without a daemon).

load lib/common

HELPTEXT="$INTEG_DIR/lib/helptext.py"
CLI_SRC="$REPO_ROOT/src/cli"

setup() {
  common_setup
}

teardown() {
  common_teardown
}

# every command and management subcommand, one per line ("image ls")
all_commands() {
  local c s
  for c in $(b --help | "$PY3" "$HELPTEXT" --commands); do
    echo "$c"
    for s in $(b "$c" --help | "$PY3" "$HELPTEXT" --commands); do
      echo "$c $s"
    done
  done
}

# flags CMD...: the flags CMD's help lists (helptext.py's lines: long,
# short, type, description apart by \x1f)
flags() {
  b "$@" --help | "$PY3" "$HELPTEXT"
}

# A value getopt takes for a flag of this type; the command's own checks
# may still refuse it, which is fine: the flag was accepted.
value_for() {
  case "$1" in
    "") ;;
    int) echo 1 ;;
    *) echo x ;;
  esac
}

# accepted CMD FLAG [VALUE]: the flag, then --help: a flag getopt does not
# know is refused before --help is reached
accepted() {
  local -a cmd
  read -r -a cmd <<< "$1"
  shift
  run --separate-stderr b "${cmd[@]}" "$@" --help < /dev/null
  if [[ "$stderr" == *"unknown flag"* || "$stderr" == *"unknown shorthand flag"* ||
    "$stderr" == *"flag needs an argument"* ]]; then
    echo "${cmd[*]} $*: $stderr" >&2
    return 1
  fi
}

@test "help: every flag a command's help lists is accepted, long and short" {
  local cmd long short type desc bad=0 n=0
  while read -r cmd; do
    while IFS=$'\x1f' read -r long short type desc; do
      n=$((n + 1))
      # shellcheck disable=SC2046
      accepted "$cmd" "--$long" $(value_for "$type") || bad=1
      if [[ -n "$short" ]]; then
        accepted "$cmd" "-$short" $(value_for "$type") || bad=1
      fi
    done < <(flags $cmd)
  done < <(all_commands)
  [[ "$bad" == 0 && "$n" -gt 50 ]] || fail_with "$n flags checked"
  # the check itself notices a flag berth does not have
  ! accepted "images" --bogus
  ! accepted "ps" -Z
}

# The files each command's getopt tables are in.
sources_of() {
  case "$1" in
    run | create) echo container_cli.c ;;
    login) echo cmd_login.c ;; # logout's table is login's file too: it has none
    logout) ;;
    image) echo cmd_image.c ;;
    manifest) echo cmd_manifest.c ;;
    *) echo "cmd_$1.c" ;;
  esac
}

@test "help: every option of a command's getopt table is in its help" {
  local c f opt letters l bad=0 listed
  for c in $(b --help | "$PY3" "$HELPTEXT" --commands); do
    # what the command and its subcommands list, together
    listed=" help h "
    while IFS=$'\x1f' read -r long short _; do
      listed+="$long $short "
    done < <(
      flags "$c"
      # create's table is run's, less the flags only run has
      [[ "$c" != create ]] || flags run
      for s in $(b "$c" --help | "$PY3" "$HELPTEXT" --commands); do flags "$c" "$s"; done
    )
    for f in $(sources_of "$c"); do
      [[ -f "$CLI_SRC/$f" ]] || continue
      # getopt's struct option tables, and flags.h's berth_flag tables
      for opt in $(grep -oE "\{ \"[a-z0-9-]+\", ((no|required|optional)_argument|'.'|0), " \
        "$CLI_SRC/$f" | sed -E 's/\{ "([^"]+)".*/\1/'); do
        [[ "$listed" == *" $opt "* ]] || {
          echo "$c: --$opt (in $f) is not in its help" >&2
          bad=1
        }
      done
      # the letters of the optstrings ("+:de:h:il:…"; h alone is --help)
      for letters in $(grep -oE 'getopt_long\(argc, argv, "[^"]*"' "$CLI_SRC/$f" |
        sed -E 's/.*"\+?:?([^"]*)"/\1/'); do
        for l in $(grep -oE '[a-zA-Z]:?' <<< "$letters"); do
          [[ "$l" == h ]] && continue
          l=${l%:}
          [[ "$listed" == *" $l "* ]] || {
            echo "$c: -$l (in $f) is not in its help" >&2
            bad=1
          }
        done
      done
    done
  done
  [[ "$bad" == 0 ]]
}

# Flags whose words are berth's on purpose: what berth does differs from
# Docker's flag of the same name (COMMAND:FLAG, the command's last word, so
# that `container run` is `run`).
OWN_WORDS=" build:network run:network create:network run:volume create:volume "
OWN_WORDS+=" start:attach push:format save:format run:restart create:restart attach:no-stdin "

@test "help: a flag Docker also has is described in Docker's words" {
  require_tool /usr/bin/docker
  local cmd long short type desc dlong dshort dtype ddesc bad=0 n=0 key
  while read -r cmd; do
    declare -A docker_desc=() docker_type=()
    while IFS=$'\x1f' read -r dlong dshort dtype ddesc; do
      docker_desc[$dlong]="$ddesc"
      docker_type[$dlong]="$dshort $dtype"
    done < <(/usr/bin/docker $cmd --help 2> /dev/null | "$PY3" "$HELPTEXT")
    while IFS=$'\x1f' read -r long short type desc; do
      key="${cmd##* }:$long"
      [[ -n "${docker_desc[$long]+set}" && "$OWN_WORDS" != *" $key "* ]] || continue
      n=$((n + 1))
      if [[ "$desc" != "${docker_desc[$long]}" || "$short $type" != "${docker_type[$long]}" ]]; then
        printf '%s --%s:\n docker: -%s %s\n berth:  -%s %s\n' "$cmd" "$long" \
          "${docker_type[$long]}" "${docker_desc[$long]}" "$short $type" "$desc" >&2
        bad=1
      fi
    done < <(flags $cmd)
    unset docker_desc docker_type
  done < <(all_commands)
  [[ "$bad" == 0 && "$n" -gt 40 ]] || fail_with "$n flags compared"
}

@test "help: create has run's flags less -d and --rm, and refuses those in Docker's words" {
  local run_flags create_flags
  run_flags=$(flags run | cut -d $'\x1f' -f1 | grep -vxE 'detach|rm')
  create_flags=$(flags create | cut -d $'\x1f' -f1)
  [ "$create_flags" = "$run_flags" ] || fail_with "create: $create_flags"
  store_snapshot
  run --separate-stderr b create -d busybox
  [ "$status" = 125 ] && [ "$stderr" = $'unknown shorthand flag: \'d\' in -d\nSee \'berth create --help\'.' ] ||
    fail_with "$status: $stderr"
  run --separate-stderr b create --rm busybox
  [ "$status" = 125 ] && [ "$stderr" = $'unknown flag: --rm\nSee \'berth create --help\'.' ] ||
    fail_with "$status: $stderr"
  assert_store_unchanged
}

@test "help: the global options are listed and accepted" {
  run b --help
  assert_success
  local f
  for f in "--config string" "-D, --debug" "--root string" "-v, --version"; do
    [[ "$output" == *"  $f "* ]] || fail_with "$f missing: $output"
  done
  run b -D --debug --config "$BATS_TEST_TMPDIR/cfg" version
  assert_success
  run b -v
  assert_success
  [[ "$output" == "berth version "* ]] || fail_with "$output"
}

@test "help: each command's help is in Docker's layout: Usage, a description, its options" {
  local cmd bad=0
  while read -r cmd; do
    # shellcheck disable=SC2086
    run b $cmd --help
    # (a management command's subcommands, image ls, container rm …, still
    # show the top-level command's usage: Docker shows "docker image ls")
    [[ "$status" == 0 && ("${lines[0]}" == "Usage:  berth $cmd"* || "$cmd" == *" "*) ]] || {
      echo "$cmd: ${lines[0]}" >&2
      bad=1
    }
    # the line after the usage lines (and the blank one) describes the command
    local i=1
    while [[ "${lines[i]}" == "        berth "* ]]; do i=$((i + 1)); done
    [[ -n "${lines[i]}" && "${lines[i]}" != "Options:" && "${lines[i]}" != "Commands:" ]] || {
      echo "$cmd: no description (${lines[i]})" >&2
      bad=1
    }
  done < <(all_commands)
  [[ "$bad" == 0 ]]
}

@test "help: every command refuses a flag it does not have in Docker's words" {
  local cmd bad=0
  store_snapshot
  while read -r cmd; do
    # a management command (image, system …) takes a subcommand first
    [[ -z "$(b $cmd --help | "$PY3" "$HELPTEXT" --commands)" ]] || continue
    # shellcheck disable=SC2086
    run --separate-stderr b $cmd --no-such-flag some-name < /dev/null
    [[ "$status" == 125 && "$stderr" == "unknown flag: --no-such-flag"$'\n'"See 'berth "* ]] || {
      echo "$cmd ($status): $stderr" >&2
      bad=1
    }
  done < <(all_commands)
  [[ "$bad" == 0 ]]
  assert_store_unchanged
}
