/* `cp`: copying files between a container's root and the host, with
 * Docker's path rules (CopyInfoDestinationPath / PrepareArchiveCopy):
 * a trailing "/" asserts a directory, "SRC/." copies a directory's
 * contents, a missing DEST is created with SRC's contents under DEST's
 * name, an existing directory DEST receives SRC under its own name.
 *
 * The container side is always its merged root (mounted for the copy
 * when the container is stopped, released after): every name in it is
 * resolved with berth_safe_open_at (RESOLVE_IN_ROOT), so a symlink in the
 * container pointing at /etc or ../../ means the container's /etc, never
 * the host's; what is written there goes through archive/extract.h with
 * the destination directory as its root, as a layer is extracted. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "container/container.h"
#include "store/store.h"

typedef struct berth_cp_options {
  bool follow;  /* -L: follow a symlink SRC */
  bool archive; /* -a: keep uid/gid (Docker keeps the tar's owners either way) */
} berth_cp_options;

/* CTR:src → dst on the host, or a tar on fd 1 when dst is "-".  src and dst
 * are the user's; name is the container as typed (for Docker's words). */
int berth_cp_from_container(berth_store *s, berth_container *c, const char *name, const char *src,
                            const char *dst, const berth_cp_options *o, berth_error **err);

/* src on the host (or a tar on fd 0 when src is "-") → CTR:dst.  The tar
 * read from fd 0 is untrusted: extraction refuses entries that climb out of
 * dst and resolves symlinks inside it. */
int berth_cp_to_container(berth_store *s, berth_container *c, const char *name, const char *src,
                          const char *dst, const berth_cp_options *o, berth_error **err);
