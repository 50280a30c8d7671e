/* A container's disk use as Docker reports it (ps -s, inspect -s). */
#pragma once

#include "common/error.h"
#include "container/container.h"
#include "store/store.h"

/* Docker's SizeRw (the files of the container's own layer, hard links
 * once: overlay2's directory.Size of the upper dir) and SizeRootFs (that
 * plus every layer of its image).  A container whose layer is gone counts
 * 0 for it. */
int berth_container_sizes(berth_store *s, const berth_container *c, long long *rw,
                          long long *rootfs, berth_error **err);
