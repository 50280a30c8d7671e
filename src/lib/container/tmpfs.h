/* --tmpfs PATH[:OPTS] as Docker 20.10 keeps it (HostConfig.Tmpfs, a map
 * of the path to its options) and mounts it (noexec,nosuid,nodev,rprivate
 * then the user's options, the later winning). */
#pragma once

#include <jansson.h>

#include "common/error.h"

/* The HostConfig.Tmpfs object of specs (user input, NULL-terminated):
 * keys sorted as Go writes a map, a path given twice keeps its last
 * options.  Each path must be absolute and not "/", each option one
 * Docker takes (a mount flag, or size, mode, uid, gid, nr_inodes,
 * nr_blocks, mpol with a value), the values of the numeric ones numbers,
 * so a bad one fails here and not when the container starts.  Errors in
 * Docker's words: "invalid mount path: 't' mount path must be absolute",
 * `invalid tmpfs option ["bogus"]`.  NULL specs or none: *out NULL. */
int berth_tmpfs_hostconfig(char *const *specs, json_t **out, berth_error **err);

/* The OCI mounts of a HostConfig.Tmpfs object (from the record: its
 * shape is checked). */
json_t *berth_tmpfs_mounts(const json_t *tmpfs, berth_error **err);
