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

# Every flag is parsed through a berth_flag table (flags.h), and --help is
# printed from that same table, so what a command takes and what its help
# lists can only part where a command parses a flag some other way, or
# where its help comes from a table other than the one parsed.  So, read
# from the source: getopt_long is called only by flags.c (and main.c, for
# the global options), no other struct option table exists, nothing
# compares argv to a flag by hand but a management command's --help; and
# every row of a file's tables is listed, with its shorthand, by the help
# of the commands whose usage ("berth CMD …", their spec) that file holds.
@test "help: every flag in a command's table is in its help, and none is parsed but by a table" {
  local f c long key bad=0 n=0 files=0 listed cmds
  cd "$CLI_SRC"
  run grep -lE 'getopt_long\(' -- *.c
  [ "$output" = $'flags.c\nmain.c' ] || fail_with "getopt_long in: $output"
  run grep -lE '\{ "[a-z0-9-]+", (no|required|optional)_argument' -- *.c
  [ "$output" = $'flags.c\nmain.c' ] || fail_with "a struct option table in: $output"
  run grep -nE 'cmp\([a-z_>.-]*argv\[[^]]*\], "-' -- *.c
  [[ "$(grep -vE '^(manage|cmd_manifest)\.c:[0-9]+:  if \(strcmp\(argv\[1\], "--help"\) == 0 \|\| strcmp\(argv\[1\], "-h"\) == 0\)' <<< "$output")" == "" ]] ||
    fail_with "argv compared to a flag by hand: $output"
  for f in *.c; do
    grep -qE "\{ \"[a-z0-9-]+\", ('.'|[A-Z][A-Z0-9_]*), " "$f" || continue
    files=$((files + 1))
    # the commands whose specs are in f, and what their help lists
    cmds=0
    listed=" "
    while read -r c; do
      # shellcheck disable=SC2086
      b $c --help > /dev/null 2>&1 || continue # words of a message, not a command
      cmds=$((cmds + 1))
      while IFS=$'\x1f' read -r long key _; do
        listed+="$long/$key "
      done < <(
        flags $c
        # create's table is run's, less the flags only run has
        [[ "$c" != create ]] || flags run
      )
    done < <(grep -oE '"berth( [a-z][a-z-]*)+' "$f" | sed 's/^"berth //' | sort -u)
    [[ "$cmds" -gt 0 ]] || {
      echo "$f: flag tables, but the usage of no command" >&2
      bad=1
    }
    while read -r long key; do
      n=$((n + 1))
      [[ "$key" == \'?\' ]] && key=${key:1:1} || key=""
      [[ "$listed" == *" $long/$key "* ]] || {
        echo "$f: --$long${key:+ (-$key)} is not in the help of its commands" >&2
        bad=1
      }
    done < <(grep -oE "\{ \"[a-z0-9-]+\", ('.'|[A-Z][A-Z0-9_]*), " "$f" |
      sed -E 's/\{ "([^"]+)", ([^,]+), /\1 \2/')
  done
  [[ "$bad" == 0 && "$files" -ge 30 && "$n" -gt 100 ]] || fail_with "$files files, $n rows"
}

# Flags whose words are berth's on purpose: what berth does differs from
# Docker's flag of the same name (COMMAND:FLAG, the command's last word, so
# that `container run` is `run`).
OWN_WORDS=" run:volume create:volume "
OWN_WORDS+=" start:attach push:format save:format run:restart create:restart "

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
    # (a management command's subcommands show their own form, as Docker
    # does: "berth image ls", not "berth images")
    [[ "$status" == 0 && "${lines[0]}" == "Usage:  berth $cmd"* ]] || {
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

# Where berth's usage or aliases differ from Docker 20.10's on purpose:
# build takes no URL; `container remove` is newer Docker's name that berth
# takes too.
OWN_USAGE=" build image:build builder:build "
OWN_ALIASES=" container:rm "

@test "help: a command's usage line and aliases are Docker's, a management form's too" {
  require_tool /usr/bin/docker
  local cmd docker_help want got bad=0 n=0
  while read -r cmd; do
    # shellcheck disable=SC2086
    docker_help=$(/usr/bin/docker $cmd --help 2> /dev/null)
    want=$(grep -m1 '^Usage:' <<< "$docker_help" | sed 's/^Usage:  docker /Usage:  berth /')
    # berth's own commands: Docker prints its parent's help
    [[ "$want" == "Usage:  berth $cmd"* && "$want" != *" COMMAND" ]] || continue
    n=$((n + 1))
    # shellcheck disable=SC2086
    got=$(b $cmd --help | head -1)
    [[ "$got" == "$want" || "$OWN_USAGE" == *" ${cmd/ /:} "* ]] || {
      printf '%s:\n docker: %s\n berth:  %s\n' "$cmd" "$want" "$got" >&2
      bad=1
    }
    want=$(grep -A1 '^Aliases:' <<< "$docker_help" | tail -n +2)
    # shellcheck disable=SC2086
    got=$(b $cmd --help | grep -A1 '^Aliases:' | tail -n +2)
    [[ "$got" == "$want" || "$OWN_ALIASES" == *" ${cmd/ /:} "* ]] || {
      printf '%s aliases:\n docker: %s\n berth:  %s\n' "$cmd" "$want" "$got" >&2
      bad=1
    }
  done < <(all_commands)
  [[ "$bad" == 0 && "$n" -gt 60 ]] || fail_with "$n commands compared"
}

# Commands whose flags, words and usage are all Docker's: their help is
# Docker's to the byte (pflag's order by name, its alignment, its wrapping
# at 80 columns, a management form's usage and aliases).
SAME_HELP=(commit history images import info kill load pause port rename rmi stop tag top unpause
  wait export "image ls" "image rm" "image history" "image import" "image inspect" "image load"
  "image prune" "image tag" "container commit" "container export" "container kill"
  "container pause" "container port" "container prune" "container rename" "container stop"
  "container top" "container unpause" "container wait" "system df" "system info" "system prune")

@test "help: where all is Docker's, the help is Docker's to the byte" {
  require_tool /usr/bin/docker
  local cmd bad=0
  for cmd in "${SAME_HELP[@]}"; do
    # shellcheck disable=SC2086
    diff -u <(/usr/bin/docker $cmd --help | tail -n +2) \
      <(b $cmd --help < /dev/null | sed 's/berth/docker/g') >&2 || bad=1
  done
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
