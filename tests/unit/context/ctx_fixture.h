/* What the context unit tests share: files and contexts made under a test
 * root. */
#pragma once

#include <sys/types.h>

#include "context/context.h"

/* dirfd/path with data and mode (past the umask), its parents made 0755;
 * aborts on failure. */
void put_file(int dirfd, const char *path, const char *data, mode_t mode);

/* root/name made (0755) and opened. */
int new_dir(const char *root, const char *name);

/* The context of directory fd, seen through the ignore file text (NULL:
 * none). */
berth_context *open_ctx(int fd, const char *ignore);
