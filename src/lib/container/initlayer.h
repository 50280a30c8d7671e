/* The init layer: the placeholders Docker puts between the image and the
 * container's own layer (SPEC §4), so the bind mounts of hosts, hostname,
 * resolv.conf and the /dev, /proc, /sys mounts have something to cover and
 * `diff` does not report them. */
#pragma once

#include "common/error.h"

/* Fills the (empty, berth-made) directory dirfd with /etc/hosts,
 * /etc/hostname, /etc/resolv.conf, /.dockerenv, /dev/console (empty files),
 * /dev/pts, /dev/shm, /proc, /sys (directories) and /etc/mtab -> /proc/mounts. */
int berth_container_init_layer_fill(int dirfd, berth_error **err);
