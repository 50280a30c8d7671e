/* Linux capabilities by Docker's names ("CAP_CHOWN"), and the set a
 * container's processes get from its HostConfig (CapAdd, CapDrop,
 * Privileged), as Docker 20.10 computes it. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "common/error.h"

/* Docker's default set, NULL-terminated. */
extern const char *const berth_caps_default[];

/* Docker 20.10's normalization of a CapAdd/CapDrop entry (kept in the
 * HostConfig as typed): upper case, "CAP_" put before it unless it is
 * "ALL" or has it.  A new string. */
char *berth_cap_normalize(const char *name);

/* True when name (normalized) is a capability the running kernel has. */
bool berth_cap_known(const char *name);

/* Docker's daemon check of HostConfig.CapAdd/CapDrop (field names which):
 * every entry normalized must be ALL or a capability the kernel has, else
 * `invalid CapAdd: unknown capability: "CAP_FOO"`. */
int berth_caps_check(const json_t *list, const char *field, berth_error **err);

/* The capabilities (bounding, effective, permitted) of a container with
 * this HostConfig, NULL-terminated: every one for Privileged; else
 * Docker's default set with CapDrop taken out and CapAdd put in ("ALL" in
 * CapAdd: every one but CapDrop's; in CapDrop: CapAdd's only).  "Every
 * one" is every capability the kernel has that berth's own bounding set
 * still holds: a capability berth cannot hand on would make the runtime
 * fail ("unable to apply caps"), as Docker fails on such a host.  The
 * HostConfig was checked at create; an unknown name is an error. */
char **berth_caps_for(const json_t *hostconfig, berth_error **err);
