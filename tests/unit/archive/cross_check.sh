#!/bin/sh
# Peer cross-check: each GNU tar fixture is unpacked by berth and by GNU tar;
# the two trees must match (type, mode, owner, size, mtime, link count,
# symlink target, allocated blocks, xattrs), and berth's rebuild must give
# the original bytes back.  Usage: cross_check.sh UNPACK_TOOL DATA_DIR
set -eu
tool=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
for f in "$data"/*.tar; do
  n=$((n + 1))
  name=$(basename "$f")
  rm -rf "$work/b" "$work/g"
  mkdir "$work/b" "$work/g"
  "$tool" "$f" "$work/b" "$work/split.gz" "$work/rebuilt.tar" > "$work/out"
  want="sha256:$(sha256sum < "$f" | cut -d' ' -f1)"
  tar --xattrs --xattrs-include='*' -xpf "$f" -C "$work/g"
  for t in b g; do
    (cd "$work/$t" && find . -printf '%p %M %U %G %s %T@ %n %l %b\n' | sort) > "$work/$t.lst"
    (cd "$work/$t" && getfattr -h -d -m- -R . 2>/dev/null) > "$work/$t.xattr" || true
  done
  if diff "$work/b.lst" "$work/g.lst" && diff "$work/b.xattr" "$work/g.xattr" \
      && cmp "$f" "$work/rebuilt.tar" && [ "$(cut -d' ' -f1 "$work/out")" = "$want" ]; then
    echo "ok $n - $name"
  else
    echo "not ok $n - $name"
  fi
done
echo "1..$n"
