/* Getting a container ready to start: its command checked inside its
 * rootfs as Docker checks it, the rootfs mounted, the runtime's config.json
 * written. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "container/container.h"
#include "container/runtime.h"
#include "store/store.h"

/* The container's own PATH lookup of cmd inside rootfd (path_var NULL:
 * the default PATH), so a missing command is 127 and one that is not
 * executable 126, with Docker's wording after prefix. */
int berth_container_check_command(int rootfd, const char *cmd, const char *path_var,
                                  const char *prefix, berth_error **err);

/* Checks the process can start (126/127 errors as Docker words them),
 * mounts the rootfs and writes the runtime's config.json. */
int berth_container_prepare(berth_store *s, berth_container *c, berth_error **err);
