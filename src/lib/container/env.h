/* Process environments: the container's Env with `exec -e` entries on top. */
#pragma once

#include <jansson.h>

/* base is the container's Config.Env (strings "K=V"; anything else is
 * skipped); overrides are user input "K=V" (replaces K) or "K" (takes K
 * from lookup(K) when that is not NULL, else is dropped).  lookup may be
 * NULL.  Returns a new NULL-terminated vector. */
char **berth_env_merge(const json_t *base, char *const *overrides,
                       const char *(*lookup)(const char *name));
