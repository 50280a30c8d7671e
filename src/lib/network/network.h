/* Networks as Docker's: the predefined "bridge" (berth0, 172.17.0.0/16
 * unless configured), "host" and "none", and user networks made by
 * `network create`, each a bridge of its own (br-<id[:12]>).  A network's
 * record is ROOT/network/networks/<id>.json, in the shape of Docker's
 * `network inspect` (without Containers, which come from the endpoints).
 * The predefined networks are never stored whole: their IDs are fixed
 * (sha256 of their names) and the bridge's subnet is the configuration's,
 * so a reader never has to write one. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "network/cidr.h"
#include "store/store.h"

/* What berth's configuration says of networks (system/config.h's keys,
 * Docker's daemon.json names). */
typedef struct berth_network_config {
  const char *bip;                 /* "bip": the default bridge's gateway/prefix; NULL: none */
  const berth_address_pool *pools; /* "default-address-pools"; NULL: Docker's */
  size_t n_pools;
} berth_network_config;

typedef struct berth_network {
  char *name;
  char id[65];
  char *created;   /* RFC 3339 */
  char *driver;    /* "bridge", "host", "null" */
  bool predefined; /* bridge, host, none: never removed */
  berth_cidr subnet;
  uint32_t gateway;
  bool show_gateway; /* inspect names it (Docker: not for a --subnet alone, nor the default
                      * bridge without "bip") */
  char bridge[16];   /* the Linux bridge ("" for host and none) */
  json_t *labels;    /* object */
  json_t *options;   /* Docker's Options */
} berth_network;

void berth_network_free(berth_network *n);
void berth_network_cleanup(berth_network **n);
#define cleanup_network __attribute__((cleanup(berth_network_cleanup)))

/* True for "bridge" and the user networks: the modes with a namespace of
 * their own that the CNI plugins set up. */
bool berth_network_has_bridge(const berth_network *n);

/* Docker's lookup: a full ID, an exact name, then a unique ID prefix.
 * name is user input.  Not found: "network NAME not found" (errno ENOENT),
 * an ambiguous prefix: Docker's "network NAME is ambiguous (N matches
 * found based on ID prefix)". */
int berth_network_find(berth_store *s, const berth_network_config *cfg, const char *name,
                       berth_network **out, berth_error **err);
/* Every network, the predefined ones too, sorted by name as Docker lists them.
 * *n of them in a new array of pointers. */
int berth_network_list(berth_store *s, const berth_network_config *cfg, berth_network ***out,
                       size_t *n, berth_error **err);
void berth_network_list_free(berth_network **v, size_t n);

typedef struct berth_network_create_options {
  const char *name;    /* user input */
  const char *subnet;  /* --subnet (user input), NULL: from the pools */
  const char *gateway; /* --gateway (user input), NULL: the subnet's first address */
  const char *driver;  /* -d (NULL or "bridge": the only one berth has) */
  char **labels;       /* --label K=V, NULL-terminated, may be NULL */
} berth_network_create_options;

/* `network create`: Docker's checks and words ("network with name X
 * already exists", "Pool overlaps with other one on this address space",
 * "no matching subnet for gateway X"), then the record, written under the
 * network lock. */
int berth_network_create(berth_store *s, const berth_network_config *cfg,
                         const berth_network_create_options *o, berth_network **out,
                         berth_error **err);
/* `network rm`: the record, the bridge and its isolation rules, the
 * network's IPAM directory.  A predefined network is refused ("bridge is a
 * pre-defined network and cannot be removed"), one with attached
 * containers too ("error while removing network: network X id ID has
 * active endpoints"). */
int berth_network_remove(berth_store *s, const berth_network *n, berth_error **err);

/* The network's record in the shape of Docker's network inspect (Name, Id,
 * Created, Scope, Driver, EnableIPv6, IPAM, Internal, Attachable, Ingress,
 * ConfigFrom, ConfigOnly, Containers {}, Options, Labels). */
json_t *berth_network_inspect_json(const berth_network *n);

/* The CNI configuration list of a bridge network: bridge (with host-local
 * IPAM, its dataDir ROOT/network/ipam), portmap, firewall. */
json_t *berth_network_conflist(berth_store *s, const berth_network *n);

/* Writes a predefined network's small record (ID, first use) when it has
 * none: its Created stays that time.  User networks: nothing. */
int berth_network_touch(berth_store *s, const berth_network *n, berth_error **err);

/* The network store's lock (an flock on ROOT/network/.lock) as an fd;
 * closing it releases it.  Held while networks and endpoints change. */
int berth_network_lock(berth_store *s, berth_error **err);
/* "ROOT/network/<rel>", a new string. */
char *berth_network_path(berth_store *s, const char *rel);
