/* A container's network, by its HostConfig.NetworkMode as Docker's:
 * "host" (the host's), "none" (a namespace with only lo), "default" or
 * "bridge" (the default bridge network), a user network's name, or
 * "container:NAME" (another running container's).  Bridge networks are
 * network/'s endpoints: registered at create, set up by the container's
 * monitor before the runtime starts it and released after it ends; a
 * monitor that died leaves them to berth_container_network_sweep. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "container/container.h"
#include "network/network.h"
#include "network/ports.h"
#include "store/store.h"

/* True for the modes the CNI plugins set up. */
bool berth_container_network_is_bridge(const char *mode);

/* At create: mode is user input; a network it names must exist ("network
 * NAME not found"), container:NAME a container ("No such container:
 * NAME").  *net is the network for the bridge modes (else NULL). */
int berth_container_network_resolve(berth_store *s, const berth_network_config *cfg,
                                    const char *mode, berth_network **net, berth_error **err);
/* At create, once the record is saved: the endpoint registered, with the
 * --network-alias names (and, on a user network, the short ID, as
 * Docker's DNS answers for it). */
int berth_container_network_register(berth_store *s, const berth_container *c,
                                     const berth_network *net, char *const *aliases,
                                     berth_error **err);

/* At prepare: the namespace config.json names.  *path NULL and *own
 * false: the host's; *own true: a new one of the runtime's; *path: that
 * namespace (a new string).  For container:NAME the other container must
 * run ("cannot join network of a non running container: ID"); its
 * hostname, hosts and resolv.conf become this one's. */
int berth_container_network_namespace(berth_store *s, berth_container *c, char **path, bool *own,
                                      berth_error **err);

/* The monitor, before the runtime: the endpoints up (ports from
 * HostConfig.PortBindings, and with PublishAllPorts every exposed port),
 * then hosts and resolv.conf written as Docker writes them, and the hosts
 * of the other containers of its user networks. */
int berth_container_network_up(berth_store *s, const berth_container *c, berth_error **err);
/* The monitor, once the runtime has ended: the endpoints released, the
 * other containers' hosts without this one. */
int berth_container_network_down(berth_store *s, const berth_container *c, berth_error **err);
/* `rm`: down, and the endpoints' record goes. */
int berth_container_network_remove(berth_store *s, const berth_container *c, berth_error **err);

/* `network connect`: Docker's refusals (the host, none and container:
 * modes cannot join a bridge network: "container cannot be disconnected
 * from host network or connected to host network"), then the endpoint
 * registered, set up at once when the container runs; the hosts files of
 * the network's members updated. */
int berth_container_network_connect(berth_store *s, const berth_container *c,
                                    const berth_network *n, char *const *aliases,
                                    berth_error **err);
/* `network disconnect`: the endpoint released and gone. */
int berth_container_network_disconnect(berth_store *s, const berth_container *c,
                                       const berth_network *n, berth_error **err);

/* `rename`: its endpoints and the other members' hosts files learn the
 * new name. */
int berth_container_network_rename(berth_store *s, const berth_container *c, berth_error **err);

/* What a killed berth left: every container with endpoints up that no
 * monitor holds and the runtime no longer runs is released; those of
 * removed containers are deleted.  Takes each container's monitor lock
 * while it does, so a start at the same time is never undone. */
int berth_container_network_sweep(berth_store *s, berth_error **err);
/* The same for one container. */
int berth_container_network_sweep_one(berth_store *s, const char *cid, berth_error **err);

/* The ports the container publishes (from its record). */
int berth_container_network_ports(const berth_container *c, berth_port_map **v, size_t *n,
                                  berth_error **err);
/* NetworkSettings in Docker 20.10's shape (Bridge, SandboxID, Ports,
 * SandboxKey, Gateway, IPAddress, IPPrefixLen, MacAddress, Networks…)
 * from the record and, while it runs, its endpoints. */
json_t *berth_container_network_settings(berth_store *s, const berth_container *c);
