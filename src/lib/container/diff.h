/* `diff CONTAINER`: the A/C/D changes of a container. */
#pragma once

#include <stddef.h>

#include "changes/changes.h"
#include "common/error.h"
#include "container/container.h"
#include "store/store.h"

/* The container's upperdir against its init layer and image layers (no
 * mount needed: the directories are read as overlayfs reads them). */
int berth_container_diff(berth_store *s, const berth_container *c, berth_change **out, size_t *n,
                         berth_error **err);
