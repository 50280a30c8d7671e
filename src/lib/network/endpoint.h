/* A container's endpoints on bridge networks, the state that must outlive
 * berth: ROOT/network/endpoints/<container id>.json, written atomically
 * under the network lock.  It says which networks the container is
 * connected to (from create, `network connect`), each with the CNI
 * configuration list it was connected with; and, while the container runs,
 * its network namespace and for each network the interface, the CNI
 * result (address, gateway, MAC) and the published ports.  An attachment
 * is recorded before its CNI ADD runs, so a berth killed at any point
 * leaves what a later CNI DEL needs to release the address, the veth and
 * the iptables rules. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "network/network.h"
#include "network/ports.h"
#include "store/store.h"

/* Connects container cid (named cname) to network n for its next start
 * (create, `network connect` of a stopped container); aliases may be
 * NULL.  Already connected: Docker's "endpoint with name CNAME already
 * exists in network NAME". */
int berth_endpoints_register(berth_store *s, const char *cid, const char *cname,
                             const berth_network *n, char *const *aliases, berth_error **err);

/* At the container's start (the supervisor, before the runtime): its
 * network namespace (netns.h) and a CNI ADD for every connected network
 * in order (eth0, eth1…); ports are published on the first one (a port
 * 0 picked from the kernel's ephemeral range; a port another container
 * holds or the host uses is Docker's "Bind for IP:PORT failed: port is
 * already allocated" / "address already in use").  Nothing stays attached
 * when it fails.  No endpoints file: nothing to do (0). */
int berth_endpoints_up(berth_store *s, const char *cid, const berth_port_map *ports, size_t n_ports,
                       berth_error **err);
/* When it has stopped: a CNI DEL of every attached network (in reverse),
 * then the namespace goes.  What fails to be released stays recorded for
 * the next try.  No endpoints file: nothing to do. */
int berth_endpoints_down(berth_store *s, const char *cid, berth_error **err);
/* `rm`: down, then the file. */
int berth_endpoints_delete(berth_store *s, const char *cid, berth_error **err);

/* `network connect` of a running container (netns set): ADD on it as the
 * next ethN; of a stopped one: registered only. */
int berth_endpoints_connect(berth_store *s, const char *cid, const char *cname,
                            const berth_network *n, char *const *aliases, berth_error **err);
/* `network disconnect`: DEL when attached, then the registration goes.
 * Not connected: Docker's "container CID is not connected to network
 * NAME" (errno ENOENT). */
int berth_endpoints_disconnect(berth_store *s, const char *cid, const berth_network *n,
                               berth_error **err);

/* `rename`: the name the other members of its networks resolve. */
int berth_endpoints_rename(berth_store *s, const char *cid, const char *cname, berth_error **err);

/* The container's endpoints document (NULL when it has none). */
json_t *berth_endpoints_load(berth_store *s, const char *cid);
/* The network namespace path the container runs in (a new string):
 * ROOT/network/netns/<cid>. */
char *berth_endpoints_netns_path(berth_store *s, const char *cid);
/* Every container id that has an endpoints file, NULL-terminated. */
char **berth_endpoints_list(berth_store *s);
/* True when the document holds an attachment or a namespace. */
bool berth_endpoints_doc_active(const json_t *doc);
/* True when some container is attached to network id (call it under the
 * network lock to act on it). */
bool berth_endpoints_network_active(berth_store *s, const char *network_id);
/* Every attached member of network id: [{ContainerID, Name, Aliases,
 * IPv4Address ("172.18.0.2/16"), MacAddress, EndpointID}]. */
json_t *berth_endpoints_members(berth_store *s, const char *network_id);

/* From one entry of a document's Networks: its address without and with
 * the prefix, gateway and MAC (empty strings when not attached). */
typedef struct berth_endpoint_addr {
  char ip[16];
  int prefix;
  char gateway[16];
  char mac[18];
} berth_endpoint_addr;
void berth_endpoint_addr_of(const json_t *net, berth_endpoint_addr *out);
