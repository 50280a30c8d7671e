/* A container's own network namespace, kept as a file: the nsfs of a
 * namespace bind-mounted on an empty file under the store
 * (network/netns/<container id>), as Docker keeps its sandboxes under
 * /var/run/docker/netns.  The file keeps the namespace alive without any
 * process in it, so the CNI plugins can set it up before the runtime
 * starts the container in it (config.json's linux.namespaces path) and
 * tear it down after the container is gone, even long after a berth that
 * was killed. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

/* Makes a new network namespace at path (a berth-made path whose directory
 * exists), its loopback up.  An existing namespace there is an error. */
int berth_netns_create(const char *path, berth_error **err);
/* True when path is a mounted network namespace (false after a reboot
 * left only the empty file). */
bool berth_netns_exists(const char *path);
/* Unmounts the namespace and removes the file; a missing one is fine. */
int berth_netns_remove(const char *path, berth_error **err);
