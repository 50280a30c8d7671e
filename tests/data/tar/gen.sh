#!/bin/sh
# Regenerates the GNU tar fixtures used by tests/unit/archive (run as root,
# from this directory).  Deterministic: fixed mtimes, owners and order.
set -eu
here=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p root/dir/sub root/long
printf 'hello\n' > root/dir/hello
ln root/dir/hello root/dir/hello.hard
ln -s hello root/dir/hello.link
truncate -s 8M root/sparse
printf 'middle' | dd of=root/sparse bs=1 seek=4194304 conv=notrunc status=none
printf 'end' | dd of=root/sparse bs=1 seek=8388605 conv=notrunc status=none
long=root/long/$(printf 'x%.0s' $(seq 1 150))/$(printf 'y%.0s' $(seq 1 150))
mkdir -p "$(dirname "$long")"
printf 'long name\n' > "$long"
setfattr -n user.berth -v fixture root/dir/hello
setfattr -n security.capability -v 0sAQAAAgAgAAAAAAAAAAAAAAAAAAA= root/dir/hello
chmod 4755 root/dir/hello
chmod 1777 root/dir/sub
mkfifo root/fifo
find root -exec touch -h -d '2020-09-13 12:26:40 UTC' {} +
common="--sort=name --owner=0 --group=0 --numeric-owner -C root ."
tar --format=pax --xattrs --xattrs-include='*' --sparse -cf "$here/gnu-pax.tar" $common
tar --format=gnu --sparse -cf "$here/gnu-gnu.tar" $common
