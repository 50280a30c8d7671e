#include "network/endpoint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/random.h"
#include "common/testpoint.h"
#include "common/xalloc.h"
#include "network/cni.h"
#include "network/firewall.h"
#include "network/netns.h"

#define ENDPOINTS_DIR "network/endpoints"

char *
berth_endpoints_netns_path(berth_store *s, const char *cid)
{
  return xasprintf("%s/network/netns/%s", berth_store_root(s), cid);
}

static char *
doc_rel(const char *cid)
{
  return xasprintf(ENDPOINTS_DIR "/%s.json", cid);
}

/* The document, checked for the shape berth writes (it is berth's, but a
 * file on disk): NULL when there is none. */
json_t *
berth_endpoints_load(berth_store *s, const char *cid)
{
  cleanup_free char *rel = doc_rel(cid);
  cleanup_free char *text = NULL;
  size_t len;
  if (berth_read_file_at(berth_store_root_fd(s), rel, &text, &len, NULL) < 0)
    return NULL;
  json_t *doc = json_loadb(text, len, 0, NULL);
  if (!json_is_object(doc) || !json_is_array(json_object_get(doc, "Networks"))) {
    json_decref(doc);
    return NULL;
  }
  return doc;
}

/* Temp file and rename, without fsync: what the document describes
 * (addresses, veths, iptables rules, namespaces) does not outlive a reboot
 * either, and a killed berth finds the old document or the new one whole
 * all the same.  Several saves per start: the fsyncs were most of their
 * cost. */
static int
save(berth_store *s, const char *cid, const json_t *doc, berth_error **err)
{
  if (berth_mkdir_p_at(berth_store_root_fd(s), ENDPOINTS_DIR, 0700, err) < 0)
    return -1;
  cleanup_free char *rel = doc_rel(cid);
  char rnd[17];
  berth_random_hex(rnd, 16);
  cleanup_free char *tmp = xasprintf("%s.tmp-%s", rel, rnd);
  cleanup_free char *text = json_dumps(doc, JSON_COMPACT);
  int root = berth_store_root_fd(s);
  if (berth_write_file_at(root, tmp, text, strlen(text), 0600, err) < 0) {
    unlinkat(root, tmp, 0);
    return -1;
  }
  if (renameat(root, tmp, root, rel) < 0) {
    int e = errno;
    unlinkat(root, tmp, 0);
    return berth_error_set(err, e, "rename %s", tmp);
  }
  return 0;
}

static json_t *
find_net(const json_t *doc, const char *network_id, size_t *index)
{
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(doc, "Networks"), i, e)
  {
    if (strcmp(json_string_value(json_object_get(e, "NetworkID")) ?: "", network_id) == 0) {
      if (index != NULL)
        *index = i;
      return e;
    }
  }
  return NULL;
}

static json_t *
new_entry(berth_store *s, const berth_network *n, char *const *aliases)
{
  json_t *al = json_null();
  if (aliases != NULL && aliases[0] != NULL) {
    al = json_array();
    for (char *const *a = aliases; *a != NULL; a++)
      json_array_append_new(al, json_string(*a));
  }
  return json_pack("{s:s, s:s, s:o, s:o, s:b}", "Name", n->name, "NetworkID", n->id, "Aliases", al,
                   "Config", berth_network_conflist(s, n), "Attached", 0);
}

static int
register_locked(berth_store *s, const char *cid, const char *cname, const berth_network *n,
                char *const *aliases, json_t **docp, berth_error **err)
{
  json_t *doc = berth_endpoints_load(s, cid);
  if (doc == NULL)
    doc = json_pack("{s:s, s:s, s:s, s:[]}", "ContainerID", cid, "Name", cname, "Netns", "",
                    "Networks");
  if (find_net(doc, n->id, NULL) != NULL) {
    json_decref(doc);
    return berth_error_set(err, 0, "endpoint with name %s already exists in network %s", cname,
                           n->name);
  }
  json_array_append_new(json_object_get(doc, "Networks"), new_entry(s, n, aliases));
  *docp = doc;
  return 0;
}

int
berth_endpoints_register(berth_store *s, const char *cid, const char *cname, const berth_network *n,
                         char *const *aliases, berth_error **err)
{
  cleanup_close int lock = berth_network_lock(s, err);
  if (lock < 0)
    return -1;
  cleanup_json json_t *doc = NULL;
  if (register_locked(s, cid, cname, n, aliases, &doc, err) < 0)
    return -1;
  return save(s, cid, doc, err);
}

char **
berth_endpoints_list(berth_store *s)
{
  size_t n = 0, cap = 8;
  char **ids = xcalloc(cap, sizeof(char *));
  int fd = openat(berth_store_root_fd(s), ENDPOINTS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return ids;
  cleanup_dir DIR *d = fdopendir(fd);
  if (d == NULL) {
    close(fd);
    return ids;
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strlen(e->d_name) != 69 || strcmp(e->d_name + 64, ".json") != 0
        || strspn(e->d_name, "0123456789abcdef") != 64)
      continue;
    if (n + 2 > cap)
      ids = xrealloc(ids, (cap *= 2) * sizeof(char *));
    ids[n++] = xstrndup(e->d_name, 64);
    ids[n] = NULL;
  }
  return ids;
}

bool
berth_endpoints_doc_active(const json_t *doc)
{
  const char *netns = json_string_value(json_object_get(doc, "Netns"));
  if (netns != NULL && netns[0] != '\0')
    return true;
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(doc, "Networks"), i,
                     e) if (json_is_true(json_object_get(e, "Attached"))) return true;
  return false;
}

void
berth_endpoint_addr_of(const json_t *net, berth_endpoint_addr *out)
{
  memset(out, 0, sizeof(*out));
  const json_t *r = json_object_get(net, "Result");
  if (!json_is_true(json_object_get(net, "Attached")) || !json_is_object(r))
    return;
  size_t i;
  json_t *ip;
  json_array_foreach(json_object_get(r, "ips"), i, ip)
  {
    const char *addr = json_string_value(json_object_get(ip, "address"));
    if (addr == NULL || strchr(addr, ':') != NULL)
      continue;
    size_t len = strcspn(addr, "/");
    snprintf(out->ip, sizeof(out->ip), "%.*s", (int)(len < 15 ? len : 15), addr);
    out->prefix = addr[len] == '/' ? atoi(addr + len + 1) : 32;
    snprintf(out->gateway, sizeof(out->gateway), "%s",
             json_string_value(json_object_get(ip, "gateway")) ?: "");
    json_t *iface = json_array_get(json_object_get(r, "interfaces"),
                                   (size_t)json_integer_value(json_object_get(ip, "interface")));
    snprintf(out->mac, sizeof(out->mac), "%s",
             json_string_value(json_object_get(iface, "mac")) ?: "");
    return;
  }
}

bool
berth_endpoints_network_active(berth_store *s, const char *network_id)
{
  cleanup_strv char **ids = berth_endpoints_list(s);
  for (char **id = ids; *id != NULL; id++) {
    cleanup_json json_t *doc = berth_endpoints_load(s, *id);
    json_t *e = find_net(doc, network_id, NULL);
    if (e != NULL && json_is_true(json_object_get(e, "Attached")))
      return true;
  }
  return false;
}

json_t *
berth_endpoints_members(berth_store *s, const char *network_id)
{
  json_t *out = json_array();
  cleanup_strv char **ids = berth_endpoints_list(s);
  for (char **id = ids; *id != NULL; id++) {
    cleanup_json json_t *doc = berth_endpoints_load(s, *id);
    json_t *e = find_net(doc, network_id, NULL);
    if (e == NULL || !json_is_true(json_object_get(e, "Attached")))
      continue;
    berth_endpoint_addr a;
    berth_endpoint_addr_of(e, &a);
    cleanup_free char *cidr = a.ip[0] ? xasprintf("%s/%d", a.ip, a.prefix) : xstrdup("");
    json_array_append_new(out,
                          json_pack("{s:s, s:s, s:O, s:s, s:s, s:s}", "ContainerID", *id, "Name",
                                    json_string_value(json_object_get(doc, "Name")) ?: "",
                                    "Aliases", json_object_get(e, "Aliases") ?: json_null(),
                                    "IPv4Address", cidr, "MacAddress", a.mac, "EndpointID",
                                    json_string_value(json_object_get(e, "EndpointID")) ?: ""));
  }
  return out;
}

/* --- ports ------------------------------------------------------------- */

static bool
ips_overlap(const char *a, const char *b)
{
  bool any_a = a[0] == '\0' || strcmp(a, "0.0.0.0") == 0;
  bool any_b = b[0] == '\0' || strcmp(b, "0.0.0.0") == 0;
  return any_a || any_b || strcmp(a, b) == 0;
}

/* Whether another attached container publishes port/proto on ip. */
static bool
port_taken(berth_store *s, const char *self, const char *ip, unsigned port, const char *proto)
{
  cleanup_strv char **ids = berth_endpoints_list(s);
  for (char **id = ids; *id != NULL; id++) {
    if (strcmp(*id, self) == 0)
      continue;
    cleanup_json json_t *doc = berth_endpoints_load(s, *id);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "Networks"), i, e)
    {
      if (!json_is_true(json_object_get(e, "Attached")))
        continue;
      size_t k;
      json_t *m;
      json_array_foreach(json_object_get(json_object_get(e, "RuntimeConfig"), "portMappings"), k, m)
      {
        const char *mip = json_string_value(json_object_get(m, "hostIP")) ?: "";
        if ((unsigned)json_integer_value(json_object_get(m, "hostPort")) == port
            && strcmp(json_string_value(json_object_get(m, "protocol")) ?: "", proto) == 0
            && ips_overlap(mip, ip))
          return true;
      }
    }
  }
  return false;
}

/* Whether this host can bind ip:port itself (nothing else listens). */
static bool
port_bindable(const char *ip, unsigned port, const char *proto)
{
  bool udp = strcmp(proto, "udp") == 0;
  cleanup_close int fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return true; /* cannot tell: the plugin will */
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  if (ip[0] != '\0' && inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
    return true; /* IPv6: left to the plugin */
  return bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
}

static void
ephemeral_range(unsigned *lo, unsigned *hi)
{
  *lo = 32768;
  *hi = 60999;
  cleanup_free char *line
      = berth_read_line_at(AT_FDCWD, "/proc/sys/net/ipv4/ip_local_port_range", NULL);
  unsigned a, b;
  if (line != NULL && sscanf(line, "%u %u", &a, &b) == 2 && a > 0 && a <= b && b <= 65535) {
    *lo = a;
    *hi = b;
  }
}

static bool
taken_here(const json_t *mappings, unsigned port, const char *proto, const char *ip)
{
  size_t i;
  json_t *m;
  json_array_foreach(
      mappings, i,
      m) if ((unsigned)json_integer_value(json_object_get(m, "hostPort")) == port
             && strcmp(json_string_value(json_object_get(m, "protocol")) ?: "", proto) == 0
             && ips_overlap(json_string_value(json_object_get(m, "hostIP")) ?: "", ip)) return true;
  return false;
}

/* The portmap plugin's portMappings for ports, each host port decided:
 * Docker's errors for one that is taken. */
static json_t *
resolve_ports(berth_store *s, const char *cid, const char *cname, const char *endpoint_id,
              const berth_port_map *ports, size_t n_ports, berth_error **err)
{
  cleanup_json json_t *out = json_array();
  unsigned lo, hi;
  ephemeral_range(&lo, &hi);
  for (size_t i = 0; i < n_ports; i++) {
    const berth_port_map *p = &ports[i];
    const char *shown_ip = p->host_ip[0] ? p->host_ip : "0.0.0.0";
    unsigned port = p->host_port;
    if (port == 0 || p->host_port_end != 0) {
      unsigned from = port ? port : lo, to = port ? p->host_port_end : hi;
      unsigned found = 0;
      for (unsigned c = from; c <= to && found == 0; c++)
        if (!taken_here(out, c, p->proto, p->host_ip)
            && !port_taken(s, cid, p->host_ip, c, p->proto)
            && port_bindable(p->host_ip, c, p->proto))
          found = c;
      if (found == 0) {
        berth_error_set(err, 0,
                        "driver failed programming external connectivity on endpoint %s (%s): "
                        "Bind for %s:%u failed: port is already allocated",
                        cname, endpoint_id, shown_ip, from);
        return NULL;
      }
      port = found;
    } else if (taken_here(out, port, p->proto, p->host_ip)
               || port_taken(s, cid, p->host_ip, port, p->proto)) {
      berth_error_set(err, 0,
                      "driver failed programming external connectivity on endpoint %s (%s): "
                      "Bind for %s:%u failed: port is already allocated",
                      cname, endpoint_id, shown_ip, port);
      return NULL;
    } else if (!port_bindable(p->host_ip, port, p->proto)) {
      berth_error_set(err, 0,
                      "driver failed programming external connectivity on endpoint %s (%s): "
                      "Error starting userland proxy: listen %s4 %s:%u: bind: address already "
                      "in use",
                      cname, endpoint_id, p->proto, shown_ip, port);
      return NULL;
    }
    json_t *m = json_pack("{s:I, s:I, s:s}", "hostPort", (json_int_t)port, "containerPort",
                          (json_int_t)p->container_port, "protocol", p->proto);
    if (p->host_ip[0] != '\0')
      json_object_set_new(m, "hostIP", json_string(p->host_ip));
    json_array_append_new(out, m);
  }
  return steal_pointer(&out);
}

/* --- ADD and DEL --------------------------------------------------------- */

/* The bridge plugin unmasquerades the addresses it finds in the
 * namespace: with the namespace gone (its mount namespace died with a
 * killed build) berth removes those rules by the result's addresses. */
static void
masq_leftovers(const char *cid, const json_t *e, const json_t *result)
{
  json_t *ips = json_object_get(result, "ips");
  cleanup_strv char **v = xcalloc(json_array_size(ips) + 1, sizeof(char *));
  size_t i, n = 0;
  json_t *ip;
  json_array_foreach(ips, i, ip)
  {
    const char *addr = json_string_value(json_object_get(ip, "address"));
    if (addr != NULL && strchr(addr, ':') == NULL)
      v[n++] = xstrdup(addr);
  }
  const char *name = json_string_value(json_object_get(json_object_get(e, "Config"), "name"));
  if (name != NULL)
    berth_firewall_masq_teardown(name, cid, v);
}

static int
del_entry(const char *cid, const char *netns, json_t *e, berth_error **err)
{
  if (!json_is_true(json_object_get(e, "Attached")))
    return 0;
  const char *ifname = json_string_value(json_object_get(e, "IfName"));
  berth_cni_args a = { cid, netns != NULL && berth_netns_exists(netns) ? netns : "",
                       ifname ? ifname : "eth0", getenv("BERTH_CNI_PATH") };
  json_t *result = json_object_get(e, "Result");
  if (berth_cni_list_del(&a, json_object_get(e, "Config"), json_object_get(e, "RuntimeConfig"),
                         json_is_object(result) ? result : NULL, err)
      < 0)
    return -1;
  if (a.netns[0] == '\0' && json_is_object(result))
    masq_leftovers(cid, e, result);
  json_object_set_new(e, "Attached", json_false());
  json_object_del(e, "Result");
  json_object_del(e, "RuntimeConfig");
  json_object_del(e, "IfName");
  json_object_del(e, "EndpointID");
  return 0;
}

/* The ethN an entry gets: the lowest N no attached entry uses. */
static char *
next_ifname(const json_t *doc)
{
  for (int n = 0;; n++) {
    char name[16];
    snprintf(name, sizeof(name), "eth%d", n);
    bool used = false;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "Networks"), i, e) used
        |= json_is_true(json_object_get(e, "Attached"))
           && strcmp(json_string_value(json_object_get(e, "IfName")) ?: "", name) == 0;
    if (!used)
      return xstrdup(name);
  }
}

struct progress {
  berth_store *s;
  const char *cid;
  json_t *doc, *entry;
};

/* After each plugin's ADD: its result is the next DEL's prevResult (the
 * firewall plugin finds the rules it made by the addresses in it). */
static int
record_progress(const json_t *result, void *ctx, berth_error **err)
{
  struct progress *p = ctx;
  berth_test_point("network-plugin-added");
  json_object_set(p->entry, "Result", (json_t *)result);
  return save(p->s, p->cid, p->doc, err);
}

/* Records the attachment (so a DEL can always follow), then ADD; the
 * result recorded after each plugin.  Under the network lock. */
static int
add_entry(berth_store *s, const char *cid, json_t *doc, json_t *e, const berth_port_map *ports,
          size_t n_ports, berth_error **err)
{
  char epid[65];
  berth_random_hex(epid, 64);
  const char *cname = json_string_value(json_object_get(doc, "Name")) ?: "";
  json_t *rc = json_object();
  if (n_ports > 0) {
    json_t *maps = resolve_ports(s, cid, cname, epid, ports, n_ports, err);
    if (maps == NULL) {
      json_decref(rc);
      return -1;
    }
    json_object_set_new(rc, "portMappings", maps);
  }
  cleanup_free char *ifname = next_ifname(doc);
  json_object_set_new(e, "IfName", json_string(ifname));
  json_object_set_new(e, "EndpointID", json_string(epid));
  json_object_set_new(e, "RuntimeConfig", rc);
  json_object_set_new(e, "Attached", json_true());
  json_object_del(e, "Result");
  if (save(s, cid, doc, err) < 0)
    return -1;
  berth_test_point("network-recorded");
  const char *netns = json_string_value(json_object_get(doc, "Netns"));
  berth_cni_args a = { cid, netns, ifname, getenv("BERTH_CNI_PATH") };
  json_t *result = NULL;
  struct progress pr = { s, cid, doc, e };
  if (berth_cni_list_add_progress(&a, json_object_get(e, "Config"), rc, record_progress, &pr,
                                  &result, err)
      < 0) {
    /* the list's ADD undid itself: the entry is no longer attached */
    json_object_set_new(e, "Attached", json_false());
    json_object_del(e, "RuntimeConfig");
    json_object_del(e, "IfName");
    json_object_del(e, "EndpointID");
    (void)save(s, cid, doc, NULL);
    return -1;
  }
  json_object_set_new(e, "Result", result);
  if (save(s, cid, doc, err) < 0)
    return -1;
  json_t *plugins = json_object_get(json_object_get(e, "Config"), "plugins");
  const char *bridge = json_string_value(json_object_get(json_array_get(plugins, 0), "bridge"));
  return bridge != NULL ? berth_firewall_isolate(bridge, err) : 0;
}

static int
down_locked(berth_store *s, const char *cid, json_t *doc, berth_error **err)
{
  const char *netns = json_string_value(json_object_get(doc, "Netns"));
  cleanup_free char *ns = xstrdup(netns ? netns : "");
  json_t *nets = json_object_get(doc, "Networks");
  int ret = 0;
  for (size_t i = json_array_size(nets); i-- > 0;) {
    cleanup_error berth_error *e = NULL;
    if (del_entry(cid, ns, json_array_get(nets, i), &e) < 0) {
      ret = -1;
      berth_error_propagate(err, &e);
      continue; /* the others are released all the same */
    }
    if (save(s, cid, doc, err) < 0)
      return -1;
  }
  if (ret < 0)
    return -1;
  if (ns[0] != '\0') {
    if (berth_netns_remove(ns, err) < 0)
      return -1;
    json_object_set_new(doc, "Netns", json_string(""));
    return save(s, cid, doc, err);
  }
  return 0;
}

int
berth_endpoints_down(berth_store *s, const char *cid, berth_error **err)
{
  cleanup_json json_t *peek = berth_endpoints_load(s, cid);
  if (peek == NULL || !berth_endpoints_doc_active(peek))
    return 0; /* the common case takes no lock */
  cleanup_close int lock = berth_network_lock(s, err);
  if (lock < 0)
    return -1;
  cleanup_json json_t *doc = berth_endpoints_load(s, cid);
  if (doc == NULL)
    return 0;
  if (down_locked(s, cid, doc, err) < 0)
    return berth_error_prefix(err, "release the network of container %.12s", cid);
  return 0;
}

int
berth_endpoints_delete(berth_store *s, const char *cid, berth_error **err)
{
  cleanup_json json_t *peek = berth_endpoints_load(s, cid);
  if (peek == NULL)
    return 0;
  cleanup_close int lock = berth_network_lock(s, err);
  if (lock < 0)
    return -1;
  cleanup_json json_t *doc = berth_endpoints_load(s, cid);
  if (doc == NULL)
    return 0;
  if (down_locked(s, cid, doc, err) < 0)
    return berth_error_prefix(err, "release the network of container %.12s", cid);
  cleanup_free char *rel = doc_rel(cid);
  if (unlinkat(berth_store_root_fd(s), rel, 0) < 0 && errno != ENOENT)
    return berth_error_set(err, errno, "remove %s", rel);
  return 0;
}

/* A user network removed since the container was connected to it. */
static int
check_network(berth_store *s, const json_t *e, berth_error **err)
{
  const char *id = json_string_value(json_object_get(e, "NetworkID")) ?: "";
  cleanup_free char *rel = xasprintf("network/networks/%s.json", id);
  const char *name = json_string_value(json_object_get(e, "Name")) ?: "";
  if (strcmp(name, "bridge") == 0 || berth_exists_at(berth_store_root_fd(s), rel))
    return 0;
  return berth_error_set_as(err, ENOENT, "network %s not found", name);
}

int
berth_endpoints_up(berth_store *s, const char *cid, const berth_port_map *ports, size_t n_ports,
                   berth_error **err)
{
  cleanup_json json_t *peek = berth_endpoints_load(s, cid);
  if (peek == NULL)
    return 0;
  cleanup_close int lock = berth_network_lock(s, err);
  if (lock < 0)
    return -1;
  cleanup_json json_t *doc = berth_endpoints_load(s, cid);
  if (doc == NULL)
    return 0;
  /* what a killed start left is released first */
  if (berth_endpoints_doc_active(doc) && down_locked(s, cid, doc, err) < 0)
    return -1;
  json_t *nets = json_object_get(doc, "Networks");
  for (size_t i = 0; i < json_array_size(nets); i++)
    if (check_network(s, json_array_get(nets, i), err) < 0)
      return -1;
  cleanup_free char *ns = berth_endpoints_netns_path(s, cid);
  if (berth_mkdir_p_at(berth_store_root_fd(s), "network/netns", 0700, err) < 0)
    return -1;
  /* recorded first: a berth killed right after has left a namespace that
   * the next down removes */
  json_object_set_new(doc, "Netns", json_string(ns));
  if (save(s, cid, doc, err) < 0 || berth_netns_create(ns, err) < 0)
    goto fail;
  for (size_t i = 0; i < json_array_size(nets); i++)
    if (add_entry(s, cid, doc, json_array_get(nets, i), i == 0 ? ports : NULL, i == 0 ? n_ports : 0,
                  err)
        < 0)
      goto fail;
  return 0;
fail:
  (void)down_locked(s, cid, doc, NULL);
  return -1;
}

int
berth_endpoints_connect(berth_store *s, const char *cid, const char *cname, const berth_network *n,
                        char *const *aliases, berth_error **err)
{
  cleanup_close int lock = berth_network_lock(s, err);
  if (lock < 0)
    return -1;
  cleanup_json json_t *doc = NULL;
  if (register_locked(s, cid, cname, n, aliases, &doc, err) < 0)
    return -1;
  const char *netns = json_string_value(json_object_get(doc, "Netns"));
  if (netns == NULL || netns[0] == '\0' || !berth_netns_exists(netns))
    return save(s, cid, doc, err);
  json_t *nets = json_object_get(doc, "Networks");
  json_t *e = json_array_get(nets, json_array_size(nets) - 1);
  if (add_entry(s, cid, doc, e, NULL, 0, err) < 0) {
    json_array_remove(nets, json_array_size(nets) - 1);
    (void)save(s, cid, doc, NULL);
    return -1;
  }
  return 0;
}

int
berth_endpoints_disconnect(berth_store *s, const char *cid, const berth_network *n,
                           berth_error **err)
{
  cleanup_close int lock = berth_network_lock(s, err);
  if (lock < 0)
    return -1;
  cleanup_json json_t *doc = berth_endpoints_load(s, cid);
  size_t index = 0;
  json_t *e = doc != NULL ? find_net(doc, n->id, &index) : NULL;
  if (e == NULL)
    return berth_error_set_as(err, ENOENT, "container %s is not connected to network %s", cid,
                              n->name);
  const char *netns = json_string_value(json_object_get(doc, "Netns"));
  if (del_entry(cid, netns, e, err) < 0)
    return -1;
  json_array_remove(json_object_get(doc, "Networks"), index);
  return save(s, cid, doc, err);
}

int
berth_endpoints_rename(berth_store *s, const char *cid, const char *cname, berth_error **err)
{
  cleanup_json json_t *peek = berth_endpoints_load(s, cid);
  if (peek == NULL)
    return 0;
  cleanup_close int lock = berth_network_lock(s, err);
  if (lock < 0)
    return -1;
  cleanup_json json_t *doc = berth_endpoints_load(s, cid);
  if (doc == NULL)
    return 0;
  json_object_set_new(doc, "Name", json_string(cname));
  return save(s, cid, doc, err);
}
