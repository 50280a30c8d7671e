/* A build context sent as a tar on standard input (`build - < ctx.tar`), as
 * Docker 20.10's CLI detects it and its daemon untars it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* Docker's IsArchive on the first bytes of the stream (head, n <= 512, as
 * many as there are): gzip, bzip2 or xz magic, or a tar header with a
 * valid checksum.  Anything else is a Dockerfile.  (zstd is not an archive
 * to Docker 20.10's CLI: its bytes are a Dockerfile.) */
bool berth_context_is_archive(const void *head, size_t n);

/* Limits of an unpacked context: it is untrusted and lands on the store's
 * disk. */
#define BERTH_CONTEXT_TAR_MAX_ENTRIES 1000000
#define BERTH_CONTEXT_TAR_MAX_BYTES (64ll << 30)

/* Unpacks the context tar (plain, gzip, bzip2 or xz; untrusted) whose
 * first n bytes are head and the rest is read from fd, into the directory
 * destfd: names cleaned (a leading `/` dropped, a `..` that climbs out
 * refused), every entry written inside destfd (symlinks met on the way
 * resolved inside it, hard links only to entries inside it), owners, modes
 * and times kept, no whiteout rules.  Errors are Docker's daemon's words:
 * "Error processing tar file(...): ...". */
int berth_context_unpack_tar(const void *head, size_t n, int fd, int destfd, berth_error **err);
