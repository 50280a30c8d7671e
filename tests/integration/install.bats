#!/usr/bin/env bats
# `meson install` into a DESTDIR: the binary, the bash completion and the
# manual pages (berth(1), berth-COMMAND(1), generated at build time from the
# --help texts) where Debian puts them under the prefix; the completion
# completes commands, flags and the store's image and container names.

load lib/common

# the build directory of the binary under test ($BERTH: BUILDDIR/src/cli/berth)
BUILDDIR="$(cd "$(dirname "$BERTH")/../.." && pwd)"

setup_file() {
  export DEST="$BATS_FILE_TMPDIR/dest"
  meson install --no-rebuild --quiet -C "$BUILDDIR" --destdir "$DEST" > "$BATS_FILE_TMPDIR/log" 2>&1 || {
    cat "$BATS_FILE_TMPDIR/log" >&2
    return 1
  }
  PREFIX=$(meson introspect --buildoptions "$BUILDDIR" |
    "$PY3" -c 'import json,sys; o={x["name"]:x["value"] for x in json.load(sys.stdin)}; print(o["prefix"]); print(o["datadir"]); print(o["mandir"]); print(o["bindir"])')
  {
    read -r prefix
    read -r datadir
    read -r mandir
    read -r bindir
  } <<< "$PREFIX"
  export BIN="$DEST$prefix/$bindir/berth"
  export COMPLETION="$DEST$prefix/$datadir/bash-completion/completions/berth"
  export MAN1="$DEST$prefix/$mandir/man1"
}

setup() {
  common_setup
}

teardown() {
  common_teardown
}

@test "install: berth, its bash completion and man pages in Debian's places" {
  [[ -x "$BIN" ]] || fail_with "no $BIN: $(find "$DEST" -type f)"
  [[ -f "$COMPLETION" ]] || fail_with "no $COMPLETION: $(find "$DEST" -type f)"
  [[ "$COMPLETION" == */share/bash-completion/completions/berth ]]
  [[ "$MAN1" == */share/man/man1 ]]
  run "$BIN" --version
  assert_success
  # one page per command and management subcommand, as --help lists them
  local c s
  [[ -f "$MAN1/berth.1" ]] || fail_with "no berth.1: $(ls "$MAN1")"
  for c in $(b --help | "$PY3" "$INTEG_DIR/lib/helptext.py" --commands); do
    [[ -f "$MAN1/berth-$c.1" ]] || fail_with "no berth-$c.1"
    for s in $(b "$c" --help | "$PY3" "$INTEG_DIR/lib/helptext.py" --commands); do
      [[ -f "$MAN1/berth-$c-$s.1" ]] || fail_with "no berth-$c-$s.1"
    done
  done
}

@test "install: a man page says what --help says" {
  require_tool man
  run env MANWIDTH=1000 man -l "$MAN1/berth-run.1"
  assert_success
  [[ "$output" == *"berth-run - Run a command in a new container"* ]] || fail_with "$output"
  local long short type desc
  # every flag of run's help, with its words, in the page
  while IFS=$'\x1f' read -r long short type desc; do
    [[ "$output" == *"--$long"* ]] || fail_with "--$long missing"
    [[ "$(tr -s ' \n' ' ' <<< "$output")" == *"$desc"* ]] || fail_with "--$long: $desc missing"
  done < <(b run --help | "$PY3" "$INTEG_DIR/lib/helptext.py")
  run env MANWIDTH=1000 man -l "$MAN1/berth.1"
  [[ "$output" == *"-D, --debug"* && "$output" == *"berth-images(1)"* ]] || fail_with "$output"
}

# complete WORD...: what the installed completion offers for the last word
complete_words() {
  PATH="$(dirname "$BIN"):$PATH" bash -c '
    source "$1"
    shift
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _berth
    printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETION" "$@"
}

@test "install: the completion offers commands, flags, image and container names" {
  run complete_words berth ver
  [[ "$output" == $'verify\nversion' ]] || fail_with "$output"
  run complete_words berth -
  [[ "$output" == *"--debug"* && "$output" == *"--root"* ]] || fail_with "$output"
  run complete_words berth run --en
  [[ "$output" == $'--entrypoint\n--env\n--env-file' ]] || fail_with "$output"
  run complete_words berth image l
  [[ "$output" == *ls* && "$output" == *load* ]] || fail_with "$output"
  # any management command's subcommands, from its own --help
  run complete_words berth system d
  [[ "$output" == df ]] || fail_with "$output"
  # the store's names (the store given with --root)
  tar -C "$BATS_TEST_TMPDIR" -cf "$BATS_TEST_TMPDIR/empty.tar" --files-from /dev/null
  b import "$BATS_TEST_TMPDIR/empty.tar" compl/img:v1 > /dev/null
  b create --name compl-ctr compl/img:v1 true > /dev/null
  run complete_words berth --root "$BERTH_TEST_ROOT" run compl/
  [[ "$output" == "compl/img:v1" ]] || fail_with "$output"
  run complete_words berth --root "$BERTH_TEST_ROOT" rm compl
  [[ "$output" == "compl-ctr" ]] || fail_with "$output"
  run complete_words berth --root "$BERTH_TEST_ROOT" container rm compl
  [[ "$output" == "compl-ctr" ]] || fail_with "$output"
  run complete_words berth --root "$BERTH_TEST_ROOT" inspect compl
  [[ "$output" == $'compl/img:v1\ncompl-ctr' ]] || fail_with "$output"
  b rm compl-ctr > /dev/null
}
