/* NetworkSettings of `inspect`, in Docker 20.10's shape. */
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/network.h"
#include "network/endpoint.h"

/* One entry of NetworkSettings.Networks (Docker's EndpointSettings). */
static json_t *
endpoint_settings(const json_t *e, const char *network_id)
{
  berth_endpoint_addr a;
  berth_endpoint_addr_of(e, &a);
  json_t *aliases = json_object_get(e, "Aliases");
  return json_pack(
      "{s:n, s:n, s:O, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:s, s:n}", "IPAMConfig", "Links",
      "Aliases", aliases ? aliases : json_null(), "NetworkID", network_id, "EndpointID",
      a.ip[0] ? json_string_value(json_object_get(e, "EndpointID")) ?: "" : "", "Gateway",
      a.gateway, "IPAddress", a.ip, "IPPrefixLen", a.prefix, "IPv6Gateway", "", "GlobalIPv6Address",
      "", "GlobalIPv6PrefixLen", 0, "MacAddress", a.mac, "DriverOpts");
}

/* NetworkSettings.Ports while it runs: each published port's bindings as
 * the portmap plugin got them, each exposed one not published null. */
static json_t *
ports_json(const berth_container *c, const json_t *doc)
{
  json_t *ports = json_object();
  bool running = strcmp(c->status, "running") == 0;
  if (!running)
    return ports;
  const char *key;
  json_t *v;
  json_object_foreach(json_object_get(c->config, "ExposedPorts"), key, v)
      json_object_set_new(ports, key, json_null());
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(doc, "Networks"), i, e)
  {
    size_t k;
    json_t *m;
    json_array_foreach(json_object_get(json_object_get(e, "RuntimeConfig"), "portMappings"), k, m)
    {
      cleanup_free char *pk
          = xasprintf("%lld/%s", (long long)json_integer_value(json_object_get(m, "containerPort")),
                      json_string_value(json_object_get(m, "protocol")) ?: "tcp");
      json_t *list = json_object_get(ports, pk);
      if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(ports, pk, list);
      }
      cleanup_free char *hp
          = xasprintf("%lld", (long long)json_integer_value(json_object_get(m, "hostPort")));
      const char *ip = json_string_value(json_object_get(m, "hostIP"));
      json_array_append_new(list,
                            json_pack("{s:s, s:s}", "HostIp", ip ? ip : "0.0.0.0", "HostPort", hp));
    }
  }
  berth_ports_sort_keys(ports);
  return ports;
}

json_t *
berth_container_network_settings(berth_store *s, const berth_container *c)
{
  const char *mode = json_string_value(json_object_get(c->hostconfig, "NetworkMode")) ?: "host";
  cleanup_json json_t *doc = berth_endpoints_load(s, c->id);
  bool running = strcmp(c->status, "running") == 0;
  /* Docker names the network once the container has started on it */
  bool started = strncmp(c->started_at ? c->started_at : "0001", "0001", 4) != 0;
  json_t *networks = json_object();
  berth_endpoint_addr primary = { 0 };
  const char *primary_ep = "";
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(doc, "Networks"), i, e)
  {
    const char *name = json_string_value(json_object_get(e, "Name")) ?: "";
    const char *id = json_string_value(json_object_get(e, "NetworkID")) ?: "";
    json_object_set_new(networks, name, endpoint_settings(e, started ? id : ""));
    /* Docker's top-level addresses are the default bridge's only */
    if (strcmp(name, "bridge") == 0 && running) {
      berth_endpoint_addr_of(e, &primary);
      primary_ep = json_string_value(json_object_get(e, "EndpointID")) ?: "";
    }
  }
  if (doc == NULL && strncmp(mode, "container:", 10) != 0) {
    /* host and none: their predefined network, no endpoint of berth's */
    cleanup_network berth_network *n = NULL;
    if (berth_network_find(s, NULL, mode, &n, NULL) == 0)
      json_object_set_new(networks, n->name,
                          json_pack("{s:n, s:n, s:n, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:i, "
                                    "s:s, s:n}",
                                    "IPAMConfig", "Links", "Aliases", "NetworkID",
                                    started ? n->id : "", "EndpointID", "", "Gateway", "",
                                    "IPAddress", "", "IPPrefixLen", 0, "IPv6Gateway", "",
                                    "GlobalIPv6Address", "", "GlobalIPv6PrefixLen", 0, "MacAddress",
                                    "", "DriverOpts"));
  }
  const char *netns = json_string_value(json_object_get(doc, "Netns")) ?: "";
  bool sandbox = running && netns[0] != '\0';
  return json_pack("{s:s, s:s, s:b, s:s, s:i, s:o, s:s, s:n, s:n, s:s, s:s, s:s, s:i, s:s, "
                   "s:i, s:s, s:s, s:o}",
                   "Bridge", "", "SandboxID", sandbox ? c->id : "", "HairpinMode", 0,
                   "LinkLocalIPv6Address", "", "LinkLocalIPv6PrefixLen", 0, "Ports",
                   ports_json(c, doc), "SandboxKey", sandbox ? netns : "", "SecondaryIPAddresses",
                   "SecondaryIPv6Addresses", "EndpointID", primary.ip[0] ? primary_ep : "",
                   "Gateway", primary.gateway, "GlobalIPv6Address", "", "GlobalIPv6PrefixLen", 0,
                   "IPAddress", primary.ip, "IPPrefixLen", primary.prefix, "IPv6Gateway", "",
                   "MacAddress", primary.mac, "Networks", networks);
}
