/* Published ports: `-p` specs parsed as Docker's (go-connections' nat
 * package), the bindings of HostConfig.PortBindings, and the ways Docker
 * prints them (`port`, ps's PORTS). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

typedef struct berth_port_map {
  char proto[5];           /* "tcp", "udp", "sctp" */
  unsigned container_port; /* 1..65535 */
  char host_ip[46];        /* "" for every address */
  unsigned host_port;      /* 0: one picked when the container starts */
  unsigned host_port_end;  /* a host range to pick in (one container port); 0: none */
} berth_port_map;

/* One -p/--publish value (user input): [IP:][HOST:]CTR[/PROTO], ports or
 * ranges (START-END; a host range as long as the container's, or one host
 * port for a range of one).  Appends to *v (*n entries, realloc'd).  Docker's
 * errors: "Invalid containerPort: X", "Invalid hostPort: X", "Invalid
 * proto: X", "Invalid ip address: X", "Invalid ranges specified for
 * container and host Ports: A and B". */
int berth_ports_parse(const char *spec, berth_port_map **v, size_t *n, berth_error **err);

/* The maps as HostConfig.PortBindings ({"80/tcp": [{"HostIp": "",
 * "HostPort": "8080"}]}) merged into pb (an object). */
void berth_ports_to_bindings(const berth_port_map *v, size_t n, json_t *pb);
/* HostConfig.PortBindings back to maps (berth's record, checked). */
int berth_ports_from_bindings(const json_t *pb, berth_port_map **v, size_t *n, berth_error **err);
/* "80/tcp" -> port and proto; -1 when key is not one. */
int berth_port_key_parse(const char *key, unsigned *port, char proto[5]);

/* Docker's ps PORTS column from NetworkSettings.Ports-shaped ports
 * ({"80/tcp": [{"HostIp","HostPort"}] or null}): "0.0.0.0:8080->80/tcp,
 * 443/tcp", consecutive ports folded into ranges as Docker folds them. */
char *berth_ports_ps_column(const json_t *ports);
/* `port`'s lines: "80/tcp -> 0.0.0.0:8080", one per binding, sorted as
 * Docker sorts them; only those of want ("80" or "80/tcp", NULL: all). */
char **berth_ports_port_lines(const json_t *ports, const char *want);

/* Rearranges obj's keys in byte order, as Go's encoding/json writes a map
 * (Docker's PortBindings, ExposedPorts, Ports). */
void berth_ports_sort_keys(json_t *obj);
