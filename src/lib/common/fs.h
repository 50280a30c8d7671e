/* Small filesystem helpers used across the store.  Everything works relative
 * to a directory fd; names come from berth itself, never from outside input
 * (untrusted names go through archive/, which confines them). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* Writes data to dirfd/name crash-safely: a temp name in the same directory,
 * fsync, rename over name, fsync the directory.  Readers see the old bytes or
 * the new ones, never a half file. */
int berth_write_file_atomic_at(int dirfd, const char *name, const void *data, size_t len,
                               mode_t mode, berth_error **err);

/* Writes a new file dirfd/name with no temp name and no sync, as Docker's
 * overlay2 driver writes a container layer's link/lower and the container's
 * hosts files: for files whose loss in a crash costs nothing (they are
 * re-made, or belong to a container being set up).  Replaces an old file. */
int berth_write_file_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                        berth_error **err);

/* Reads all of dirfd/name into a NUL-terminated buffer (*len excludes the NUL).
 * Returns -1 with errno-bearing error (berth_error_errno(err) == ENOENT when absent). */
int berth_read_file_at(int dirfd, const char *name, char **data, size_t *len, berth_error **err);

/* Reads a small one-line file and strips the trailing newline. */
char *berth_read_line_at(int dirfd, const char *name, berth_error **err);

/* mkdir -p relative to dirfd; existing directories are fine. */
int berth_mkdir_p_at(int dirfd, const char *path, mode_t mode, berth_error **err);

/* Opens a directory (O_DIRECTORY|O_CLOEXEC), creating it (and parents) first
 * when create is true. */
int berth_open_dir_at(int dirfd, const char *path, bool create, berth_error **err);

/* rm -rf dirfd/name without following symlinks; a missing name is fine.
 * Stops with EBUSY at a mount point below name: nothing under a live mount
 * is deleted through it. */
int berth_rm_rf_at(int dirfd, const char *name, berth_error **err);

/* fsync a directory by path relative to dirfd. */
int berth_fsync_dir_at(int dirfd, const char *path, berth_error **err);

bool berth_exists_at(int dirfd, const char *path);

/* Closes each fd of a malloc()ed array (-1 entries skipped) and frees it. */
void berth_close_fds(int *fds, size_t n);

/* Sum of st_size of regular files and symlinks under dirfd/path (hard links
 * counted once) — Docker's layer "size". */
int berth_du_at(int dirfd, const char *path, long long *size, berth_error **err);
