/* `build -`: the context from standard input, as Docker 20.10's CLI reads
 * it.  A tar (plain, gzip, bzip2, xz: context/tar.h) is unpacked into a
 * private scratch dir of the store (store/scratch.h: removed when the build
 * ends, swept by the next store open after a crash), the Dockerfile then
 * read from inside it; anything else is the Dockerfile itself, and the
 * context is a directory holding only it, as `Dockerfile` (0644). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "context/context.h"
#include "store/scratch.h"
#include "store/store.h"

/* Reads standard input (fd) into a new scratch dir; *is_tar says which
 * kind it was. */
berth_store_scratch *berth_build_stdin_context(berth_store *s, int fd, bool *is_tar,
                                               berth_error **err);

/* The Dockerfile name (untrusted: -f's value) inside the context dirfd
 * (untrusted: an unpacked tar), resolved inside it as the daemon does (a
 * symlink cannot lead out), a regular file read up to one byte more than
 * the parser takes: "Cannot locate specified Dockerfile: NAME" when absent. */
char *berth_build_read_dockerfile_at(int dirfd, const char *name, size_t *len, berth_error **err);

/* Reads the Dockerfile from fd (`-f -`), at most one byte more than the
 * parser takes. */
char *berth_build_read_dockerfile_fd(int fd, size_t *len, berth_error **err);

/* The unpacked context: no .dockerignore filters it (Docker's CLI sends a
 * tar as it is), but .dockerignore and the Dockerfile (dockerfile, its
 * path inside) are removed when .dockerignore excludes them, as the
 * daemon's removeDockerfile does.  No stat cache (the files are new). */
berth_context *berth_build_context_open_unpacked(int dirfd, const char *dockerfile,
                                                 berth_error **err);
