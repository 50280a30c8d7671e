/* The container's rootfs: an overlay of the image layers (through the l/
 * short links, by common/mount.h), the init layer, and the container's
 * diff, at overlay2/<mount-id>/merged.  Mounts
 * are counted in containers/<id>/mounts under an flock so `berth mount`, a
 * running container and `diff` can share one mount. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "container/container.h"
#include "store/store.h"

/* Mounts the rootfs (refcounted; safe if already mounted by the running
 * container) and returns the merged path; unmount releases it. */
char *berth_container_mount(berth_store *s, berth_container *c, berth_error **err);
/* `berth mount`: berth_container_mount, and a nosuid,nodev bind of the
 * rootfs at overlay2/<mount-id>/mnt for use on the host; returns that path.
 * Released by berth_container_unmount like any other count. */
char *berth_container_mount_host(berth_store *s, berth_container *c, berth_error **err);
int berth_container_unmount(berth_store *s, berth_container *c, berth_error **err);
/* Unmounts whatever the count says (for rm and recovery): count to 0. */
int berth_container_unmount_all(berth_store *s, berth_container *c, berth_error **err);
/* True when the merged dir is a mount point now. */
bool berth_container_is_mounted(berth_store *s, const berth_container *c);
