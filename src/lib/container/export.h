/* `export`: a container's filesystem (its mounted rootfs) as a tar. */
#pragma once

#include "common/error.h"
#include "container/container.h"
#include "store/store.h"

/* Writes the merged rootfs of c as a POSIX tar to fd; the mount is taken
 * and released around it.  Symlinks are stored, never followed. */
int berth_container_export(berth_store *s, berth_container *c, int fd, berth_error **err);
