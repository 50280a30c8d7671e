#!/usr/bin/env bash
# The format gate: every C file of the tree as the committed .clang-format
# lays it out.  Transcribed test tables (tests/unit/reference/cases_*.h) keep
# their upstream layout.  Exit 77 (meson's "skipped") without clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format > /dev/null || exit 77
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
  files=$(git ls-files '*.c' '*.h')
else
  files=$(find src tests -name '*.[ch]')
fi
keep=()
for f in $files; do
  case "$f" in tests/unit/reference/cases_*.h) continue ;; esac
  [[ -f "$f" ]] && keep+=("$f")
done
# One clang-format for all files; it names each misformatted line.
if report=$(clang-format --style=file --dry-run --Werror "${keep[@]}" 2>&1); then
  exit 0
fi
printf '%s\n' "$report" | grep -E '^[^ ].*: error:' | cut -d: -f1 | sort -u | sed 's/^/not formatted: /'
exit 1
