/* Host devices in a container: --device HOST[:CTR[:rwm]] as Docker 20.10
 * parses it into HostConfig.Devices, and the OCI linux.devices entries
 * and device cgroup rules made from those (and, for --privileged, from
 * every device of the host's /dev) when the container starts. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "common/error.h"

/* Docker's CLI (validateDevice, parseDevice): spec is the user's, any
 * bytes.  A new {PathOnHost, PathInContainer, CgroupPermissions} object;
 * errors in Docker's words ("bad mode specified: q", "rel is not an
 * absolute path", "bad format for path: …"), and a host path that is
 * not absolute is refused too (Docker would look it up relative to the
 * daemon's directory). */
json_t *berth_device_parse(const char *spec, berth_error **err);

/* The devices of HostConfig.Devices (berth_device_parse's objects), each
 * host path looked up now: a device node, or a directory whose device
 * nodes are all taken (as Docker does).  *devices gets linux.devices
 * entries, *rules the cgroup allow rules.  With privileged, every device
 * under the host's /dev comes first (Docker's HostDevices).  Errors in
 * Docker's words: `error gathering device information while adding
 * custom device "/x": no such file or directory`. */
int berth_devices_resolve(const json_t *hc_devices, bool privileged, json_t **devices,
                          json_t **rules, berth_error **err);
