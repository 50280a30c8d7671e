/* The host-local IPAM plugin's state, kept in the store: its dataDir is
 * ROOT/network/ipam, one directory per network name holding a file per
 * allocated address (its content the container ID and interface), so an
 * address outlives berth until the CNI DEL releases it. */
#pragma once

#include "common/error.h"
#include "store/store.h"

/* "ROOT/network/ipam", a new string. */
char *berth_ipam_dir(berth_store *s);
/* Removes the directory of a removed network (its name): a network made
 * again under that name starts with no allocation. */
int berth_ipam_forget(berth_store *s, const char *network_name, berth_error **err);
/* How many addresses of the network container_id holds (for checks). */
int berth_ipam_count(berth_store *s, const char *network_name, const char *container_id);
