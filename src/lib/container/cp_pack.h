/* `cp`'s tar of one path: the tree below an already resolved file
 * descriptor, written the way Docker's TarResource writes it. */
#pragma once

#include "common/error.h"

/* Writes fd (an O_PATH descriptor of a file, directory or symlink, already
 * resolved by the caller, confined or not) and everything below it as a
 * POSIX tar to outfd, its entries named name, name/child, ...  Below fd,
 * every entry is opened O_PATH | O_NOFOLLOW relative to its directory, so
 * symlinks are stored, never followed, and nothing outside the tree is
 * read.  Children are sorted bytewise; hard links within the tree become
 * link entries; sockets are skipped. */
int berth_cp_pack(int fd, const char *name, int outfd, berth_error **err);
